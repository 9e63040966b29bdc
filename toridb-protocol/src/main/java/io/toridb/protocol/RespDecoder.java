package io.toridb.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;
import io.netty.util.concurrent.FastThreadLocal;
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
 * <p>The bytes are not parsed in the caller's buffer: each pass copies up to {@value #WINDOW_BYTES}
 * of them into a heap array (the window, one per thread, since its contents never outlive a call)
 * and reads them there with plain array accesses, which costs a fraction of a bounds- and
 * reference-count-checked read per byte. A line or argument that runs past the window is read from
 * the buffer itself, and the next pass starts where the last complete step ended. An argument that
 * is still arriving is not copied at all until all of it is there.
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

  /**
   * Receives each decoded request. The array and its elements belong to the receiver. A sink must
   * not decode anything itself: the decoders of one thread share its window.
   */
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

  /** Bytes copied into the window per pass. */
  static final int WINDOW_BYTES = 16 * 1024;

  /**
   * The smallest window: longer than any valid header line ('*' or '$', at most 20 characters of
   * number, CR), so a header that runs past the window is known to be invalid without reading it.
   */
  static final int MIN_WINDOW_BYTES = 64;

  /** A step's outcome: the buffer holds too few bytes; wait for the next read. */
  private static final int NEED_MORE = -1;

  /** A step's outcome: it needs bytes past the window; copy a new window starting at the step. */
  private static final int REFILL = -2;

  /** A step's outcome: it consumed its bytes. */
  private static final int DONE = 0;

  private static final byte[][] EMPTY_ARGS = new byte[0][];
  private static final int INITIAL_ARGS = 8;

  private static final FastThreadLocal<byte[]> WINDOWS =
      new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
          return new byte[WINDOW_BYTES];
        }
      };

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

  /** A window of another size than the shared one's, or null to use the thread's. */
  private final byte[] ownWindow;

  // The current pass, during a decode call: the buffer, the window holding its bytes from index
  // base on (the first lim of readable ones), and the window position of the next unread byte.
  private ByteBuf in;
  private byte[] window;
  private int base;
  private int readable;
  private int lim;
  private int pos;

  public RespDecoder(ProtocolLimits limits) {
    this(limits, WINDOW_BYTES);
  }

  /** A decoder with a window of {@code windowBytes}, so that tests can cut streams into passes. */
  RespDecoder(ProtocolLimits limits, int windowBytes) {
    if (windowBytes < MIN_WINDOW_BYTES) {
      throw new IllegalArgumentException("window of " + windowBytes + " bytes");
    }
    this.limits = limits;
    this.ownWindow = windowBytes == WINDOW_BYTES ? null : new byte[windowBytes];
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
    this.in = in;
    window = ownWindow != null ? ownWindow : WINDOWS.get();
    try {
      while (in.isReadable() && delivered < maxRequests) {
        if (state == State.BULK_BODY && in.readableBytes() < (long) bulkLength + 2) {
          break;
        }
        base = in.readerIndex();
        readable = in.readableBytes();
        lim = Math.min(readable, window.length);
        in.getBytes(base, window, 0, lim);
        pos = 0;
        int outcome;
        try {
          outcome = run(sink, maxRequests);
        } finally {
          in.readerIndex(base + pos);
        }
        if (outcome == NEED_MORE) {
          break;
        }
      }
      return delivered;
    } catch (ProtocolException e) {
      reset();
      throw e;
    } finally {
      this.in = null;
      window = null;
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

  /**
   * Runs steps over the window until one needs more bytes than the buffer has ({@link #NEED_MORE})
   * or than the window holds ({@link #REFILL}), or {@code maxRequests} is reached.
   */
  private int run(Sink sink, int maxRequests) throws ProtocolException {
    while (delivered < maxRequests) {
      if (pos >= lim) {
        return pos < readable ? REFILL : NEED_MORE;
      }
      int outcome =
          switch (state) {
            case START -> window[pos] == '*' ? decodeMultibulkHeader() : decodeInline(sink);
            case BULK_HEADER -> decodeBulkHeader();
            case BULK_BODY -> decodeBulkBody(sink);
          };
      if (outcome != DONE) {
        return outcome;
      }
    }
    return DONE;
  }

  private int decodeInline(Sink sink) throws ProtocolException {
    int newline = lineEnd((byte) '\n', ProtocolException.TOO_BIG_INLINE_REQUEST);
    if (newline < 0) {
      return newline;
    }
    int end = newline;
    if (end > pos && byteAt(end - 1) == '\r') {
      end--;
    }
    byte[] line = copyOut(new byte[end - pos]);
    byte[][] argv = InlineSplitter.split(line);
    if (argv == null) {
      throw new ProtocolException(ProtocolException.UNBALANCED_QUOTES);
    }
    pos = newline + 1;
    if (argv.length > 0) {
      delivered++;
      sink.onRequest(argv);
    }
    return DONE;
  }

  /** Reads "*<count>" plus the byte after its CR. Stays in START until the line is complete. */
  private int decodeMultibulkHeader() throws ProtocolException {
    int cr = lineEnd((byte) '\r', ProtocolException.TOO_BIG_MBULK_COUNT);
    if (cr < 0) {
      return cr;
    }
    if (cr + 1 >= readable) {
      return NEED_MORE;
    }
    if (!parseInteger(pos + 1, cr)
        || parsed > Integer.MAX_VALUE
        || parsed > limits.maxMultibulkLength()) {
      throw new ProtocolException(ProtocolException.INVALID_MULTIBULK_LENGTH);
    }
    long count = parsed;
    if (!authenticated && count > ProtocolLimits.UNAUTHENTICATED_MULTIBULK) {
      throw new ProtocolException(ProtocolException.UNAUTHENTICATED_MULTIBULK_LENGTH);
    }
    pos = cr + 2;
    if (count <= 0) {
      return DONE;
    }
    expectedArgs = (int) count;
    args = new byte[Math.min(expectedArgs, INITIAL_ARGS)][];
    argCount = 0;
    state = State.BULK_HEADER;
    return DONE;
  }

  private int decodeBulkHeader() throws ProtocolException {
    int cr = lineEnd((byte) '\r', ProtocolException.TOO_BIG_BULK_COUNT);
    if (cr < 0) {
      return cr;
    }
    if (cr + 1 >= readable) {
      return NEED_MORE;
    }
    byte first = window[pos];
    if (first != '$') {
      throw ProtocolException.expectedDollar(first);
    }
    if (!parseInteger(pos + 1, cr)
        || parsed < 0
        || parsed > limits.maxBulkBytes()
        || parsed > ProtocolLimits.MAX_ARRAY_BYTES) {
      throw new ProtocolException(ProtocolException.INVALID_BULK_LENGTH);
    }
    if (!authenticated && parsed > ProtocolLimits.UNAUTHENTICATED_BULK) {
      throw new ProtocolException(ProtocolException.UNAUTHENTICATED_BULK_LENGTH);
    }
    pos = cr + 2;
    bulkLength = (int) parsed;
    state = State.BULK_BODY;
    return DONE;
  }

  private int decodeBulkBody(Sink sink) {
    // long arithmetic: bulkLength + 2 may pass Integer.MAX_VALUE.
    if (readable - pos < (long) bulkLength + 2) {
      return NEED_MORE;
    }
    byte[] arg = copyOut(new byte[bulkLength]);
    pos += bulkLength + 2;
    if (argCount == args.length) {
      args = Arrays.copyOf(args, (int) Math.min(expectedArgs, args.length * 2L));
    }
    args[argCount++] = arg;
    if (argCount < expectedArgs) {
      state = State.BULK_HEADER;
      return DONE;
    }
    byte[][] argv = args;
    args = EMPTY_ARGS;
    argCount = 0;
    state = State.START;
    delivered++;
    sink.onRequest(argv);
    return DONE;
  }

  /**
   * Window position of the {@code end} byte (CR for a header, LF for an inline line) that ends the
   * line starting at {@link #pos}, which may lie past the window when the line is longer than the
   * window; {@link #NEED_MORE} when the buffer holds no line end yet or a NUL comes first (see the
   * class notes), {@link #REFILL} when the window was cut short inside the line.
   *
   * @throws ProtocolException with {@code tooBig} when there is no line end yet and the line
   *     already holds more than the inline limit
   */
  private int lineEnd(byte end, String tooBig) throws ProtocolException {
    int at = findLineEnd(end);
    if (at == NEED_MORE && readable - pos > limits.maxInlineBytes()) {
      throw new ProtocolException(tooBig);
    }
    return at;
  }

  private int findLineEnd(byte end) {
    byte[] w = window;
    for (int i = pos; i < lim; i++) {
      byte b = w[i];
      if (b == end) {
        return i;
      }
      if (b == 0) {
        return NEED_MORE;
      }
    }
    if (lim == readable) {
      return NEED_MORE;
    }
    if (pos > 0) {
      return REFILL;
    }
    ByteProcessor finder = end == '\r' ? FIND_CR_OR_NUL : FIND_LF_OR_NUL;
    int at = in.forEachByte(base + lim, readable - lim, finder);
    return at < 0 || in.getByte(at) == 0 ? NEED_MORE : at - base;
  }

  /**
   * Fills {@code dst} with the bytes from {@link #pos}, from the window or, past it, the buffer.
   */
  private byte[] copyOut(byte[] dst) {
    if ((long) pos + dst.length <= lim) {
      System.arraycopy(window, pos, dst, 0, dst.length);
    } else {
      in.getBytes(base + pos, dst);
    }
    return dst;
  }

  private byte byteAt(int i) {
    return i < lim ? window[i] : in.getByte(base + i);
  }

  /**
   * Parses a signed decimal in window positions [from, to) with Redis's {@code string2ll} rules: 1
   * to 20 characters, optional '-', no leading zeros (so no "-0"), within the long range. Stores
   * the value in {@link #parsed} and returns true when valid. A longer span is refused before any
   * byte is read, so {@code to} may lie past the window.
   */
  private boolean parseInteger(int from, int to) {
    int len = to - from;
    if (len <= 0 || len > 20) {
      return false;
    }
    byte[] w = window;
    if (len == 1 && w[from] == '0') {
      parsed = 0;
      return true;
    }
    int i = from;
    boolean negative = w[i] == '-';
    if (negative && ++i == to) {
      return false;
    }
    byte lead = w[i];
    if (lead < '1' || lead > '9') {
      return false;
    }
    if (to - i <= 18) {
      // At most 18 digits cannot overflow a long: only the digits need checking.
      long value = 0;
      for (; i < to; i++) {
        int d = w[i] - '0';
        if (d < 0 || d > 9) {
          return false;
        }
        value = value * 10 + d;
      }
      parsed = negative ? -value : value;
      return true;
    }
    // Accumulate negatively so Long.MIN_VALUE fits.
    long limit = negative ? Long.MIN_VALUE : -Long.MAX_VALUE;
    long value = 0;
    for (; i < to; i++) {
      int d = w[i] - '0';
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
