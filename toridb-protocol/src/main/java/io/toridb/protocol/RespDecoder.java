package io.toridb.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;
import java.util.Arrays;

/**
 * Decodes client requests: RESP multibulk arrays ({@code *2\r\n$3\r\nGET\r\n$1\r\nk\r\n}) and
 * inline commands ({@code PING\r\n}), accepting and rejecting exactly what Redis 7.0 does.
 *
 * <p>Implementation notes: a small resumable state machine. {@link #decode} consumes every complete
 * request in the buffer and returns when it needs more bytes; all partial state lives in fields, so
 * the same decoder continues with the next read. Lengths the client claims are checked against
 * {@link ProtocolLimits} before anything is allocated, and a bulk argument is copied only once all
 * of its bytes have arrived, so a claimed length never causes an allocation of that size. The
 * argument array grows as arguments arrive rather than being sized from the claimed count. On any
 * error the state is reset and a {@link ProtocolException} carries Redis's text.
 *
 * <p>Redis's quirks that clients can observe, kept on purpose:
 *
 * <ul>
 *   <li>Header lines ({@code *<n>}, {@code $<n>}) end at the first CR; the byte after it is skipped
 *       without being checked, and so are the two bytes after a bulk argument. A header ended by LF
 *       alone is not a header end: the decoder keeps waiting for a CR.
 *   <li>Inline lines end at LF, with an optional CR before it stripped.
 *   <li>Redis looks for line ends with {@code strchr}, which stops at a NUL byte: a NUL before the
 *       line end means "no line end yet", so such a request waits until the inline limit is
 *       exceeded and then fails as too big.
 *   <li>{@code *0}, {@code *-1} and any other count below one is an empty request and is skipped;
 *       so are empty and all-blank inline lines.
 *   <li>Integers follow {@code string2ll}: no sign but '-', no leading zeros, no "-0", at most 20
 *       characters.
 * </ul>
 */
public final class RespDecoder {

  /** Receives each decoded request. The array and its elements belong to the receiver. */
  @FunctionalInterface
  public interface Sink {
    void onRequest(byte[][] argv);
  }

  private enum State {
    /**
     * Between requests: the next unread byte starts one, '*' a multibulk request and anything else
     * an inline one. Nothing of the next request has been consumed yet.
     */
    START,
    /** Inside a multibulk request, expecting the "$<len>" line of the next argument. */
    BULK_HEADER,
    /** Waiting for {@code bulkLength} bytes of argument data plus the two bytes after them. */
    BULK_BODY,
  }

  private static final byte[][] EMPTY_ARGS = new byte[0][];
  private static final int INITIAL_ARGS = 8;

  /** Stops at a header line's CR, or at a NUL that hides it (see the class notes). */
  private static final ByteProcessor FIND_CR_OR_NUL = b -> b != '\r' && b != 0;

  /** Stops at an inline line's LF, or at a NUL that hides it. */
  private static final ByteProcessor FIND_LF_OR_NUL = b -> b != '\n' && b != 0;

  private ProtocolLimits limits;
  private boolean authenticated = true;

  private State state = State.START;
  private int expectedArgs;
  private byte[][] args = EMPTY_ARGS;
  private int argCount;
  private int bulkLength;

  /** Requests handed to the sink by the current decode call. */
  private int delivered;

  /** Result of the last successful {@link #parseInteger}. */
  private long parsed;

  public RespDecoder(ProtocolLimits limits) {
    this.limits = limits;
  }

  public void setLimits(ProtocolLimits limits) {
    this.limits = limits;
  }

  /**
   * While false (a password is required and not yet given), requests are held to Redis's
   * unauthenticated bounds: at most 10 arguments of at most 16384 bytes.
   */
  public void setAuthenticated(boolean authenticated) {
    this.authenticated = authenticated;
  }

  /**
   * True when the decoder holds no part of a request: every byte it consumed belonged to a complete
   * request. Unconsumed bytes of an incomplete header or inline line may still wait in the caller's
   * buffer.
   */
  public boolean isIdle() {
    return state == State.START;
  }

  /**
   * Decodes every complete request readable in {@code in}, advancing its reader index past them and
   * handing each to {@code sink} in order. Bytes the decoder still needs stay unread; the caller
   * keeps them and appends the next read after them. Consumed header bytes are remembered in the
   * decoder's state. The decoder neither retains nor releases {@code in}.
   *
   * @throws ProtocolException on a malformed or over-limit request; requests before it have already
   *     reached the sink, and the decoder is reset
   */
  public void decode(ByteBuf in, Sink sink) throws ProtocolException {
    decode(in, sink, Integer.MAX_VALUE);
  }

  /**
   * Like {@link #decode(ByteBuf, Sink)}, but stops after {@code maxRequests} requests have reached
   * the sink, leaving the rest unread. A connection that is not yet authenticated decodes one
   * request at a time, so that the limits for the next one follow the outcome of an AUTH before it,
   * as in Redis.
   *
   * @return how many requests reached the sink
   */
  public int decode(ByteBuf in, Sink sink, int maxRequests) throws ProtocolException {
    delivered = 0;
    try {
      while (in.isReadable() && delivered < maxRequests) {
        boolean progressed =
            switch (state) {
              case START -> decodeStart(in, sink);
              case BULK_HEADER -> decodeBulkHeader(in);
              case BULK_BODY -> decodeBulkBody(in, sink);
            };
        if (!progressed) {
          break;
        }
      }
      return delivered;
    } catch (ProtocolException e) {
      reset();
      throw e;
    }
  }

  /** Drops any partial request. */
  public void reset() {
    state = State.START;
    expectedArgs = 0;
    args = EMPTY_ARGS;
    argCount = 0;
    bulkLength = 0;
  }

  private boolean decodeStart(ByteBuf in, Sink sink) throws ProtocolException {
    if (in.getByte(in.readerIndex()) == '*') {
      return decodeMultibulkHeader(in);
    }
    return decodeInline(in, sink);
  }

  private boolean decodeInline(ByteBuf in, Sink sink) throws ProtocolException {
    int start = in.readerIndex();
    int newline = findLineEnd(in, FIND_LF_OR_NUL);
    if (newline < 0) {
      if (in.readableBytes() > limits.maxInlineBytes()) {
        throw new ProtocolException(ProtocolException.TOO_BIG_INLINE_REQUEST);
      }
      return false;
    }
    int end = newline;
    if (end > start && in.getByte(end - 1) == '\r') {
      end--;
    }
    byte[] line = new byte[end - start];
    in.getBytes(start, line);
    byte[][] argv = InlineSplitter.split(line);
    if (argv == null) {
      throw new ProtocolException(ProtocolException.UNBALANCED_QUOTES);
    }
    in.readerIndex(newline + 1);
    if (argv.length > 0) {
      delivered++;
      sink.onRequest(argv);
    }
    return true;
  }

  /** Reads "*<count>" plus the byte after its CR. Stays in START until the line is complete. */
  private boolean decodeMultibulkHeader(ByteBuf in) throws ProtocolException {
    int start = in.readerIndex();
    int cr = findLineEnd(in, FIND_CR_OR_NUL);
    if (cr < 0) {
      if (in.readableBytes() > limits.maxInlineBytes()) {
        throw new ProtocolException(ProtocolException.TOO_BIG_MBULK_COUNT);
      }
      return false;
    }
    if (cr + 1 >= in.writerIndex()) {
      return false;
    }
    if (!parseInteger(in, start + 1, cr)
        || parsed > Integer.MAX_VALUE
        || parsed > limits.maxMultibulkLength()) {
      throw new ProtocolException(ProtocolException.INVALID_MULTIBULK_LENGTH);
    }
    long count = parsed;
    if (!authenticated && count > ProtocolLimits.UNAUTHENTICATED_MULTIBULK) {
      throw new ProtocolException(ProtocolException.UNAUTHENTICATED_MULTIBULK_LENGTH);
    }
    in.readerIndex(cr + 2);
    if (count <= 0) {
      return true;
    }
    expectedArgs = (int) count;
    args = new byte[Math.min(expectedArgs, INITIAL_ARGS)][];
    argCount = 0;
    state = State.BULK_HEADER;
    return true;
  }

  private boolean decodeBulkHeader(ByteBuf in) throws ProtocolException {
    int start = in.readerIndex();
    int cr = findLineEnd(in, FIND_CR_OR_NUL);
    if (cr < 0) {
      if (in.readableBytes() > limits.maxInlineBytes()) {
        throw new ProtocolException(ProtocolException.TOO_BIG_BULK_COUNT);
      }
      return false;
    }
    if (cr + 1 >= in.writerIndex()) {
      return false;
    }
    byte first = in.getByte(start);
    if (first != '$') {
      throw ProtocolException.expectedDollar(first);
    }
    if (!parseInteger(in, start + 1, cr)
        || parsed < 0
        || parsed > limits.maxBulkBytes()
        || parsed > ProtocolLimits.MAX_ARRAY_BYTES) {
      throw new ProtocolException(ProtocolException.INVALID_BULK_LENGTH);
    }
    if (!authenticated && parsed > ProtocolLimits.UNAUTHENTICATED_BULK) {
      throw new ProtocolException(ProtocolException.UNAUTHENTICATED_BULK_LENGTH);
    }
    in.readerIndex(cr + 2);
    bulkLength = (int) parsed;
    state = State.BULK_BODY;
    return true;
  }

  private boolean decodeBulkBody(ByteBuf in, Sink sink) {
    // long arithmetic: bulkLength + 2 may pass Integer.MAX_VALUE.
    if (in.readableBytes() < (long) bulkLength + 2) {
      return false;
    }
    byte[] arg = new byte[bulkLength];
    in.readBytes(arg);
    in.skipBytes(2);
    if (argCount == args.length) {
      args = Arrays.copyOf(args, (int) Math.min(expectedArgs, args.length * 2L));
    }
    args[argCount++] = arg;
    if (argCount < expectedArgs) {
      state = State.BULK_HEADER;
      return true;
    }
    byte[][] argv = args;
    args = EMPTY_ARGS;
    argCount = 0;
    state = State.START;
    delivered++;
    sink.onRequest(argv);
    return true;
  }

  /** Index of the byte {@code finder} stops at, or -1 when there is none or it is a NUL. */
  private static int findLineEnd(ByteBuf in, ByteProcessor finder) {
    int at = in.forEachByte(finder);
    return at < 0 || in.getByte(at) == 0 ? -1 : at;
  }

  /**
   * Parses a signed decimal in [from, to) with Redis's {@code string2ll} rules: 1 to 20 characters,
   * optional '-', no leading zeros (so no "-0"), within the long range. Stores the value in {@link
   * #parsed} and returns true when valid.
   */
  private boolean parseInteger(ByteBuf in, int from, int to) {
    int len = to - from;
    if (len <= 0 || len > 20) {
      return false;
    }
    if (len == 1 && in.getByte(from) == '0') {
      parsed = 0;
      return true;
    }
    int i = from;
    boolean negative = in.getByte(i) == '-';
    if (negative && ++i == to) {
      return false;
    }
    byte lead = in.getByte(i);
    if (lead < '1' || lead > '9') {
      return false;
    }
    // Accumulate negatively so Long.MIN_VALUE fits.
    long limit = negative ? Long.MIN_VALUE : -Long.MAX_VALUE;
    long value = 0;
    for (; i < to; i++) {
      int d = in.getByte(i) - '0';
      if (d < 0 || d > 9 || value < limit / 10) {
        return false;
      }
      value *= 10;
      if (value < limit + d) {
        return false;
      }
      value -= d;
    }
    parsed = negative ? value : -value;
    return true;
  }
}
