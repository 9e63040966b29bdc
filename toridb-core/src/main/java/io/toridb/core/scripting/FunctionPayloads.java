package io.toridb.core.scripting;

import java.util.List;

/**
 * The payload of FUNCTION DUMP and FUNCTION RESTORE: the libraries' codes in Redis's RDB form, with
 * a version and a checksum. Provided by the persistence module, which owns that format.
 */
public interface FunctionPayloads {
  /** The payload holding {@code codes}, one library's code each. */
  byte[] dump(List<byte[]> codes);

  /**
   * The library codes {@code payload} holds.
   *
   * @throws IllegalArgumentException with Redis's error text (without "ERR ") when the payload is
   *     damaged or not a functions payload
   */
  List<byte[]> parse(byte[] payload);
}
