package io.toridb.core.zset;

import java.util.function.Consumer;

/**
 * What ZUNION, ZINTER, ZDIFF, ZINTERCARD and their STORE forms need from a plain set given as an
 * input: Redis accepts sets there, each member with score 1. A stored value of type {@code set}
 * implements this to take part; the sorted set commands do not depend on how sets are stored.
 */
public interface SetOperand {
  /** Number of members. */
  int size();

  /** Whether {@code member} is in the set. */
  boolean contains(byte[] member);

  /** Calls {@code action} once with each member (in any order); callers do not modify them. */
  void forEach(Consumer<byte[]> action);
}
