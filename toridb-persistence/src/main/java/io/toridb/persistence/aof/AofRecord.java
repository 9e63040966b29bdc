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
 * <p>Layout (header integers big-endian):
 *
 * <pre>
 * offset  size  field
 *  0      2     magic: 0x54 0x52 ("TR")
 *  2      1     format version: 2 (1 is still read)
 *  3      1     kind: 1 = one write, 2 = a transaction (two writes or more), 3 = a part of a
 *               transaction too large for one record, more parts following, 4 = its last part
 *  4      4     payload length n (unsigned; at most {@link #MAX_PAYLOAD})
 *  8      4     CRC32C (Castagnoli) of exactly the n payload bytes that follow
 * 12      n     payload: for each write, in version 2, its database, its argument count and each
 *               argument's length as unsigned LEB128 varints, each length followed by the
 *               argument's bytes, and after the last write one byte 0x0A ({@link #END}); in
 *               version 1, its database (4 bytes), then the write as a RESP array of bulk
 *               strings: *argc\r\n then $len\r\n bytes \r\n for each argument
 * </pre>
 *
 * <p>No record starts or ends with a zero byte (version 1's end in {@code \n} too), so a file that
 * ends in zeros is one the writer was extending ahead of its records, which the reader relies on to
 * tell a write cut short from damage (see {@link AofReader}).
 *
 * <p>Version 2 holds redis-benchmark's {@code SET} in 40 bytes where version 1 took 61, and costs
 * less to encode and to parse. Records of both versions may follow each other in one file (a log
 * written before version 2 and appended to after).
 *
 * <p>The payload holds the deterministic effect a write handed to propagation (absolute expiry
 * times, SPOP as SREM, ...), so replaying it rebuilds the same state whatever the clock says. These
 * numbers are part of the file format: never change them, add new ones.
 */
public final class AofRecord {
  private AofRecord() {}

  public static final byte MAGIC_0 = 0x54;
  public static final byte MAGIC_1 = 0x52;

  /** The version written. */
  public static final byte VERSION = 2;

  /** The first version, RESP-framed writes; read, no longer written. */
  public static final byte VERSION_RESP = 1;

  /** The last byte of a version-2 payload. */
  public static final byte END = 0x0A;

  public static final byte KIND_WRITE = 1;
  public static final byte KIND_TRANSACTION = 2;

  /**
   * A part of a transaction whose writes do not fit one record (version 2): one or more writes,
   * with more parts following, the last of kind {@link #KIND_LAST_PART}. Replay applies the
   * transaction once its last part is read, so a log cut short inside it loses it whole.
   */
  public static final byte KIND_PART = 3;

  /** The last part of a transaction written in parts: one or more writes. */
  public static final byte KIND_LAST_PART = 4;

  public static final int HEADER = 12;

  /** The largest payload a record may claim: what one Java array can hold with the header. */
  public static final int MAX_PAYLOAD = Integer.MAX_VALUE - 8 - HEADER;

  /**
   * Encodes one write; the CRC is filled in by {@link #seal} (on the writer thread).
   *
   * @throws IllegalArgumentException if the write is larger than a record can hold
   */
  public static byte[] encode(int db, byte[][] argv) {
    long payload = writeSize(db, argv) + 1;
    if (payload > MAX_PAYLOAD) {
      throw tooLarge(payload);
    }
    byte[] out = new byte[HEADER + (int) payload];
    int p = header(out, KIND_WRITE, (int) payload);
    out[put(out, p, db, argv)] = END;
    return out;
  }

  /**
   * Encodes the writes of one transaction as one record (kind 2, or kind 1 for a single one).
   *
   * @throws IllegalArgumentException if they are larger than a record can hold (see {@link
   *     #encodeTransaction})
   */
  public static byte[] encode(List<Effect> effects) {
    byte[][] records = encodeTransaction(effects, MAX_PAYLOAD);
    if (records.length != 1) {
      throw tooLarge(MAX_PAYLOAD + 1L);
    }
    return records[0];
  }

  /**
   * Encodes the writes of one transaction as the log holds them: one record (kind 2, or kind 1 for
   * a single write) when their payload fits {@code maxPayload} bytes, else parts of at most that
   * many (kind 3, ..., then kind 4), to be written one after the other with nothing in between.
   *
   * @throws IllegalArgumentException if a single write is larger than {@code maxPayload}
   */
  public static byte[][] encodeTransaction(List<Effect> effects, int maxPayload) {
    long[] sizes = new long[effects.size()];
    long payload = 1;
    for (int i = 0; i < sizes.length; i++) {
      sizes[i] = writeSize(effects.get(i).db(), effects.get(i).argv());
      if (sizes[i] + 1 > maxPayload) {
        throw tooLarge(sizes[i] + 1);
      }
      payload += sizes[i];
    }
    if (payload <= maxPayload) {
      byte kind = sizes.length == 1 ? KIND_WRITE : KIND_TRANSACTION;
      return new byte[][] {record(kind, effects, sizes, 0, sizes.length, payload)};
    }
    List<byte[]> parts = new ArrayList<>();
    int from = 0;
    while (from < sizes.length) {
      int to = from;
      long partPayload = 1;
      while (to < sizes.length && partPayload + sizes[to] <= maxPayload) {
        partPayload += sizes[to++];
      }
      byte kind = to == sizes.length ? KIND_LAST_PART : KIND_PART;
      parts.add(record(kind, effects, sizes, from, to, partPayload));
      from = to;
    }
    return parts.toArray(new byte[0][]);
  }

  /** A record of {@code kind} holding writes {@code from} to {@code to} (exclusive). */
  private static byte[] record(
      byte kind, List<Effect> effects, long[] sizes, int from, int to, long payload) {
    byte[] out = new byte[HEADER + (int) payload];
    int p = header(out, kind, (int) payload);
    for (int i = from; i < to; i++) {
      Effect e = effects.get(i);
      p = put(out, p, e.db(), e.argv());
    }
    out[p] = END;
    return out;
  }

  private static IllegalArgumentException tooLarge(long payload) {
    return new IllegalArgumentException(
        "a write of " + payload + " bytes is larger than a log record can hold");
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

  private static long writeSize(int db, byte[][] argv) {
    long n = varintSize(db) + varintSize(argv.length);
    for (byte[] a : argv) {
      n += varintSize(a.length) + (long) a.length;
    }
    return n;
  }

  private static int put(byte[] out, int p, int db, byte[][] argv) {
    p = putVarint(out, p, db);
    p = putVarint(out, p, argv.length);
    for (byte[] a : argv) {
      p = putVarint(out, p, a.length);
      System.arraycopy(a, 0, out, p, a.length);
      p += a.length;
    }
    return p;
  }

  /** Bytes in the varint of a non-negative int: 7 bits a byte. */
  static int varintSize(int v) {
    if (v < 1 << 7) {
      return 1;
    }
    if (v < 1 << 14) {
      return 2;
    }
    if (v < 1 << 21) {
      return 3;
    }
    return v < 1 << 28 ? 4 : 5;
  }

  /**
   * Unsigned LEB128: the low 7 bits first, the high bit set on every byte but the last. Kept here,
   * next to the format it belongs to, rather than shared with the in-memory encodings of core
   * (hashes, lists), which are free to change.
   */
  static int putVarint(byte[] out, int p, int v) {
    while (v >= 0x80) {
      out[p++] = (byte) (v | 0x80);
      v >>>= 7;
    }
    out[p++] = (byte) v;
    return p;
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
   * Parses a payload (checksum already verified) of the given format version into its writes; a
   * transaction record must hold at least two. Consumes {@code payload}: its position ends at its
   * limit, which a version-2 payload lowers past its end byte.
   */
  public static List<Effect> decode(byte version, byte kind, ByteBuffer payload)
      throws MalformedException {
    List<Effect> effects = new ArrayList<>(kind == KIND_WRITE ? 1 : 4);
    if (version != VERSION_RESP) {
      if (!payload.hasRemaining() || payload.get(payload.limit() - 1) != END) {
        throw new MalformedException("no end marker");
      }
      payload.limit(payload.limit() - 1);
    }
    while (payload.hasRemaining()) {
      effects.add(version == VERSION_RESP ? readRespWrite(payload) : readWrite(payload));
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

  /** Parses a payload of the current version. */
  public static List<Effect> decode(byte kind, ByteBuffer payload) throws MalformedException {
    return decode(VERSION, kind, payload);
  }

  /** One version-2 write: database, argument count and arguments, as varints and bytes. */
  private static Effect readWrite(ByteBuffer payload) throws MalformedException {
    int db = readVarint(payload, "database");
    int argc = readVarint(payload, "argument count");
    // Every argument takes at least its one-byte length, so a count beyond that is damage.
    if (argc < 1 || argc > payload.remaining()) {
      throw new MalformedException("bad argument count " + argc);
    }
    byte[][] argv = new byte[argc][];
    for (int i = 0; i < argc; i++) {
      int len = readVarint(payload, "argument length");
      if (len > payload.remaining()) {
        throw new MalformedException("argument longer than the record");
      }
      argv[i] = new byte[len];
      payload.get(argv[i]);
    }
    return new Effect(db, argv);
  }

  /** An unsigned LEB128 varint of at most 5 bytes whose value fits a non-negative int. */
  private static int readVarint(ByteBuffer b, String what) throws MalformedException {
    int v = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      if (!b.hasRemaining()) {
        throw new MalformedException(what + " cut short");
      }
      int c = b.get() & 0xff;
      if (shift == 28 && c > 0x07) {
        throw new MalformedException(what + " out of range");
      }
      v |= (c & 0x7f) << shift;
      if (c < 0x80) {
        return v;
      }
    }
    throw new MalformedException(what + " out of range");
  }

  /** One version-1 write: a 4-byte database, then a RESP array of bulk strings. */
  private static Effect readRespWrite(ByteBuffer payload) throws MalformedException {
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
    return new Effect(db, argv);
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
