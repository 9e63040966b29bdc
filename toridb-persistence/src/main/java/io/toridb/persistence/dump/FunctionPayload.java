package io.toridb.persistence.dump;

import io.toridb.persistence.rdb.RdbFormatException;
import io.toridb.persistence.rdb.RdbInput;
import io.toridb.persistence.rdb.RdbOutput;
import java.util.ArrayList;
import java.util.List;

/**
 * The payload of FUNCTION DUMP and FUNCTION RESTORE, byte-compatible with Redis 7.0's:
 *
 * <pre>
 * for each library:
 *   245              FUNCTION2, as before a library in an RDB file
 *   string           the library's code, metadata line included, as an RDB string
 * offset n - 10      the RDB version, 2 bytes little endian (10)
 * offset n - 8       CRC64 of bytes 0 .. n - 9, 8 bytes little endian
 * </pre>
 *
 * The footer is {@link DumpPayload}'s, checked the same way.
 */
public final class FunctionPayload implements io.toridb.core.scripting.FunctionPayloads {
  /** RDB_OPCODE_FUNCTION2. */
  static final int FUNCTION2 = 245;

  /** RDB_OPCODE_FUNCTION, of Redis 7.0's release candidates. */
  static final int FUNCTION = 246;

  private static final int FOOTER = 10;

  @Override
  public byte[] dump(List<byte[]> codes) {
    RdbOutput out = new RdbOutput(true);
    for (byte[] code : codes) {
      out.writeByte(FUNCTION2);
      out.writeString(code);
    }
    return DumpPayload.withFooter(out);
  }

  @Override
  public List<byte[]> parse(byte[] payload) {
    if (!DumpPayload.verify(payload)) {
      throw new IllegalArgumentException("DUMP payload version or checksum are wrong");
    }
    RdbInput in = new RdbInput(payload, 0, payload.length - FOOTER);
    List<byte[]> codes = new ArrayList<>();
    try {
      while (in.remaining() > 0) {
        int type = in.readByte();
        if (type == FUNCTION) {
          throw new IllegalArgumentException(
              "Pre-GA function format not supported, please run FUNCTION RESTORE in Redis 7.0 and"
                  + " dump again");
        }
        if (type != FUNCTION2) {
          throw new IllegalArgumentException("given type is not a function");
        }
        codes.add(in.readString());
      }
    } catch (RdbFormatException e) {
      throw new IllegalArgumentException("failed loading the given functions payload");
    }
    return codes;
  }
}
