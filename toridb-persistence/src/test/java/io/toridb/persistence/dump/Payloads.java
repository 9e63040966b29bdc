package io.toridb.persistence.dump;

import io.toridb.persistence.rdb.Crc64;
import java.util.Arrays;

/** Builds payloads by hand for tests: a body and a footer with a correct or chosen checksum. */
final class Payloads {
  private Payloads() {}

  /** {@code body} followed by RDB version {@code version} and the CRC64 of both. */
  static byte[] withFooter(byte[] body, int version) {
    byte[] out = Arrays.copyOf(body, body.length + 10);
    out[body.length] = (byte) version;
    out[body.length + 1] = (byte) (version >>> 8);
    long crc = Crc64.of(out, 0, body.length + 2);
    for (int i = 0; i < 8; i++) {
      out[body.length + 2 + i] = (byte) (crc >>> (8 * i));
    }
    return out;
  }

  static byte[] withFooter(byte[] body) {
    return withFooter(body, 10);
  }

  /** The body of a payload: everything before its footer. */
  static byte[] body(byte[] payload) {
    return Arrays.copyOf(payload, payload.length - 10);
  }

  static byte[] bytes(int... b) {
    byte[] out = new byte[b.length];
    for (int i = 0; i < b.length; i++) {
      out[i] = (byte) b[i];
    }
    return out;
  }

  static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  /** An RDB string of up to 63 bytes: its length byte and the bytes. */
  static byte[] str(String s) {
    byte[] b = s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    return concat(bytes(b.length), b);
  }
}
