package io.toridb.protocol;

/**
 * Bounds the decoder enforces before it allocates anything for a request. Defaults are Redis's.
 *
 * @param maxInlineBytes how many bytes may wait for the end of an inline command or of a {@code
 *     *}/{@code $} header line ({@code PROTO_INLINE_MAX_SIZE}, 64 KiB)
 * @param maxBulkBytes largest bulk argument ({@code proto-max-bulk-len}, 512 MiB); a Java array
 *     caps it at {@link #MAX_ARRAY_BYTES} whatever is configured
 * @param maxMultibulkLength most arguments in one request (Redis: {@code INT_MAX})
 */
public record ProtocolLimits(int maxInlineBytes, long maxBulkBytes, int maxMultibulkLength) {
  public static final int DEFAULT_INLINE = 64 * 1024;
  public static final long DEFAULT_BULK = 512L * 1024 * 1024;

  /** Most arguments an unauthenticated connection may send when a password is required. */
  public static final int UNAUTHENTICATED_MULTIBULK = 10;

  /** Largest argument an unauthenticated connection may send when a password is required. */
  public static final long UNAUTHENTICATED_BULK = 16384;

  /** The largest byte array the JVM reliably allocates. */
  public static final int MAX_ARRAY_BYTES = Integer.MAX_VALUE - 8;

  public static final ProtocolLimits DEFAULTS =
      new ProtocolLimits(DEFAULT_INLINE, DEFAULT_BULK, Integer.MAX_VALUE);

  /** These limits with another {@code proto-max-bulk-len}. */
  public ProtocolLimits withMaxBulkBytes(long bytes) {
    return new ProtocolLimits(maxInlineBytes, bytes, maxMultibulkLength);
  }
}
