package io.toridb.core.keyspace;

/** The Redis data type of a stored value, as {@code TYPE} and {@code SCAN ... TYPE} name it. */
public enum ValueType {
  STRING("string"),
  LIST("list"),
  SET("set"),
  ZSET("zset"),
  HASH("hash"),
  STREAM("stream"),
  /** Redis 8's vector sets, a module type in Redis ({@code OBJ_MODULE}). */
  VECTORSET("vectorset"),
  /** A SQL table (ToriDB's own; a module type in Redis's terms). */
  TABLE("table");

  private final String typeName;

  ValueType(String typeName) {
    this.typeName = typeName;
  }

  public String typeName() {
    return typeName;
  }

  /** The type named {@code name} (case-insensitive), or null. */
  public static ValueType byName(String name) {
    for (ValueType t : values()) {
      if (t.typeName.equalsIgnoreCase(name)) {
        return t;
      }
    }
    return null;
  }
}
