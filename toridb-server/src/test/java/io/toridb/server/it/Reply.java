package io.toridb.server.it;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One RESP2/RESP3 reply as read off the wire: its type byte, its scalar payload (the text after the
 * type byte, or the bulk data), its elements for aggregates, and the exact bytes it arrived as.
 * Two replies are the same when their {@link #raw} bytes are; {@link #render} shows a reply
 * unambiguously for failure messages.
 *
 * @param type the RESP type byte: {@code + - : $ * % ~ , _ # = ( > !} (and {@code |} attributes
 *     are kept in {@link #attribute})
 * @param payload the line after the type byte for simple types, the data for bulk-like types,
 *     null for aggregates and for null bulk/array
 * @param elements the elements of an aggregate (a map's keys and values alternate), null for a
 *     null array, else empty
 * @param attribute a RESP3 attribute map that preceded the reply, or null
 * @param raw every byte of the reply, attribute included
 */
public record Reply(byte type, byte[] payload, List<Reply> elements, Reply attribute, byte[] raw) {

  /** Reads exactly one reply; {@link EOFException} if the stream ends before it starts. */
  public static Reply read(InputStream in) throws IOException {
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    return read(in, raw);
  }

  private static Reply read(InputStream in, ByteArrayOutputStream raw) throws IOException {
    int start = raw.size();
    int type = in.read();
    if (type < 0) {
      throw new EOFException("connection closed by the server");
    }
    raw.write(type);
    String line = readLine(in, raw);
    switch (type) {
      case '|' -> {
        List<Reply> attrs = elements(in, raw, 2 * Integer.parseInt(line));
        Reply attr = new Reply((byte) '|', null, attrs, null, slice(raw, start));
        Reply value = read(in, raw);
        return new Reply(value.type, value.payload, value.elements, attr, slice(raw, start));
      }
      case '$', '=', '!' -> {
        int len = Integer.parseInt(line);
        if (len < 0) {
          return new Reply((byte) type, null, List.of(), null, slice(raw, start));
        }
        byte[] data = in.readNBytes(len + 2);
        if (data.length != len + 2) {
          throw new EOFException("connection closed inside a bulk reply");
        }
        raw.write(data);
        byte[] payload = new byte[len];
        System.arraycopy(data, 0, payload, 0, len);
        return new Reply((byte) type, payload, List.of(), null, slice(raw, start));
      }
      case '*', '~', '>' -> {
        int n = Integer.parseInt(line);
        if (n < 0) {
          return new Reply((byte) type, null, null, null, slice(raw, start));
        }
        List<Reply> elements = elements(in, raw, n);
        return new Reply((byte) type, null, elements, null, slice(raw, start));
      }
      case '%' -> {
        List<Reply> elements = elements(in, raw, 2 * Integer.parseInt(line));
        return new Reply((byte) type, null, elements, null, slice(raw, start));
      }
      case '_' -> {
        return new Reply((byte) type, null, List.of(), null, slice(raw, start));
      }
      case '+', '-', ':', ',', '#', '(' -> {
        return new Reply(
            (byte) type, line.getBytes(StandardCharsets.ISO_8859_1), List.of(), null,
            slice(raw, start));
      }
      default -> throw new IOException(
          "not a RESP reply: type byte " + type + " ('" + (char) type + "'), line '" + line + "'");
    }
  }

  private static List<Reply> elements(InputStream in, ByteArrayOutputStream raw, int n)
      throws IOException {
    List<Reply> out = new ArrayList<>(Math.min(n, 1024));
    for (int i = 0; i < n; i++) {
      out.add(read(in, raw));
    }
    return out;
  }

  /** Reads up to CRLF; the line (without CRLF) as ISO-8859-1 text. */
  private static String readLine(InputStream in, ByteArrayOutputStream raw) throws IOException {
    StringBuilder sb = new StringBuilder();
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("connection closed inside a reply");
      }
      raw.write(b);
      if (b == '\r') {
        int lf = in.read();
        if (lf < 0) {
          throw new EOFException("connection closed inside a reply");
        }
        raw.write(lf);
        if (lf != '\n') {
          throw new IOException("CR not followed by LF in a reply line: " + sb);
        }
        return sb.toString();
      }
      sb.append((char) b);
    }
  }

  private static byte[] slice(ByteArrayOutputStream raw, int start) {
    byte[] all = raw.toByteArray();
    byte[] out = new byte[all.length - start];
    System.arraycopy(all, start, out, 0, out.length);
    return out;
  }

  public boolean isError() {
    return type == '-' || type == '!';
  }

  /** RESP3 null, or RESP2's null bulk string or null array. */
  public boolean isNull() {
    return type == '_' || (type == '$' && payload == null) || elements == null;
  }

  /** The payload as text (ISO-8859-1, so every byte maps to one char). */
  public String text() {
    return payload == null ? null : new String(payload, StandardCharsets.ISO_8859_1);
  }

  /** The exact bytes as text, CR and LF escaped, for short assertions. */
  public String rawText() {
    return new String(raw, StandardCharsets.ISO_8859_1);
  }

  /** Element {@code i} of an aggregate. */
  public Reply get(int i) {
    return elements.get(i);
  }

  /** The RESP3 type name as the protocol specification calls it. */
  public String typeName() {
    return switch (type) {
      case '+' -> "simple-string";
      case '-' -> "simple-error";
      case ':' -> "integer";
      case '$' -> payload == null ? "null-bulk" : "bulk-string";
      case '*' -> elements == null ? "null-array" : "array";
      case '%' -> "map";
      case '~' -> "set";
      case ',' -> "double";
      case '_' -> "null";
      case '#' -> "boolean";
      case '=' -> "verbatim-string";
      case '(' -> "big-number";
      case '>' -> "push";
      case '!' -> "blob-error";
      default -> "unknown(" + (char) type + ")";
    };
  }

  /**
   * An unambiguous multi-line rendering: one line per reply, type name then the payload quoted
   * with every non-printable byte escaped, aggregates indented.
   */
  public String render() {
    StringBuilder sb = new StringBuilder();
    render(sb, 0);
    return sb.toString();
  }

  private void render(StringBuilder sb, int depth) {
    sb.append("  ".repeat(depth));
    if (attribute != null) {
      sb.append("(attribute)\n");
      for (Reply r : attribute.elements) {
        r.render(sb, depth + 2);
      }
      sb.append("  ".repeat(depth));
    }
    String name = typeName();
    sb.append(name);
    if (payload != null) {
      sb.append(' ').append(quote(payload));
    } else if (elements != null && !name.equals("null")) {
      int n = type == '%' ? elements.size() / 2 : elements.size();
      sb.append('[').append(n).append(']');
    }
    sb.append('\n');
    if (elements != null) {
      for (Reply r : elements) {
        r.render(sb, depth + 1);
      }
    }
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

  @Override
  public String toString() {
    return render();
  }
}
