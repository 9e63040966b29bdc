package io.toridb.server.it;

import io.toridb.protocol.RespReply;
import io.toridb.protocol.RespReplyParser;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One reply read off the wire by the strict {@link RespReplyParser} (so a malformed reply fails the
 * test where it arrives), with the accessors the over-the-wire tests need. Two replies are the same
 * when their {@link #raw} wire bytes are; {@link #render} shows one unambiguously for failure
 * messages.
 */
public final class Reply {
  private final RespReply reply;
  private byte[] raw;

  private Reply(RespReply reply) {
    this.reply = reply;
  }

  /** Reads exactly one reply; {@link EOFException} if the stream ends before it starts. */
  public static Reply read(InputStream in) throws IOException {
    RespReply r = new RespReplyParser().read(in);
    if (r == null) {
      throw new EOFException("connection closed by the server");
    }
    return new Reply(r);
  }

  public RespReply resp() {
    return reply;
  }

  /** The exact wire bytes (the parser accepts only canonical RESP, so these are the bytes sent). */
  public byte[] raw() {
    if (raw == null) {
      raw = reply.encode();
    }
    return raw;
  }

  /** The exact wire bytes as ISO-8859-1 text, for short assertions. */
  public String rawText() {
    return new String(raw(), StandardCharsets.ISO_8859_1);
  }

  public boolean isNull() {
    return reply.isNull();
  }

  public boolean isError() {
    return reply.isError();
  }

  /** The payload of a string, error, double or verbatim reply; null for other kinds and nulls. */
  public byte[] payload() {
    return hasBytes(reply) ? reply.bytes() : null;
  }

  static boolean hasBytes(RespReply r) {
    return switch (r.kind()) {
      case SIMPLE_STRING, SIMPLE_ERROR, DOUBLE, BIG_NUMBER, BULK_ERROR, VERBATIM_STRING -> true;
      case BULK_STRING -> !r.isNull();
      default -> false;
    };
  }

  /** Type name for messages and type-only comparisons: "bulk_string", "nil array", ... */
  public String typeName() {
    return typeName(reply);
  }

  static String typeName(RespReply r) {
    String name = r.kind().name().toLowerCase(Locale.ROOT);
    return r.isNull() && r.kind() != RespReply.Kind.NULL ? "nil " + name : name;
  }

  public String render() {
    return reply.render();
  }

  @Override
  public String toString() {
    return render();
  }

  /** Bytes as a double-quoted string with C-style escapes for anything unprintable. */
  static String quote(byte[] bytes) {
    StringBuilder sb = new StringBuilder("\"");
    for (byte b : bytes) {
      int c = b & 0xff;
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\r' -> sb.append("\\r");
        case '\n' -> sb.append("\\n");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20 || c >= 0x7f) {
            sb.append(String.format("\\x%02x", c));
          } else {
            sb.append((char) c);
          }
        }
      }
    }
    return sb.append('"').toString();
  }
}
