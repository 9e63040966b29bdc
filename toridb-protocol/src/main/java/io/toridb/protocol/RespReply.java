package io.toridb.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One RESP2/RESP3 reply exactly as it travelled: its type, its payload bytes, its elements, and the
 * attribute sent before it, if any. Two replies are equal when their wire forms are equal, so a
 * null bulk string ({@code $-1}), a null array ({@code *-1}) and a RESP3 null ({@code _}) are three
 * different values, and a double keeps the text it was sent with.
 *
 * <p>Payloads by kind: text kinds keep their bytes ({@link #bytes}); {@link Kind#INTEGER} a long;
 * {@link Kind#BOOLEAN} true or false; aggregates a list of elements, where a map or attribute lists
 * key, value, key, value. Instances are immutable.
 *
 * <p>{@link #toString} renders the reply in a typed, escaped, line-per-element form meant for
 * diffing two replies; {@link #encode} gives the wire bytes back.
 */
public final class RespReply {

  /** The RESP type of a reply, with the byte that introduces it on the wire. */
  public enum Kind {
    SIMPLE_STRING('+'),
    SIMPLE_ERROR('-'),
    INTEGER(':'),
    /** {@code $<len>}; {@code $-1} is a null bulk string. */
    BULK_STRING('$'),
    /** {@code *<count>}; {@code *-1} is a null array. */
    ARRAY('*'),
    NULL('_'),
    BOOLEAN('#'),
    DOUBLE(','),
    BIG_NUMBER('('),
    BULK_ERROR('!'),
    VERBATIM_STRING('='),
    MAP('%'),
    SET('~'),
    /** Describes the reply after it; held by that reply as its {@link #attribute()}. */
    ATTRIBUTE('|'),
    PUSH('>');

    private static final Kind[] BY_MARKER = new Kind[128];

    static {
      for (Kind k : values()) {
        BY_MARKER[k.marker] = k;
      }
    }

    private final byte marker;

    Kind(char marker) {
      this.marker = (byte) marker;
    }

    /** The byte that starts this type on the wire. */
    public byte marker() {
      return marker;
    }

    /** True for kinds whose payload is elements. */
    public boolean isAggregate() {
      return this == ARRAY || this == MAP || this == SET || this == ATTRIBUTE || this == PUSH;
    }

    /** True for kinds sent as {@code <marker><length>\r\n<bytes>\r\n}. */
    public boolean isBlob() {
      return this == BULK_STRING || this == BULK_ERROR || this == VERBATIM_STRING;
    }

    /** True for map and attribute, whose elements alternate keys and values. */
    public boolean isKeyed() {
      return this == MAP || this == ATTRIBUTE;
    }

    /** The kind a wire byte introduces, or null. */
    public static Kind ofMarker(byte marker) {
      return marker >= 0 ? BY_MARKER[marker] : null;
    }
  }

  private static final RespReply NULL_BULK = new RespReply(Kind.BULK_STRING, null, 0, null, null);
  private static final RespReply NULL_ARRAY = new RespReply(Kind.ARRAY, null, 0, null, null);
  private static final RespReply NULL_VALUE = new RespReply(Kind.NULL, null, 0, null, null);
  private static final RespReply TRUE = new RespReply(Kind.BOOLEAN, null, 1, null, null);
  private static final RespReply FALSE = new RespReply(Kind.BOOLEAN, null, 0, null, null);

  private final Kind kind;

  /** Payload of text kinds; null for null bulk and for non-text kinds. */
  private final byte[] bytes;

  /** INTEGER's value; BOOLEAN's 1 or 0. */
  private final long number;

  /** Elements of aggregates; null for a null array and for non-aggregates. */
  private final List<RespReply> elements;

  /** The attribute sent before this reply, or null. */
  private final RespReply attribute;

  private RespReply(
      Kind kind, byte[] bytes, long number, List<RespReply> elements, RespReply attribute) {
    this.kind = kind;
    this.bytes = bytes;
    this.number = number;
    this.elements = elements;
    this.attribute = attribute;
  }

  // ---- factories ----

  /** {@code +text}; chars are taken as ISO-8859-1 bytes. */
  public static RespReply simpleString(String text) {
    return text(Kind.SIMPLE_STRING, latin1(text));
  }

  /** {@code -text}; chars are taken as ISO-8859-1 bytes. */
  public static RespReply simpleError(String text) {
    return text(Kind.SIMPLE_ERROR, latin1(text));
  }

  public static RespReply integer(long value) {
    return new RespReply(Kind.INTEGER, null, value, null, null);
  }

  public static RespReply bulkString(byte[] value) {
    return text(Kind.BULK_STRING, value.clone());
  }

  /** A bulk string of the UTF-8 bytes of {@code value}. */
  public static RespReply bulkString(String value) {
    return text(Kind.BULK_STRING, value.getBytes(StandardCharsets.UTF_8));
  }

  /** {@code $-1}. */
  public static RespReply nullBulkString() {
    return NULL_BULK;
  }

  /** {@code *-1}. */
  public static RespReply nullArray() {
    return NULL_ARRAY;
  }

  /** RESP3's {@code _}. */
  public static RespReply nullValue() {
    return NULL_VALUE;
  }

  public static RespReply bool(boolean value) {
    return value ? TRUE : FALSE;
  }

  /** A double with the text Redis sends for {@code value}. */
  public static RespReply doubleValue(double value) {
    return doubleText(DoubleFormat.format(value));
  }

  /** A double with exactly this text after the ','. */
  public static RespReply doubleText(String text) {
    return text(Kind.DOUBLE, latin1(text));
  }

  /** {@code (digits}: an optional '-' and decimal digits. */
  public static RespReply bigNumber(String digits) {
    if (!isBigNumber(latin1(digits))) {
      throw new IllegalArgumentException("not a big number: " + digits);
    }
    return text(Kind.BIG_NUMBER, latin1(digits));
  }

  public static RespReply bigNumber(BigInteger value) {
    return bigNumber(value.toString());
  }

  /** {@code !<len>}: an error whose text may hold any bytes. */
  public static RespReply bulkError(byte[] text) {
    return text(Kind.BULK_ERROR, text.clone());
  }

  /**
   * A verbatim string; {@code format} must be three ISO-8859-1 characters ({@code txt}, {@code
   * mkd}).
   */
  public static RespReply verbatim(String format, byte[] text) {
    if (format.length() != 3) {
      throw new IllegalArgumentException("verbatim format must have 3 characters: " + format);
    }
    byte[] payload = new byte[text.length + 4];
    System.arraycopy(latin1(format), 0, payload, 0, 3);
    payload[3] = ':';
    System.arraycopy(text, 0, payload, 4, text.length);
    return text(Kind.VERBATIM_STRING, payload);
  }

  public static RespReply array(RespReply... elements) {
    return array(Arrays.asList(elements));
  }

  public static RespReply array(List<RespReply> elements) {
    return aggregate(Kind.ARRAY, elements);
  }

  /** A map from its keys and values in turn: key, value, key, value. */
  public static RespReply map(RespReply... keysAndValues) {
    return map(Arrays.asList(keysAndValues));
  }

  /** A map from its keys and values in turn: key, value, key, value. */
  public static RespReply map(List<RespReply> keysAndValues) {
    return aggregate(Kind.MAP, keysAndValues);
  }

  public static RespReply set(RespReply... elements) {
    return set(Arrays.asList(elements));
  }

  public static RespReply set(List<RespReply> elements) {
    return aggregate(Kind.SET, elements);
  }

  public static RespReply push(RespReply... elements) {
    return push(Arrays.asList(elements));
  }

  public static RespReply push(List<RespReply> elements) {
    return aggregate(Kind.PUSH, elements);
  }

  /**
   * An attribute from its keys and values in turn, to attach to a reply with {@link
   * #withAttribute}.
   */
  public static RespReply attribute(RespReply... keysAndValues) {
    return attribute(Arrays.asList(keysAndValues));
  }

  /** See {@link #attribute(RespReply...)}. */
  public static RespReply attribute(List<RespReply> keysAndValues) {
    return aggregate(Kind.ATTRIBUTE, keysAndValues);
  }

  /** An aggregate of any kind; elements alternate keys and values for maps and attributes. */
  public static RespReply aggregate(Kind kind, List<RespReply> elements) {
    if (!kind.isAggregate()) {
      throw new IllegalArgumentException(kind + " is not an aggregate");
    }
    if (kind.isKeyed() && elements.size() % 2 != 0) {
      throw new IllegalArgumentException(kind + " needs an even number of elements");
    }
    for (RespReply e : elements) {
      Objects.requireNonNull(e, "element");
    }
    List<RespReply> copy = Collections.unmodifiableList(new ArrayList<>(elements));
    return new RespReply(kind, null, 0, copy, null);
  }

  /** This reply preceded by {@code attribute} (of kind ATTRIBUTE), or without one if null. */
  public RespReply withAttribute(RespReply attribute) {
    if (attribute != null && attribute.kind != Kind.ATTRIBUTE) {
      throw new IllegalArgumentException("not an attribute: " + attribute.kind);
    }
    if (kind == Kind.ATTRIBUTE) {
      throw new IllegalArgumentException("an attribute cannot carry an attribute");
    }
    return new RespReply(kind, bytes, number, elements, attribute);
  }

  /**
   * A text kind over bytes the caller hands over. Kinds sent as one line must not hold CR or LF.
   */
  static RespReply text(Kind kind, byte[] bytes) {
    if (!kind.isBlob()) {
      for (byte b : bytes) {
        if (b == '\r' || b == '\n') {
          throw new IllegalArgumentException(kind + " cannot hold CR or LF");
        }
      }
    }
    return new RespReply(kind, bytes, 0, null, null);
  }

  /** An aggregate over a list the caller hands over and no longer changes. */
  static RespReply wrapAggregate(Kind kind, List<RespReply> elements) {
    return new RespReply(kind, null, 0, Collections.unmodifiableList(elements), null);
  }

  // ---- accessors ----

  public Kind kind() {
    return kind;
  }

  /** True for {@code _}, {@code $-1} and {@code *-1}. */
  public boolean isNull() {
    return kind == Kind.NULL
        || (kind == Kind.BULK_STRING && bytes == null)
        || (kind == Kind.ARRAY && elements == null);
  }

  /** True for simple and bulk errors. */
  public boolean isError() {
    return kind == Kind.SIMPLE_ERROR || kind == Kind.BULK_ERROR;
  }

  /**
   * A copy of the payload of a text kind as sent: a string's bytes, an error's text, a double's or
   * big number's digits, or a verbatim string's whole payload including {@code "txt:"}.
   *
   * @throws IllegalStateException for other kinds and for a null bulk string
   */
  public byte[] bytes() {
    if (bytes == null) {
      throw new IllegalStateException(kind + (isNull() ? " is null" : " has no bytes"));
    }
    return bytes.clone();
  }

  /** {@link #bytes()} decoded as UTF-8; for a verbatim string only the text after the format. */
  public String text() {
    if (kind == Kind.VERBATIM_STRING) {
      return new String(verbatimText(), StandardCharsets.UTF_8);
    }
    return new String(bytes(), StandardCharsets.UTF_8);
  }

  /** An INTEGER's value. */
  public long integer() {
    requireKind(Kind.INTEGER);
    return number;
  }

  /** A BOOLEAN's value. */
  public boolean bool() {
    requireKind(Kind.BOOLEAN);
    return number != 0;
  }

  /** A DOUBLE's value; accepts the {@code inf}, {@code -inf} and {@code nan} spellings. */
  public double doubleValue() {
    requireKind(Kind.DOUBLE);
    String t = new String(bytes, StandardCharsets.ISO_8859_1);
    return switch (t) {
      case "inf", "+inf" -> Double.POSITIVE_INFINITY;
      case "-inf" -> Double.NEGATIVE_INFINITY;
      case "nan", "-nan" -> Double.NaN;
      default -> Double.parseDouble(t);
    };
  }

  /** A BIG_NUMBER's value. */
  public BigInteger bigNumber() {
    requireKind(Kind.BIG_NUMBER);
    return new BigInteger(new String(bytes, StandardCharsets.ISO_8859_1));
  }

  /** A verbatim string's three-character format ({@code txt}). */
  public String verbatimFormat() {
    requireKind(Kind.VERBATIM_STRING);
    return new String(bytes, 0, 3, StandardCharsets.ISO_8859_1);
  }

  /** A verbatim string's text, without the format. */
  public byte[] verbatimText() {
    requireKind(Kind.VERBATIM_STRING);
    return Arrays.copyOfRange(bytes, 4, bytes.length);
  }

  /**
   * The elements of an aggregate (maps and attributes: key, value, key, value).
   *
   * @throws IllegalStateException for other kinds and for a null array
   */
  public List<RespReply> elements() {
    if (elements == null) {
      throw new IllegalStateException(kind + (isNull() ? " is null" : " has no elements"));
    }
    return elements;
  }

  /** Number of elements of an aggregate; for maps and attributes, of pairs. */
  public int size() {
    int n = elements().size();
    return kind.isKeyed() ? n / 2 : n;
  }

  /** Element {@code i} of an aggregate (a map's elements alternate keys and values). */
  public RespReply get(int i) {
    return elements().get(i);
  }

  /** The attribute sent before this reply, or null. */
  public RespReply attribute() {
    return attribute;
  }

  private void requireKind(Kind expected) {
    if (kind != expected) {
      throw new IllegalStateException("expected " + expected + ", got " + kind);
    }
  }

  // ---- wire form ----

  /** Writes this reply (after its attribute, if any) in its exact wire form. */
  public void writeTo(ByteBuf out) {
    if (attribute != null) {
      attribute.writeTo(out);
    }
    out.writeByte(kind.marker);
    switch (kind) {
      case INTEGER -> writeLine(out, Long.toString(number));
      case BOOLEAN -> writeLine(out, number != 0 ? "t" : "f");
      case NULL -> writeLine(out, "");
      case SIMPLE_STRING, SIMPLE_ERROR, DOUBLE, BIG_NUMBER -> {
        out.writeBytes(bytes);
        out.writeByte('\r').writeByte('\n');
      }
      case BULK_STRING, BULK_ERROR, VERBATIM_STRING -> {
        if (bytes == null) {
          writeLine(out, "-1");
        } else {
          writeLine(out, Integer.toString(bytes.length));
          out.writeBytes(bytes);
          out.writeByte('\r').writeByte('\n');
        }
      }
      default -> {
        if (elements == null) {
          writeLine(out, "-1");
        } else {
          writeLine(out, Integer.toString(size()));
          for (RespReply e : elements) {
            e.writeTo(out);
          }
        }
      }
    }
  }

  /** This reply's exact wire form. */
  public byte[] encode() {
    ByteBuf out = Unpooled.buffer();
    try {
      writeTo(out);
      byte[] result = new byte[out.readableBytes()];
      out.readBytes(result);
      return result;
    } finally {
      out.release();
    }
  }

  private static void writeLine(ByteBuf out, String ascii) {
    out.writeCharSequence(ascii, StandardCharsets.US_ASCII);
    out.writeByte('\r').writeByte('\n');
  }

  // ---- rendering ----

  /**
   * A typed, unambiguous rendering in the spirit of redis-cli's: bulk strings quoted and escaped
   * ({@code "a\r\n"}), other kinds tagged ({@code (integer) 5}, {@code (simple) "OK"}, {@code
   * (error) "ERR x"}, {@code (double) 1.5}, {@code (nil bulk)}, {@code (nil array)}, {@code
   * (null)}), aggregates as a header ({@code (array 2)}) followed by one indented, numbered line
   * per element ({@code 1) "k" => "v"} for map pairs), and an attribute on the lines before the
   * reply it describes.
   */
  public String render() {
    StringBuilder sb = new StringBuilder();
    render(sb, 0);
    return sb.toString();
  }

  @Override
  public String toString() {
    return render();
  }

  /** Appends this reply; its first line continues the current line, later ones get the indent. */
  private void render(StringBuilder sb, int indent) {
    if (attribute != null) {
      attribute.render(sb, indent);
      newline(sb, indent);
    }
    switch (kind) {
      case SIMPLE_STRING -> quoted(sb.append("(simple) "), bytes);
      case SIMPLE_ERROR -> quoted(sb.append("(error) "), bytes);
      case INTEGER -> sb.append("(integer) ").append(number);
      case BULK_STRING -> {
        if (bytes == null) {
          sb.append("(nil bulk)");
        } else {
          quoted(sb, bytes);
        }
      }
      case NULL -> sb.append("(null)");
      case BOOLEAN -> sb.append(number != 0 ? "(true)" : "(false)");
      case DOUBLE -> escaped(sb.append("(double) "), bytes, 0, bytes.length);
      case BIG_NUMBER -> escaped(sb.append("(big number) "), bytes, 0, bytes.length);
      case BULK_ERROR -> quoted(sb.append("(bulk error) "), bytes);
      case VERBATIM_STRING -> {
        sb.append("(verbatim ");
        escaped(sb, bytes, 0, 3);
        sb.append(") \"");
        escaped(sb, bytes, 4, bytes.length);
        sb.append('"');
      }
      default -> renderAggregate(sb, indent);
    }
  }

  private void renderAggregate(StringBuilder sb, int indent) {
    String name = kind.name().toLowerCase(Locale.ROOT);
    if (elements == null) {
      sb.append("(nil ").append(name).append(')');
      return;
    }
    sb.append('(').append(name).append(' ').append(size()).append(')');
    int step = kind.isKeyed() ? 2 : 1;
    for (int i = 0, label = 1; i < elements.size(); i += step, label++) {
      newline(sb, indent + 2);
      sb.append(label).append(") ");
      elements.get(i).render(sb, column(sb));
      if (step == 2) {
        sb.append(" => ");
        elements.get(i + 1).render(sb, column(sb));
      }
    }
  }

  /** The column the next char of {@code sb} lands in, so nested lines align under it. */
  private static int column(StringBuilder sb) {
    return sb.length() - sb.lastIndexOf("\n") - 1;
  }

  private static void newline(StringBuilder sb, int indent) {
    sb.append('\n');
    sb.append(" ".repeat(indent));
  }

  private static void quoted(StringBuilder sb, byte[] b) {
    sb.append('"');
    escaped(sb, b, 0, b.length);
    sb.append('"');
  }

  /** Escapes as redis-cli's quoted output does: C escapes, \xHH for other unprintable bytes. */
  private static void escaped(StringBuilder sb, byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      int c = b[i] & 0xFF;
      switch (c) {
        case '\\' -> sb.append("\\\\");
        case '"' -> sb.append("\\\"");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case 7 -> sb.append("\\a");
        case '\b' -> sb.append("\\b");
        default -> {
          if (c >= 0x20 && c < 0x7F) {
            sb.append((char) c);
          } else {
            sb.append("\\x")
                .append(Character.forDigit(c >> 4, 16))
                .append(Character.forDigit(c & 0xF, 16));
          }
        }
      }
    }
  }

  // ---- equality ----

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof RespReply other)) {
      return false;
    }
    return kind == other.kind
        && number == other.number
        && Arrays.equals(bytes, other.bytes)
        && Objects.equals(elements, other.elements)
        && Objects.equals(attribute, other.attribute);
  }

  @Override
  public int hashCode() {
    int h = kind.hashCode();
    h = 31 * h + Long.hashCode(number);
    h = 31 * h + Arrays.hashCode(bytes);
    h = 31 * h + Objects.hashCode(elements);
    return 31 * h + Objects.hashCode(attribute);
  }

  static boolean isBigNumber(byte[] b) {
    int i = b.length > 0 && b[0] == '-' ? 1 : 0;
    if (i == b.length) {
      return false;
    }
    for (; i < b.length; i++) {
      if (b[i] < '0' || b[i] > '9') {
        return false;
      }
    }
    return true;
  }

  private static byte[] latin1(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }
}
