package io.toridb.protocol;

import java.io.IOException;

/** A reply stream that is not well-formed RESP2/RESP3, or that exceeds the parser's limits. */
public final class RespFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  public RespFormatException(String message) {
    super(message);
  }
}
