package io.toridb.protocol;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits an inline command line into arguments as Redis's {@code sdssplitargs} does.
 *
 * <ul>
 *   <li>Between arguments, C {@code isspace} characters are skipped: space, \t, \n, \v, \f, \r.
 *   <li>An unquoted argument ends only at space, \t, \n, \r or the end of the line; \v and \f are
 *       part of it.
 *   <li>A quote inside an unquoted argument opens a quoted part of the same argument ({@code a"b
 *       c"} is {@code ab c}).
 *   <li>Double quotes allow {@code \xHH} and the escapes {@code \n \r \t \b \a}; any other escaped
 *       character stands for itself. Single quotes allow only {@code \'}.
 *   <li>A closing quote must be followed by an {@code isspace} character or the end of the line;
 *       otherwise, like an unclosed quote, the line is rejected.
 *   <li>The line is a C string to Redis: it ends at its first NUL.
 * </ul>
 */
public final class InlineSplitter {
  private static final byte[][] NO_ARGS = new byte[0][];

  private InlineSplitter() {}

  /** Returns the arguments, or null when quotes are unbalanced. */
  public static byte[][] split(byte[] line) {
    int n = 0;
    while (n < line.length && line[n] != 0) {
      n++;
    }
    List<byte[]> out = null;
    ByteArrayOutputStream arg = new ByteArrayOutputStream();
    int i = 0;
    while (true) {
      while (i < n && isSpace(line[i])) {
        i++;
      }
      if (i == n) {
        return out == null ? NO_ARGS : out.toArray(NO_ARGS);
      }
      arg.reset();
      i = readArgument(line, i, n, arg);
      if (i < 0) {
        return null;
      }
      if (out == null) {
        out = new ArrayList<>();
      }
      out.add(arg.toByteArray());
    }
  }

  /** Appends one argument starting at {@code i}; returns the index after it, or -1 if invalid. */
  private static int readArgument(byte[] line, int i, int n, ByteArrayOutputStream arg) {
    while (i < n) {
      byte c = line[i];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        return i;
      }
      if (c == '"') {
        i = readDoubleQuoted(line, i + 1, n, arg);
      } else if (c == '\'') {
        i = readSingleQuoted(line, i + 1, n, arg);
      } else {
        arg.write(c);
        i++;
        continue;
      }
      // After a closing quote the argument ends; the caller skips the blank that follows.
      return i;
    }
    return i;
  }

  /** Reads after an opening '"'; returns the index after the closing quote, or -1. */
  private static int readDoubleQuoted(byte[] line, int i, int n, ByteArrayOutputStream arg) {
    while (i < n) {
      byte c = line[i];
      if (c == '\\' && isHexEscape(line, i, n)) {
        arg.write((hex(line[i + 2]) << 4) | hex(line[i + 3]));
        i += 4;
      } else if (c == '\\' && i + 1 < n) {
        arg.write(unescape(line[i + 1]));
        i += 2;
      } else if (c == '"') {
        return closingQuoteEnd(line, i, n);
      } else {
        arg.write(c);
        i++;
      }
    }
    return -1;
  }

  /** Reads after an opening '\''; returns the index after the closing quote, or -1. */
  private static int readSingleQuoted(byte[] line, int i, int n, ByteArrayOutputStream arg) {
    while (i < n) {
      byte c = line[i];
      if (c == '\\' && i + 1 < n && line[i + 1] == '\'') {
        arg.write('\'');
        i += 2;
      } else if (c == '\'') {
        return closingQuoteEnd(line, i, n);
      } else {
        arg.write(c);
        i++;
      }
    }
    return -1;
  }

  private static int closingQuoteEnd(byte[] line, int quote, int n) {
    int next = quote + 1;
    return next < n && !isSpace(line[next]) ? -1 : next;
  }

  /** True when {@code \\xHH} with two hex digits starts at {@code i}. */
  private static boolean isHexEscape(byte[] line, int i, int n) {
    return i + 3 < n && line[i + 1] == 'x' && isHex(line[i + 2]) && isHex(line[i + 3]);
  }

  private static int unescape(byte c) {
    return switch (c) {
      case 'n' -> '\n';
      case 'r' -> '\r';
      case 't' -> '\t';
      case 'b' -> '\b';
      case 'a' -> 7;
      default -> c;
    };
  }

  /** C's isspace in the "C" locale. */
  private static boolean isSpace(byte c) {
    return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
  }

  private static boolean isHex(byte c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  private static int hex(byte c) {
    return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
  }
}
