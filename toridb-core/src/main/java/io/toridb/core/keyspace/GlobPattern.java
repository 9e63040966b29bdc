package io.toridb.core.keyspace;

/**
 * Glob-style matching with exactly the semantics of Redis's {@code stringmatchlen}, used by KEYS,
 * SCAN MATCH, and later by pub/sub patterns, CONFIG GET and ACL key patterns.
 *
 * <ul>
 *   <li>{@code *} any run of bytes, {@code ?} any one byte, {@code \x} the byte x.
 *   <li>{@code [abc]}, {@code [^abc]}, {@code [a-z]} (ends may be given in either order; bytes
 *       compare as C's signed chars, so {@code [a-\xff]} runs from -1 to 'a'), {@code \x} inside a
 *       class is the byte x. Redis's quirks are kept: a class left open at the end of the pattern
 *       takes the rest of the pattern as its members, {@code [^} at the very end matches any byte,
 *       and a dash before the closing bracket forms a range with it ({@code [a-]} spans ']'..'a').
 *   <li>A pattern never matches the empty string unless it is empty itself ({@code *} against "" is
 *       false; KEYS special-cases the lone {@code *}).
 * </ul>
 *
 * <h2>Implementation notes</h2>
 *
 * <p>Redis recurses at each {@code *} and, since 7.0, stops the whole search as soon as the pattern
 * after some {@code *} fails to match at every remaining position (a longer match for an earlier
 * {@code *} would only give the rest of the pattern less to work with). Redis 7.0 has no nesting
 * limit beyond that. The consequence is that only the most recent {@code *} is ever retried, which
 * is the classic iterative matcher used here: remember the last {@code *} and the string position
 * its attempt started from; on a mismatch, retry one byte further; once that attempt position
 * reaches the end of the string, fail. It needs no stack and runs in O(pattern x string) time, so
 * pathological patterns such as {@code a*a*a*...*b} are cheap.
 */
public final class GlobPattern {
  private GlobPattern() {}

  /** True when {@code pattern} matches {@code string} case-sensitively. */
  public static boolean matches(byte[] pattern, byte[] string) {
    return matches(pattern, 0, pattern.length, string, 0, string.length, false);
  }

  /** True when {@code pattern} matches {@code string}; {@code nocase} folds ASCII letters. */
  public static boolean matches(byte[] pattern, byte[] string, boolean nocase) {
    return matches(pattern, 0, pattern.length, string, 0, string.length, nocase);
  }

  /** Matches slices of two arrays. */
  public static boolean matches(
      byte[] p, int pOff, int pLen, byte[] s, int sOff, int sLen, boolean nocase) {
    final int pEnd = pOff + pLen;
    final int sEnd = sOff + sLen;
    int pi = pOff;
    int si = sOff;
    if (si == sEnd) {
      return pi == pEnd;
    }
    int starP = -1; // index of the last '*' met, or -1
    int starS = 0; // where the current attempt after that '*' started in the string
    while (true) {
      // Here si < sEnd. Try to match one pattern element against s[si].
      boolean ok;
      if (pi == pEnd) {
        ok = false; // String left over.
      } else {
        switch (p[pi]) {
          case '*' -> {
            while (pi + 1 < pEnd && p[pi + 1] == '*') {
              pi++;
            }
            if (pi + 1 == pEnd) {
              return true; // A trailing '*' takes whatever is left.
            }
            starP = pi;
            starS = si;
            pi++;
            continue;
          }
          case '?' -> ok = true;
          case '[' -> {
            pi = classEnd(p, pi, pEnd, s[si], nocase);
            ok = pi >= 0;
            if (!ok) {
              break;
            }
          }
          case '\\' -> {
            if (pEnd - pi >= 2) {
              pi++;
            }
            ok = sameByte(p[pi], s[si], nocase);
          }
          default -> ok = sameByte(p[pi], s[si], nocase);
        }
        if (ok) {
          pi++;
          si++;
          if (si < sEnd) {
            continue;
          }
          // String used up: only '*'s may remain.
          while (pi < pEnd && p[pi] == '*') {
            pi++;
          }
          if (pi == pEnd) {
            return true;
          }
          ok = false;
        }
      }
      // Mismatch: retry after the last '*' one byte further on, if any byte is left to try.
      if (starP < 0 || ++starS == sEnd) {
        return false;
      }
      pi = starP + 1;
      si = starS;
    }
  }

  /**
   * Matches byte {@code c} against the class starting at {@code p[open] == '['}. Returns the index
   * of the class's last pattern byte (its ']' when closed) on a match, or -1.
   */
  private static int classEnd(byte[] p, int open, int pEnd, byte c, boolean nocase) {
    int pi = open + 1;
    boolean not = pi < pEnd && p[pi] == '^';
    if (not) {
      pi++;
    }
    boolean match = false;
    while (true) {
      int left = pEnd - pi;
      if (left >= 2 && p[pi] == '\\') {
        pi++;
        if (p[pi] == c) {
          match = true;
        }
      } else if (left > 0 && p[pi] == ']') {
        break;
      } else if (left == 0) {
        // Unclosed class: it ends with the pattern. Step back so the caller's advance lands on
        // the end of the pattern.
        pi--;
        break;
      } else if (left >= 3 && p[pi + 1] == '-') {
        int start = p[pi];
        int end = p[pi + 2];
        int x = c;
        if (start > end) {
          int t = start;
          start = end;
          end = t;
        }
        if (nocase) {
          start = lower(start);
          end = lower(end);
          x = lower(x);
        }
        pi += 2;
        if (x >= start && x <= end) {
          match = true;
        }
      } else if (sameByte(p[pi], c, nocase)) {
        match = true;
      }
      pi++;
    }
    return match != not ? pi : -1;
  }

  private static boolean sameByte(byte a, byte b, boolean nocase) {
    return a == b || (nocase && lower(a) == lower(b));
  }

  /**
   * C's tolower on a (signed) char as glibc computes it in the C locale: ASCII letters fold, and
   * negative chars other than -1 (EOF) come back as their unsigned value. Only ranges notice the
   * latter: under nocase, {@code [\x80-a]} runs from 128 down to 'a' and so matches nothing.
   */
  private static int lower(int c) {
    if (c >= 'A' && c <= 'Z') {
      return c + 32;
    }
    return c < -1 ? c + 256 : c;
  }
}
