package io.toridb.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Generates request streams for the decoder's property tests: valid streams with the requests they
 * must decode to, mixing multibulk requests, inline requests in every quoting style Redis accepts,
 * and requests Redis skips; and garbage built from protocol fragments.
 */
final class RequestStreams {

  /** A byte stream and the requests it holds, each argument as ISO-8859-1 chars. */
  record Stream(byte[] wire, List<List<String>> requests) {
    @Override
    public String toString() {
      return "Stream[" + Wire.latin1(wire).replace("\r", "\\r").replace("\n", "\\n") + "]";
    }
  }

  private RequestStreams() {}

  /** Argument bytes, biased towards the bytes the protocol treats specially. */
  static Arbitrary<byte[]> arguments() {
    Arbitrary<Byte> special =
        Arbitraries.of(
            (byte) '\r',
            (byte) '\n',
            (byte) 0,
            (byte) '"',
            (byte) '\'',
            (byte) '\\',
            (byte) ' ',
            (byte) '\t',
            (byte) 0x0B,
            (byte) '\f',
            (byte) '*',
            (byte) '$',
            (byte) 'x',
            (byte) 0xFF);
    Arbitrary<Byte> any =
        Arbitraries.frequencyOf(
            Tuple.of(3, Arbitraries.bytes()),
            Tuple.of(1, special),
            Tuple.of(3, Arbitraries.bytes().between((byte) 'a', (byte) 'z')));
    return any.list().ofMaxSize(24).map(RequestStreams::toArray);
  }

  /** One request's wire form, chosen among the encodings by a seed, with what it decodes to. */
  static Arbitrary<Stream> requests() {
    Arbitrary<List<byte[]>> args = arguments().list().ofMinSize(1).ofMaxSize(6);
    return Combinators.combine(args, Arbitraries.integers().between(0, 9), Arbitraries.longs())
        .as(RequestStreams::encode);
  }

  /** Streams of up to {@code max} requests. */
  static Arbitrary<Stream> streams(int max) {
    return requests().list().ofMaxSize(max).map(RequestStreams::concat);
  }

  /** Garbage made of protocol fragments, so that it reaches deep into the decoder. */
  static Arbitrary<byte[]> garbage() {
    Arbitrary<String> fragment =
        Arbitraries.of(
            "*",
            "$",
            "\r\n",
            "\r",
            "\n",
            "0",
            "1",
            "3",
            "-1",
            "-",
            "-0",
            "01",
            "10",
            "11",
            "16385",
            "2147483647",
            "2147483648",
            "536870000",
            "9223372036854775808",
            "\"",
            "'",
            "\\",
            " ",
            "\t",
            "\u0000",
            "\\x41",
            "PING",
            "x",
            "\u0080",
            "*1\r\n",
            "$4\r\nPING\r\n",
            "*0\r\n");
    Arbitrary<String> randomByte =
        Arbitraries.chars().range('\u0000', '\u00ff').map(String::valueOf);
    return Arbitraries.oneOf(fragment, fragment, randomByte)
        .list()
        .ofMaxSize(60)
        .map(parts -> Wire.bytes(String.join("", parts)));
  }

  private static Stream concat(List<Stream> parts) {
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    List<List<String>> requests = new ArrayList<>();
    for (Stream s : parts) {
      wire.writeBytes(s.wire());
      requests.addAll(s.requests());
    }
    return new Stream(wire.toByteArray(), requests);
  }

  private static Stream encode(List<byte[]> args, int style, long seed) {
    Random random = new Random(seed);
    List<List<String>> expected = List.of(strings(args));
    return switch (style) {
      case 0, 1, 2, 3 -> new Stream(multibulk(args), expected);
      case 4, 5, 6 -> new Stream(inline(args, random), expected);
      case 7 -> new Stream(Wire.bytes(random.nextBoolean() ? "*0\r\n" : "*-1\r\n"), List.of());
      case 8 -> {
        String blankLine = blanks(random, false) + (random.nextBoolean() ? "\r\n" : "\n");
        yield new Stream(Wire.bytes(blankLine), List.of());
      }
      default -> plainInline(args, random, expected);
    };
  }

  static byte[] multibulk(List<byte[]> args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(Wire.bytes("*" + args.size() + "\r\n"));
    for (byte[] arg : args) {
      out.writeBytes(Wire.bytes("$" + arg.length + "\r\n"));
      out.writeBytes(arg);
      out.writeBytes(Wire.bytes("\r\n"));
    }
    return out.toByteArray();
  }

  /** An inline line with every argument quoted, in a random mix of quoting and escapes. */
  private static byte[] inline(List<byte[]> args, Random random) {
    StringBuilder line = new StringBuilder(blanks(random, false));
    for (int i = 0; i < args.size(); i++) {
      if (i > 0) {
        line.append(random.nextBoolean() ? " " : "\t").append(blanks(random, true));
      }
      byte[] arg = args.get(i);
      if (canSingleQuote(arg) && random.nextInt(3) == 0) {
        line.append('\'');
        for (byte b : arg) {
          line.append(b == '\'' ? "\\'" : String.valueOf((char) (b & 0xFF)));
        }
        line.append('\'');
      } else {
        line.append('"');
        for (byte b : arg) {
          line.append(doubleQuoted(b, random));
        }
        line.append('"');
      }
    }
    // After a closing quote any C blank may follow, \f and \v included.
    line.append(blanks(random, true));
    line.append(random.nextBoolean() ? "\r\n" : "\n");
    return Wire.bytes(line.toString());
  }

  /**
   * An unquoted inline line when every argument allows it (\f and \v may sit inside an unquoted
   * argument, as in Redis); otherwise the quoted form.
   */
  private static Stream plainInline(List<byte[]> args, Random random, List<List<String>> expected) {
    for (int i = 0; i < args.size(); i++) {
      if (!canBePlain(args.get(i), i == 0)) {
        return new Stream(inline(args, random), expected);
      }
    }
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < args.size(); i++) {
      if (i > 0) {
        line.append(random.nextBoolean() ? ' ' : '\t').append(blanks(random, true));
      }
      line.append(Wire.latin1(args.get(i)));
    }
    line.append(random.nextBoolean() ? "\r\n" : "\n");
    return new Stream(Wire.bytes(line.toString()), expected);
  }

  private static boolean canBePlain(byte[] arg, boolean first) {
    if (arg.length == 0 || isBlank(arg[0]) || (first && arg[0] == '*')) {
      return false;
    }
    for (byte b : arg) {
      if (b == ' ' || b == '\t' || b == '\r' || b == '\n' || b == '"' || b == '\'' || b == 0) {
        return false;
      }
    }
    return true;
  }

  /** Single quotes cannot carry NUL or LF (they end the line) nor a backslash before a quote. */
  private static boolean canSingleQuote(byte[] arg) {
    for (int i = 0; i < arg.length; i++) {
      byte b = arg[i];
      if (b == 0 || b == '\n' || (b == '\\' && (i + 1 == arg.length || arg[i + 1] == '\''))) {
        return false;
      }
    }
    return true;
  }

  private static String doubleQuoted(byte b, Random random) {
    int c = b & 0xFF;
    String hex = String.format("\\x%02x", c);
    if (random.nextInt(4) == 0 && c != 0) {
      hex = String.format("\\x%02X", c);
    }
    switch (c) {
      case 0:
        return hex;
      case '"':
        return "\\\"";
      case '\\':
        return "\\\\";
      case '\n':
        return random.nextBoolean() ? "\\n" : hex;
      case '\r':
        return pick(random, "\\r", hex, "\r");
      case '\t':
        return pick(random, "\\t", hex, "\t");
      case '\b':
        return pick(random, "\\b", hex, "\b");
      case 7:
        return pick(random, "\\a", hex, "\u0007");
      default:
        String literal = String.valueOf((char) c);
        boolean plainEscapable = c > ' ' && c < 0x7F && "nrtbax".indexOf(c) < 0;
        return plainEscapable && random.nextInt(4) == 0
            ? "\\" + literal
            : pick(random, literal, hex);
    }
  }

  private static String pick(Random random, String... choices) {
    return choices[random.nextInt(choices.length)];
  }

  /** Zero to two blanks; \f, \v and \r only when {@code anyBlank}. */
  private static String blanks(Random random, boolean anyBlank) {
    String set = anyBlank ? " \t\f\u000b\r" : " \t";
    StringBuilder sb = new StringBuilder();
    for (int n = random.nextInt(3); n > 0; n--) {
      sb.append(set.charAt(random.nextInt(set.length())));
    }
    return sb.toString();
  }

  private static boolean isBlank(byte b) {
    return b == ' ' || b == '\t' || b == '\n' || b == 0x0B || b == '\f' || b == '\r';
  }

  static List<String> strings(List<byte[]> args) {
    List<String> out = new ArrayList<>();
    for (byte[] a : args) {
      out.add(new String(a, StandardCharsets.ISO_8859_1));
    }
    return out;
  }

  private static byte[] toArray(List<Byte> bytes) {
    byte[] out = new byte[bytes.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = bytes.get(i);
    }
    return out;
  }
}
