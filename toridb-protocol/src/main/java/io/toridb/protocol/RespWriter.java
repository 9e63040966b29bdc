package io.toridb.protocol;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Writes replies into a buffer in the connection's protocol version, hiding the RESP2/RESP3
 * differences: a map is a flat array in RESP2, a double a bulk string, null a null bulk (or null
 * array), a boolean an integer, a verbatim string a bulk string and a push an array.
 *
 * <p>One writer is reused per worker; {@link #reset} points it at the next batch's buffer and the
 * connection's protocol.
 */
public final class RespWriter {
  private static final byte[] CRLF = {'\r', '\n'};
  private static final byte[] OK = "+OK\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] NULL_BULK = "$-1\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] NULL_ARRAY = "*-1\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] NULL3 = "_\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] ZERO = ":0\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] ONE = ":1\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] EMPTY_ARRAY = "*0\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final int CACHED_INTS = 1024;
  private static final byte[][] INT_REPLIES = new byte[CACHED_INTS][];
  private static final byte[][] BULK_HEADERS = new byte[CACHED_INTS][];

  static {
    for (int i = 0; i < CACHED_INTS; i++) {
      INT_REPLIES[i] = (":" + i + "\r\n").getBytes(StandardCharsets.US_ASCII);
      BULK_HEADERS[i] = ("$" + i + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }
  }

  private ByteBuf buf;
  private int protocol = 2;

  public RespWriter() {}

  public RespWriter(ByteBuf buf, int protocol) {
    reset(buf, protocol);
  }

  /** Points this writer at a buffer, for a connection speaking RESP{@code protocol} (2 or 3). */
  public RespWriter reset(ByteBuf buf, int protocol) {
    this.buf = buf;
    this.protocol = protocol;
    return this;
  }

  public ByteBuf buffer() {
    return buf;
  }

  public int protocol() {
    return protocol;
  }

  public void protocol(int protocol) {
    this.protocol = protocol;
  }

  public boolean isResp3() {
    return protocol >= 3;
  }

  public void ok() {
    buf.writeBytes(OK);
  }

  /** A simple string: {@code +text}. */
  public void simple(String text) {
    buf.writeByte('+');
    writeAsciiSanitized(text);
    buf.writeBytes(CRLF);
  }

  /**
   * An error: {@code -text}, where text starts with its code ({@code ERR}, {@code WRONGTYPE}, ...).
   * CR and LF are replaced by spaces as Redis does.
   */
  public void error(String text) {
    buf.writeByte('-');
    writeAsciiSanitized(text);
    buf.writeBytes(CRLF);
  }

  public void integer(long value) {
    if (value >= 0 && value < CACHED_INTS) {
      buf.writeBytes(INT_REPLIES[(int) value]);
      return;
    }
    buf.writeByte(':');
    writeDecimal(value);
    buf.writeBytes(CRLF);
  }

  public void zeroOrOne(boolean one) {
    buf.writeBytes(one ? ONE : ZERO);
  }

  public void bulk(byte[] value) {
    bulk(value, 0, value.length);
  }

  public void bulk(byte[] value, int offset, int length) {
    bulkHeader(length);
    buf.writeBytes(value, offset, length);
    buf.writeBytes(CRLF);
  }

  /**
   * A bulk string of the first {@code length} (at most 16) bytes of two little-endian words, as
   * short values are kept in memory: written without an intermediate array.
   */
  public void bulkPacked(long low, long high, int length) {
    if (length < 0 || length > 2 * Long.BYTES) {
      throw new IllegalArgumentException("packed length " + length);
    }
    bulkHeader(length);
    // Write both words whole, then step back over the padding; the CRLF overwrites it.
    buf.ensureWritable(2 * Long.BYTES + CRLF.length);
    int start = buf.writerIndex();
    buf.writeLongLE(low);
    buf.writeLongLE(high);
    buf.writerIndex(start + length);
    buf.writeBytes(CRLF);
  }

  public void bulk(String value) {
    bulk(value.getBytes(StandardCharsets.UTF_8));
  }

  /** A bulk string holding the decimal text of {@code value}. */
  public void bulkLong(long value) {
    bulk(Long.toString(value).getBytes(StandardCharsets.US_ASCII));
  }

  /** A bulk string, or null when {@code value} is null. */
  public void bulkOrNull(byte[] value) {
    if (value == null) {
      nullBulk();
    } else {
      bulk(value);
    }
  }

  private void bulkHeader(int length) {
    if (length < CACHED_INTS) {
      buf.writeBytes(BULK_HEADERS[length]);
    } else {
      buf.writeByte('$');
      writeDecimal(length);
      buf.writeBytes(CRLF);
    }
  }

  /** Null where RESP2 uses a null bulk string ({@code $-1}). */
  public void nullBulk() {
    buf.writeBytes(isResp3() ? NULL3 : NULL_BULK);
  }

  /** Null where RESP2 uses a null array ({@code *-1}). */
  public void nullArray() {
    buf.writeBytes(isResp3() ? NULL3 : NULL_ARRAY);
  }

  public void arrayHeader(int count) {
    if (count == 0) {
      buf.writeBytes(EMPTY_ARRAY);
      return;
    }
    aggregateHeader('*', count);
  }

  public void emptyArray() {
    buf.writeBytes(EMPTY_ARRAY);
  }

  /** A map of {@code pairs} key/value pairs; RESP2 gets a flat array of 2*pairs. */
  public void mapHeader(int pairs) {
    if (isResp3()) {
      aggregateHeader('%', pairs);
    } else {
      aggregateHeader('*', pairs * 2L);
    }
  }

  /** A set; RESP2 gets an array. */
  public void setHeader(int count) {
    aggregateHeader(isResp3() ? '~' : '*', count);
  }

  /** An out-of-band push (pub/sub messages); RESP2 gets an array. */
  public void pushHeader(int count) {
    aggregateHeader(isResp3() ? '>' : '*', count);
  }

  /**
   * An attribute of {@code pairs} key/value pairs, describing the reply that follows it. RESP3
   * only, as in Redis: a RESP2 connection has no way to carry it.
   *
   * @throws IllegalStateException on a RESP2 connection
   */
  public void attributeHeader(int pairs) {
    if (!isResp3()) {
      throw new IllegalStateException("attributes need RESP3");
    }
    aggregateHeader('|', pairs);
  }

  private void aggregateHeader(char type, long count) {
    buf.writeByte(type);
    writeDecimal(count);
    buf.writeBytes(CRLF);
  }

  /** A double ({@code ,1.5}); RESP2 gets a bulk string of the same text. */
  public void doubleValue(double value) {
    String text = DoubleFormat.format(value);
    if (isResp3()) {
      buf.writeByte(',');
      buf.writeCharSequence(text, StandardCharsets.US_ASCII);
      buf.writeBytes(CRLF);
    } else {
      bulk(text.getBytes(StandardCharsets.US_ASCII));
    }
  }

  /** A boolean ({@code #t}/{@code #f}); RESP2 gets 1 or 0. */
  public void bool(boolean value) {
    if (isResp3()) {
      buf.writeByte('#');
      buf.writeByte(value ? 't' : 'f');
      buf.writeBytes(CRLF);
    } else {
      zeroOrOne(value);
    }
  }

  /** A verbatim string with a three-letter format ({@code txt}); RESP2 gets a bulk string. */
  public void verbatim(String format, String text) {
    verbatim(format, text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * A verbatim string with a three-letter format ({@code txt}, {@code mkd}); RESP2 gets a bulk
   * string of {@code text} alone. As in Redis, a shorter format is padded with spaces and a longer
   * one cut to three characters.
   */
  public void verbatim(String format, byte[] text) {
    if (!isResp3()) {
      bulk(text);
      return;
    }
    buf.writeByte('=');
    writeDecimal(text.length + 4L);
    buf.writeBytes(CRLF);
    for (int i = 0; i < 3; i++) {
      buf.writeByte(i < format.length() ? format.charAt(i) : ' ');
    }
    buf.writeByte(':');
    buf.writeBytes(text);
    buf.writeBytes(CRLF);
  }

  /** A big number ({@code (123...}); RESP2 gets a bulk string. */
  public void bigNumber(String digits) {
    if (isResp3()) {
      buf.writeByte('(');
      buf.writeCharSequence(digits, StandardCharsets.US_ASCII);
      buf.writeBytes(CRLF);
    } else {
      bulk(digits.getBytes(StandardCharsets.US_ASCII));
    }
  }

  /** Bytes already encoded as RESP, copied as they are. */
  public void raw(byte[] encoded) {
    buf.writeBytes(encoded);
  }

  private void writeAsciiSanitized(String text) {
    for (int i = 0, n = text.length(); i < n; i++) {
      char c = text.charAt(i);
      if (c == '\r' || c == '\n') {
        c = ' ';
      }
      // Texts carry client bytes as ISO-8859-1 chars, so each char is one byte.
      buf.writeByte(c < 0x100 ? c : '?');
    }
  }

  private void writeDecimal(long value) {
    if (value == Long.MIN_VALUE) {
      buf.writeCharSequence("-9223372036854775808", StandardCharsets.US_ASCII);
      return;
    }
    if (value < 0) {
      buf.writeByte('-');
      value = -value;
    }
    if (value < 10) {
      buf.writeByte((int) ('0' + value));
      return;
    }
    int digits = 1;
    for (long v = value / 10; v > 0; v /= 10) {
      digits++;
    }
    int end = buf.writerIndex() + digits;
    buf.ensureWritable(digits);
    for (int pos = end - 1; pos >= end - digits; pos--) {
      buf.setByte(pos, (int) ('0' + value % 10));
      value /= 10;
    }
    buf.writerIndex(end);
  }
}
