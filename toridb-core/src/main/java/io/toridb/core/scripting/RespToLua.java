package io.toridb.core.scripting;

import io.netty.buffer.ByteBuf;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;

/**
 * A command's reply, as the server wrote it, turned into the Lua value a script receives (Redis's
 * redisProtocolToLuaType): integers as numbers, bulk strings as strings, a null bulk string or null
 * array as false, arrays as tables, a status as {@code {ok=...}}, an error as {@code {err=...}};
 * under RESP3 also maps ({@code {map={...}}}), sets ({@code {set={member=true}}}), null as nil,
 * booleans, doubles ({@code {double=n}}), big numbers and verbatim strings. Attributes are skipped.
 */
final class RespToLua {
  private final ByteBuf in;

  private RespToLua(ByteBuf in) {
    this.in = in;
  }

  /** The value of the one reply in {@code reply}. */
  static LuaValue parse(ByteBuf reply) {
    return new RespToLua(reply).value();
  }

  private LuaValue value() {
    byte type = in.readByte();
    switch (type) {
      case '+':
        {
          LuaTable t = new LuaTable();
          t.rawset("ok", line());
          return t;
        }
      case '-':
        {
          LuaTable t = LuaEngine.errorTable("-" + line().tojstring());
          t.rawset("ignore_error_stats_update", LuaValue.TRUE);
          return t;
        }
      case ':':
        return LuaValue.valueOf((double) number());
      case '$':
        {
          long n = number();
          if (n < 0) {
            return LuaValue.FALSE;
          }
          byte[] b = new byte[(int) n];
          in.readBytes(b);
          in.skipBytes(2);
          return LuaString.valueOf(b);
        }
      case '*':
        {
          long n = number();
          if (n < 0) {
            return LuaValue.FALSE;
          }
          return array((int) n);
        }
      case '>':
        return array((int) number());
      case '%':
        {
          long n = number();
          LuaTable map = new LuaTable();
          for (long i = 0; i < n; i++) {
            LuaValue k = value();
            LuaValue v = value();
            map.rawset(k, v);
          }
          LuaTable t = new LuaTable();
          t.rawset("map", map);
          return t;
        }
      case '~':
        {
          long n = number();
          LuaTable set = new LuaTable();
          for (long i = 0; i < n; i++) {
            set.rawset(value(), LuaValue.TRUE);
          }
          LuaTable t = new LuaTable();
          t.rawset("set", set);
          return t;
        }
      case '|':
        {
          long n = number();
          for (long i = 0; i < 2 * n; i++) {
            value();
          }
          return value();
        }
      case '_':
        in.skipBytes(2);
        return LuaValue.NIL;
      case '#':
        {
          boolean b = in.readByte() == 't';
          in.skipBytes(2);
          return LuaValue.valueOf(b);
        }
      case ',':
        {
          String text = line().tojstring();
          double d =
              switch (text) {
                case "inf" -> Double.POSITIVE_INFINITY;
                case "-inf" -> Double.NEGATIVE_INFINITY;
                case "nan", "-nan" -> Double.NaN;
                default -> Double.parseDouble(text);
              };
          LuaTable t = new LuaTable();
          t.rawset("double", LuaValue.valueOf(d));
          return t;
        }
      case '(':
        {
          LuaTable t = new LuaTable();
          t.rawset("big_number", line());
          return t;
        }
      case '=':
        {
          long n = number();
          byte[] b = new byte[(int) n];
          in.readBytes(b);
          in.skipBytes(2);
          LuaTable verbatim = new LuaTable();
          verbatim.rawset("format", LuaString.valueOf(b, 0, Math.min(3, b.length)));
          verbatim.rawset(
              "string", LuaString.valueOf(b, Math.min(4, b.length), Math.max(0, b.length - 4)));
          LuaTable t = new LuaTable();
          t.rawset("verbatim_string", verbatim);
          return t;
        }
      default:
        throw new IllegalStateException("unexpected reply type '" + (char) type + "'");
    }
  }

  private LuaTable array(int n) {
    LuaTable t = new LuaTable(n, 0);
    for (int i = 1; i <= n; i++) {
      t.rawset(i, value());
    }
    return t;
  }

  /** The rest of the line, without its CRLF. */
  private LuaString line() {
    int start = in.readerIndex();
    int end = in.indexOf(start, in.writerIndex(), (byte) '\r');
    byte[] b = new byte[end - start];
    in.readBytes(b);
    in.skipBytes(2);
    return LuaString.valueOf(b);
  }

  private long number() {
    long n = 0;
    boolean negative = false;
    byte c = in.readByte();
    if (c == '-') {
      negative = true;
      c = in.readByte();
    }
    while (c != '\r') {
      n = n * 10 + (c - '0');
      c = in.readByte();
    }
    in.skipBytes(1);
    return negative ? -n : n;
  }
}
