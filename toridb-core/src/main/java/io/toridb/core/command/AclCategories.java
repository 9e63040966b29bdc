package io.toridb.core.command;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * ACL categories of a command, derived as Redis derives them: the category its group implies (or
 * the ones declared with {@link CommandSpec.Builder#acl}), plus those that follow from its flags
 * (@write, @read, @admin and @dangerous, @pubsub, @fast or else @slow, @blocking).
 */
public final class AclCategories {
  private AclCategories() {}

  /** Every category, in the order Redis lists them. */
  public static final List<String> ALL =
      List.of(
          "keyspace",
          "read",
          "write",
          "set",
          "sortedset",
          "list",
          "hash",
          "string",
          "bitmap",
          "hyperloglog",
          "geo",
          "stream",
          "pubsub",
          "admin",
          "fast",
          "slow",
          "blocking",
          "dangerous",
          "connection",
          "transaction",
          "scripting",
          "vectorset");

  /** The categories of {@code spec}, lower case without '@', in Redis's order. */
  public static List<String> of(CommandSpec spec) {
    List<String> has = new ArrayList<>();
    if (spec.declaredAcl() != null) {
      for (String c : spec.declaredAcl()) {
        has.add(c.toLowerCase(Locale.ROOT));
      }
    } else if (!spec.isContainer()) {
      String implied = groupCategory(spec.group());
      if (implied != null) {
        has.add(implied);
      }
    }
    if (spec.has(CommandFlag.WRITE)) {
      has.add("write");
    }
    // Scripts may write, so scripting commands are never @read even when flagged readonly.
    if (spec.has(CommandFlag.READONLY) && !has.contains("scripting")) {
      has.add("read");
    }
    if (spec.has(CommandFlag.ADMIN)) {
      has.add("admin");
      has.add("dangerous");
    }
    if (spec.has(CommandFlag.PUBSUB)) {
      has.add("pubsub");
    }
    if (spec.has(CommandFlag.FAST)) {
      has.add("fast");
    }
    if (spec.has(CommandFlag.BLOCKING)) {
      has.add("blocking");
    }
    if (!has.contains("fast")) {
      has.add("slow");
    }
    List<String> ordered = new ArrayList<>();
    for (String c : ALL) {
      if (has.contains(c)) {
        ordered.add(c);
      }
    }
    return ordered;
  }

  /** True when {@code spec} is in {@code category} (any case, with or without '@'). */
  public static boolean contains(CommandSpec spec, String category) {
    String c = category.startsWith("@") ? category.substring(1) : category;
    return of(spec).contains(c.toLowerCase(Locale.ROOT));
  }

  /** The category a command group implies, or null (server, pubsub and cluster imply none). */
  static String groupCategory(String group) {
    return switch (group.toLowerCase(Locale.ROOT)) {
      case "generic" -> "keyspace";
      case "string" -> "string";
      case "list" -> "list";
      case "set" -> "set";
      case "sorted-set", "sorted_set", "sortedset", "zset" -> "sortedset";
      case "hash" -> "hash";
      case "stream" -> "stream";
      case "geo" -> "geo";
      case "bitmap" -> "bitmap";
      case "hyperloglog" -> "hyperloglog";
      case "transactions" -> "transaction";
      case "scripting" -> "scripting";
      case "connection" -> "connection";
      default -> null;
    };
  }
}
