package io.toridb.persistence.snapshot;

import io.toridb.core.hash.HashValue;
import io.toridb.core.keyspace.Key;
import io.toridb.core.keyspace.StoredValue;
import io.toridb.core.list.ListValue;
import io.toridb.core.set.SetValue;
import io.toridb.core.stream.ConsumerGroup;
import io.toridb.core.stream.StreamId;
import io.toridb.core.stream.StreamValue;
import io.toridb.core.string.StringValue;
import io.toridb.core.zset.ZSetValue;
import io.toridb.persistence.rdb.EncodingLimits;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds RDB files in memory and reads them back into maps, for the snapshot tests. */
final class RdbFiles {
  private RdbFiles() {}

  /** A key of a database with its value (expiry inside the value). */
  record Entry(int db, Key key, StoredValue value) {}

  /** What a read produced: keys per database, in the order read, with expiry times. */
  static final class Loaded {
    final List<Map<Key, StoredValue>> dbs = new ArrayList<>();
    final Map<Key, Long> expiry = new LinkedHashMap<>();
    RdbFileReader.Result result;

    Loaded(int databases) {
      for (int i = 0; i < databases; i++) {
        dbs.add(new LinkedHashMap<>());
      }
    }
  }

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  /** Writes {@code entries} (in order) as a file of 16 databases. */
  static byte[] write(
      List<Entry> entries, boolean compress, boolean checksum, RdbFileWriter.Access access)
      throws IOException {
    long[] keys = new long[16];
    long[] expires = new long[16];
    for (Entry e : entries) {
      keys[e.db()]++;
      if (e.value().hasExpiry()) {
        expires[e.db()]++;
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    RdbFileWriter w = new RdbFileWriter(out, compress, checksum, access, 1, keys, expires);
    w.writeHeader(1_700_000_000L, 1_000_000L);
    for (Entry e : entries) {
      w.writeKey(e.db(), e.key(), e.value(), System.currentTimeMillis());
    }
    w.finish();
    return out.toByteArray();
  }

  static byte[] write(List<Entry> entries) throws IOException {
    return write(entries, true, true, RdbFileWriter.Access.NONE);
  }

  static RdbFileReader.Options options(long now) {
    return options(now, true, false, RdbFileWriter.Access.NONE);
  }

  /** Options for 16 databases with the default encoding limits, otherwise as given. */
  static RdbFileReader.Options options(
      long now, boolean verifyChecksum, boolean allowDuplicates, RdbFileWriter.Access access) {
    return new RdbFileReader.Options(
        16, EncodingLimits.DEFAULTS, verifyChecksum, allowDuplicates, access, now);
  }

  /** Reads {@code file} into maps. */
  static Loaded read(byte[] file, RdbFileReader.Options options) throws IOException {
    Loaded loaded = new Loaded(options.databases());
    // Through a real keyspace, which sets the expiry on the value as a load into the server does.
    io.toridb.core.keyspace.Keyspace keyspace =
        new io.toridb.core.keyspace.Keyspace(options.databases());
    loaded.result =
        RdbFileReader.read(
            new ByteArrayInputStream(file),
            file.length,
            options,
            (db, key, value, expireAt) -> {
              if (expireAt != StoredValue.NO_EXPIRY) {
                loaded.expiry.put(key, expireAt);
              }
              loaded.dbs.get(db).put(key, value);
              return keyspace.db(db).load(key, value, expireAt);
            },
            offset -> {});
    return loaded;
  }

  static Loaded read(byte[] file) throws IOException {
    return read(file, options(System.currentTimeMillis()));
  }

  /** One value of every type in every encoding Redis 7.0 saves, named after it. */
  static Map<String, StoredValue> everyEncoding() {
    Map<String, StoredValue> out = new LinkedHashMap<>();
    out.put("string:int", StringValue.of(b("12345")));
    out.put("string:negative", StringValue.of(b("-2147483648")));
    out.put("string:embstr", StringValue.of(b("hello")));
    out.put("string:empty", StringValue.of(b("")));
    out.put("string:raw-compressible", StringValue.of(b("abc".repeat(500))));
    byte[] binary = new byte[300];
    for (int i = 0; i < binary.length; i++) {
      binary[i] = (byte) (i * 31 + 7);
    }
    out.put("string:binary", StringValue.of(binary));
    ListValue small = new ListValue(-2);
    for (int i = 0; i < 5; i++) {
      small.push(b("e" + i), false);
    }
    out.put("list:small", small);
    ListValue big = new ListValue(-2);
    for (int i = 0; i < 2000; i++) {
      big.push(b(i % 3 == 0 ? Integer.toString(i) : "element-number-" + i), false);
    }
    out.put("list:many-nodes", big);
    SetValue intset = SetValue.emptyIntset();
    for (long v : new long[] {-5, 0, 7, 100_000, Long.MIN_VALUE}) {
      intset.add(b(Long.toString(v)), 512);
    }
    out.put("set:intset", intset);
    SetValue table = SetValue.emptyHashtable(0);
    for (int i = 0; i < 300; i++) {
      table.add(b("member-" + i), 512);
    }
    out.put("set:hashtable", table);
    HashValue lp = new HashValue();
    lp.set(b("f"), b("v"), 512, 64);
    lp.set(b("n"), b("42"), 512, 64);
    out.put("hash:listpack", lp);
    HashValue ht = new HashValue();
    for (int i = 0; i < 600; i++) {
      ht.set(b("field-" + i), b("value-" + i), 512, 64);
    }
    out.put("hash:hashtable", ht);
    ZSetValue zl = ZSetValue.empty(true, 4);
    zl.insert(b("a"), 1);
    zl.insert(b("b"), 2.5);
    zl.insert(b("c"), Double.NEGATIVE_INFINITY);
    out.put("zset:listpack", zl);
    ZSetValue zs = ZSetValue.empty(false, 300);
    for (int i = 0; i < 300; i++) {
      zs.insert(b("m" + i), i * 0.5 - 3);
    }
    out.put("zset:skiplist", zs);
    StreamValue stream = new StreamValue();
    for (int i = 1; i <= 60; i++) {
      stream.append(new StreamId(i, 0), new byte[][] {b("f"), b("v" + i)}, 4096, 25);
    }
    stream.delete(new StreamId(26, 0));
    ConsumerGroup g = stream.createGroup(b("g"), new StreamId(2, 0), 2);
    g.restorePending(new StreamId(2, 0), 1000, 1);
    g.restoreConsumer(b("c"), 1000).claimRestored(g, new StreamId(2, 0));
    out.put("stream", stream);
    out.put("stream:empty", new StreamValue());
    return out;
  }
}
