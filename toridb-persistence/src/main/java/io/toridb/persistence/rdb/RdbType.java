package io.toridb.persistence.rdb;

/**
 * The object type bytes of the RDB format (Redis's RDB_TYPE_*), fixed numbers that never change:
 * the first byte of a DUMP payload and of every value in an RDB file.
 */
public final class RdbType {
  private RdbType() {}

  public static final int STRING = 0;
  public static final int LIST = 1;
  public static final int SET = 2;
  public static final int ZSET = 3;
  public static final int HASH = 4;

  /** Sorted set with binary (little-endian IEEE 754) scores. */
  public static final int ZSET_2 = 5;

  public static final int MODULE = 6;
  public static final int MODULE_2 = 7;
  public static final int HASH_ZIPMAP = 9;
  public static final int LIST_ZIPLIST = 10;
  public static final int SET_INTSET = 11;
  public static final int ZSET_ZIPLIST = 12;
  public static final int HASH_ZIPLIST = 13;
  public static final int LIST_QUICKLIST = 14;
  public static final int STREAM_LISTPACKS = 15;
  public static final int HASH_LISTPACK = 16;
  public static final int ZSET_LISTPACK = 17;
  public static final int LIST_QUICKLIST_2 = 18;
  public static final int STREAM_LISTPACKS_2 = 19;

  /** Quicklist node containers in RDB_TYPE_LIST_QUICKLIST_2. */
  public static final int CONTAINER_PLAIN = 1;

  public static final int CONTAINER_PACKED = 2;

  /** The RDB version this server writes and the newest it reads (Redis 7.0's). */
  public static final int RDB_VERSION = 10;
}
