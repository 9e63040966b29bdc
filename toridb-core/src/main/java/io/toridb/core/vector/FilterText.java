package io.toridb.core.vector;

/**
 * Byte-level reading for {@link VectorFilter}: C's character classes in the "C" locale (bytes past
 * ASCII belong to none), which the expression tokenizer uses, and skipping over JSON values the
 * expression does not read, quickly and leniently (a value is skipped by its shape, not checked),
 * without allocating.
 */
final class FilterText {
  private FilterText() {}

  // ---------------------------------------------------------------------------------------------
  // Skipping JSON values: quick, lenient, allocation-free

  static int skipSpace(byte[] json, int p) {
    while (p < json.length && isSpace(json[p])) {
      p++;
    }
    return p;
  }

  /**
   * Skips a value without checking its inside: strings to their closing quote, objects and arrays
   * by counting their own kind of bracket outside strings, literals by their letters, and numbers
   * as a run of number characters. Returns where it ends, or -1.
   */
  static int skipValue(byte[] json, int p) {
    return switch (json[p]) {
      case '"' -> skipString(json, p);
      case '{' -> skipBracketed(json, p, (byte) '{', (byte) '}');
      case '[' -> skipBracketed(json, p, (byte) '[', (byte) ']');
      case 't' -> skipWord(json, p, "true");
      case 'f' -> skipWord(json, p, "false");
      case 'n' -> skipWord(json, p, "null");
      default -> {
        int q = p;
        while (q < json.length && isJsonNumberChar(json[q])) {
          q++;
        }
        yield q > p ? q : -1;
      }
    };
  }

  /** Skips the string opening at {@code p}; a backslash always takes the next byte with it. */
  static int skipString(byte[] json, int p) {
    int q = p + 1;
    while (q < json.length) {
      if (json[q] == '\\') {
        q += 2;
      } else if (json[q] == '"') {
        return q + 1;
      } else {
        q++;
      }
    }
    return -1;
  }

  static int skipBracketed(byte[] json, int p, byte open, byte close) {
    int depth = 1;
    int q = p + 1;
    while (q < json.length && depth > 0) {
      byte c = json[q];
      if (c == '"') {
        q = skipString(json, q);
        if (q < 0) {
          return -1;
        }
        continue;
      }
      if (c == open) {
        depth++;
      } else if (c == close) {
        depth--;
      }
      q++;
    }
    return depth == 0 ? q : -1;
  }

  static int skipWord(byte[] json, int p, String word) {
    if (p + word.length() > json.length) {
      return -1;
    }
    for (int k = 0; k < word.length(); k++) {
      if (json[p + k] != word.charAt(k)) {
        return -1;
      }
    }
    return p + word.length();
  }

  // ---------------------------------------------------------------------------------------------
  // Character classes, as C's in the "C" locale: bytes past ASCII belong to none.

  static boolean isSpace(byte c) {
    return c == ' ' || (c >= '\t' && c <= '\r');
  }

  static boolean isDigit(byte c) {
    return c >= '0' && c <= '9';
  }

  static boolean isAlpha(byte c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  static boolean isOperatorChar(byte c) {
    return c > 0 && "+-*%/!()<>=|&".indexOf(c) >= 0;
  }

  static boolean isSelectorChar(byte c) {
    return isAlpha(c) || isDigit(c) || c == '_' || c == '-';
  }

  static boolean isJsonNumberChar(byte c) {
    return isDigit(c) || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
  }
}
