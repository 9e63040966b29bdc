package io.toridb.core.vector;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A vector set as a sequence of unsigned numbers and strings, in the order and meaning of Redis 8's
 * vector-set module, so that a snapshot or DUMP payload can carry the graph itself (loading does
 * not rebuild it). Persistence frames the items (as RDB module opcodes); this class knows only what
 * they mean:
 *
 * <pre>
 * unsigned  vector dimension (after any reduction)
 * unsigned  number of elements
 * unsigned  quantization (bits 0-7: 0 none, 1 Q8, 2 BIN) | M &lt;&lt; 8
 * unsigned  flags: 1 = has a projection, 2 = has attributes
 * [unsigned input dimension, string projection matrix: little-endian float32, row-major]
 * then per element, in the graph's list order:
 *   string    element
 *   [string   attributes JSON, empty for none]   only with flag 2
 *   string    vector: float32 little-endian (none), int8 (Q8), 64-bit little-endian words (BIN)
 *   unsigned  number of parameters that follow, then the parameters:
 *             node id (never 0); level | serialization version 1 &lt;&lt; 24;
 *             per level 0..level: link count, link capacity, linked node ids,
 *               worst link (float bits of its distance &lt;&lt; 32 | its index);
 *             float bits of the Q8 range &lt;&lt; 32 | float bits of the length before normalizing
 * </pre>
 *
 * <p>Reading checks everything a damaged or forged payload could get wrong (dimensions, lengths,
 * levels, ids, duplicate elements, links that point nowhere or are not reciprocal) and refuses it
 * with {@link Invalid}. A link capacity larger than the node's usual one is not allocated ahead:
 * the node grows only to the links it holds.
 */
public final class VectorSetCodec {
  private VectorSetCodec() {}

  private static final int FLAG_PROJECTION = 1;
  private static final int FLAG_ATTRIBUTES = 2;
  private static final int SERIALIZATION_VERSION = 1;

  /** Where the items go. */
  public interface Sink {
    void unsigned(long value);

    void string(byte[] value);
  }

  /** Where the items come from; each method throws when the input ends or is malformed. */
  public interface Source {
    long unsigned();

    byte[] string();
  }

  /** A payload that does not hold a valid vector set. */
  public static final class Invalid extends RuntimeException {
    Invalid(String message) {
      super(message);
    }
  }

  public static void write(VectorSet set, Sink out) {
    Hnsw g = set.graph;
    out.unsigned(g.dim);
    out.unsigned(g.size);
    out.unsigned((g.quant & 0xff) | ((long) (g.m & 0xffff) << 8));
    boolean attributes = set.attributeCount() != 0;
    out.unsigned((set.hasProjection() ? FLAG_PROJECTION : 0) | (attributes ? FLAG_ATTRIBUTES : 0));
    if (set.hasProjection()) {
      out.unsigned(set.projectionInput());
      float[] matrix = set.projectionMatrix();
      byte[] b = new byte[matrix.length * 4];
      littleEndian(b).asFloatBuffer().put(matrix);
      out.string(b);
    }
    for (Hnsw.Node n = g.head; n != null; n = n.next) {
      out.string(n.element);
      if (attributes) {
        out.string(n.attributes == null ? new byte[0] : n.attributes);
      }
      out.string(vectorBytes(g, n));
      long[] params = params(n);
      out.unsigned(params.length);
      for (long p : params) {
        out.unsigned(p);
      }
    }
  }

  private static long[] params(Hnsw.Node n) {
    int count = 3;
    for (int i = 0; i <= n.level; i++) {
      count += 3 + n.linkCount[i];
    }
    long[] p = new long[count];
    int k = 0;
    p[k++] = n.id;
    p[k++] = (n.level & 0xff) | ((long) SERIALIZATION_VERSION << 24);
    for (int i = 0; i <= n.level; i++) {
      p[k++] = n.linkCount[i];
      p[k++] = n.capacity[i];
      for (int j = 0; j < n.linkCount[i]; j++) {
        p[k++] = n.links[i][j].id;
      }
      p[k++] = (bits(n.worstDistance[i]) << 32) | (n.worstIndex[i] & 0xffffffffL);
    }
    p[k] = (bits(n.range) << 32) | bits(n.l2);
    return p;
  }

  private static long bits(float f) {
    return Float.floatToRawIntBits(f) & 0xffffffffL;
  }

  /** A node's stored vector in its serialized byte form. */
  static byte[] vectorBytes(Hnsw g, Hnsw.Node n) {
    if (g.quant == Hnsw.QUANT_Q8) {
      return (byte[]) n.vector;
    }
    byte[] b = new byte[g.vectorBytes()];
    if (g.quant == Hnsw.QUANT_BIN) {
      littleEndian(b).asLongBuffer().put((long[]) n.vector);
    } else {
      littleEndian(b).asFloatBuffer().put((float[]) n.vector);
    }
    return b;
  }

  private static Object vectorOf(Hnsw g, byte[] b) {
    if (g.quant == Hnsw.QUANT_Q8) {
      return b;
    }
    if (g.quant == Hnsw.QUANT_BIN) {
      long[] words = new long[b.length / 8];
      littleEndian(b).asLongBuffer().get(words);
      return words;
    }
    return floats(b);
  }

  public static VectorSet read(Source in) {
    long dim = in.unsigned();
    long elements = in.unsigned();
    long config = in.unsigned();
    int quant = (int) (config & 0xff);
    int m = (int) ((config >>> 8) & 0xffff);
    if (dim <= 0 || dim > VectorSet.MAX_DIM) {
      throw new Invalid("invalid vector dimension " + dim);
    }
    if (quant != Hnsw.QUANT_NONE && quant != Hnsw.QUANT_Q8 && quant != Hnsw.QUANT_BIN) {
      throw new Invalid("invalid quantization " + quant);
    }
    m = m == 0 ? Hnsw.DEFAULT_M : Math.min(m, Hnsw.MAX_M);
    VectorSet set = new VectorSet((int) dim, quant, m);
    long flags = in.unsigned();
    if ((flags & FLAG_PROJECTION) != 0) {
      readProjection(in, set, (int) dim);
    }
    boolean attributes = (flags & FLAG_ATTRIBUTES) != 0;
    Hnsw g = set.graph;
    HnswLoader loader = new HnswLoader(g);
    for (long e = 0; e < elements; e++) {
      byte[] element = in.string();
      byte[] attrs = attributes ? in.string() : null;
      byte[] vector = in.string();
      if (vector.length != g.vectorBytes()) {
        throw new Invalid("mismatching vector length");
      }
      long count = in.unsigned();
      if (count < 3 || count > 3 + (Hnsw.MAX_LEVEL + 1) * (3 + 4L * Hnsw.MAX_M)) {
        throw new Invalid("bad node parameters");
      }
      long[] params = new long[(int) count];
      for (int j = 0; j < params.length; j++) {
        params[j] = in.unsigned();
      }
      Hnsw.Node node = addNode(loader, g, vectorOf(g, vector), params);
      node.element = element;
      node.attributes = attrs == null || attrs.length == 0 ? null : attrs;
      if (!set.index(node)) {
        throw new Invalid("duplicate element");
      }
    }
    String problem = loader.resolveLinks();
    if (problem != null) {
      throw new Invalid(problem);
    }
    return set;
  }

  private static void readProjection(Source in, VectorSet set, int dim) {
    long input = in.unsigned();
    if (input <= 0 || input > VectorSet.MAX_DIM || dim > input) {
      throw new Invalid("invalid projection dimensions");
    }
    if (input * dim > VectorSet.MAX_PROJECTION) {
      // Checked before the matrix is read: its size is every later command's cost too.
      throw new Invalid("projection matrix larger than " + VectorSet.MAX_PROJECTION + " entries");
    }
    byte[] blob = in.string();
    if (blob.length != 4L * input * dim) {
      throw new Invalid("mismatching projection matrix length");
    }
    set.restoreProjection(floats(blob), (int) input);
  }

  private static Hnsw.Node addNode(HnswLoader loader, Hnsw g, Object vector, long[] p) {
    long id = p[0];
    int level = (int) (p[1] & 0xff);
    int version = (int) ((p[1] & 0xff000000L) >>> 24);
    if (id <= 0
        || id > HnswLoader.MAX_ID
        || level > Hnsw.MAX_LEVEL
        || version > SERIALIZATION_VERSION) {
      throw new Invalid("bad node header");
    }
    boolean worstInfo = version > 0;
    long[][] links = new long[level + 1][];
    int[] capacities = new int[level + 1];
    int k = 2;
    for (int i = 0; i <= level; i++) {
      if (k + 2 + (worstInfo ? 1 : 0) > p.length) {
        throw new Invalid("truncated node parameters");
      }
      long count = p[k++];
      long capacity = p[k++];
      // A node's capacity only grows past its usual M (2M at level 0) by one link at a time, to
      // at most 2M (3M at level 0): a larger one comes from no graph Redis or ToriDB builds.
      long maxCapacity = i == 0 ? 3L * g.m : 2L * g.m;
      if (count < 0 || count > capacity || capacity > maxCapacity || k + count > p.length) {
        throw new Invalid("bad link count");
      }
      links[i] = new long[(int) count];
      capacities[i] = (int) capacity;
      for (int j = 0; j < count; j++) {
        links[i][j] = p[k++];
      }
      if (worstInfo) {
        long worst = p[k++];
        if (count > 0 && (worst & 0xffffffffL) >= count) {
          throw new Invalid("bad worst link");
        }
      }
    }
    if (k != p.length - 1) {
      throw new Invalid("bad node parameters");
    }
    float l2 = Float.intBitsToFloat((int) p[k]);
    float range = Float.intBitsToFloat((int) (p[k] >>> 32));
    return loader.add(id, level, vector, range, l2, links, capacities);
  }

  private static ByteBuffer littleEndian(byte[] b) {
    return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
  }

  /**
   * Little-endian float32s (an FP32 blob, a stored vector or a projection matrix), bits kept as
   * they are; {@code b}'s length a multiple of 4.
   */
  static float[] floats(byte[] b) {
    float[] v = new float[b.length / 4];
    littleEndian(b).asFloatBuffer().get(v);
    return v;
  }
}
