package io.toridb.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;

/**
 * Feeds chunks to a {@link RespDecoder} the way a connection does: each read is appended to a
 * cumulation buffer that keeps the bytes the decoder left unread.
 */
final class Decoding {

  /**
   * What a decoder made of a byte stream.
   *
   * @param requests each request's arguments, chars as ISO-8859-1 bytes
   * @param error the protocol error's message, or null
   * @param idle the decoder's {@link RespDecoder#isIdle()} at the end
   * @param unread bytes left unread in the cumulation buffer at the end, or -1 after an error
   */
  record Outcome(List<List<String>> requests, String error, boolean idle, int unread) {}

  private Decoding() {}

  static Outcome decode(byte[] whole) {
    return decode(new RespDecoder(ProtocolLimits.DEFAULTS), List.of(whole));
  }

  static Outcome decode(String latin1) {
    return decode(Wire.bytes(latin1));
  }

  static Outcome decode(RespDecoder decoder, List<byte[]> chunks) {
    List<List<String>> requests = new ArrayList<>();
    ByteBuf cumulation = PooledByteBufAllocator.DEFAULT.directBuffer(256);
    try {
      for (byte[] chunk : chunks) {
        cumulation.writeBytes(chunk);
        decoder.decode(cumulation, argv -> requests.add(strings(argv)));
        cumulation.discardReadBytes();
      }
      return new Outcome(requests, null, decoder.isIdle(), cumulation.readableBytes());
    } catch (ProtocolException e) {
      // Bytes after the error are never looked at, so what is left unread says nothing.
      return new Outcome(requests, e.getMessage(), decoder.isIdle(), -1);
    } finally {
      Wire.release(cumulation);
    }
  }

  /**
   * As {@link #decode(RespDecoder, List)}, but with each read kept as its own component of a
   * composite buffer, as the server's connection cumulates reads.
   */
  static Outcome decodeComposite(RespDecoder decoder, List<byte[]> chunks) {
    List<List<String>> requests = new ArrayList<>();
    CompositeByteBuf cumulation = PooledByteBufAllocator.DEFAULT.compositeBuffer(Integer.MAX_VALUE);
    try {
      for (byte[] chunk : chunks) {
        if (chunk.length > 0) {
          cumulation.addComponent(true, Wire.buffer(chunk));
        }
        decoder.decode(cumulation, argv -> requests.add(strings(argv)));
        cumulation.discardReadComponents();
      }
      return new Outcome(requests, null, decoder.isIdle(), cumulation.readableBytes());
    } catch (ProtocolException e) {
      return new Outcome(requests, e.getMessage(), decoder.isIdle(), -1);
    } finally {
      Wire.release(cumulation);
    }
  }

  static List<String> strings(byte[][] argv) {
    List<String> out = new ArrayList<>(argv.length);
    for (byte[] arg : argv) {
      out.add(Wire.latin1(arg));
    }
    return out;
  }
}
