package io.toridb.server.it;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Decides whether ToriDB's reply matches Redis's under a script line's comparison mode. */
final class ReplyComparison {
  private ReplyComparison() {}

  static boolean matches(CommandScript.Mode mode, String arg, Reply redis, Reply tori) {
    return switch (mode) {
      case EXACT -> Arrays.equals(redis.raw(), tori.raw());
      case TYPE -> redis.typeName().equals(tori.typeName());
      case UNORDERED -> unordered(redis).equals(unordered(tori));
      case MASK -> masked(redis, arg).equals(masked(tori, arg));
      case APPROX -> approx(redis, tori, Long.parseLong(arg));
    };
  }

  /** The rendering with every aggregate's elements (map entries as pairs) sorted, at any depth. */
  private static String unordered(Reply r) {
    if (r.elements() == null || r.elements().isEmpty()) {
      return r.render();
    }
    List<String> parts = new ArrayList<>();
    int step = r.type() == '%' ? 2 : 1;
    for (int i = 0; i < r.elements().size(); i += step) {
      StringBuilder sb = new StringBuilder();
      for (int j = 0; j < step; j++) {
        sb.append(unordered(r.get(i + j)));
      }
      parts.add(sb.toString());
    }
    parts.sort(null);
    return r.typeName() + "[" + parts.size() + "]{\n" + String.join("", parts) + "}\n";
  }

  /** The rendering with the element after each element equal to {@code name} replaced. */
  private static String masked(Reply r, String name) {
    StringBuilder sb = new StringBuilder();
    masked(r, name.getBytes(StandardCharsets.UTF_8), sb, 0);
    return sb.toString();
  }

  private static void masked(Reply r, byte[] name, StringBuilder sb, int depth) {
    if (r.elements() == null || r.elements().isEmpty()) {
      sb.append("  ".repeat(depth)).append(r.render().strip()).append('\n');
      return;
    }
    sb.append("  ".repeat(depth)).append(r.typeName()).append('[')
        .append(r.elements().size()).append("]\n");
    boolean maskNext = false;
    for (Reply e : r.elements()) {
      if (maskNext) {
        sb.append("  ".repeat(depth + 1)).append("(masked ").append(e.typeName()).append(")\n");
        maskNext = false;
        continue;
      }
      masked(e, name, sb, depth + 1);
      maskNext = e.payload() != null && Arrays.equals(e.payload(), name);
    }
  }

  private static boolean approx(Reply redis, Reply tori, long tolerance) {
    if (redis.type() != ':' || tori.type() != ':') {
      return Arrays.equals(redis.raw(), tori.raw());
    }
    long a = Long.parseLong(redis.text());
    long b = Long.parseLong(tori.text());
    if (a < 0 || b < 0) {
      return a == b;
    }
    return Math.abs(a - b) <= tolerance;
  }
}
