package io.toridb.persistence.aof;

import io.toridb.core.propagation.PropagationSink.Effect;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * One record of the append-only file: the effect of one write, or of one transaction, which replay
 * applies whole or not at all.
 *
 * <p>Layout (all integers big-endian):
 *
 * <pre>
 * offset  size  field
 *  0      2     magic: 0x54 0x52 ("TR")
 *  2      1     format version: 1
 *  3      1     kind: 1 = one write, 2 = a transaction (two writes or more)
 *  4      4     payload length n (unsigned; at most {@link #MAX_PAYLOAD})
 *  8      4     CRC32C (Castagnoli) of exactly the n payload bytes that follow
 * 12      n     payload: for each write, its database (4 bytes), then the write as a RESP array
 *               of bulk strings: *argc\r\n then $len\r\n bytes \r\n for each argument
 * </pre>
 *
 * <p>The payload holds the deterministic effect a write handed to propagation (absolute expiry
 * times, SPOP as SREM, ...), so replaying it rebuilds the same state whatever the clock says. These
 * numbers are part of the file format: never change them, add new ones.
 */
public final class AofRecord {
  private AofRecord() {}

  public static final byte MAGIC_0 = 0x54;
  public static final byte MAGIC_1 = 0x52;
  public static final byte VERSION = 1;
  public static final byte KIND_WRITE = 1;
  public static final byte KIND_TRANSACTION = 2;
  public static final int HEADER = 12;

  /** The largest payload a record may claim: 1 GiB, twice Redis's largest bulk string. */
  public static final int MAX_PAYLOAD = 1 << 30;

  /** Encodes one write; the CRC is filled in by {@link #seal} (on the writer thread). */
  public static byte[] encode(int db, byte[][] argv) {
    int size = HEADER + writeSize(argv);
    byte[] out = new byte[size];
    int p = header(out, KIND_WRITE, size - HEADER);
    put(out, p, db, argv);
    return out;
  }

  /** Encodes the writes of one transaction as one record (kind 2, or kind 1 for a single one). */
  public static byte[] encode(List<Effect> effects) {
    if (effects.size() == 1) {
      return encode(effects.get(0).db(), effects.get(0).argv());
    }
    int payload = 0;
    for (Effect e : effects) {
      payload += writeSize(e.argv());
    }
    byte[] out = new byte[HEADER + payload];
    int p = header(out, KIND_TRANSACTION, payload);
    for (Effect e : effects) {
      p = put(out, p, e.db(), e.argv());
    }
    return out;
  }

  /** Computes and stores the payload's CRC32C in the header of an encoded record. */
  public static void seal(byte[] record) {
    CRC32C crc = new CRC32C();
    crc.update(record, HEADER, record.length - HEADER);
    putInt(record, 8, (int) crc.getValue());
  }

  private static int header(byte[] out, byte kind, int payload) {
    out[0] = MAGIC_0;
    out[1] = MAGIC_1;
    out[2] = VERSION;
    out[3] = kind;
    putInt(out, 4, payload);
    return HEADER;
  }

  private static int writeSize(byte[][] argv) {
    int n = 4 + 1 + digits(argv.length) + 2;
    for (byte[] a : argv) {
      n += 1 + digits(a.length) + 2 + a.length + 2;
    }
    return n;
  }

  private static int put(byte[] out, int p, int db, byte[][] argv) {
    putInt(out, p, db);
    p += 4;
    out[p++] = '*';
    p = putDecimal(out, p, argv.length);
    out[p++] = '\r';
    out[p++] = '\n';
    for (byte[] a : argv) {
      out[p++] = '$';
      p = putDecimal(out, p, a.length);
      out[p++] = '\r';
      out[p++] = '\n';
      System.arraycopy(a, 0, out, p, a.length);
      p += a.length;
      out[p++] = '\r';
      out[p++] = '\n';
    }
    return p;
  }

  private static int digits(int n) {
    int d = 1;
    while (n >= 10) {
      n /= 10;
      d++;
    }
    return d;
  }

  private static int putDecimal(byte[] out, int p, int n) {
    int d = digits(n);
    for (int i = p + d - 1; i >= p; i--) {
      out[i] = (byte) ('0' + n % 10);
      n /= 10;
    }
    return p + d;
  }

  static void putInt(byte[] b, int p, int v) {
    b[p] = (byte) (v >>> 24);
    b[p + 1] = (byte) (v >>> 16);
    b[p + 2] = (byte) (v >>> 8);
    b[p + 3] = (byte) v;
  }

  static int getInt(byte[] b, int p) {
    return ((b[p] & 0xff) << 24)
        | ((b[p + 1] & 0xff) << 16)
        | ((b[p + 2] & 0xff) << 8)
        | (b[p + 3] & 0xff);
  }

  /** Thrown for a payload that passed its checksum but does not parse: a writer bug, not damage. */
  public static final class MalformedException extends Exception {
    public MalformedException(String message) {
      super(message);
    }
  }

  /**
   * Parses a payload (checksum already verified) into its writes; a transaction record must hold at
   * least two.
   */
  public static List<Effect> decode(byte kind, ByteBuffer payload) throws MalformedException {
    List<Effect> effects = new ArrayList<>(kind == KIND_TRANSACTION ? 4 : 1);
    while (payload.hasRemaining()) {
      if (payload.remaining() < 4) {
        throw new MalformedException("write cut short");
      }
      int db = payload.getInt();
      if (db < 0) {
        throw new MalformedException("negative database " + db);
      }
      expect(payload, (byte) '*');
      int argc = readDecimal(payload);
      if (argc < 1 || argc > payload.remaining() / 4) {
        throw new MalformedException("bad argument count " + argc);
      }
      byte[][] argv = new byte[argc][];
      for (int i = 0; i < argc; i++) {
        expect(payload, (byte) '$');
        int len = readDecimal(payload);
        if (len > payload.remaining() - 2) {
          throw new MalformedException("argument longer than the record");
        }
        argv[i] = new byte[len];
        payload.get(argv[i]);
        expect(payload, (byte) '\r');
        expect(payload, (byte) '\n');
      }
      effects.add(new Effect(db, argv));
    }
    if (effects.isEmpty()) {
      throw new MalformedException("empty record");
    }
    if (kind == KIND_WRITE && effects.size() != 1) {
      throw new MalformedException("a write record holds " + effects.size() + " writes");
    }
    if (kind == KIND_TRANSACTION && effects.size() < 2) {
      throw new MalformedException("a transaction record holds one write");
    }
    return effects;
  }

  private static void expect(ByteBuffer b, byte c) throws MalformedException {
    if (!b.hasRemaining() || b.get() != c) {
      throw new MalformedException("expected '" + (char) c + "'");
    }
  }

  /** A non-negative decimal ending in \r\n, at most 10 digits. */
  private static int readDecimal(ByteBuffer b) throws MalformedException {
    long v = 0;
    int digits = 0;
    while (b.hasRemaining()) {
      byte c = b.get();
      if (c == '\r') {
        expect(b, (byte) '\n');
        if (digits == 0 || v > Integer.MAX_VALUE) {
          throw new MalformedException("bad length");
        }
        return (int) v;
      }
      if (c < '0' || c > '9' || ++digits > 10) {
        throw new MalformedException("bad length");
      }
      v = v * 10 + (c - '0');
    }
    throw new MalformedException("length cut short");
  }

  /** A short printable form of a write, for log messages. */
  static String describe(byte[][] argv) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < Math.min(argv.length, 3); i++) {
      sb.append(i == 0 ? "" : " ")
          .append(new String(argv[i], 0, Math.min(argv[i].length, 32), StandardCharsets.UTF_8));
    }
    return sb.toString();
  }
}
