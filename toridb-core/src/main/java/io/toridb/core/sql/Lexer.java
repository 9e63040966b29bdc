package io.toridb.core.sql;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Splits SQL text into tokens, as SQLite's tokenizer does. */
final class Lexer {
  private Lexer() {}

  enum Kind {
    /** A bare or quoted name, or a keyword (the parser decides by the bare text). */
    NAME,
    /** A name in double quotes, brackets or backticks: never a keyword. */
    QUOTED_NAME,
    STRING,
    INTEGER,
    REAL,
    BLOB,
    /** A positional parameter, {@code ?}. */
    PARAMETER,
    OPERATOR,
    END
  }

  /** One token: its kind, its text (unquoted for names and strings) and where it starts. */
  record Token(Kind kind, String text, int at, byte[] blob) {
    boolean is(String word) {
      return kind == Kind.NAME && text.equalsIgnoreCase(word);
    }

    boolean isOp(String op) {
      return kind == Kind.OPERATOR && text.equals(op);
    }
  }

  static List<Token> tokens(String sql) {
    List<Token> out = new ArrayList<>();
    int n = sql.length();
    int i = 0;
    while (i < n) {
      char c = sql.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
        continue;
      }
      if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
        while (i < n && sql.charAt(i) != '\n') {
          i++;
        }
        continue;
      }
      if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
        int end = sql.indexOf("*/", i + 2);
        i = end < 0 ? n : end + 2;
        continue;
      }
      int start = i;
      if ((c == 'x' || c == 'X') && i + 1 < n && sql.charAt(i + 1) == '\'') {
        int end = sql.indexOf('\'', i + 2);
        if (end < 0) {
          throw unrecognized(sql, start);
        }
        String hex = sql.substring(i + 2, end);
        if (hex.length() % 2 != 0 || !hex.chars().allMatch(Lexer::isHex)) {
          throw unrecognized(sql, start);
        }
        out.add(
            new Token(
                Kind.BLOB, sql.substring(start, end + 1), start, HexFormat.of().parseHex(hex)));
        i = end + 1;
        continue;
      }
      if (Character.isLetter(c) || c == '_' || c > 127) {
        while (i < n && isNameChar(sql.charAt(i))) {
          i++;
        }
        out.add(new Token(Kind.NAME, sql.substring(start, i), start, null));
        continue;
      }
      if (isDigit(c) || (c == '.' && i + 1 < n && isDigit(sql.charAt(i + 1)))) {
        i = number(sql, i, out);
        continue;
      }
      switch (c) {
        case '\'' -> {
          StringBuilder s = new StringBuilder();
          i = quoted(sql, i, '\'', s);
          out.add(new Token(Kind.STRING, s.toString(), start, null));
        }
        case '"', '`' -> {
          StringBuilder s = new StringBuilder();
          i = quoted(sql, i, c, s);
          out.add(new Token(Kind.QUOTED_NAME, s.toString(), start, null));
        }
        case '[' -> {
          int end = sql.indexOf(']', i);
          if (end < 0) {
            throw unrecognized(sql, start);
          }
          out.add(new Token(Kind.QUOTED_NAME, sql.substring(i + 1, end), start, null));
          i = end + 1;
        }
        case '?' -> {
          i++;
          while (i < n && isDigit(sql.charAt(i))) {
            i++;
          }
          out.add(new Token(Kind.PARAMETER, sql.substring(start, i), start, null));
        }
        default -> {
          String op = operator(sql, i);
          if (op == null) {
            throw unrecognized(sql, start);
          }
          out.add(new Token(Kind.OPERATOR, op, start, null));
          i += op.length();
        }
      }
    }
    out.add(new Token(Kind.END, "", n, null));
    return out;
  }

  /** An ASCII digit: other scripts' digits are not numbers in SQL. */
  static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isHex(int c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  private static boolean isNameChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '$' || c > 127;
  }

  private static final String[] OPERATORS = {
    "||", "<=", ">=", "==", "!=", "<>", "<<", ">>", "(", ")", ",", ";", "+", "-", "*", "/", "%",
    "<", ">", "=", "&", "|", "~", ".", ":"
  };

  private static String operator(String sql, int i) {
    for (String op : OPERATORS) {
      if (sql.startsWith(op, i)) {
        return op;
      }
    }
    return null;
  }

  private static int quoted(String sql, int i, char quote, StringBuilder into) {
    int n = sql.length();
    int start = i;
    i++;
    while (true) {
      if (i >= n) {
        throw new SqlException("unrecognized token: \"" + sql.substring(start) + "\"");
      }
      char c = sql.charAt(i);
      if (c == quote) {
        if (i + 1 < n && sql.charAt(i + 1) == quote) {
          into.append(quote);
          i += 2;
          continue;
        }
        return i + 1;
      }
      into.append(c);
      i++;
    }
  }

  private static int number(String sql, int i, List<Token> out) {
    int n = sql.length();
    int start = i;
    if (sql.startsWith("0x", i) || sql.startsWith("0X", i)) {
      i += 2;
      while (i < n && isHex(sql.charAt(i))) {
        i++;
      }
      String hex = sql.substring(start + 2, i);
      if (hex.isEmpty() || hex.length() > 16 || (i < n && isNameChar(sql.charAt(i)))) {
        throw unrecognized(sql, start);
      }
      out.add(new Token(Kind.INTEGER, Long.toString(Long.parseUnsignedLong(hex, 16)), start, null));
      return i;
    }
    boolean real = false;
    while (i < n && isDigit(sql.charAt(i))) {
      i++;
    }
    if (i < n && sql.charAt(i) == '.') {
      real = true;
      i++;
      while (i < n && isDigit(sql.charAt(i))) {
        i++;
      }
    }
    if (i < n && (sql.charAt(i) == 'e' || sql.charAt(i) == 'E')) {
      int j = i + 1;
      if (j < n && (sql.charAt(j) == '+' || sql.charAt(j) == '-')) {
        j++;
      }
      if (j < n && isDigit(sql.charAt(j))) {
        real = true;
        i = j;
        while (i < n && isDigit(sql.charAt(i))) {
          i++;
        }
      }
    }
    if (i < n && isNameChar(sql.charAt(i))) {
      throw unrecognized(sql, start);
    }
    out.add(new Token(real ? Kind.REAL : Kind.INTEGER, sql.substring(start, i), start, null));
    return i;
  }

  private static SqlException unrecognized(String sql, int at) {
    int end = at + 1;
    while (end < sql.length() && !Character.isWhitespace(sql.charAt(end))) {
      end++;
    }
    return new SqlException("unrecognized token: \"" + sql.substring(at, end) + "\"");
  }
}
