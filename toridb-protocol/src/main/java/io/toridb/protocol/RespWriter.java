package io.toridb.protocol;

import io.netty.buffer.ByteBuf;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Writes replies into a buffer in the connection's protocol version, hiding the RESP2/RESP3
 * differences: a map is a flat array in RESP2, a double a bulk string, null a null bulk (or null
 * array), a boolean an integer, a verbatim string a bulk string and a push an array.
 *
 * <p>One writer is reused per worker; {@link #reset} points it at the next batch's buffer and the
 * connection's protocol.
 *
 * <p>Implementation notes: a reply is made of many small pieces (a header, a value, a CRLF, ten
 * times over for a ten-element array), and each write into a direct Netty buffer costs far more
 * than the few bytes it copies. So pieces are first gathered in a heap array owned by the writer
 * and copied into the buffer in one call by {@link #flush}: when the array fills, when {@link
 * #buffer} or {@link #reset} is called, and by whoever finishes a reply (the executor flushes after
 * every command). Values of {@value #DIRECT_COPY} bytes or more, or longer than the array (a writer
 * made for one message has a small one), are copied straight into the buffer after a flush, so the
 * order of bytes is always the order of the calls.
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
  private static final byte[] LONG_MIN_TEXT =
      Long.toString(Long.MIN_VALUE).getBytes(StandardCharsets.US_ASCII);
  private static final int CACHED_INTS = 1024;
  private static final byte[][] INT_REPLIES = new byte[CACHED_INTS][];
  private static final byte[][] BULK_HEADERS = new byte[CACHED_INTS][];

  static {
    for (int i = 0; i < CACHED_INTS; i++) {
      INT_REPLIES[i] = (":" + i + "\r\n").getBytes(StandardCharsets.US_ASCII);
      BULK_HEADERS[i] = ("$" + i + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }
  }

  /** Size of a worker's staging array; a reply longer than this is flushed as it is written. */
  private static final int STAGE_BYTES = 8192;

  /** Size of the staging array of a writer made for one message (a pub/sub frame, a timeout). */
  private static final int SMALL_STAGE_BYTES = 256;

  /** Values at least this long skip the staging array. */
  private static final int DIRECT_COPY = 1024;

  /** Longest piece written through {@link #room}: a sign, 20 digits and a CRLF, or two words. */
  private static final int MAX_PIECE = 32;

  private static final VarHandle LONG_LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private final byte[] stage;
  private int staged;
  private ByteBuf buf;
  private int protocol = 2;

  /** A writer to be pointed at each batch's buffer in turn ({@link #reset}), as a worker's is. */
  public RespWriter() {
    stage = new byte[STAGE_BYTES];
  }

  /** A writer for a few replies into {@code buf}: its staging array is small. */
  public RespWriter(ByteBuf buf, int protocol) {
    stage = new byte[SMALL_STAGE_BYTES];
    reset(buf, protocol);
  }

  /**
   * Points this writer at a buffer, for a connection speaking RESP{@code protocol} (2 or 3), after
   * flushing what was written so far into the previous one.
   */
  public RespWriter reset(ByteBuf buf, int protocol) {
    try {
      flush();
    } finally {
      // Even when the copy failed, the writer moves on: the next batch must not inherit it.
      this.buf = buf;
      this.protocol = protocol;
    }
    return this;
  }

  /** The buffer replies go to, holding everything written so far (this flushes). */
  public ByteBuf buffer() {
    flush();
    return buf;
  }

  /**
   * Copies what is staged into the buffer.
   *
   * @throws IllegalStateException if bytes were written while no buffer was set
   */
  public void flush() {
    if (staged > 0) {
      // Cleared first: a copy that fails (no buffer, the buffer at its limit, no direct memory)
      // must not leave bytes behind for every later flush to fail on.
      int n = staged;
      staged = 0;
      if (buf == null) {
        throw new IllegalStateException("reply written with no buffer");
      }
      buf.writeBytes(stage, 0, n);
    }
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
    put(OK);
  }

  /** A simple string: {@code +text}. */
  public void simple(String text) {
    putByte('+');
    writeAsciiSanitized(text);
    put(CRLF);
  }

  /**
   * An error: {@code -text}, where text starts with its code ({@code ERR}, {@code WRONGTYPE}, ...).
   * CR and LF are replaced by spaces as Redis does.
   */
  public void error(String text) {
    putByte('-');
    writeAsciiSanitized(text);
    put(CRLF);
  }

  public void integer(long value) {
    if (value >= 0 && value < CACHED_INTS) {
      put(INT_REPLIES[(int) value]);
      return;
    }
    putByte(':');
    writeDecimal(value);
    put(CRLF);
  }

  public void zeroOrOne(boolean one) {
    put(one ? ONE : ZERO);
  }

  public void bulk(byte[] value) {
    bulk(value, 0, value.length);
  }

  public void bulk(byte[] value, int offset, int length) {
    bulkHeader(length);
    put(value, offset, length);
    put(CRLF);
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
    room(2 * Long.BYTES + CRLF.length);
    LONG_LE.set(stage, staged, low);
    LONG_LE.set(stage, staged + Long.BYTES, high);
    staged += length;
    put(CRLF);
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
      put(BULK_HEADERS[length]);
    } else {
      putByte('$');
      writeDecimal(length);
      put(CRLF);
    }
  }

  /** Null where RESP2 uses a null bulk string ({@code $-1}). */
  public void nullBulk() {
    put(isResp3() ? NULL3 : NULL_BULK);
  }

  /** Null where RESP2 uses a null array ({@code *-1}). */
  public void nullArray() {
    put(isResp3() ? NULL3 : NULL_ARRAY);
  }

  public void arrayHeader(int count) {
    if (count == 0) {
      put(EMPTY_ARRAY);
      return;
    }
    aggregateHeader('*', count);
  }

  public void emptyArray() {
    put(EMPTY_ARRAY);
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
    putByte(type);
    writeDecimal(count);
    put(CRLF);
  }

  /** A double ({@code ,1.5}); RESP2 gets a bulk string of the same text. */
  public void doubleValue(double value) {
    doubleText(DoubleFormat.format(value));
  }

  /**
   * A double already written as text in one of Redis's formats (GEOPOS's 17 decimals, say); RESP2
   * gets a bulk string of the text.
   */
  public void doubleText(String text) {
    if (isResp3()) {
      putByte(',');
      put(text.getBytes(StandardCharsets.US_ASCII));
      put(CRLF);
    } else {
      bulk(text.getBytes(StandardCharsets.US_ASCII));
    }
  }

  /** A boolean ({@code #t}/{@code #f}); RESP2 gets 1 or 0. */
  public void bool(boolean value) {
    if (isResp3()) {
      putByte('#');
      putByte(value ? 't' : 'f');
      put(CRLF);
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
    putByte('=');
    writeDecimal(text.length + 4L);
    put(CRLF);
    for (int i = 0; i < 3; i++) {
      putByte(i < format.length() ? format.charAt(i) : ' ');
    }
    putByte(':');
    put(text);
    put(CRLF);
  }

  /** A big number ({@code (123...}); RESP2 gets a bulk string. */
  public void bigNumber(String digits) {
    if (isResp3()) {
      putByte('(');
      put(digits.getBytes(StandardCharsets.US_ASCII));
      put(CRLF);
    } else {
      bulk(digits.getBytes(StandardCharsets.US_ASCII));
    }
  }

  /** Bytes already encoded as RESP, copied as they are. */
  public void raw(byte[] encoded) {
    put(encoded);
  }

  private void writeAsciiSanitized(String text) {
    for (int i = 0, n = text.length(); i < n; i++) {
      char c = text.charAt(i);
      if (c == '\r' || c == '\n') {
        c = ' ';
      }
      // Texts carry client bytes as ISO-8859-1 chars, so each char is one byte.
      putByte(c < 0x100 ? c : '?');
    }
  }

  private void writeDecimal(long value) {
    room(MAX_PIECE);
    if (value == Long.MIN_VALUE) {
      put(LONG_MIN_TEXT);
      return;
    }
    if (value < 0) {
      stage[staged++] = '-';
      value = -value;
    }
    int digits = 1;
    for (long v = value; v >= 10; v /= 10) {
      digits++;
    }
    int end = staged + digits;
    for (int pos = end - 1; pos >= staged; pos--) {
      stage[pos] = (byte) ('0' + value % 10);
      value /= 10;
    }
    staged = end;
  }

  /** Makes room for {@code n} (at most {@link #MAX_PIECE}) more staged bytes. */
  private void room(int n) {
    if (stage.length - staged < n) {
      flush();
    }
  }

  private void putByte(int b) {
    if (staged == stage.length) {
      flush();
    }
    stage[staged++] = (byte) b;
  }

  private void put(byte[] src) {
    put(src, 0, src.length);
  }

  private void put(byte[] src, int offset, int length) {
    if (length >= DIRECT_COPY || length > stage.length) {
      flush();
      buf.writeBytes(src, offset, length);
      return;
    }
    if (stage.length - staged < length) {
      flush();
    }
    System.arraycopy(src, offset, stage, staged, length);
    staged += length;
  }
}
