package io.toridb.protocol;

/**
 * A malformed or over-limit request. The message is the text Redis puts after {@code "Protocol
 * error: "}; the server replies {@code -ERR Protocol error: <message>} and closes the connection.
 */
public final class ProtocolException extends Exception {
  private static final long serialVersionUID = 1L;

  /** An inline request grew past the inline limit without a line end. */
  public static final String TOO_BIG_INLINE_REQUEST = "too big inline request";

  /** An inline request opened a quote it never closed, or a closing quote touches a character. */
  public static final String UNBALANCED_QUOTES = "unbalanced quotes in request";

  /** A {@code *<count>} line grew past the inline limit without a CR. */
  public static final String TOO_BIG_MBULK_COUNT = "too big mbulk count string";

  /** A {@code *<count>} that is not a valid integer or is over the limit. */
  public static final String INVALID_MULTIBULK_LENGTH = "invalid multibulk length";

  /** More than 10 arguments before authentication. */
  public static final String UNAUTHENTICATED_MULTIBULK_LENGTH = "unauthenticated multibulk length";

  /** A {@code $<length>} line grew past the inline limit without a CR. */
  public static final String TOO_BIG_BULK_COUNT = "too big bulk count string";

  /** A {@code $<length>} that is not a valid integer, is negative or is over the limit. */
  public static final String INVALID_BULK_LENGTH = "invalid bulk length";

  /** An argument longer than 16384 bytes before authentication. */
  public static final String UNAUTHENTICATED_BULK_LENGTH = "unauthenticated bulk length";

  public ProtocolException(String message) {
    super(message, null, false, false);
  }

  /**
   * The error for an argument header that does not start with '$'. The byte appears as one
   * ISO-8859-1 char; CR and LF become spaces, as Redis's formatted errors do.
   */
  public static ProtocolException expectedDollar(byte got) {
    char c = (got == '\r' || got == '\n') ? ' ' : (char) (got & 0xFF);
    return new ProtocolException("expected '$', got '" + c + "'");
  }

  /**
   * The full error reply text, without the leading '-'. Chars are ISO-8859-1 bytes, as {@link
   * RespWriter#error} writes them.
   */
  public String replyText() {
    return "ERR Protocol error: " + getMessage();
  }
}
