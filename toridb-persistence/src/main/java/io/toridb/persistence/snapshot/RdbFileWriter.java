package io.toridb.persistence.snapshot;

import io.toridb.core.keyspace.Key;
import io.toridb.core.keyspace.StoredValue;
import io.toridb.persistence.rdb.Crc64;
import io.toridb.persistence.rdb.RdbObjectWriter;
import io.toridb.persistence.rdb.RdbOutput;
import io.toridb.persistence.rdb.RdbType;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Writes an RDB file as Redis 7.0 writes one (rdbSaveRio, RDB version 10), so that Redis 7.0 loads
 * it. Streaming: each key is serialized into a small buffer and handed to the output stream, never
 * the whole file in memory.
 *
 * <pre>
 * "REDIS0010"                                   9 bytes, the magic and the version
 * AUX redis-ver 7.0.15, AUX redis-bits 64,      opcode 250, then two strings each
 *   AUX ctime &lt;unix s&gt;, AUX used-mem &lt;bytes&gt;,
 *   AUX aof-base 0
 * per database that has keys, at its first key:
 *   SELECTDB &lt;n&gt;                                opcode 254, a length
 *   RESIZEDB &lt;keys&gt; &lt;keys with expiry&gt;        opcode 251, two lengths (a sizing hint)
 * per key:
 *   [EXPIRETIME_MS &lt;ms&gt;]                        opcode 252, 8 bytes little endian
 *   [IDLE &lt;s&gt; | FREQ &lt;counter&gt;]                 opcode 248 and a length (LRU policies), or
 *                                                 249 and one byte (LFU policies)
 *   &lt;type&gt; &lt;key&gt; &lt;value&gt;                        see {@link RdbObjectWriter}
 * EOF                                           opcode 255
 * CRC64                                         8 bytes little endian, of every byte before it
 *                                               (0 when rdbchecksum is no)
 * </pre>
 *
 * Strings (aux values, keys, elements) use Redis's string encoding: an integer form for the text of
 * a 32-bit integer, LZF for strings over 20 bytes when compression is on (see {@link RdbOutput}). A
 * database may appear again later in the file (the keys a point-in-time scan hands over after its
 * walk); it then gets a SELECTDB without RESIZEDB, which Redis reads the same way.
 */
public final class RdbFileWriter {
  /** Opcodes of the RDB file format (Redis's RDB_OPCODE_*); fixed numbers. */
  static final int OPCODE_FUNCTION2 = 245;

  static final int OPCODE_FUNCTION = 246;
  static final int OPCODE_MODULE_AUX = 247;
  static final int OPCODE_IDLE = 248;
  static final int OPCODE_FREQ = 249;
  static final int OPCODE_AUX = 250;
  static final int OPCODE_RESIZEDB = 251;
  static final int OPCODE_EXPIRETIME_MS = 252;
  static final int OPCODE_EXPIRETIME = 253;
  static final int OPCODE_SELECTDB = 254;
  static final int OPCODE_EOF = 255;

  /** "REDIS" and the version on four digits. */
  static final byte[] MAGIC =
      String.format("REDIS%04d", RdbType.RDB_VERSION).getBytes(StandardCharsets.US_ASCII);

  /** The version Redis 7.0.15 writes in redis-ver. */
  static final String REDIS_VERSION = io.toridb.core.server.ServerContext.VERSION;

  /** Which access metadata is saved with each key, as the maxmemory-policy decides in Redis. */
  public enum Access {
    NONE,
    /** An *-lru policy: the idle time in seconds (IDLE). */
    LRU,
    /** An *-lfu policy: the logarithmic access counter (FREQ). */
    LFU;

    /** The kind a maxmemory-policy value asks for. */
    public static Access of(String maxmemoryPolicy) {
      if (maxmemoryPolicy.endsWith("-lru")) {
        return LRU;
      }
      return maxmemoryPolicy.endsWith("-lfu") ? LFU : NONE;
    }
  }

  private final OutputStream out;
  private final boolean checksum;
  private final Access access;
  private final int lfuDecayMinutes;
  private final long[] dbKeys;
  private final long[] dbExpires;
  private final boolean[] resized;
  private final RdbOutput buffer;
  private long crc;
  private long bytes;
  private long keys;
  private int currentDb = -1;

  /**
   * A writer onto {@code out} (which it does not close).
   *
   * @param compress LZF for long strings (rdbcompression)
   * @param checksum a real CRC64 at the end, else 0 (rdbchecksum)
   * @param access which access metadata to save with each key
   * @param lfuDecayMinutes lfu-decay-time, to read LFU counters as Redis's LFUDecrAndReturn
   * @param dbKeys keys per database, for RESIZEDB
   * @param dbExpires keys with an expiry per database, for RESIZEDB
   */
  public RdbFileWriter(
      OutputStream out,
      boolean compress,
      boolean checksum,
      Access access,
      int lfuDecayMinutes,
      long[] dbKeys,
      long[] dbExpires) {
    this.out = out;
    this.checksum = checksum;
    this.access = access;
    this.lfuDecayMinutes = lfuDecayMinutes;
    this.dbKeys = dbKeys;
    this.dbExpires = dbExpires;
    this.resized = new boolean[dbKeys.length];
    this.buffer = new RdbOutput(compress, this::emit);
  }

  /** The magic and the AUX fields Redis 7.0 writes for a snapshot. */
  public void writeHeader(long ctimeSeconds, long usedMemory) throws IOException {
    buffer.writeBytes(MAGIC, 0, MAGIC.length);
    aux("redis-ver", REDIS_VERSION);
    aux("redis-bits", "64");
    aux("ctime", Long.toString(ctimeSeconds));
    aux("used-mem", Long.toString(usedMemory));
    aux("aof-base", "0");
    drain();
  }

  /** One function library (FUNCTION2: its code, metadata line included), after the header. */
  public void writeFunction(byte[] code) throws IOException {
    buffer.writeByte(OPCODE_FUNCTION2);
    buffer.writeString(code);
    drain();
  }

  private void aux(String name, String value) {
    buffer.writeByte(OPCODE_AUX);
    buffer.writeString(name.getBytes(StandardCharsets.US_ASCII));
    buffer.writeString(value.getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * One key of database {@code db} with its expiry time and access metadata. Called under the key's
   * lock (or with every lock held): the value is serialized before this returns.
   */
  public void writeKey(int db, Key key, StoredValue value, long nowMillis) throws IOException {
    if (db != currentDb) {
      buffer.writeByte(OPCODE_SELECTDB);
      buffer.writeLength(db);
      if (!resized[db]) {
        resized[db] = true;
        buffer.writeByte(OPCODE_RESIZEDB);
        buffer.writeLength(dbKeys[db]);
        buffer.writeLength(dbExpires[db]);
      }
      currentDb = db;
    }
    if (value.hasExpiry()) {
      buffer.writeByte(OPCODE_EXPIRETIME_MS);
      long at = value.expireAt();
      for (int i = 0; i < 8; i++) {
        buffer.writeByte((int) (at >>> (8 * i)));
      }
    }
    if (access == Access.LRU) {
      buffer.writeByte(OPCODE_IDLE);
      buffer.writeLength(value.idleSeconds(nowMillis));
    } else if (access == Access.LFU) {
      buffer.writeByte(OPCODE_FREQ);
      buffer.writeByte(value.lfuFrequency(nowMillis, lfuDecayMinutes));
    }
    buffer.writeByte(RdbObjectWriter.typeOf(value));
    byte[] k = key.bytes();
    buffer.writeString(k, 0, k.length);
    try {
      RdbObjectWriter.writeObject(buffer, value);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    drain();
    keys++;
  }

  /** EOF and the checksum; flushes {@code out}. */
  public void finish() throws IOException {
    buffer.writeByte(OPCODE_EOF);
    drain();
    long sum = checksum ? crc : 0;
    byte[] tail = new byte[8];
    for (int i = 0; i < 8; i++) {
      tail[i] = (byte) (sum >>> (8 * i));
    }
    out.write(tail);
    bytes += 8;
    out.flush();
  }

  /** Keys written so far. */
  public long keys() {
    return keys;
  }

  /** Bytes handed to the stream so far. */
  public long bytes() {
    return bytes;
  }

  private void drain() throws IOException {
    try {
      emit(buffer.array(), 0, buffer.size());
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    buffer.reset();
  }

  private void emit(byte[] b, int off, int len) {
    if (checksum) {
      crc = Crc64.update(crc, b, off, len);
    }
    try {
      out.write(b, off, len);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    bytes += len;
  }
}
