package io.toridb.server.it;

import io.toridb.protocol.RespReply;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Decides whether ToriDB's reply matches Redis's under a script line's comparison mode. */
final class ReplyComparison {
  private ReplyComparison() {}

  static boolean matches(CommandScript.Mode mode, String arg, Reply redis, Reply tori) {
    RespReply a = redis.resp();
    RespReply b = tori.resp();
    return switch (mode) {
      case EXACT -> Arrays.equals(redis.raw(), tori.raw());
      case TYPE -> Reply.typeName(a).equals(Reply.typeName(b));
      case UNORDERED -> canonical(a, null, true).equals(canonical(b, null, true));
      case MASK -> canonical(a, arg, false).equals(canonical(b, arg, false));
      case APPROX -> approx(a, b, Long.parseLong(arg)) || Arrays.equals(redis.raw(), tori.raw());
    };
  }

  /**
   * A rendering in which, if {@code sort}, every aggregate's elements (a map's as key-value pairs)
   * are sorted, and in which the value after any element whose payload is {@code mask} is hidden.
   */
  private static String canonical(RespReply r, String mask, boolean sort) {
    if (!r.kind().isAggregate() || r.isNull()) {
      return r.render();
    }
    List<RespReply> elements = r.elements();
    int step = r.kind().isKeyed() ? 2 : 1;
    List<String> parts = new ArrayList<>();
    boolean hideNext = false;
    for (int i = 0; i < elements.size(); i += step) {
      StringBuilder sb = new StringBuilder();
      for (int j = 0; j < step; j++) {
        RespReply e = elements.get(i + j);
        if (hideNext) {
          sb.append("(masked ").append(Reply.typeName(e)).append(")");
          hideNext = false;
        } else {
          sb.append(canonical(e, mask, sort));
          hideNext =
              mask != null
                  && Reply.hasBytes(e)
                  && new String(e.bytes(), java.nio.charset.StandardCharsets.ISO_8859_1)
                      .equals(mask);
        }
        sb.append('\n');
      }
      parts.add(sb.toString());
    }
    if (sort) {
      parts.sort(null);
    }
    return Reply.typeName(r) + "[" + elements.size() + "]{\n" + String.join("", parts) + "}";
  }

  /** Both integers, equal if either is negative, else within {@code tolerance}. */
  private static boolean approx(RespReply a, RespReply b, long tolerance) {
    if (a.kind() != RespReply.Kind.INTEGER || b.kind() != RespReply.Kind.INTEGER) {
      return false;
    }
    long x = a.integer();
    long y = b.integer();
    if (x < 0 || y < 0) {
      return x == y;
    }
    return Math.abs(x - y) <= tolerance;
  }
}
