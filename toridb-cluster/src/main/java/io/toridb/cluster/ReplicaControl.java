package io.toridb.cluster;

/**
 * The server's replication, as a cluster node drives it: a replica node follows its master, and a
 * replica that wins a failover becomes a primary. The server implements it.
 */
public interface ReplicaControl {
  /** Replicates the node at {@code host:port} (as REPLICAOF host port). */
  void follow(String host, int port);

  /** Stops replicating and takes writes, keeping the data (as REPLICAOF NO ONE). */
  void promote();

  /** The replication offset: what this node has of its master's stream, or has sent. */
  long offset();

  /**
   * How long the link to the master has been down, in milliseconds; 0 while it is up. A replica
   * whose data is too old does not fail over.
   */
  long linkDownMillis();

  /**
   * Holds back this master's clients' writes until {@code untilMillis} (Unix ms) or {@link
   * #resumeWrites}, while a replica takes over by hand (CLUSTER FAILOVER), so that none is accepted
   * after the replica caught up.
   */
  default void pauseWrites(long untilMillis) {}

  /** Ends the pause of {@link #pauseWrites}. */
  default void resumeWrites() {}

  /**
   * Whether every write that was already past the pause's check when {@link #pauseWrites} began has
   * finished, so that the offset no longer grows.
   */
  default boolean writesSettled() {
    return true;
  }

  /** Does nothing: a node whose server has no replication (tests). */
  ReplicaControl NONE =
      new ReplicaControl() {
        @Override
        public void follow(String host, int port) {}

        @Override
        public void promote() {}

        @Override
        public long offset() {
          return 0;
        }

        @Override
        public long linkDownMillis() {
          return 0;
        }
      };
}
