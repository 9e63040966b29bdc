package io.toridb.core.zset;

import io.toridb.core.command.CommandContext;
import io.toridb.core.config.Config;
import io.toridb.core.config.Directive;

/**
 * The listpack limits in force for one command: {@code zset-max-listpack-entries} and {@code
 * zset-max-listpack-value}. The two directives are looked up once per server and then only read.
 */
record ZSetLimits(long maxEntries, long maxValue) {
  /** The directives of the server last seen; servers rarely change (tests run several). */
  private record Directives(Config config, Directive entries, Directive value) {}

  private static volatile Directives cached;

  static ZSetLimits of(CommandContext ctx) {
    Config config = ctx.server().config();
    Directives d = cached;
    if (d == null || d.config != config) {
      d =
          new Directives(
              config,
              config.require("zset-max-listpack-entries"),
              config.require("zset-max-listpack-value"));
      cached = d;
    }
    return new ZSetLimits(d.entries.number(), d.value.number());
  }
}
