package io.toridb.core.scripting;

import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * The {@code bit} library Redis gives scripts (LuaBitOp): operations on 32-bit integers, whose
 * results are signed.
 */
final class LuaBit {
  private LuaBit() {}

  /** A number as LuaBitOp sees it: rounded to an integer, then its low 32 bits. */
  static int tobit(LuaValue v) {
    double d = v.checkdouble();
    return (int) (long) Math.rint(d);
  }

  static LuaTable library() {
    LuaTable bit = new LuaTable();
    bit.rawset("tobit", fn(a -> LuaValue.valueOf(tobit(a.arg1()))));
    bit.rawset("bnot", fn(a -> LuaValue.valueOf(~tobit(a.arg1()))));
    bit.rawset("band", fn(a -> fold(a, (x, y) -> x & y)));
    bit.rawset("bor", fn(a -> fold(a, (x, y) -> x | y)));
    bit.rawset("bxor", fn(a -> fold(a, (x, y) -> x ^ y)));
    bit.rawset("lshift", fn(a -> LuaValue.valueOf(tobit(a.arg1()) << (tobit(a.arg(2)) & 31))));
    bit.rawset("rshift", fn(a -> LuaValue.valueOf(tobit(a.arg1()) >>> (tobit(a.arg(2)) & 31))));
    bit.rawset("arshift", fn(a -> LuaValue.valueOf(tobit(a.arg1()) >> (tobit(a.arg(2)) & 31))));
    bit.rawset(
        "rol", fn(a -> LuaValue.valueOf(Integer.rotateLeft(tobit(a.arg1()), tobit(a.arg(2))))));
    bit.rawset(
        "ror", fn(a -> LuaValue.valueOf(Integer.rotateRight(tobit(a.arg1()), tobit(a.arg(2))))));
    bit.rawset("bswap", fn(a -> LuaValue.valueOf(Integer.reverseBytes(tobit(a.arg1())))));
    bit.rawset("tohex", fn(LuaBit::tohex));
    return bit;
  }

  private static LuaValue tohex(Varargs a) {
    int x = tobit(a.arg1());
    int n = a.narg() >= 2 && !a.arg(2).isnil() ? tobit(a.arg(2)) : 8;
    boolean upper = n < 0;
    n = Math.min(Math.abs(n), 8);
    StringBuilder s = new StringBuilder(n);
    for (int i = n - 1; i >= 0; i--) {
      int nibble = (x >>> (4 * i)) & 15;
      char c = Character.forDigit(nibble, 16);
      s.append(upper ? Character.toUpperCase(c) : c);
    }
    return LuaValue.valueOf(s.toString());
  }

  private interface IntOp {
    int apply(int x, int y);
  }

  private static LuaValue fold(Varargs a, IntOp op) {
    int r = tobit(a.arg1());
    for (int i = 2; i <= a.narg(); i++) {
      r = op.apply(r, tobit(a.arg(i)));
    }
    return LuaValue.valueOf(r);
  }

  /** A library function made of {@code body} (cmsgpack's use it too). */
  static VarArgFunction fn(java.util.function.Function<Varargs, Varargs> body) {
    return new VarArgFunction() {
      @Override
      public Varargs invoke(Varargs args) {
        return body.apply(args);
      }
    };
  }
}
