package io.toridb.persistence.rdb;

import io.toridb.core.config.Config;
import io.toridb.core.config.Directive;

/**
 * The encoding thresholds a loaded value must respect, so that a restored value gets the encoding
 * Redis would give it ({@code OBJECT ENCODING} matches): hash-max-listpack-entries/-value,
 * set-max-intset-entries, zset-max-listpack-entries/-value and list-max-listpack-size.
 */
public record EncodingLimits(
    long hashMaxEntries,
    long hashMaxValue,
    long setMaxIntsetEntries,
    long zsetMaxEntries,
    long zsetMaxValue,
    long listFill) {

  /** Redis 7.0's defaults. */
  public static final EncodingLimits DEFAULTS = new EncodingLimits(512, 64, 512, 128, 64, -2);

  /** The directives of the server last seen (servers rarely change; tests run several). */
  private record Directives(
      Config config,
      Directive hashEntries,
      Directive hashValue,
      Directive intsetEntries,
      Directive zsetEntries,
      Directive zsetValue,
      Directive listSize) {}

  private static volatile Directives cached;

  /** The thresholds in force in {@code config} now. */
  public static EncodingLimits of(Config config) {
    Directives d = cached;
    if (d == null || d.config != config) {
      d =
          new Directives(
              config,
              config.require("hash-max-listpack-entries"),
              config.require("hash-max-listpack-value"),
              config.require("set-max-intset-entries"),
              config.require("zset-max-listpack-entries"),
              config.require("zset-max-listpack-value"),
              config.require("list-max-listpack-size"));
      cached = d;
    }
    return new EncodingLimits(
        d.hashEntries.number(),
        d.hashValue.number(),
        d.intsetEntries.number(),
        d.zsetEntries.number(),
        d.zsetValue.number(),
        d.listSize.number());
  }
}
