package io.toridb.core.vector;

import io.toridb.core.keyspace.DatasetDigest;
import io.toridb.core.keyspace.StoredValue;
import io.toridb.core.keyspace.ValueType;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A vector set, Redis 8's {@code vectorset} type: string elements, each with a vector and optional
 * JSON attributes, indexed by an {@link Hnsw} graph for similarity search and by a map ordered as
 * bytes compare (unsigned), which {@code VRANGE} walks.
 *
 * <p>A set may reduce its input vectors with a projection matrix ({@code REDUCE}): a fixed
 * Hadamard-pattern matrix of ±1/sqrt(input dimension), the same on every server, so that a log
 * replayed elsewhere reduces the same way. The matrix is persisted with the set all the same.
 */
public final class VectorSet extends StoredValue {
  /** The largest input dimension a vector may have. */
  public static final int MAX_DIM = 1 << 16;

  /**
   * The most entries a REDUCE projection matrix may have (64 MiB of floats): it is kept with the
   * set and applied to every vector added or searched, so its size is every command's cost.
   */
  public static final int MAX_PROJECTION = 1 << 24;

  private static final AtomicLong NEXT_UID = new AtomicLong();

  final Hnsw graph;
  private final TreeMap<byte[], Hnsw.Node> byElement = new TreeMap<>(Arrays::compareUnsigned);

  /** Row-major reduced-dimension x input-dimension projection, or null. */
  private float[] projection;

  private int projectionInput;

  private final long uid = NEXT_UID.getAndIncrement();

  private long attributeCount;

  VectorSet(int dim, int quant, int m) {
    this.graph = new Hnsw(dim, quant, m);
  }

  /** A set whose vectors are reduced from {@code inputDim} components to {@code dim}. */
  void project(int inputDim) {
    int dim = graph.dim;
    projection = new float[dim * inputDim];
    float scale = (float) (1.0 / Math.sqrt(inputDim));
    for (int i = 0; i < dim; i++) {
      for (int j = 0; j < inputDim; j++) {
        projection[i * inputDim + j] = (Integer.bitCount(i & j) % 2 == 0 ? 1 : -1) * scale;
      }
    }
    projectionInput = inputDim;
  }

  /** The input reduced by the projection; the input itself when the set has none. */
  float[] reduce(float[] input) {
    if (projection == null) {
      return input;
    }
    int dim = graph.dim;
    float[] out = new float[dim];
    for (int i = 0; i < dim; i++) {
      float sum = 0;
      int row = i * projectionInput;
      for (int j = 0; j < projectionInput; j++) {
        sum += projection[row + j] * input[j];
      }
      out[i] = sum;
    }
    return out;
  }

  boolean hasProjection() {
    return projection != null;
  }

  /** The input dimension of the projection, 0 without one. */
  public int projectionInput() {
    return projectionInput;
  }

  /** The dimension of the stored vectors (after any reduction). */
  public int dim() {
    return graph.dim;
  }

  public int quantization() {
    return graph.quant;
  }

  public int m() {
    return graph.m;
  }

  public long size() {
    return graph.size;
  }

  long uid() {
    return uid;
  }

  long attributeCount() {
    return attributeCount;
  }

  Hnsw.Node node(byte[] element) {
    return byElement.get(element);
  }

  /** The elements from {@code from} (inclusive or not; null: the first) in byte order. */
  Iterable<byte[]> elementsFrom(byte[] from, boolean inclusive) {
    if (from == null) {
      return byElement.keySet();
    }
    return byElement.tailMap(from, inclusive).keySet();
  }

  /**
   * Adds {@code element} with a vector already reduced, or replaces the vector of an element it has
   * (a new node, linked afresh). Attributes replace the old ones when given (empty removes them),
   * else stay as they were. Returns true if the element is new.
   */
  boolean add(byte[] element, float[] vector, byte[] attributes, int ef) {
    Hnsw.Node old = byElement.get(element);
    byte[] attrs = attributes;
    if (old != null) {
      graph.delete(old);
      if (old.attributes != null) {
        attributeCount--;
      }
      // An update keeps the attributes unless given; an empty value removes them. A new element
      // keeps even an empty value, as Redis does (a snapshot then drops it).
      if (attributes == null) {
        attrs = old.attributes;
      } else if (attributes.length == 0) {
        attrs = null;
      }
    }
    if (attrs != null) {
      attributeCount++;
    }
    Hnsw.Node node = graph.insert(vector, element, attrs, ef);
    byElement.put(element, node);
    return old == null;
  }

  /** Removes {@code element}; false if it was not there. */
  boolean remove(byte[] element) {
    Hnsw.Node node = byElement.remove(element);
    if (node == null) {
      return false;
    }
    if (node.attributes != null) {
      attributeCount--;
    }
    graph.delete(node);
    return true;
  }

  /** Sets (or with an empty value removes) an element's attributes. */
  void attributes(Hnsw.Node node, byte[] json) {
    byte[] value = json.length == 0 ? null : json;
    if (node.attributes != null) {
      attributeCount--;
    }
    if (value != null) {
      attributeCount++;
    }
    node.attributes = value;
  }

  @Override
  public ValueType type() {
    return ValueType.VECTORSET;
  }

  /** Redis keeps module values in raw objects. */
  @Override
  public String encoding() {
    return "raw";
  }

  @Override
  public StoredValue copy() {
    return new VectorSet(graph, projection, projectionInput);
  }

  private VectorSet(Hnsw source, float[] projection, int projectionInput) {
    this.graph = source.copy();
    this.projection = projection;
    this.projectionInput = projectionInput;
    for (Hnsw.Node n = graph.head; n != null; n = n.next) {
      index(n);
    }
  }

  /**
   * As Redis's module digest of a vector set: the size and dimension as one sequence, then one
   * sequence per node of its stored vector, element and attributes, each sequence XORed in.
   */
  @Override
  public void digest(DatasetDigest digest) {
    DatasetDigest sequence = DatasetDigest.element();
    DatasetDigest all = DatasetDigest.element();
    mixNumber(sequence, graph.size);
    mixNumber(sequence, graph.dim);
    endSequence(all, sequence);
    for (Hnsw.Node n = graph.head; n != null; n = n.next) {
      byte[] v = VectorSetCodec.vectorBytes(graph, n);
      sequence.mix(v, 0, v.length);
      sequence.mix(n.element, 0, n.element.length);
      if (n.attributes != null) {
        sequence.mix(n.attributes, 0, n.attributes.length);
      }
      endSequence(all, sequence);
    }
    digest.xor(all);
  }

  private static void mixNumber(DatasetDigest d, long n) {
    byte[] text = Long.toString(n).getBytes(StandardCharsets.US_ASCII);
    d.mix(text, 0, text.length);
  }

  private static void endSequence(DatasetDigest all, DatasetDigest sequence) {
    all.xor(sequence);
    sequence.reset();
  }

  @Override
  public long memoryUsage() {
    long bytes = VALUE_OVERHEAD + 200;
    if (projection != null) {
      bytes += 4L * projection.length;
    }
    for (Hnsw.Node n = graph.head; n != null; n = n.next) {
      bytes += 96 + graph.vectorBytes() + n.element.length + 48;
      for (int layer = 0; layer <= n.level; layer++) {
        bytes += 16 + 4L * n.links[layer].length;
      }
      if (n.attributes != null) {
        bytes += n.attributes.length + 16;
      }
    }
    return bytes;
  }

  // Used by the codec.

  float[] projectionMatrix() {
    return projection;
  }

  void restoreProjection(float[] matrix, int inputDim) {
    projection = matrix;
    projectionInput = inputDim;
  }

  /**
   * Registers a node of the graph under its element; false (and nothing registered) when another
   * node already has that element, which only a damaged payload can bring.
   */
  boolean index(Hnsw.Node node) {
    if (byElement.putIfAbsent(node.element, node) != null) {
      return false;
    }
    if (node.attributes != null) {
      attributeCount++;
    }
    return true;
  }
}
