package io.toridb.core.command;

/**
 * Redis's glob-style matching (stringmatchlen): {@code *}, {@code ?}, {@code [abc]}, {@code
 * [^a-z]} and backslash escapes, over bytes. Used by CONFIG GET and COMMAND LIST, and by anything
 * else that matches patterns the Redis way.
 *
 * <p>Implementation notes: a recursive matcher like Redis's, including its guard against
 * exponential backtracking: once a {@code *} has failed against every suffix, no longer match can
 * succeed either, so all enclosing {@code *} loops stop.
 */
public final class Glob {
  private Glob() {}

  public static boolean matches(String pattern, String string, boolean nocase) {
    return matches(Args.bytes(pattern), Args.bytes(string), nocase);
  }

  public static boolean matches(byte[] pattern, byte[] string, boolean nocase) {
    return match(pattern, 0, string, 0, nocase, new boolean[1]);
  }

  private static boolean match(
      byte[] pat, int p, byte[] str, int s, boolean nocase, boolean[] skipLonger) {
    int plen = pat.length;
    int slen = str.length;
    while (p < plen && s < slen) {
      switch (pat[p]) {
        case '*' -> {
          while (p + 1 < plen && pat[p + 1] == '*') {
            p++;
          }
          if (p + 1 == plen) {
            return true;
          }
          while (s < slen) {
            if (match(pat, p + 1, str, s, nocase, skipLonger)) {
              return true;
            }
            if (skipLonger[0]) {
              return false;
            }
            s++;
          }
          skipLonger[0] = true;
          return false;
        }
        case '?' -> s++;
        case '[' -> {
          p++;
          boolean not = p < plen && pat[p] == '^';
          if (not) {
            p++;
          }
          boolean match = false;
          while (true) {
            if (p >= plen) {
              // Unterminated class: behave as if it ended here.
              p--;
              break;
            } else if (pat[p] == '\\' && plen - p >= 2) {
              p++;
              if (pat[p] == str[s]) {
                match = true;
              }
            } else if (pat[p] == ']') {
              break;
            } else if (plen - p >= 3 && pat[p + 1] == '-') {
              int start = pat[p] & 0xFF;
              int end = pat[p + 2] & 0xFF;
              int c = str[s] & 0xFF;
              if (start > end) {
                int t = start;
                start = end;
                end = t;
              }
              if (nocase) {
                start = lower(start);
                end = lower(end);
                c = lower(c);
              }
              p += 2;
              if (c >= start && c <= end) {
                match = true;
              }
            } else if (same(pat[p], str[s], nocase)) {
              match = true;
            }
            p++;
          }
          if (not) {
            match = !match;
          }
          if (!match) {
            return false;
          }
          s++;
        }
        default -> {
          if (pat[p] == '\\' && plen - p >= 2) {
            p++;
          }
          if (!same(pat[p], str[s], nocase)) {
            return false;
          }
          s++;
        }
      }
      p++;
      if (s == slen) {
        while (p < plen && pat[p] == '*') {
          p++;
        }
        break;
      }
    }
    return p == plen && s == slen;
  }

  private static boolean same(byte a, byte b, boolean nocase) {
    return nocase ? lower(a & 0xFF) == lower(b & 0xFF) : a == b;
  }

  private static int lower(int c) {
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
  }
}
