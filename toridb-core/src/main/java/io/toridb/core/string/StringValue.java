package io.toridb.core.string;

import io.toridb.core.command.Args;
import io.toridb.core.keyspace.StoredValue;
import io.toridb.core.keyspace.ValueType;

/**
 * A string value. Keeps the bytes as given plus the encoding Redis would report for them: "int"
 * for canonical integers, "embstr" up to 44 bytes, "raw" beyond that or after in-place edits
 * (APPEND, SETRANGE), which Redis always leaves raw.
 */
public final class StringValue extends StoredValue {
  /** Longest string Redis stores with the embstr encoding. */
  public static final int EMBSTR_MAX = 44;

  private static final byte INT = 0;
  private static final byte EMBSTR = 1;
  private static final byte RAW = 2;

  private final byte[] bytes;
  private final byte encoding;

  private StringValue(byte[] bytes, byte encoding) {
    this.bytes = bytes;
    this.encoding = encoding;
  }

  /** A value as SET stores it; {@code bytes} is taken over, not copied. */
  public static StringValue of(byte[] bytes) {
    byte enc;
    if (bytes.length <= 20 && Args.isCanonicalLong(bytes)) {
      enc = INT;
    } else {
      enc = bytes.length <= EMBSTR_MAX ? EMBSTR : RAW;
    }
    return new StringValue(bytes, enc);
  }

  /** A value produced by an in-place edit (APPEND, SETRANGE), which Redis leaves raw. */
  public static StringValue raw(byte[] bytes) {
    return new StringValue(bytes, RAW);
  }

  public static StringValue ofLong(long value) {
    return new StringValue(Args.bytes(Long.toString(value)), INT);
  }

  /** The bytes; callers must not modify them. */
  public byte[] bytes() {
    return bytes;
  }

  public int length() {
    return bytes.length;
  }

  @Override
  public ValueType type() {
    return ValueType.STRING;
  }

  @Override
  public String encoding() {
    return switch (encoding) {
      case INT -> "int";
      case EMBSTR -> "embstr";
      default -> "raw";
    };
  }

  @Override
  public StoredValue copy() {
    return new StringValue(bytes, encoding);
  }
}
