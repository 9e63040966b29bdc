package io.toridb.core.scripting;

import java.io.ByteArrayOutputStream;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * The {@code cmsgpack} library Redis gives scripts (lua-cmsgpack 0.4.0): Lua values to MessagePack
 * and back, with the choices that library makes, so that what a script packs reads the same in
 * Redis:
 *
 * <ul>
 *   <li>a number that is a 64-bit integer takes the smallest integer form (positive or negative
 *       fixint, then 8, 16, 32, 64 bits, unsigned for positive numbers); any other a float 32 when
 *       that holds it exactly, else a float 64;
 *   <li>strings are always str (fixstr, str 8, 16, 32), never bin;
 *   <li>a table whose keys are exactly 1..n is an array, any other a map (in the table's iteration
 *       order, which is the interpreter's own: maps of several keys may list them in another order
 *       than Redis's);
 *   <li>a table nested 16 deep, and any value without a MessagePack form (a function), packs as
 *       nil;
 *   <li>unpacking makes every integer a Lua number, bin and ext are "Bad data format".
 * </ul>
 */
final class LuaMsgPack {
  private LuaMsgPack() {}

  /** How deep tables nest before one packs as nil (the library's circular-reference guard). */
  private static final int MAX_NESTING = 16;

  static LuaTable library() {
    LuaTable t = new LuaTable();
    t.rawset("pack", LuaBit.fn(LuaMsgPack::pack));
    t.rawset("unpack", LuaBit.fn(a -> unpack(a, 0, 0)));
    t.rawset("unpack_one", LuaBit.fn(a -> unpack(a, 1, a.optlong(2, 0))));
    t.rawset("unpack_limit", LuaBit.fn(a -> unpack(a, a.checklong(2), a.optlong(3, 0))));
    t.rawset("_NAME", LuaValue.valueOf("cmsgpack"));
    t.rawset("_VERSION", LuaValue.valueOf("lua-cmsgpack 0.4.0"));
    t.rawset("_COPYRIGHT", LuaValue.valueOf("Copyright (C) 2012, Salvatore Sanfilippo"));
    t.rawset("_DESCRIPTION", LuaValue.valueOf("MessagePack C implementation for Lua"));
    return t;
  }

  // ---------------------------------------------------------------------------------------------
  // Packing

  /** cmsgpack.pack(v, ...): each value packed, one after the other. */
  private static Varargs pack(Varargs args) {
    if (args.narg() == 0) {
      throw new LibraryError("bad argument #0 to 'pack' (MessagePack pack needs input.)");
    }
    if (2L * args.narg() > STACK_SLOTS) {
      throw new LibraryError(
          "bad argument #0 to 'pack' (Too many arguments for MessagePack pack.)");
    }
    Output out = new Output();
    for (int i = 1; i <= args.narg(); i++) {
      encode(out, args.arg(i), 0);
    }
    return LuaString.valueOf(out.toByteArray());
  }

  /**
   * Lua 5.1's LUAI_MAXCSTACK: the stack slots a C function may use, which bound how many values
   * unpack returns and how deep what it unpacks may nest, as in Redis.
   */
  private static final int STACK_SLOTS = 8000;

  /**
   * The largest result pack makes (Redis's largest string): a table that refers to itself many
   * times over would grow without end.
   */
  private static final int MAX_PACKED_BYTES = 512 << 20;

  /** The packed bytes, refused past {@link #MAX_PACKED_BYTES}. */
  private static final class Output extends ByteArrayOutputStream {
    @Override
    public void write(int b) {
      check(1);
      super.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      check(len);
      super.write(b, off, len);
    }

    private void check(int more) {
      if ((long) count + more > MAX_PACKED_BYTES) {
        throw new LibraryError("MessagePack pack result too large");
      }
    }
  }

  private static void encode(Output out, LuaValue v, int level) {
    switch (v.type()) {
      case LuaValue.TSTRING -> encodeBytes(out, LuaEngine.bytes(v.checkstring()));
      case LuaValue.TBOOLEAN -> out.write(v.toboolean() ? 0xc3 : 0xc2);
      case LuaValue.TNUMBER -> encodeNumber(out, v.todouble());
      case LuaValue.TTABLE -> {
        if (level == MAX_NESTING) {
          out.write(0xc0);
        } else {
          encodeTable(out, (LuaTable) v, level);
        }
      }
      default -> out.write(0xc0);
    }
  }

  private static void encodeBytes(Output out, byte[] s) {
    int n = s.length;
    if (n < 32) {
      out.write(0xa0 | n);
    } else if (n <= 0xff) {
      out.write(0xd9);
      out.write(n);
    } else if (n <= 0xffff) {
      out.write(0xda);
      writeBigEndian(out, n, 2);
    } else {
      out.write(0xdb);
      writeBigEndian(out, n, 4);
    }
    out.write(s, 0, n);
  }

  private static void encodeNumber(Output out, double d) {
    // An integer when a 64-bit integer holds it exactly (C's (int64_t)d == d).
    if (!Double.isInfinite(d) && !Double.isNaN(d) && d >= -0x1p63 && d < 0x1p63 && (long) d == d) {
      encodeInt(out, (long) d);
      return;
    }
    if (Double.isNaN(d)) {
      // The NaN Lua gets from 0/0 on x86, Redis's usual platform: the sign bit set.
      out.write(0xcb);
      writeBigEndian(out, 0xfff8000000000000L, 8);
      return;
    }
    float f = (float) d;
    if ((double) f == d) {
      out.write(0xca);
      writeBigEndian(out, Float.floatToRawIntBits(f), 4);
    } else {
      out.write(0xcb);
      writeBigEndian(out, Double.doubleToRawLongBits(d), 8);
    }
  }

  private static void encodeInt(Output out, long n) {
    if (n >= 0) {
      if (n <= 127) {
        out.write((int) n);
      } else if (n <= 0xff) {
        out.write(0xcc);
        out.write((int) n);
      } else if (n <= 0xffff) {
        out.write(0xcd);
        writeBigEndian(out, n, 2);
      } else if (n <= 0xffffffffL) {
        out.write(0xce);
        writeBigEndian(out, n, 4);
      } else {
        out.write(0xcf);
        writeBigEndian(out, n, 8);
      }
    } else if (n >= -32) {
      out.write((int) n & 0xff);
    } else if (n >= -128) {
      out.write(0xd0);
      out.write((int) n & 0xff);
    } else if (n >= -32768) {
      out.write(0xd1);
      writeBigEndian(out, n, 2);
    } else if (n >= -2147483648L) {
      out.write(0xd2);
      writeBigEndian(out, n, 4);
    } else {
      out.write(0xd3);
      writeBigEndian(out, n, 8);
    }
  }

  private static void writeBigEndian(Output out, long v, int bytes) {
    for (int i = bytes - 1; i >= 0; i--) {
      out.write((int) (v >>> (8 * i)) & 0xff);
    }
  }

  private static void encodeTable(Output out, LuaTable t, int level) {
    if (isArray(t)) {
      int n = t.rawlen();
      header(out, n, 0x90, 0xdc, 0xdd);
      for (int j = 1; j <= n; j++) {
        encode(out, t.get(j), level + 1);
      }
      return;
    }
    int n = 0;
    for (Varargs e = t.next(LuaValue.NIL); !e.arg1().isnil(); e = t.next(e.arg1())) {
      n++;
    }
    header(out, n, 0x80, 0xde, 0xdf);
    for (Varargs e = t.next(LuaValue.NIL); !e.arg1().isnil(); e = t.next(e.arg1())) {
      encode(out, e.arg1(), level + 1);
      encode(out, e.arg(2), level + 1);
    }
  }

  /** An array or map header: fix form up to 15 entries, then 16 and 32 bits. */
  private static void header(Output out, long n, int fix, int of16, int of32) {
    if (n <= 15) {
      out.write(fix | (int) n);
    } else if (n <= 65535) {
      out.write(of16);
      writeBigEndian(out, n, 2);
    } else {
      out.write(of32);
      writeBigEndian(out, n, 4);
    }
  }

  /** Whether the keys of {@code t} are exactly the integers 1..n (the library's test). */
  private static boolean isArray(LuaTable t) {
    long count = 0;
    double max = 0;
    for (Varargs e = t.next(LuaValue.NIL); !e.arg1().isnil(); e = t.next(e.arg1())) {
      LuaValue k = e.arg1();
      if (k.type() != LuaValue.TNUMBER) {
        return false;
      }
      double n = k.todouble();
      // A key that is not a positive int (C's (int)n == n).
      if (n <= 0 || n > Integer.MAX_VALUE || (int) n != n) {
        return false;
      }
      max = Math.max(max, n);
      count++;
    }
    return max == count;
  }

  // ---------------------------------------------------------------------------------------------
  // Unpacking

  /**
   * cmsgpack.unpack(s) (every value), unpack_one(s [, offset]) and unpack_limit(s, limit [,
   * offset]): the latter two return the offset where they stopped first (-1 at the end of s).
   */
  private static Varargs unpack(Varargs args, long limit, long offset) {
    LuaString s = args.checkstring(1);
    boolean all = limit == 0 && offset == 0;
    int len = s.length();
    if (offset < 0 || limit < 0) {
      throw new LibraryError(
          "Invalid request to unpack with offset of "
              + (int) offset
              + " and limit of "
              + len
              + ".");
    }
    if (offset > len) {
      throw new LibraryError(
          "Start offset " + (int) offset + " greater than input length " + len + ".");
    }
    Cursor c = new Cursor(s.m_bytes, s.m_offset + (int) offset, s.m_offset + len);
    java.util.List<LuaValue> values = new java.util.ArrayList<>();
    long max = all ? Integer.MAX_VALUE : limit;
    try {
      // The string argument takes a stack slot, and each value returned one more.
      for (long n = 0; c.left() > 0 && n < max; n++) {
        values.add(c.decode(1 + values.size()));
      }
    } catch (StackOverflowError e) {
      throw new LibraryError(STACK_OVERFLOW);
    }
    if (!all) {
      values.add(0, LuaValue.valueOf(c.left() == 0 ? -1 : c.at - s.m_offset));
    }
    return LuaValue.varargsOf(values.toArray(new LuaValue[0]));
  }

  private static final String STACK_OVERFLOW =
      "stack overflow (too many return values at once; use unpack_one or unpack_limit instead.)";

  /** Reads MessagePack values off a string. */
  private static final class Cursor {
    private final byte[] b;
    private final int end;
    private int at;

    /** Reads {@code b} from {@code at} to {@code end} (the string's own bytes, not a copy). */
    Cursor(byte[] b, int at, int end) {
      this.b = b;
      this.at = at;
      this.end = end;
    }

    int left() {
      return end - at;
    }

    private void need(long n) {
      if (left() < n) {
        throw new LibraryError("Missing bytes in input.");
      }
    }

    private int u8(int i) {
      return b[at + i] & 0xff;
    }

    private long big(int from, int bytes) {
      long v = 0;
      for (int i = 0; i < bytes; i++) {
        v = (v << 8) | u8(from + i);
      }
      return v;
    }

    private LuaValue string(int headerBytes, long n) {
      need(headerBytes + n);
      LuaValue s = LuaString.valueOf(b, at + headerBytes, (int) n);
      // A copy: the input string must not be kept alive by a small piece of it.
      s = LuaString.valueOf(LuaEngine.bytes(s.checkstring()));
      at += headerBytes + (int) n;
      return s;
    }

    /**
     * The next value; {@code slots} are the stack slots Lua would be using already, as the C
     * library's luaL_checkstack counts them.
     */
    LuaValue decode(int slots) {
      if (slots + 1 > STACK_SLOTS) {
        throw new LibraryError(STACK_OVERFLOW);
      }
      need(1);
      int type = u8(0);
      switch (type) {
        case 0xcc -> {
          need(2);
          return number(big(1, 1), 2);
        }
        case 0xd0 -> {
          need(2);
          return number((byte) u8(1), 2);
        }
        case 0xcd -> {
          need(3);
          return number(big(1, 2), 3);
        }
        case 0xd1 -> {
          need(3);
          return number((short) big(1, 2), 3);
        }
        case 0xce -> {
          need(5);
          return number(big(1, 4), 5);
        }
        case 0xd2 -> {
          need(5);
          return number((int) big(1, 4), 5);
        }
        case 0xcf -> {
          // Pushed as a signed integer, as the library does on 64-bit builds: 2^63 and above
          // come back negative.
          need(9);
          return number(big(1, 8), 9);
        }
        case 0xd3 -> {
          need(9);
          return number(big(1, 8), 9);
        }
        case 0xc0 -> {
          at++;
          return LuaValue.NIL;
        }
        case 0xc3 -> {
          at++;
          return LuaValue.TRUE;
        }
        case 0xc2 -> {
          at++;
          return LuaValue.FALSE;
        }
        case 0xca -> {
          need(5);
          float f = Float.intBitsToFloat((int) big(1, 4));
          at += 5;
          return LuaValue.valueOf((double) f);
        }
        case 0xcb -> {
          need(9);
          double d = Double.longBitsToDouble(big(1, 8));
          at += 9;
          return LuaValue.valueOf(d);
        }
        case 0xd9 -> {
          need(2);
          return string(2, u8(1));
        }
        case 0xda -> {
          need(3);
          return string(3, big(1, 2));
        }
        case 0xdb -> {
          need(5);
          return string(5, big(1, 4));
        }
        case 0xdc -> {
          need(3);
          long n = big(1, 2);
          at += 3;
          return array(n, slots);
        }
        case 0xdd -> {
          need(5);
          long n = big(1, 4);
          at += 5;
          return array(n, slots);
        }
        case 0xde -> {
          need(3);
          long n = big(1, 2);
          at += 3;
          return map(n, slots);
        }
        case 0xdf -> {
          need(5);
          long n = big(1, 4);
          at += 5;
          return map(n, slots);
        }
        default -> {
          if ((type & 0x80) == 0) {
            at++;
            return LuaValue.valueOf(type);
          } else if ((type & 0xe0) == 0xe0) {
            at++;
            return LuaValue.valueOf((byte) type);
          } else if ((type & 0xe0) == 0xa0) {
            return string(1, type & 0x1f);
          } else if ((type & 0xf0) == 0x90) {
            at++;
            return array(type & 0xf, slots);
          } else if ((type & 0xf0) == 0x80) {
            at++;
            return map(type & 0xf, slots);
          }
          throw new LibraryError("Bad data format in input.");
        }
      }
    }

    private LuaValue number(long v, int bytes) {
      at += bytes;
      return LuaValue.valueOf((double) v);
    }

    /** An array of {@code n}, built as it is read: the count alone may claim what is not there. */
    private LuaTable array(long n, int slots) {
      // The library checks for room for the table and an index here, with a message of its own.
      if (slots + 2 > STACK_SLOTS) {
        throw new LibraryError("stack overflow (in function mp_decode_to_lua_array)");
      }
      LuaTable t = new LuaTable();
      // The table and each element's index take a slot each while the element is read.
      for (long i = 1; i <= n; i++) {
        t.set((int) i, decode(slots + 2));
      }
      return t;
    }

    private LuaTable map(long n, int slots) {
      LuaTable t = new LuaTable();
      for (long i = 0; i < n; i++) {
        LuaValue k = decode(slots + 1);
        LuaValue v = decode(slots + 2);
        // Raised by Lua itself inside the library, so without a position.
        if (k.isnil()) {
          throw new LuaError(LuaValue.valueOf("table index is nil"));
        }
        if (k.type() == LuaValue.TNUMBER && Double.isNaN(k.todouble())) {
          throw new LuaError(LuaValue.valueOf("table index is NaN"));
        }
        t.set(k, v);
      }
      return t;
    }
  }
}
