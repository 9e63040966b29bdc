package io.toridb.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.toridb.protocol.RespWriter;

/**
 * Requests in the form clients send them, a RESP array of bulk strings: what a replica sends its
 * primary, what a primary streams to its replicas, and what a request took on the wire.
 */
final class RespRequests {
  private RespRequests() {}

  /** Writes {@code argv} as a request through {@code out} (a writer for RESP2). */
  static void write(RespWriter out, byte[][] argv) {
    out.arrayHeader(argv.length);
    for (byte[] a : argv) {
      out.bulk(a);
    }
  }

  /** {@code argv} as a request in a new buffer. */
  static ByteBuf encode(byte[]... argv) {
    ByteBuf buf = Unpooled.buffer(64);
    RespWriter out = new RespWriter(buf, 2);
    write(out, argv);
    out.flush();
    return buf;
  }

  /** The bytes {@code argv} takes as a request. */
  static long size(byte[][] argv) {
    long n = 1 + digits(argv.length) + 2;
    for (byte[] a : argv) {
      n += 1 + digits(a.length) + 2 + a.length + 2;
    }
    return n;
  }

  private static int digits(long v) {
    return Long.toString(v).length();
  }
}
