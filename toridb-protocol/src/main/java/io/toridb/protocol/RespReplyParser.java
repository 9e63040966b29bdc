package io.toridb.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.ByteProcessor;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Parses server replies in every RESP2/RESP3 type ({@code + - : $ * % ~ , _ # = > ( | !}),
 * including null bulk strings and null arrays, into {@link RespReply} values. An attribute ({@code
 * |}) is attached to the reply that follows it.
 *
 * <p>Two ways in: {@link #parse(ByteBuf)} is resumable and never blocks, for event loops and
 * buffers that fill up over time; {@link #read(InputStream)} blocks until a whole reply has
 * arrived, for simple clients.
 *
 * <p>The parser is strict, because it exists to compare servers byte for byte: lines end in CRLF
 * and hold no other CR or LF, numbers are canonical decimals (no '+', no leading zeros, no "-0"), a
 * blob is followed by CRLF, booleans are {@code t} or {@code f}, and -1 means null only for {@code
 * $} and {@code *}. Streamed RESP3 types ({@code $?}, {@code *?}) are not supported.
 *
 * <p>Implementation notes: {@link #parse(ByteBuf)} first scans the buffer to learn whether a whole
 * reply is there, keeping its position and a stack of element counts still expected per open
 * aggregate, so bytes already scanned are not scanned again on the next call. Only once the reply
 * is complete are values built, by a recursive reader that cannot run out of bytes. Neither step
 * allocates from a claimed length: a blob is copied once its bytes are all present and an element
 * list grows as elements are read, so {@code *2147483647} or {@code $536870000} followed by a few
 * bytes costs nothing but waiting. Nesting is bounded by {@code maxDepth}.
 */
public final class RespReplyParser {
  /** Deepest aggregate nesting accepted by default. */
  public static final int DEFAULT_MAX_DEPTH = 512;

  /** Longest line or blob accepted by default: Redis's largest bulk string, 512 MiB. */
  public static final int DEFAULT_MAX_LENGTH = 512 * 1024 * 1024;

  /** Longest valid length or count line: "-" and 19 digits, or 20 digits. */
  private static final int MAX_NUMBER_CHARS = 20;

  private static final ByteProcessor FIND_CR_OR_LF = b -> b != '\r' && b != '\n';

  private final int maxDepth;
  private final int maxLength;

  // Resumable scan of the reply at the buffer's reader index (see the implementation notes).
  private boolean scanning;

  /** Bytes after the reader index known to belong to the reply in progress. */
  private int scanned;

  /** Per open level, how many elements are still expected; level 0 is the reply itself. */
  private long[] pending = new long[16];

  private int depth;
  private final byte[] numberScratch = new byte[MAX_NUMBER_CHARS];

  public RespReplyParser() {
    this(DEFAULT_MAX_DEPTH, DEFAULT_MAX_LENGTH);
  }

  /**
   * @param maxDepth deepest aggregate nesting accepted (a flat array is depth 1)
   * @param maxLength longest line or blob accepted, in bytes
   */
  public RespReplyParser(int maxDepth, int maxLength) {
    if (maxDepth < 1 || maxLength < 1 || maxLength > ProtocolLimits.MAX_ARRAY_BYTES) {
      throw new IllegalArgumentException("maxDepth=" + maxDepth + " maxLength=" + maxLength);
    }
    this.maxDepth = maxDepth;
    this.maxLength = maxLength;
  }

  /**
   * Returns the reply starting at {@code in}'s reader index and moves the index past it, or returns
   * null and leaves the index alone when the reply is not complete yet. Between a call that returns
   * null and the next one the caller may only append bytes, not consume any (or it calls {@link
   * #reset}). The parser neither retains nor releases {@code in}.
   *
   * @throws RespFormatException when the bytes are not valid RESP; the parser is reset and the
   *     reader index is left where the reply began
   */
  public RespReply parse(ByteBuf in) throws RespFormatException {
    boolean waiting = false;
    try {
      if (!scan(in)) {
        waiting = true;
        return null;
      }
      BufferSource source = new BufferSource(in, in.readerIndex());
      RespReply reply = readReply(source, 1, false);
      in.readerIndex(source.pos);
      return reply;
    } catch (RespFormatException e) {
      throw e;
    } catch (IOException e) {
      // A buffer source has no I/O of its own to fail.
      throw new IllegalStateException(e);
    } finally {
      if (!waiting) {
        reset();
      }
    }
  }

  /**
   * Reads one whole reply from a blocking stream, reading no byte past it. Reads byte by byte while
   * scanning lines, so give it a buffered stream. Does not use or change the state of {@link
   * #parse(ByteBuf)}.
   *
   * @return the reply, or null if the stream ended before its first byte
   * @throws EOFException if the stream ends inside a reply
   * @throws RespFormatException when the bytes are not valid RESP
   */
  public RespReply read(InputStream in) throws IOException {
    int first = in.read();
    if (first < 0) {
      return null;
    }
    return readReply(new StreamSource(in, (byte) first, maxLength), 1, false);
  }

  /** Forgets a partly scanned reply. */
  public void reset() {
    scanning = false;
    scanned = 0;
    depth = 0;
  }

  /** Parses {@code wire} as exactly one reply, with nothing missing and nothing after it. */
  public static RespReply parseOne(byte[] wire) throws RespFormatException {
    List<RespReply> replies = parseAll(wire);
    if (replies.size() != 1) {
      throw new RespFormatException("expected one reply, found " + replies.size());
    }
    return replies.get(0);
  }

  /** Parses {@code wire} as a sequence of whole replies. */
  public static List<RespReply> parseAll(byte[] wire) throws RespFormatException {
    ByteBuf in = Unpooled.wrappedBuffer(wire);
    try {
      RespReplyParser parser = new RespReplyParser();
      List<RespReply> replies = new ArrayList<>();
      while (in.isReadable()) {
        RespReply r = parser.parse(in);
        if (r == null) {
          throw new RespFormatException("truncated reply at byte " + in.readerIndex());
        }
        replies.add(r);
      }
      return replies;
    } finally {
      in.release();
    }
  }

  // ---- scanning ----

  /** Advances the scan; true once a whole reply lies after the reader index. */
  private boolean scan(ByteBuf in) throws RespFormatException {
    if (!scanning) {
      scanning = true;
      scanned = 0;
      depth = 1;
      pending[0] = 1;
    }
    int base = in.readerIndex();
    int end = in.writerIndex();
    while (depth > 0) {
      int pos = base + scanned;
      if (pos >= end) {
        return false;
      }
      RespReply.Kind kind = kindOf(in.getByte(pos));
      int cr = findLineEnd(in, pos + 1, end);
      if (cr < 0) {
        return false;
      }
      int next = cr + 2;
      long opens = 0;
      if (kind.isBlob() || kind.isAggregate()) {
        long n = parseLength(in, pos + 1, cr, kind);
        if (kind.isBlob() && n >= 0) {
          if (end - next < n + 2) {
            return false;
          }
          next += (int) n;
          if (in.getByte(next) != '\r' || in.getByte(next + 1) != '\n') {
            throw new RespFormatException("blob of " + n + " bytes not followed by CRLF");
          }
          next += 2;
        } else if (kind.isAggregate()) {
          if (depth > maxDepth) {
            throw new RespFormatException("aggregates nested deeper than " + maxDepth);
          }
          opens = kind.isKeyed() ? 2 * n : n;
        }
      }
      scanned = next - base;
      if (kind != RespReply.Kind.ATTRIBUTE) {
        pending[depth - 1]--;
      }
      if (opens > 0) {
        if (depth == pending.length) {
          pending = Arrays.copyOf(pending, depth * 2);
        }
        pending[depth++] = opens;
      }
      while (depth > 0 && pending[depth - 1] == 0) {
        depth--;
      }
    }
    return true;
  }

  /**
   * Index of the CR of the CRLF ending the line that starts at {@code from}, or -1 when it has not
   * all arrived.
   */
  private int findLineEnd(ByteBuf in, int from, int end) throws RespFormatException {
    int at = in.forEachByte(from, end - from, FIND_CR_OR_LF);
    if (at < 0) {
      if (end - from > maxLength) {
        throw new RespFormatException("line longer than " + maxLength + " bytes");
      }
      return -1;
    }
    if (in.getByte(at) == '\n') {
      throw new RespFormatException("LF without CR in a line");
    }
    if (at + 1 >= end) {
      return -1;
    }
    if (in.getByte(at + 1) != '\n') {
      throw new RespFormatException("CR not followed by LF");
    }
    return at;
  }

  private long parseLength(ByteBuf in, int from, int to, RespReply.Kind kind)
      throws RespFormatException {
    int len = to - from;
    if (len > MAX_NUMBER_CHARS) {
      throw new RespFormatException("invalid length for " + kind);
    }
    in.getBytes(from, numberScratch, 0, len);
    return checkLength(parseDecimal(numberScratch, len), kind);
  }

  private long checkLength(long n, RespReply.Kind kind) throws RespFormatException {
    boolean nullable = kind == RespReply.Kind.BULK_STRING || kind == RespReply.Kind.ARRAY;
    if (n < -1 || (n == -1 && !nullable)) {
      throw new RespFormatException("invalid length " + n + " for " + kind);
    }
    if (kind.isBlob() && n > maxLength) {
      throw new RespFormatException("blob of " + n + " bytes is over the limit of " + maxLength);
    }
    if (kind.isAggregate() && n > (kind.isKeyed() ? Integer.MAX_VALUE / 2 : Integer.MAX_VALUE)) {
      throw new RespFormatException("aggregate of " + n + " elements is too large");
    }
    if (kind == RespReply.Kind.VERBATIM_STRING && n < 4) {
      throw new RespFormatException("verbatim string shorter than its format");
    }
    return n;
  }

  // ---- building ----

  /** Reads one reply, whose aggregate (if it is one) sits at nesting {@code level}. */
  private RespReply readReply(Source in, int level, boolean afterAttribute) throws IOException {
    RespReply.Kind kind = kindOf(in.readByte());
    if (kind == RespReply.Kind.ATTRIBUTE) {
      if (afterAttribute) {
        throw new RespFormatException("attribute followed by another attribute");
      }
      RespReply attribute = readAggregate(in, kind, level);
      return readReply(in, level, true).withAttribute(attribute);
    }
    if (kind.isAggregate()) {
      return readAggregate(in, kind, level);
    }
    byte[] line = in.readLine();
    switch (kind) {
      case INTEGER:
        return RespReply.integer(parseDecimal(line, line.length));
      case NULL:
        if (line.length != 0) {
          throw new RespFormatException("null with a payload");
        }
        return RespReply.nullValue();
      case BOOLEAN:
        if (line.length == 1 && (line[0] == 't' || line[0] == 'f')) {
          return RespReply.bool(line[0] == 't');
        }
        throw new RespFormatException("boolean is neither t nor f");
      case DOUBLE:
        if (line.length == 0) {
          throw new RespFormatException("empty double");
        }
        return RespReply.text(kind, line);
      case BIG_NUMBER:
        if (!RespReply.isBigNumber(line)) {
          throw new RespFormatException("big number is not a decimal integer");
        }
        return RespReply.text(kind, line);
      case SIMPLE_STRING:
      case SIMPLE_ERROR:
        return RespReply.text(kind, line);
      default:
        // Blob kinds.
        long n = checkLength(parseDecimal(line, line.length), kind);
        if (n == -1) {
          return RespReply.nullBulkString();
        }
        byte[] payload = in.readBlob((int) n);
        if (kind == RespReply.Kind.VERBATIM_STRING && payload[3] != ':') {
          throw new RespFormatException("verbatim string without ':' after its format");
        }
        return RespReply.text(kind, payload);
    }
  }

  private RespReply readAggregate(Source in, RespReply.Kind kind, int level) throws IOException {
    byte[] line = in.readLine();
    long n = checkLength(parseDecimal(line, line.length), kind);
    if (level > maxDepth) {
      throw new RespFormatException("aggregates nested deeper than " + maxDepth);
    }
    if (n == -1) {
      return RespReply.nullArray();
    }
    int count = (int) (kind.isKeyed() ? 2 * n : n);
    List<RespReply> elements = new ArrayList<>(Math.min(count, 16));
    for (int i = 0; i < count; i++) {
      elements.add(readReply(in, level + 1, false));
    }
    return RespReply.wrapAggregate(kind, elements);
  }

  private static RespReply.Kind kindOf(byte marker) throws RespFormatException {
    RespReply.Kind kind = RespReply.Kind.ofMarker(marker);
    if (kind == null) {
      String hex = Integer.toHexString(marker & 0xFF);
      throw new RespFormatException("unknown reply type byte 0x" + hex);
    }
    return kind;
  }

  /** A canonical decimal in b[0, len): optional '-', no leading zeros, no "-0", a long. */
  static long parseDecimal(byte[] b, int len) throws RespFormatException {
    if (len == 1 && b[0] == '0') {
      return 0;
    }
    int i = 0;
    boolean negative = len > 0 && b[0] == '-';
    if (negative) {
      i++;
    }
    if (i == len || len > MAX_NUMBER_CHARS || b[i] < '1' || b[i] > '9') {
      throw notANumber(b, len);
    }
    long limit = negative ? Long.MIN_VALUE : -Long.MAX_VALUE;
    long value = 0;
    for (; i < len; i++) {
      int d = b[i] - '0';
      if (d < 0 || d > 9 || value < limit / 10) {
        throw notANumber(b, len);
      }
      value *= 10;
      if (value < limit + d) {
        throw notANumber(b, len);
      }
      value -= d;
    }
    return negative ? value : -value;
  }

  private static RespFormatException notANumber(byte[] b, int len) {
    String shown = new String(b, 0, Math.min(len, 40), StandardCharsets.ISO_8859_1);
    return new RespFormatException("not a canonical integer: \"" + shown + "\"");
  }

  // ---- sources ----

  /** Where the builder reads from. */
  private interface Source {
    byte readByte() throws IOException;

    /** The rest of the current line, without its CRLF, which it consumes. */
    byte[] readLine() throws IOException;

    /** {@code length} bytes and the CRLF after them. */
    byte[] readBlob(int length) throws IOException;
  }

  /** A buffer the scan has already proven to hold the whole reply. */
  private static final class BufferSource implements Source {
    private final ByteBuf in;
    private int pos;

    BufferSource(ByteBuf in, int pos) {
      this.in = in;
      this.pos = pos;
    }

    @Override
    public byte readByte() {
      return in.getByte(pos++);
    }

    @Override
    public byte[] readLine() {
      int cr = in.indexOf(pos, in.writerIndex(), (byte) '\r');
      byte[] line = new byte[cr - pos];
      in.getBytes(pos, line);
      pos = cr + 2;
      return line;
    }

    @Override
    public byte[] readBlob(int length) {
      byte[] blob = new byte[length];
      in.getBytes(pos, blob);
      pos += length + 2;
      return blob;
    }
  }

  /** A blocking stream, read without reading ahead. */
  private static final class StreamSource implements Source {
    private final InputStream in;
    private final int maxLength;
    private int first;

    StreamSource(InputStream in, byte first, int maxLength) {
      this.in = in;
      this.first = first & 0xFF;
      this.maxLength = maxLength;
    }

    @Override
    public byte readByte() throws IOException {
      if (first >= 0) {
        byte b = (byte) first;
        first = -1;
        return b;
      }
      int b = in.read();
      if (b < 0) {
        throw new EOFException("stream ended inside a reply");
      }
      return (byte) b;
    }

    @Override
    public byte[] readLine() throws IOException {
      byte[] line = new byte[32];
      int n = 0;
      while (true) {
        byte b = readByte();
        if (b == '\n') {
          throw new RespFormatException("LF without CR in a line");
        }
        if (b == '\r') {
          if (readByte() != '\n') {
            throw new RespFormatException("CR not followed by LF");
          }
          return Arrays.copyOf(line, n);
        }
        if (n == maxLength) {
          throw new RespFormatException("line longer than " + maxLength + " bytes");
        }
        if (n == line.length) {
          line = Arrays.copyOf(line, (int) Math.min(maxLength, line.length * 2L));
        }
        line[n++] = b;
      }
    }

    @Override
    public byte[] readBlob(int length) throws IOException {
      // readNBytes grows its result as bytes arrive instead of trusting the claimed length.
      byte[] blob = in.readNBytes(length);
      if (blob.length < length) {
        throw new EOFException("stream ended inside a blob");
      }
      if (readByte() != '\r' || readByte() != '\n') {
        throw new RespFormatException("blob of " + length + " bytes not followed by CRLF");
      }
      return blob;
    }
  }
}
