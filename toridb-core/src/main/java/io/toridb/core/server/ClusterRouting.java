package io.toridb.core.server;

import java.util.List;
import java.util.function.Predicate;

/**
 * Where the keys of a command belong when the server is a cluster node: the executor asks before it
 * runs any command that names keys (and EXEC, for every command it queued), and replies the
 * returned error instead of running it. The cluster module implements it; core only knows this.
 */
public interface ClusterRouting {
  /**
   * Whether this node serves {@code key} with nothing to check: its slot is this node's, not
   * migrating or importing, and the cluster is up. The common case, asked first for a command with
   * one key so that it costs no allocation; when false, {@link #route} decides.
   */
  boolean servesHere(byte[] key);

  /**
   * The error reply (without its leading '-') that sends a command with {@code keys} elsewhere
   * ({@code MOVED}, {@code ASK}, {@code CROSSSLOT}, {@code TRYAGAIN}, {@code CLUSTERDOWN}), or null
   * to run it here.
   *
   * @param keys the key names of the command, or of every command of a transaction, in order
   * @param write whether it (or any command of the transaction) writes
   * @param asking whether the client sent ASKING before it
   * @param readonly whether the client sent READONLY: a replica serves its master's slots to its
   *     reads
   * @param shardChannels whether the names are shard channels (SPUBLISH, SSUBSCRIBE, SUNSUBSCRIBE),
   *     which route by slot as keys do but are not looked up
   * @param migrate whether the command is MIGRATE, which runs here while its slot is migrating or
   *     importing, whatever keys are missing
   * @param storedHere whether a key exists in this node's database 0
   */
  String route(
      List<byte[]> keys,
      boolean write,
      boolean asking,
      boolean readonly,
      boolean shardChannels,
      boolean migrate,
      Predicate<byte[]> storedHere);
}
