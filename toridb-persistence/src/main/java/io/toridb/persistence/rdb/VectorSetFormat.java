package io.toridb.persistence.rdb;

import io.toridb.core.vector.VectorSet;
import io.toridb.core.vector.VectorSetCodec;

/**
 * A vector set in an RDB file or DUMP payload as Redis 8 writes one: RDB type 7 (a module value,
 * second version), the 64-bit id of the {@code vectorset} module type, the items of {@link
 * VectorSetCodec} each preceded by its opcode, and the end opcode:
 *
 * <pre>
 * length   module type id: the 9 characters of "vectorset", 6 bits each from the set
 *          A-Z a-z 0-9 - _, then 10 bits of encoding version (0)
 * then per item: length opcode 2 then a length (an unsigned number),
 *                or length opcode 5 then a string
 * length   opcode 0 (end of the value)
 * </pre>
 */
final class VectorSetFormat {
  private VectorSetFormat() {}

  private static final int OPCODE_EOF = 0;
  private static final int OPCODE_UINT = 2;
  private static final int OPCODE_STRING = 5;

  /** The module type id of "vectorset" with encoding version 0. */
  static final long MODULE_ID = moduleId("vectorset", 0);

  /** A module type's 64-bit id: its 9-character name, 6 bits a character, then the version. */
  static long moduleId(String name, int encodingVersion) {
    String charset = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    long id = 0;
    for (int j = 0; j < name.length(); j++) {
      id = (id << 6) | charset.indexOf(name.charAt(j));
    }
    return (id << 10) | encodingVersion;
  }

  /** Writes the value after its type byte. */
  static void write(RdbOutput out, VectorSet set) {
    out.writeLength(MODULE_ID);
    VectorSetCodec.write(
        set,
        new VectorSetCodec.Sink() {
          @Override
          public void unsigned(long value) {
            out.writeLength(OPCODE_UINT);
            out.writeLength(value);
          }

          @Override
          public void string(byte[] value) {
            out.writeLength(OPCODE_STRING);
            out.writeString(value);
          }
        });
    out.writeLength(OPCODE_EOF);
  }

  /**
   * Reads a module value after its type byte: a vector set or a SQL table ({@link TableFormat}), or
   * an error for any other module's type (ToriDB has no modules).
   */
  static io.toridb.core.keyspace.StoredValue read(RdbInput in) {
    long id = in.readUnsigned();
    if (id == MODULE_ID) {
      return readBody(in);
    }
    if (id == TableFormat.MODULE_ID) {
      return TableFormat.readBody(in);
    }
    throw new RdbFormatException("module values are not supported");
  }

  /** Reads a vector set after its module type id. */
  private static VectorSet readBody(RdbInput in) {
    VectorSet set;
    try {
      set =
          VectorSetCodec.read(
              new VectorSetCodec.Source() {
                @Override
                public long unsigned() {
                  expect(in, OPCODE_UINT);
                  return in.readUnsigned();
                }

                @Override
                public byte[] string() {
                  expect(in, OPCODE_STRING);
                  return in.readString();
                }
              });
    } catch (VectorSetCodec.Invalid e) {
      throw new RdbFormatException("bad vector set: " + e.getMessage());
    } catch (RdbFormatException | java.io.UncheckedIOException e) {
      // Damage already reported as such, or a read error of the file itself: not bad data.
      throw e;
    } catch (RuntimeException e) {
      // A payload is untrusted input: whatever else it trips is bad data too, not a server fault.
      throw new RdbFormatException("bad vector set: " + e);
    }
    expect(in, OPCODE_EOF);
    if (set.size() == 0) {
      throw RdbFormatException.empty("empty vector set");
    }
    return set;
  }

  private static void expect(RdbInput in, int opcode) {
    long got = in.readLength();
    if (got != opcode) {
      throw new RdbFormatException("module value: expected opcode " + opcode + ", got " + got);
    }
  }
}
