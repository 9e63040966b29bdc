package io.toridb.core.scripting;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaUserdata;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.OneArgFunction;

/**
 * The {@code cjson} library Redis gives scripts: {@code cjson.encode(value)} and {@code
 * cjson.decode(text)}, with {@code cjson.null} for JSON's null, as lua-cjson: a table whose keys
 * are 1..n is an array, any other an object (an empty table encodes as {@code {}}); numbers are
 * written as {@code %.14g}; strings are bytes, escaped as lua-cjson escapes them.
 */
final class LuaJson {
  /** JSON's null as decode returns it and encode accepts it. */
  static final LuaValue NULL = new LuaUserdata(new Object());

  /** cjson.encode_max_depth, cjson.decode_max_depth (lua-cjson's defaults: 1000). */
  private int encodeMaxDepth = 1000;

  private int decodeMaxDepth = 1000;

  /** cjson.encode_invalid_numbers: NaN and infinities written as nan/inf instead of refused. */
  private boolean encodeInvalidNumbers;

  LuaJson() {}

  /**
   * Puts the settings back to lua-cjson's defaults. Called before each script: each worker has its
   * own interpreter, so settings a script left behind would otherwise apply to the next scripts of
   * that worker only.
   */
  void reset() {
    encodeMaxDepth = 1000;
    decodeMaxDepth = 1000;
    encodeInvalidNumbers = false;
  }

  /** The library's table, over this instance's settings. */
  LuaTable table() {
    LuaTable cjson = new LuaTable();
    cjson.rawset(
        "encode",
        new OneArgFunction() {
          @Override
          public LuaValue call(LuaValue v) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            encode(v, out, 0);
            return LuaString.valueOf(out.toByteArray());
          }
        });
    cjson.rawset(
        "decode",
        new OneArgFunction() {
          @Override
          public LuaValue call(LuaValue v) {
            byte[] text = LuaEngine.bytes(v.checkstring());
            Decoder d = new Decoder(text, decodeMaxDepth);
            LuaValue result = d.value(0);
            d.skipSpace();
            if (d.pos < text.length) {
              throw d.error("the end");
            }
            return result;
          }
        });
    cjson.rawset("null", NULL);
    cjson.rawset(
        "encode_max_depth",
        setting(v -> encodeMaxDepth = v.checkint(), () -> LuaValue.valueOf(encodeMaxDepth)));
    cjson.rawset(
        "decode_max_depth",
        setting(v -> decodeMaxDepth = v.checkint(), () -> LuaValue.valueOf(decodeMaxDepth)));
    cjson.rawset(
        "encode_invalid_numbers",
        setting(
            v -> encodeInvalidNumbers = v.toboolean(),
            () -> LuaValue.valueOf(encodeInvalidNumbers)));
    // Accepted for scripts that set them; they change nothing here.
    for (String name :
        new String[] {
          "encode_keep_buffer",
          "encode_sparse_array",
          "encode_number_precision",
          "decode_invalid_numbers"
        }) {
      cjson.rawset(name, setting(v -> {}, () -> LuaValue.TRUE));
    }
    return cjson;
  }

  /** A lua-cjson setting function: with an argument sets it, and returns the value either way. */
  private static LuaValue setting(
      java.util.function.Consumer<LuaValue> set, java.util.function.Supplier<LuaValue> get) {
    return new org.luaj.vm2.lib.VarArgFunction() {
      @Override
      public Varargs invoke(Varargs args) {
        if (args.narg() > 0 && !args.arg1().isnil()) {
          set.accept(args.arg1());
        }
        return get.get();
      }
    };
  }

  private void encode(LuaValue v, ByteArrayOutputStream out, int depth) {
    if (depth >= encodeMaxDepth) {
      throw new LibraryError("Cannot serialise, excessive nesting (" + (depth + 1) + ")");
    }
    switch (v.type()) {
      case LuaValue.TNIL -> write(out, "null");
      case LuaValue.TBOOLEAN -> write(out, v.toboolean() ? "true" : "false");
      case LuaValue.TNUMBER -> write(out, number(v.todouble()));
      case LuaValue.TSTRING -> string(LuaEngine.bytes(v.checkstring()), out);
      case LuaValue.TTABLE -> table((LuaTable) v, out, depth);
      case LuaValue.TUSERDATA -> {
        if (v == NULL) {
          write(out, "null");
        } else {
          throw new LibraryError("Cannot serialise userdata: type not supported");
        }
      }
      default ->
          throw new LibraryError("Cannot serialise " + v.typename() + ": type not supported");
    }
  }

  private String number(double d) {
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      if (encodeInvalidNumbers) {
        return Double.isNaN(d) ? "nan" : d > 0 ? "inf" : "-inf";
      }
      throw new LibraryError("Cannot serialise number: must not be NaN or Inf");
    }
    if (d == Math.rint(d) && Math.abs(d) < 1e14) {
      return Long.toString((long) d);
    }
    String s = String.format(java.util.Locale.ROOT, "%.14g", d);
    // C's %g drops trailing zeros and writes the exponent with at least two digits.
    int e = s.indexOf('e');
    String mantissa = e < 0 ? s : s.substring(0, e);
    if (mantissa.indexOf('.') >= 0) {
      mantissa = mantissa.replaceAll("0+$", "").replaceAll("\\.$", "");
    }
    if (e < 0) {
      return mantissa;
    }
    return mantissa + s.substring(e);
  }

  private void table(LuaTable t, ByteArrayOutputStream out, int depth) {
    int n = 0;
    boolean array = true;
    int keys = 0;
    for (Varargs e = t.next(LuaValue.NIL); !e.arg1().isnil(); e = t.next(e.arg1())) {
      keys++;
      LuaValue k = e.arg1();
      if (k.type() == LuaValue.TNUMBER
          && k.todouble() == Math.rint(k.todouble())
          && k.todouble() >= 1) {
        n = (int) Math.max(n, k.todouble());
      } else {
        array = false;
      }
    }
    if (array && keys > 0) {
      if (n > keys * 2 && n > 10) {
        throw new LibraryError("Cannot serialise table: excessively sparse array");
      }
      out.write('[');
      for (int i = 1; i <= n; i++) {
        if (i > 1) {
          out.write(',');
        }
        encode(t.rawget(i), out, depth + 1);
      }
      out.write(']');
      return;
    }
    out.write('{');
    boolean first = true;
    for (Varargs e = t.next(LuaValue.NIL); !e.arg1().isnil(); e = t.next(e.arg1())) {
      LuaValue k = e.arg1();
      if (!first) {
        out.write(',');
      }
      first = false;
      if (k.type() == LuaValue.TSTRING) {
        string(LuaEngine.bytes(k.checkstring()), out);
      } else if (k.type() == LuaValue.TNUMBER) {
        string(number(k.todouble()).getBytes(StandardCharsets.US_ASCII), out);
      } else {
        throw new LibraryError(
            "Cannot serialise " + k.typename() + ": table key must be a number or string");
      }
      out.write(':');
      encode(e.arg(2), out, depth + 1);
    }
    out.write('}');
  }

  private static void string(byte[] b, ByteArrayOutputStream out) {
    out.write('"');
    for (byte c : b) {
      switch (c) {
        case '"' -> write(out, "\\\"");
        case '\\' -> write(out, "\\\\");
        case '/' -> write(out, "\\/");
        case '\b' -> write(out, "\\b");
        case '\f' -> write(out, "\\f");
        case '\n' -> write(out, "\\n");
        case '\r' -> write(out, "\\r");
        case '\t' -> write(out, "\\t");
        default -> {
          if ((c & 0xff) < 0x20 || c == 0x7f) {
            write(out, String.format("\\u%04x", c & 0xff));
          } else {
            out.write(c);
          }
        }
      }
    }
    out.write('"');
  }

  private static void write(ByteArrayOutputStream out, String s) {
    out.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
  }

  /** A JSON reader over bytes; errors name the character (from 1) as lua-cjson's do. */
  private static final class Decoder {
    private final byte[] in;
    private final int maxDepth;
    private int pos;

    Decoder(byte[] in, int maxDepth) {
      this.in = in;
      this.maxDepth = maxDepth;
    }

    LibraryError error(String expected) {
      return new LibraryError(
          "Expected " + expected + " but found " + token() + " at character " + (pos + 1));
    }

    /** What lua-cjson calls the token at {@code pos} in its parse errors. */
    private String token() {
      if (pos >= in.length) {
        return "T_END";
      }
      return switch (in[pos]) {
        case '{' -> "T_OBJ_BEGIN";
        case '}' -> "T_OBJ_END";
        case '[' -> "T_ARR_BEGIN";
        case ']' -> "T_ARR_END";
        case ',' -> "T_COMMA";
        case ':' -> "T_COLON";
        case '"' -> "T_STRING";
        case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9' -> "T_NUMBER";
        default -> {
          if (startsWith("true") || startsWith("false")) {
            yield "T_BOOLEAN";
          }
          yield startsWith("null") ? "T_NULL" : "invalid token";
        }
      };
    }

    private boolean startsWith(String word) {
      if (pos + word.length() > in.length) {
        return false;
      }
      for (int i = 0; i < word.length(); i++) {
        if (in[pos + i] != word.charAt(i)) {
          return false;
        }
      }
      return true;
    }

    void skipSpace() {
      while (pos < in.length
          && (in[pos] == ' ' || in[pos] == '\t' || in[pos] == '\n' || in[pos] == '\r')) {
        pos++;
      }
    }

    LuaValue value(int depth) {
      skipSpace();
      if (pos >= in.length) {
        throw error("value");
      }
      byte c = in[pos];
      if ((c == '{' || c == '[') && depth >= maxDepth) {
        throw new LibraryError(
            "Found too many nested data structures ("
                + (depth + 1)
                + ") at character "
                + (pos + 1));
      }
      if (c == '{') {
        pos++;
        LuaTable t = new LuaTable();
        skipSpace();
        if (pos < in.length && in[pos] == '}') {
          pos++;
          return t;
        }
        while (true) {
          skipSpace();
          if (pos >= in.length || in[pos] != '"') {
            throw error("object key string");
          }
          LuaValue key = string();
          skipSpace();
          if (pos >= in.length || in[pos] != ':') {
            throw error("colon");
          }
          pos++;
          t.rawset(key, value(depth + 1));
          skipSpace();
          if (pos < in.length && in[pos] == ',') {
            pos++;
            continue;
          }
          if (pos < in.length && in[pos] == '}') {
            pos++;
            return t;
          }
          throw error("comma or object end");
        }
      }
      if (c == '[') {
        pos++;
        LuaTable t = new LuaTable();
        skipSpace();
        if (pos < in.length && in[pos] == ']') {
          pos++;
          return t;
        }
        int i = 1;
        while (true) {
          t.rawset(i++, value(depth + 1));
          skipSpace();
          if (pos < in.length && in[pos] == ',') {
            pos++;
            continue;
          }
          if (pos < in.length && in[pos] == ']') {
            pos++;
            return t;
          }
          throw error("comma or array end");
        }
      }
      if (c == '"') {
        return string();
      }
      if (literal("true")) {
        return LuaValue.TRUE;
      }
      if (literal("false")) {
        return LuaValue.FALSE;
      }
      if (literal("null")) {
        return NULL;
      }
      int start = pos;
      while (pos < in.length && "+-0123456789.eE".indexOf(in[pos]) >= 0) {
        pos++;
      }
      if (pos == start) {
        throw error("value");
      }
      try {
        return LuaValue.valueOf(
            Double.parseDouble(new String(in, start, pos - start, StandardCharsets.US_ASCII)));
      } catch (NumberFormatException e) {
        pos = start;
        throw error("value");
      }
    }

    private boolean literal(String word) {
      int n = word.length();
      if (pos + n > in.length) {
        return false;
      }
      for (int i = 0; i < n; i++) {
        if (in[pos + i] != word.charAt(i)) {
          return false;
        }
      }
      pos += n;
      return true;
    }

    private LuaValue string() {
      pos++;
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      while (true) {
        if (pos >= in.length) {
          throw error("string end");
        }
        byte c = in[pos++];
        if (c == '"') {
          return LuaString.valueOf(out.toByteArray());
        }
        if (c != '\\') {
          out.write(c);
          continue;
        }
        if (pos >= in.length) {
          throw error("escape");
        }
        byte e = in[pos++];
        switch (e) {
          case '"', '\\', '/' -> out.write(e);
          case 'b' -> out.write('\b');
          case 'f' -> out.write('\f');
          case 'n' -> out.write('\n');
          case 'r' -> out.write('\r');
          case 't' -> out.write('\t');
          case 'u' -> {
            if (pos + 4 > in.length) {
              throw error("unicode escape");
            }
            int code;
            try {
              code = Integer.parseInt(new String(in, pos, 4, StandardCharsets.US_ASCII), 16);
            } catch (NumberFormatException x) {
              throw error("unicode escape");
            }
            pos += 4;
            if (code >= 0xd800
                && code <= 0xdbff
                && pos + 6 <= in.length
                && in[pos] == '\\'
                && in[pos + 1] == 'u') {
              int low = Integer.parseInt(new String(in, pos + 2, 4, StandardCharsets.US_ASCII), 16);
              pos += 6;
              code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
            }
            out.writeBytes(new String(Character.toChars(code)).getBytes(StandardCharsets.UTF_8));
          }
          default -> throw error("escape");
        }
      }
    }
  }
}
