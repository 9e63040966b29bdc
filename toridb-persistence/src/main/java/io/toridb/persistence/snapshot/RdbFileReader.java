package io.toridb.persistence.snapshot;

import io.toridb.core.keyspace.Key;
import io.toridb.core.keyspace.StoredValue;
import io.toridb.persistence.rdb.EncodingLimits;
import io.toridb.persistence.rdb.RdbFormatException;
import io.toridb.persistence.rdb.RdbInput;
import io.toridb.persistence.rdb.RdbObjectReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads an RDB file as Redis 7.0's rdbLoadRio does (versions 1 to 10; see {@link RdbFileWriter} for
 * the layout) and hands each key to a {@link Target}:
 *
 * <ul>
 *   <li>AUX fields are logged where Redis logs them and otherwise skipped; RESIZEDB is a hint and
 *       ignored; SELECTDB must name a database this server has;
 *   <li>EXPIRETIME_MS (8 bytes) and the older EXPIRETIME (4 bytes, seconds) give the next key's
 *       expiry; a key already expired is skipped and counted, as a Redis master does; IDLE and FREQ
 *       give its access metadata, applied as the maxmemory-policy says (RESTORE's rule);
 *   <li>values are read by {@link RdbObjectReader} (strings, lists, sets, hashes, sorted sets in
 *       every encoding Redis has used, streams, vector sets); an empty collection is skipped with a
 *       warning, as Redis does (an empty stream is a value, not an empty collection); other module
 *       values are refused;
 *   <li>function libraries (FUNCTION2) go to {@link Target#function}; the FUNCTION opcode of 7.0's
 *       release candidates and module data (MODULE_AUX) are refused;
 *   <li>after EOF, files of version 5 and later end in a CRC64 of everything before it; 0 means
 *       "not computed" and is accepted, any other mismatch refuses the file.
 * </ul>
 *
 * Every length is bounded by the bytes left in the file (see {@link RdbInput}), so a damaged file
 * fails with {@link Damaged} instead of allocating what it claims.
 */
public final class RdbFileReader {
  private static final Logger log = LoggerFactory.getLogger(RdbFileReader.class);

  /** Where loaded keys go. */
  public interface Target {
    /**
     * Stores {@code value} (with its expiry, or {@link StoredValue#NO_EXPIRY}) under {@code key} in
     * database {@code db}; returns the value it replaced, or null.
     */
    StoredValue put(int db, Key key, StoredValue value, long expireAt);

    /**
     * Loads a function library (its code, as FUNCTION LOAD got it); returns null, or why it could
     * not be loaded, which refuses the file.
     */
    default String function(byte[] code) {
      return "this reader takes no function libraries";
    }
  }

  /**
   * How to read.
   *
   * @param databases databases the server has: a SELECTDB beyond them refuses the file
   * @param limits encoding thresholds for the loaded values
   * @param verifyChecksum check the CRC64 at the end (rdbchecksum)
   * @param allowDuplicates a key already stored is replaced (DEBUG RELOAD MERGE), else refused
   * @param access which of IDLE and FREQ applies (from maxmemory-policy)
   * @param nowMillis the time keys are checked against for expiry
   */
  public record Options(
      int databases,
      EncodingLimits limits,
      boolean verifyChecksum,
      boolean allowDuplicates,
      RdbFileWriter.Access access,
      long nowMillis) {}

  /** What a load did. */
  public record Result(long keysLoaded, long keysExpired, long emptyKeysSkipped, int version) {}

  /** The file is damaged or holds what this server cannot load; says where and what. */
  public static final class Damaged extends IOException {
    private static final long serialVersionUID = 1L;
    private final long offset;
    private final String reason;

    Damaged(long offset, String reason) {
      this(offset, reason, null);
    }

    private Damaged(long offset, String reason, Path file) {
      super(
          (file == null ? "" : "Bad RDB file " + file + " ")
              + "at offset "
              + offset
              + ": "
              + reason);
      this.offset = offset;
      this.reason = reason;
    }

    /** The same problem, with a message that names {@code file}. */
    public Damaged in(Path file) {
      return new Damaged(offset, reason, file);
    }

    /** Offset in the file where reading stopped. */
    public long offset() {
      return offset;
    }

    public String reason() {
      return reason;
    }
  }

  private RdbFileReader() {}

  /**
   * Reads the {@code length} bytes of {@code in} as an RDB file into {@code target}.
   *
   * @param progress told the offset reached, now and then (for INFO's loading fields)
   * @throws Damaged when the file cannot be loaded; keys before the problem were stored
   * @throws IOException when reading fails
   */
  public static Result read(
      InputStream in,
      long length,
      Options options,
      Target target,
      java.util.function.LongConsumer progress)
      throws IOException {
    RdbInput input = RdbInput.of(in, length);
    try {
      return new Reading(input, options, target, progress).run();
    } catch (RdbFormatException e) {
      throw new Damaged(input.position(), e.getMessage());
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** The state of one load. */
  private static final class Reading {
    private final RdbInput in;
    private final Options options;
    private final Target target;
    private final java.util.function.LongConsumer progress;
    private long loaded;
    private long expired;
    private long empty;
    private long nextProgress;

    Reading(RdbInput in, Options options, Target target, java.util.function.LongConsumer progress) {
      this.in = in;
      this.options = options;
      this.target = target;
      this.progress = progress;
    }

    Result run() throws Damaged {
      int version = header();
      int db = 0;
      long expireAt = StoredValue.NO_EXPIRY;
      long idle = -1;
      int freq = -1;
      while (true) {
        long opcodeAt = in.position();
        int type = in.readByte();
        switch (type) {
          case RdbFileWriter.OPCODE_EXPIRETIME -> {
            expireAt = littleEndian(4, true) * 1000;
            continue;
          }
          case RdbFileWriter.OPCODE_EXPIRETIME_MS -> {
            expireAt = littleEndian(8, false);
            continue;
          }
          case RdbFileWriter.OPCODE_FREQ -> {
            freq = in.readByte();
            continue;
          }
          case RdbFileWriter.OPCODE_IDLE -> {
            idle = in.readLength();
            continue;
          }
          case RdbFileWriter.OPCODE_SELECTDB -> {
            long n = in.readLength();
            if (n >= options.databases()) {
              throw new Damaged(
                  opcodeAt,
                  "the file holds keys of database "
                      + n
                      + " but this server has "
                      + options.databases()
                      + " databases (set 'databases' higher)");
            }
            db = (int) n;
            continue;
          }
          case RdbFileWriter.OPCODE_RESIZEDB -> {
            in.readLength();
            in.readLength();
            continue;
          }
          case RdbFileWriter.OPCODE_AUX -> {
            aux(in.readString(), in.readString());
            continue;
          }
          case RdbFileWriter.OPCODE_MODULE_AUX ->
              throw new Damaged(
                  opcodeAt,
                  "the file holds data of a Redis module (MODULE_AUX), and this server has no"
                      + " modules");
          case RdbFileWriter.OPCODE_FUNCTION2 -> {
            String refused = target.function(in.readString());
            if (refused != null) {
              throw new Damaged(opcodeAt, "a function library could not be loaded: " + refused);
            }
            continue;
          }
          case RdbFileWriter.OPCODE_FUNCTION ->
              throw new Damaged(
                  opcodeAt,
                  "the file holds a function library in the format of Redis 7.0's release"
                      + " candidates (FUNCTION), which this server does not read; load it in"
                      + " Redis 7.0 and save again");
          case RdbFileWriter.OPCODE_EOF -> {
            checksum(version);
            reportProgress(true);
            return new Result(loaded, expired, empty, version);
          }
          default -> {
            if (!isObjectType(type)) {
              throw new Damaged(opcodeAt, "unknown opcode or value type " + type);
            }
            key(db, type, expireAt, idle, freq, opcodeAt);
            expireAt = StoredValue.NO_EXPIRY;
            idle = -1;
            freq = -1;
            reportProgress(false);
          }
        }
      }
    }

    /** "REDIS" and the version on four digits, 1 to 10. */
    private int header() throws Damaged {
      byte[] magic = in.readBytes(Math.min(9, in.remaining()));
      String text = new String(magic, StandardCharsets.ISO_8859_1);
      if (magic.length < 9 || !text.startsWith("REDIS")) {
        throw new Damaged(0, "not an RDB file (it does not start with REDIS and a version)");
      }
      int version = 0;
      // atoi: leading digits.
      for (int i = 5; i < 9 && Character.isDigit(text.charAt(i)); i++) {
        version = version * 10 + (text.charAt(i) - '0');
      }
      if (version < 1 || version > io.toridb.persistence.rdb.RdbType.RDB_VERSION) {
        throw new Damaged(
            5, "RDB format version " + text.substring(5) + " is not one this server reads (1-10)");
      }
      return version;
    }

    private void key(int db, int type, long expireAt, long idle, int freq, long at) throws Damaged {
      byte[] name = in.readString();
      StoredValue value;
      try {
        value = RdbObjectReader.read(type, in, options.limits());
      } catch (RdbFormatException e) {
        if (e.emptyValue()) {
          if (empty++ < 10) {
            log.warn("RDB: skipping empty key '{}' in database {}", printable(name), db);
          }
          return;
        }
        throw new Damaged(
            in.position(),
            e.getMessage()
                + " (value of key '"
                + printable(name)
                + "' in database "
                + db
                + ", at offset "
                + at
                + ")");
      }
      if (expireAt != StoredValue.NO_EXPIRY && expireAt < options.nowMillis()) {
        expired++;
        return;
      }
      long now = options.nowMillis();
      if (options.access() == RdbFileWriter.Access.LFU) {
        if (freq >= 0) {
          value.setLfuFrequency(now, freq);
        }
      } else if (idle >= 0) {
        value.idleSeconds(now, idle);
      }
      StoredValue old = target.put(db, Key.of(name), value, expireAt);
      loaded++;
      if (old != null && !options.allowDuplicates()) {
        throw new Damaged(
            at,
            "key '" + printable(name) + "' appears twice in database " + db + " (duplicate key)");
      }
    }

    /** Logs the fields Redis logs; ignores the others, as the format requires. */
    private void aux(byte[] name, byte[] value) {
      String k = new String(name, StandardCharsets.ISO_8859_1);
      String v = new String(value, StandardCharsets.ISO_8859_1);
      if (k.startsWith("%")) {
        log.info("RDB '{}': {}", k, v);
      } else if (k.equalsIgnoreCase("redis-ver")) {
        log.info("Loading RDB produced by version {}", v);
      } else if (k.equalsIgnoreCase("ctime")) {
        long ctime = parseLong(v);
        log.info("RDB age {} seconds", Math.max(0, System.currentTimeMillis() / 1000 - ctime));
      } else if (k.equalsIgnoreCase("used-mem")) {
        log.info(
            "RDB memory usage when created {} Mb",
            String.format(Locale.ROOT, "%.2f", parseLong(v) / (1024.0 * 1024)));
      } else if (k.equalsIgnoreCase("aof-base") && parseLong(v) != 0) {
        log.info("RDB is base AOF");
      } else {
        log.debug("RDB AUX field '{}': {}", k, v);
      }
    }

    /** After EOF: the CRC64 of version 5 and later; a stored 0 means none was computed. */
    private void checksum(int version) throws Damaged {
      if (version < 5) {
        return;
      }
      long expected = in.checksum();
      long at = in.position();
      long stored = littleEndian(8, false);
      if (!options.verifyChecksum()) {
        return;
      }
      if (stored == 0) {
        log.warn("RDB file was saved with checksum disabled: no check performed.");
      } else if (stored != expected) {
        throw new Damaged(
            at,
            String.format(
                "wrong checksum (RDB CRC error): the file says %016x, its content gives %016x",
                stored, expected));
      }
    }

    private long littleEndian(int n, boolean signed32) {
      byte[] b = in.readBytes(n);
      long v = 0;
      for (int i = n - 1; i >= 0; i--) {
        v = (v << 8) | (b[i] & 0xFF);
      }
      return signed32 ? (int) v : v;
    }

    private void reportProgress(boolean force) {
      long pos = in.position();
      if (force || pos >= nextProgress) {
        nextProgress = pos + (1 << 20);
        progress.accept(pos);
      }
    }
  }

  /** Redis's rdbIsObjectType: 0-7 and 9-19. */
  static boolean isObjectType(int t) {
    return (t >= 0 && t <= 7) || (t >= 9 && t <= 19);
  }

  private static long parseLong(String s) {
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** A key for a log line: printable ASCII as is, other bytes as \xNN, cut at 64 characters. */
  static String printable(byte[] b) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < b.length && sb.length() < 64; i++) {
      int c = b[i] & 0xFF;
      if (c >= 0x20 && c < 0x7F && c != '\\' && c != '\'') {
        sb.append((char) c);
      } else {
        sb.append(String.format("\\x%02x", c));
      }
    }
    if (sb.length() >= 64) {
      sb.append("...");
    }
    return sb.toString();
  }
}
