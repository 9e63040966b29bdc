package io.toridb.persistence.dump;

import io.toridb.core.keyspace.StoredValue;
import io.toridb.persistence.rdb.Crc64;
import io.toridb.persistence.rdb.EncodingLimits;
import io.toridb.persistence.rdb.RdbFormatException;
import io.toridb.persistence.rdb.RdbInput;
import io.toridb.persistence.rdb.RdbObjectReader;
import io.toridb.persistence.rdb.RdbObjectWriter;
import io.toridb.persistence.rdb.RdbOutput;
import io.toridb.persistence.rdb.RdbType;

/**
 * The serialized form DUMP returns and RESTORE takes, byte-compatible with Redis 7.0:
 *
 * <pre>
 * offset 0        the RDB type byte of the value ({@link RdbType})
 * offset 1        the value in RDB encoding (see {@link RdbObjectWriter})
 * offset n - 10   the RDB version, 2 bytes little endian (10)
 * offset n - 8    CRC64 (see {@link Crc64}) of bytes 0 .. n - 9, 8 bytes little endian
 * </pre>
 *
 * A payload is refused when it is shorter than the footer, its version is newer than 10, or its
 * checksum does not match; then, when the value inside does not decode.
 */
public final class DumpPayload {
  private static final int FOOTER = 10;

  private DumpPayload() {}

  /** The payload of {@code value}. */
  public static byte[] create(StoredValue value) {
    RdbOutput out = new RdbOutput(true);
    RdbObjectWriter.write(out, value);
    return withFooter(out);
  }

  /** What {@code out} holds, followed by the version and the checksum. */
  static byte[] withFooter(RdbOutput out) {
    out.writeByte(RdbType.RDB_VERSION & 0xFF);
    out.writeByte(RdbType.RDB_VERSION >>> 8);
    long crc = Crc64.of(out.array(), 0, out.size());
    for (int i = 0; i < 8; i++) {
      out.writeByte((int) (crc >>> (8 * i)));
    }
    return out.toByteArray();
  }

  /** Whether the footer is sound: long enough, a version this server reads, a matching CRC. */
  public static boolean verify(byte[] payload) {
    int n = payload.length;
    if (n < FOOTER) {
      return false;
    }
    int version = (payload[n - 10] & 0xFF) | ((payload[n - 9] & 0xFF) << 8);
    if (version > RdbType.RDB_VERSION) {
      return false;
    }
    long crc = Crc64.of(payload, 0, n - 8);
    for (int i = 0; i < 8; i++) {
      if ((byte) (crc >>> (8 * i)) != payload[n - 8 + i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * The value held by a payload that passed {@link #verify}, encoded as the {@code limits} say.
   * Bytes between the value and the footer are ignored, as Redis ignores them.
   *
   * @throws RdbFormatException when the value does not decode
   */
  public static StoredValue load(byte[] payload, EncodingLimits limits) {
    if (payload.length < FOOTER + 1) {
      throw new RdbFormatException("no value in payload");
    }
    RdbInput in = new RdbInput(payload, 0, payload.length - FOOTER);
    int type = in.readByte();
    return RdbObjectReader.read(type, in, limits);
  }
}
