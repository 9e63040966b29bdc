package io.toridb.core.string;

import static io.toridb.core.command.CommandFlag.DENYOOM;
import static io.toridb.core.command.CommandFlag.FAST;
import static io.toridb.core.command.CommandFlag.READONLY;
import static io.toridb.core.command.CommandFlag.WRITE;

import io.toridb.core.command.Args;
import io.toridb.core.command.CommandContext;
import io.toridb.core.command.CommandException;
import io.toridb.core.command.CommandSpec;
import io.toridb.core.command.CommandTable;
import io.toridb.core.command.Errors;
import io.toridb.core.command.KeySpec;
import io.toridb.core.keyspace.Database;
import io.toridb.core.keyspace.Key;
import io.toridb.core.keyspace.StoredValue;
import io.toridb.core.pubsub.KeyspaceEvents;

/**
 * Bit commands over string values, Redis 7.0's bitmap family: SETBIT, GETBIT, BITCOUNT, BITPOS,
 * BITOP, BITFIELD and BITFIELD_RO. Bit 0 is the most significant bit of the first byte, as in
 * Redis.
 *
 * <p>Implementation notes: string values are never changed in place (point-in-time scans and
 * readers on other threads may hold them), so SETBIT makes a new value when the bit changes, a copy
 * of the string; Redis changes the byte in place. Fine for bitmaps of kilobytes, costly for very
 * large ones.
 */
final class BitmapCommands {
  private BitmapCommands() {}

  static final String BAD_OFFSET = "ERR bit offset is not an integer or out of range";
  static final String BAD_BIT = "ERR bit is not an integer or out of range";
  static final String BITPOS_BIT = "ERR The bit argument must be 1 or 0.";
  static final String BITOP_NOT_ONE_KEY = "ERR BITOP NOT must be called with a single source key.";
  static final String BAD_BITFIELD_TYPE =
      "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64"
          + " is.";
  static final String BAD_OVERFLOW = "ERR Invalid OVERFLOW type specified";
  static final String BITFIELD_RO_GET_ONLY = "ERR BITFIELD_RO only supports the GET subcommand";
  static final String NO_MEMORY = "ERR Insufficient memory, failed allocating the string";

  static void register(CommandTable t) {
    t.add(
        CommandSpec.builder("setbit", 4)
            .flags(WRITE | DENYOOM)
            .keys(1, 1, 1)
            .keyFlags("RW", "access", "update")
            .group("bitmap")
            .doc(
                "Sets or clears the bit at offset in the string value stored at key",
                "2.2.0",
                "O(1)")
            .handler(BitmapCommands::setbit));
    t.add(
        CommandSpec.builder("getbit", 3)
            .flags(READONLY | FAST)
            .keys(1, 1, 1)
            .keyFlags("RO", "access")
            .group("bitmap")
            .doc(
                "Returns the bit value at offset in the string value stored at key",
                "2.2.0",
                "O(1)")
            .handler(BitmapCommands::getbit));
    t.add(
        CommandSpec.builder("bitcount", -2)
            .flags(READONLY)
            .keys(1, 1, 1)
            .keyFlags("RO", "access")
            .group("bitmap")
            .doc("Count set bits in a string", "2.6.0", "O(N)")
            .handler(BitmapCommands::bitcount));
    t.add(
        CommandSpec.builder("bitpos", -3)
            .flags(READONLY)
            .keys(1, 1, 1)
            .keyFlags("RO", "access")
            .group("bitmap")
            .doc("Find first bit set or clear in a string", "2.8.7", "O(N)")
            .handler(BitmapCommands::bitpos));
    t.add(
        CommandSpec.builder("bitop", -4)
            .flags(WRITE | DENYOOM)
            .keys(2, -1, 1)
            .keySpec(KeySpec.range(2, 0, 1, "OW", "update"))
            .keySpec(KeySpec.range(3, -1, 1, "RO", "access"))
            .group("bitmap")
            .doc("Perform bitwise operations between strings", "2.6.0", "O(N)")
            .handler(BitmapCommands::bitop));
    t.add(
        CommandSpec.builder("bitfield", -2)
            .flags(WRITE | DENYOOM)
            .keys(1, 1, 1)
            .keyFlags("RW", "access", "update", "variable_flags")
            .keyNotes("This command allows both access and modification of the key")
            .keyFlagsForCall(BitmapCommands::bitfieldKeyFlags)
            .group("bitmap")
            .doc(
                "Perform arbitrary bitfield integer operations on strings",
                "3.2.0",
                "O(1) for each subcommand specified")
            .handler((ctx, argv) -> bitfield(ctx, argv, false)));
    t.add(
        CommandSpec.builder("bitfield_ro", -2)
            .flags(READONLY | FAST)
            .keys(1, 1, 1)
            .keyFlags("RO", "access")
            .group("bitmap")
            .doc(
                "Perform arbitrary bitfield integer operations on strings. Read-only variant of"
                    + " BITFIELD",
                "6.0.0",
                "O(1) for each subcommand specified")
            .handler((ctx, argv) -> bitfield(ctx, argv, true)));
  }

  private static final java.util.List<String> READ_FLAGS = java.util.List.of("RO", "access");
  private static final java.util.List<String> WRITE_FLAGS =
      java.util.List.of("RW", "access", "update");

  /** COMMAND GETKEYSANDFLAGS for BITFIELD: a read when every operation is a GET, as Redis. */
  private static java.util.List<String> bitfieldKeyFlags(byte[][] argv) {
    for (int i = 2; i < argv.length; i++) {
      int left = argv.length - i - 1;
      if (Args.is(argv[i], "GET") && left >= 2) {
        i += 2;
      } else if (Args.is(argv[i], "OVERFLOW") && left >= 1) {
        i += 1;
      } else {
        // SET, INCRBY, or a syntax error: taken as a write, the safer guess.
        return WRITE_FLAGS;
      }
    }
    return READ_FLAGS;
  }

  /**
   * A bit offset argument: a non-negative integer whose byte lies within {@code
   * proto-max-bulk-len}, as Redis's getBitOffsetFromArgument (not while the log is replayed, as
   * Redis obeys its own log), and within the largest array the JVM makes.
   */
  private static long bitOffset(CommandContext ctx, byte[] arg) {
    long offset = Args.parseLong(arg, BAD_OFFSET);
    checkOffset(ctx, offset, 1);
    return offset;
  }

  /** Refuses a field of {@code bits} bits at {@code offset} that no string here could hold. */
  private static void checkOffset(CommandContext ctx, long offset, int bits) {
    if (offset < 0
        || (!ctx.replaying() && (offset >> 3) >= ctx.server().config().number("proto-max-bulk-len"))
        || ((offset + bits - 1) >> 3) >= StringValue.MAX_ARRAY) {
      throw new CommandException(BAD_OFFSET);
    }
  }

  /** A new zeroed array for a string of {@code length} bytes, or an error reply without memory. */
  private static byte[] allocate(int length) {
    try {
      return new byte[length];
    } catch (OutOfMemoryError e) {
      throw new CommandException(NO_MEMORY);
    }
  }

  /**
   * After a write that changed nothing: Redis has still made the value a private raw string (OBJECT
   * ENCODING says raw), without signalling or logging anything.
   */
  private static void unshare(Database db, Key key, StoredValue old, StringValue s, long now) {
    if (!"raw".equals(s.encoding())) {
      StringCommands.replace(db, key, old, StringValue.raw(s.bytes().clone()), now);
    }
  }

  /** SETBIT key offset value */
  static void setbit(CommandContext ctx, byte[][] argv) {
    long offset = bitOffset(ctx, argv[2]);
    long on = Args.parseLong(argv[3], BAD_BIT);
    if ((on & ~1L) != 0) {
      throw new CommandException(BAD_BIT);
    }
    Database db = ctx.db();
    long now = ctx.now();
    Key key = Key.of(argv[1]);
    StoredValue old = db.lookupWrite(key, now);
    StringValue s = StringCommands.asString(old);
    int index = (int) (offset >> 3);
    int mask = 1 << (7 - (offset & 7));
    int length = s == null ? 0 : s.length();
    int current = index < length ? s.array()[index] & 0xFF : 0;
    boolean was = (current & mask) != 0;
    // Redis changes nothing (and signals nothing) when the string neither appears, grows nor
    // changes.
    if (s != null && index < length && was == (on == 1)) {
      unshare(db, key, old, s, now);
      ctx.out().integer(was ? 1 : 0);
      return;
    }
    byte[] changed = {(byte) (on == 1 ? current | mask : current & ~mask)};
    if (s == null) {
      byte[] bytes = allocate(index + 1);
      bytes[index] = changed[0];
      StringCommands.store(db, key, StringValue.raw(bytes), now);
    } else {
      StringValue result;
      try {
        result = s.overwrite(index, changed);
      } catch (OutOfMemoryError e) {
        throw new CommandException(NO_MEMORY);
      }
      StringCommands.replace(db, key, old, result, now);
    }
    ctx.modified(key);
    ctx.notify(KeyspaceEvents.STRING, "setbit", key);
    ctx.propagate(argv);
    ctx.out().integer(was ? 1 : 0);
  }

  /** GETBIT key offset */
  static void getbit(CommandContext ctx, byte[][] argv) {
    long offset = bitOffset(ctx, argv[2]);
    StringValue s = StringCommands.readString(ctx, Key.of(argv[1]));
    int index = (int) (offset >> 3);
    if (s == null || index >= s.length()) {
      ctx.out().integer(0);
      return;
    }
    int mask = 1 << (7 - (offset & 7));
    ctx.out().integer((s.array()[index] & mask) != 0 ? 1 : 0);
  }

  /** BITCOUNT key [start end [BYTE | BIT]] */
  static void bitcount(CommandContext ctx, byte[][] argv) {
    StringValue s = StringCommands.readString(ctx, Key.of(argv[1]));
    // As Redis: the key is looked up first, so a missing key counts 0 whatever the arguments, and
    // a key of another type answers WRONGTYPE.
    if (s == null) {
      ctx.out().integer(0);
      return;
    }
    if (argv.length != 2 && argv.length != 4 && argv.length != 5) {
      throw new CommandException(Errors.SYNTAX);
    }
    long length = s.length();
    if (argv.length == 2) {
      ctx.out().integer(count(s.array(), 0, s.length()));
      return;
    }
    long start = Args.parseLong(argv[2]);
    long end = Args.parseLong(argv[3]);
    if (start < 0 && end < 0 && start > end) {
      ctx.out().integer(0);
      return;
    }
    ByteRange r = range(start, end, length, argv.length == 5 && unit(argv[4]));
    if (r == null) {
      ctx.out().integer(0);
      return;
    }
    byte[] a = s.array();
    // Whole bytes from the first to the last, less the bits of the edge bytes outside the range.
    long n = count(a, r.first(), r.last() - r.first() + 1);
    n -=
        Integer.bitCount(a[r.first()] & r.headMask())
            + Integer.bitCount(a[r.last()] & r.tailMask());
    ctx.out().integer(n);
  }

  /**
   * The bytes a BITCOUNT or BITPOS range covers in a string of {@code length} bytes, {@code first}
   * to {@code last}, and in BIT units the bits of those edge bytes that lie outside the range
   * ({@code headMask}, {@code tailMask}; 0 in BYTE units).
   */
  private record ByteRange(int first, int last, int headMask, int tailMask) {}

  /**
   * The range from {@code start} to {@code end} (bits when {@code bits}, else bytes; negative ones
   * count from the end) clamped to the string as Redis does, or null when it is empty.
   */
  private static ByteRange range(long start, long end, long length, boolean bits) {
    long total = bits ? length << 3 : length;
    if (start < 0) {
      start = Math.max(total + start, 0);
    }
    if (end < 0) {
      end = Math.max(total + end, 0);
    }
    if (end >= total) {
      end = total - 1;
    }
    if (start > end) {
      return null;
    }
    if (!bits) {
      return new ByteRange((int) start, (int) end, 0, 0);
    }
    return new ByteRange(
        (int) (start >> 3),
        (int) (end >> 3),
        ~((1 << (8 - (start & 7))) - 1) & 0xFF,
        (1 << (7 - (end & 7))) - 1);
  }

  /** BIT or BYTE: whether a range counts bits. */
  private static boolean unit(byte[] arg) {
    if (Args.is(arg, "BIT")) {
      return true;
    }
    if (!Args.is(arg, "BYTE")) {
      throw new CommandException(Errors.SYNTAX);
    }
    return false;
  }

  /** BITPOS key bit [start [end [BYTE | BIT]]] */
  static void bitpos(CommandContext ctx, byte[][] argv) {
    long bit = Args.parseLong(argv[2]);
    if (bit != 0 && bit != 1) {
      throw new CommandException(BITPOS_BIT);
    }
    StringValue s = StringCommands.readString(ctx, Key.of(argv[1]));
    if (s == null) {
      // A missing key is an endless run of zero bits.
      ctx.out().integer(bit == 1 ? -1 : 0);
      return;
    }
    byte[] a = s.array();
    long length = s.length();
    boolean endGiven = argv.length >= 5;
    ByteRange r;
    if (argv.length >= 4 && argv.length <= 6) {
      long start = Args.parseLong(argv[3]);
      boolean bits = argv.length == 6 && unit(argv[5]);
      long end = endGiven ? Args.parseLong(argv[4]) : length - 1;
      r = range(start, end, length, bits);
    } else if (argv.length == 3) {
      r = range(0, length - 1, length, false);
    } else {
      throw new CommandException(Errors.SYNTAX);
    }
    if (r == null) {
      // An empty range holds neither a 0 nor a 1.
      ctx.out().integer(-1);
      return;
    }
    // Outside the range, masked bits are made the opposite of the one sought.
    int first = r.first();
    int last = r.last();
    int headMask = r.headMask();
    int tailMask = r.tailMask();
    int bytes = last - first + 1;
    long pos = -1;
    int from = first;
    int n = bytes;
    if (headMask != 0) {
      int b = a[first] & 0xFF;
      b = bit == 1 ? b & ~headMask : b | headMask;
      if (tailMask != 0 && bytes == 1) {
        b = bit == 1 ? b & ~tailMask : b | tailMask;
      }
      pos = firstBit(new byte[] {(byte) b}, 0, 1, bit);
      if (bytes == 1 || (pos != -1 && pos != 8)) {
        reply(ctx, pos, first, bytes, endGiven, bit);
        return;
      }
      from++;
      n--;
    }
    int whole = n - (tailMask != 0 ? 1 : 0);
    if (whole > 0) {
      pos = firstBit(a, from, whole, bit);
      if (n == whole || (pos != -1 && pos != (long) whole << 3)) {
        reply(ctx, pos, from, n, endGiven, bit);
        return;
      }
      from += whole;
      n -= whole;
    }
    int b = a[last] & 0xFF;
    b = bit == 1 ? b & ~tailMask : b | tailMask;
    pos = firstBit(new byte[] {(byte) b}, 0, 1, bit);
    reply(ctx, pos, from, n, endGiven, bit);
  }

  /**
   * BITPOS's answer for a search of {@code bytes} bytes from byte {@code from} that found {@code
   * pos}: past the end of an explicit range, no 0 bit was found in it.
   */
  private static void reply(
      CommandContext ctx, long pos, int from, int bytes, boolean endGiven, long bit) {
    if (endGiven && bit == 0 && pos == (long) bytes << 3) {
      ctx.out().integer(-1);
      return;
    }
    ctx.out().integer(pos == -1 ? -1 : pos + ((long) from << 3));
  }

  /**
   * The position of the first bit equal to {@code bit} in {@code count} bytes from {@code from}: -1
   * when seeking a 1 in zeros only, the first bit past the end when seeking a 0 in ones only (the
   * string continues with zeros), as Redis's redisBitpos.
   */
  private static long firstBit(byte[] a, int from, int count, long bit) {
    int skip = bit == 1 ? 0 : 0xFF;
    for (int i = 0; i < count; i++) {
      int b = a[from + i] & 0xFF;
      if (b != skip) {
        int bits = bit == 1 ? b : ~b & 0xFF;
        return ((long) i << 3) + Integer.numberOfLeadingZeros(bits) - 24;
      }
    }
    return bit == 1 ? -1 : (long) count << 3;
  }

  /** BITOP AND | OR | XOR | NOT destkey key [key ...] */
  static void bitop(CommandContext ctx, byte[][] argv) {
    int op;
    if (Args.is(argv[1], "AND")) {
      op = 0;
    } else if (Args.is(argv[1], "OR")) {
      op = 1;
    } else if (Args.is(argv[1], "XOR")) {
      op = 2;
    } else if (Args.is(argv[1], "NOT")) {
      op = 3;
    } else {
      throw new CommandException(Errors.SYNTAX);
    }
    if (op == 3 && argv.length != 4) {
      throw new CommandException(BITOP_NOT_ONE_KEY);
    }
    int sources = argv.length - 3;
    byte[][] src = new byte[sources][];
    int[] len = new int[sources];
    int maxLength = 0;
    for (int j = 0; j < sources; j++) {
      // Missing keys are empty strings; the first key of another type answers WRONGTYPE.
      StringValue v = StringCommands.readString(ctx, Key.of(argv[j + 3]));
      if (v != null) {
        src[j] = v.array();
        len[j] = v.length();
        maxLength = Math.max(maxLength, len[j]);
      }
    }
    Database db = ctx.db();
    long now = ctx.now();
    Key dest = Key.of(argv[2]);
    if (maxLength == 0) {
      if (db.lookupWrite(dest, now) != null) {
        db.remove(dest);
        ctx.modified(dest);
        ctx.notify(KeyspaceEvents.GENERIC, "del", dest);
        ctx.propagate(argv);
      }
      ctx.out().integer(0);
      return;
    }
    byte[] res = allocate(maxLength);
    for (int i = 0; i < maxLength; i++) {
      int out = i < len[0] ? src[0][i] : 0;
      if (op == 3) {
        out = ~out;
      }
      for (int j = 1; j < sources; j++) {
        int b = i < len[j] ? src[j][i] : 0;
        out = op == 0 ? out & b : op == 1 ? out | b : out ^ b;
      }
      res[i] = (byte) out;
    }
    db.lookupWrite(dest, now);
    StringCommands.store(db, dest, StringValue.raw(res), now);
    ctx.modified(dest);
    ctx.notify(KeyspaceEvents.STRING, "set", dest);
    ctx.propagate(argv);
    ctx.out().integer(maxLength);
  }

  // ---------------------------------------------------------------------------------------------
  // BITFIELD

  private static final int GET = 0;
  private static final int SET = 1;
  private static final int INCRBY = 2;
  private static final int WRAP = 0;
  private static final int SAT = 1;
  private static final int FAIL = 2;

  /** One operation of a BITFIELD call, with the overflow behaviour in force where it appeared. */
  private record FieldOp(
      int code, boolean signed, int bits, long offset, long value, int overflow) {}

  /**
   * BITFIELD key [GET encoding offset | [OVERFLOW WRAP | SAT | FAIL] SET encoding offset value |
   * INCRBY encoding offset increment ...], and BITFIELD_RO (GET only).
   */
  static void bitfield(CommandContext ctx, byte[][] argv, boolean readOnlyCommand) {
    java.util.List<FieldOp> ops = new java.util.ArrayList<>();
    int overflow = WRAP;
    boolean writes = false;
    long highest = 0;
    for (int j = 2; j < argv.length; j++) {
      int left = argv.length - j - 1;
      int code;
      if (Args.is(argv[j], "GET") && left >= 2) {
        code = GET;
      } else if (Args.is(argv[j], "SET") && left >= 3) {
        code = SET;
      } else if (Args.is(argv[j], "INCRBY") && left >= 3) {
        code = INCRBY;
      } else if (Args.is(argv[j], "OVERFLOW") && left >= 1) {
        byte[] type = argv[++j];
        if (Args.is(type, "WRAP")) {
          overflow = WRAP;
        } else if (Args.is(type, "SAT")) {
          overflow = SAT;
        } else if (Args.is(type, "FAIL")) {
          overflow = FAIL;
        } else {
          throw new CommandException(BAD_OVERFLOW);
        }
        continue;
      } else {
        throw new CommandException(Errors.SYNTAX);
      }
      byte[] type = argv[j + 1];
      boolean signed = type.length > 0 && type[0] == 'i';
      if (type.length < 2 || (!signed && type[0] != 'u')) {
        throw new CommandException(BAD_BITFIELD_TYPE);
      }
      long bits = Args.parseLongOr(java.util.Arrays.copyOfRange(type, 1, type.length), 0);
      if (bits < 1 || bits > (signed ? 64 : 63)) {
        throw new CommandException(BAD_BITFIELD_TYPE);
      }
      long offset = fieldOffset(ctx, argv[j + 2], (int) bits);
      long value = 0;
      if (code != GET) {
        writes = true;
        highest = Math.max(highest, offset + bits - 1);
        value = Args.parseLong(argv[j + 3]);
      }
      ops.add(new FieldOp(code, signed, (int) bits, offset, value, overflow));
      j += code == GET ? 2 : 3;
    }
    Key key = Key.of(argv[1]);
    if (!writes) {
      StringValue s = StringCommands.readString(ctx, key);
      byte[] a = s == null ? new byte[0] : s.array();
      int length = s == null ? 0 : s.length();
      ctx.out().arrayHeader(ops.size());
      for (FieldOp op : ops) {
        ctx.out().integer(get(a, length, op.offset(), op.bits(), op.signed()));
      }
      return;
    }
    if (readOnlyCommand) {
      throw new CommandException(BITFIELD_RO_GET_ONLY);
    }
    Database db = ctx.db();
    long now = ctx.now();
    StoredValue old = db.lookupWrite(key, now);
    StringValue s = StringCommands.asString(old);
    int length = s == null ? 0 : s.length();
    int needed = (int) (highest >> 3) + 1;
    // Created or grown: every operation that runs counts as a change, as in Redis.
    boolean grown = s == null || needed > length;
    byte[] buf = allocate(Math.max(length, needed));
    if (s != null) {
      System.arraycopy(s.array(), 0, buf, 0, length);
    }
    int changes = 0;
    ctx.out().arrayHeader(ops.size());
    for (FieldOp op : ops) {
      if (op.code() == GET) {
        ctx.out().integer(get(buf, buf.length, op.offset(), op.bits(), op.signed()));
        continue;
      }
      long oldValue = get(buf, buf.length, op.offset(), op.bits(), op.signed());
      long[] limit = new long[1];
      int over;
      long newValue;
      long reply;
      if (op.code() == INCRBY) {
        over = overflows(oldValue, op.value(), op.bits(), op.signed(), op.overflow(), limit);
        newValue = over != 0 ? limit[0] : oldValue + op.value();
        reply = newValue;
      } else {
        over = overflows(op.value(), 0, op.bits(), op.signed(), op.overflow(), limit);
        newValue = over != 0 ? limit[0] : op.value();
        reply = oldValue;
      }
      if (over != 0 && op.overflow() == FAIL) {
        ctx.out().nullBulk();
        continue;
      }
      ctx.out().integer(reply);
      set(buf, op.offset(), op.bits(), newValue);
      if (grown || oldValue != newValue) {
        changes++;
      }
    }
    if (grown || changes > 0) {
      StringValue result = StringValue.raw(buf);
      if (s == null) {
        StringCommands.store(db, key, result, now);
      } else {
        StringCommands.replace(db, key, old, result, now);
      }
      ctx.propagate(argv);
    } else {
      unshare(db, key, old, s, now);
    }
    if (changes > 0) {
      ctx.modified(key);
      ctx.server().stats().dirty.add(changes - 1);
      ctx.notify(KeyspaceEvents.STRING, "setbit", key);
    }
  }

  /** A BITFIELD offset: a bit offset, or {@code #n} for the n-th field of {@code bits} bits. */
  private static long fieldOffset(CommandContext ctx, byte[] arg, int bits) {
    boolean fields = arg.length > 0 && arg[0] == '#';
    long offset =
        Args.parseLong(fields ? java.util.Arrays.copyOfRange(arg, 1, arg.length) : arg, BAD_OFFSET);
    if (fields) {
      offset *= bits;
    }
    checkOffset(ctx, offset, bits);
    return offset;
  }

  /** The field of {@code bits} bits at bit {@code offset}; bytes past {@code length} are zeros. */
  private static long get(byte[] a, int length, long offset, int bits, boolean signed) {
    long value = 0;
    for (int j = 0; j < bits; j++, offset++) {
      int index = (int) (offset >> 3);
      int bit = index < length ? (a[index] >> (7 - (offset & 7))) & 1 : 0;
      value = (value << 1) | bit;
    }
    if (signed && bits < 64 && (value & (1L << (bits - 1))) != 0) {
      value |= -1L << bits;
    }
    return value;
  }

  private static void set(byte[] a, long offset, int bits, long value) {
    for (int j = 0; j < bits; j++, offset++) {
      int index = (int) (offset >> 3);
      int mask = 1 << (7 - (offset & 7));
      if (((value >>> (bits - 1 - j)) & 1) != 0) {
        a[index] |= (byte) mask;
      } else {
        a[index] &= (byte) ~mask;
      }
    }
  }

  /**
   * Whether {@code value + incr} overflows a field of {@code bits} bits: 1 above, -1 below, 0 when
   * it fits; on overflow {@code limit[0]} is what WRAP or SAT store instead, as Redis's
   * check(Un)signedBitfieldOverflow.
   */
  private static int overflows(
      long value, long incr, int bits, boolean signed, int overflow, long[] limit) {
    if (!signed) {
      long max = (1L << bits) - 1;
      long maxIncr = max - value;
      long minIncr = -value;
      int over;
      if (Long.compareUnsigned(value, max) > 0 || (incr > 0 && incr > maxIncr)) {
        over = 1;
        limit[0] = max;
      } else if (incr < 0 && incr < minIncr) {
        over = -1;
        limit[0] = 0;
      } else {
        return 0;
      }
      if (overflow == WRAP) {
        limit[0] = (value + incr) & max;
        return 1;
      }
      return over;
    }
    long max = bits == 64 ? Long.MAX_VALUE : (1L << (bits - 1)) - 1;
    long min = -max - 1;
    long maxIncr = max - value;
    long minIncr = min - value;
    int over;
    if (value > max
        || (bits != 64 && incr > maxIncr)
        || (value >= 0 && incr > 0 && incr > maxIncr)) {
      over = 1;
      limit[0] = max;
    } else if (value < min
        || (bits != 64 && incr < minIncr)
        || (value < 0 && incr < 0 && incr < minIncr)) {
      over = -1;
      limit[0] = min;
    } else {
      return 0;
    }
    if (overflow == WRAP) {
      long c = value + incr;
      if (bits < 64) {
        long mask = -1L << bits;
        c = (c & (1L << (bits - 1))) != 0 ? c | mask : c & ~mask;
      }
      limit[0] = c;
      return 1;
    }
    return over;
  }

  private static long count(byte[] a, int from, int length) {
    long n = 0;
    int i = from;
    int end = from + length;
    for (; i + Long.BYTES <= end; i += Long.BYTES) {
      n += Long.bitCount((long) LONGS.get(a, i));
    }
    for (; i < end; i++) {
      n += Integer.bitCount(a[i] & 0xFF);
    }
    return n;
  }

  /** Reads eight bytes at once for counting; the byte order does not change a count. */
  private static final java.lang.invoke.VarHandle LONGS =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(
          long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
}
