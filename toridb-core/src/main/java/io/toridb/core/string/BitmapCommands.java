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
 * BITOP. Bit 0 is the most significant bit of the first byte, as in Redis.
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
  }

  /**
   * A bit offset argument: a non-negative integer whose byte lies within {@code
   * proto-max-bulk-len}, as Redis's getBitOffsetFromArgument.
   */
  private static long bitOffset(CommandContext ctx, byte[] arg) {
    long offset = Args.parseLong(arg, BAD_OFFSET);
    if (offset < 0) {
      throw new CommandException(BAD_OFFSET);
    }
    if ((offset >> 3) >= ctx.server().config().number("proto-max-bulk-len")
        || (offset >> 3) >= StringValue.MAX_ARRAY) {
      throw new CommandException(BAD_OFFSET);
    }
    return offset;
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
      ctx.out().integer(was ? 1 : 0);
      return;
    }
    byte[] changed = {(byte) (on == 1 ? current | mask : current & ~mask)};
    if (s == null) {
      byte[] bytes = new byte[index + 1];
      bytes[index] = changed[0];
      StringCommands.store(db, key, StringValue.raw(bytes), now);
    } else {
      StringCommands.replace(db, key, old, s.overwrite(index, changed), now);
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
    boolean bits = false;
    if (argv.length == 5) {
      if (Args.is(argv[4], "BIT")) {
        bits = true;
      } else if (!Args.is(argv[4], "BYTE")) {
        throw new CommandException(Errors.SYNTAX);
      }
    }
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
      ctx.out().integer(0);
      return;
    }
    byte[] a = s.array();
    if (!bits) {
      ctx.out().integer(count(a, (int) start, (int) (end - start + 1)));
      return;
    }
    // Whole bytes from the first to the last, less the bits of the edge bytes outside the range.
    int first = (int) (start >> 3);
    int last = (int) (end >> 3);
    long n = count(a, first, last - first + 1);
    int headMask = ~((1 << (8 - (start & 7))) - 1) & 0xFF;
    int tailMask = (1 << (7 - (end & 7))) - 1;
    n -= Integer.bitCount(a[first] & headMask) + Integer.bitCount(a[last] & tailMask);
    ctx.out().integer(n);
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
    long start;
    long end;
    boolean endGiven = false;
    int headMask = 0;
    int tailMask = 0;
    if (argv.length >= 4 && argv.length <= 6) {
      long total = length;
      start = Args.parseLong(argv[3]);
      boolean bits = false;
      if (argv.length == 6) {
        if (Args.is(argv[5], "BIT")) {
          bits = true;
        } else if (!Args.is(argv[5], "BYTE")) {
          throw new CommandException(Errors.SYNTAX);
        }
      }
      if (argv.length >= 5) {
        end = Args.parseLong(argv[4]);
        endGiven = true;
      } else {
        end = total - 1;
      }
      if (bits) {
        total <<= 3;
      }
      if (start < 0) {
        start = Math.max(total + start, 0);
      }
      if (end < 0) {
        end = Math.max(total + end, 0);
      }
      if (end >= total) {
        end = total - 1;
      }
      if (bits && start <= end) {
        // Bits of the edge bytes outside the range, which the search must not find.
        headMask = ~((1 << (8 - (start & 7))) - 1) & 0xFF;
        tailMask = (1 << (7 - (end & 7))) - 1;
        start >>= 3;
        end >>= 3;
      }
    } else if (argv.length == 3) {
      start = 0;
      end = length - 1;
    } else {
      throw new CommandException(Errors.SYNTAX);
    }
    if (start > end) {
      // An empty range holds neither a 0 nor a 1.
      ctx.out().integer(-1);
      return;
    }
    // Outside the range, masked bits are made the opposite of the one sought.
    int first = (int) start;
    int last = (int) end;
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
    byte[] res = new byte[maxLength];
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
