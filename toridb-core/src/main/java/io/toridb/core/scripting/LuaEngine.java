package io.toridb.core.scripting;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.toridb.core.command.CommandContext;
import io.toridb.core.command.CommandFlag;
import io.toridb.core.command.CommandSpec;
import io.toridb.core.command.Errors;
import io.toridb.core.config.Directive;
import io.toridb.protocol.RespWriter;
import org.luaj.vm2.LoadState;
import org.luaj.vm2.LuaClosure;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.compiler.LuaC;
import org.luaj.vm2.lib.DebugLib;
import org.luaj.vm2.lib.PackageLib;
import org.luaj.vm2.lib.StringLib;
import org.luaj.vm2.lib.TableLib;
import org.luaj.vm2.lib.TwoArgFunction;
import org.luaj.vm2.lib.VarArgFunction;
import org.luaj.vm2.lib.ZeroArgFunction;
import org.luaj.vm2.lib.jse.JseBaseLib;
import org.luaj.vm2.lib.jse.JseMathLib;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One worker's Lua interpreter (Redis's lua_State), and what a script sees of the server: the
 * {@code redis} table ({@code call}, {@code pcall}, {@code error_reply}, ...), KEYS and ARGV, and
 * the libraries Redis gives scripts (string, table, math, bit, cjson, cmsgpack), in a global table
 * scripts may read but not change.
 *
 * <p>Implementation notes: the interpreter is LuaJ (Lua 5.2, where Redis embeds Lua 5.1), so the
 * few Lua 5.1 globals scripts use ({@code unpack}, {@code loadstring}) are added under their old
 * names. Files, the OS, {@code print}, {@code require}, the debug library and coroutines (a LuaJ
 * coroutine is a Java thread) are not reachable. A count hook every {@value #HOOK_INSTRUCTIONS}
 * instructions notices a script that runs longer than {@code busy-reply-threshold} and stops one
 * that SCRIPT KILL asked to stop. Only the worker that owns the engine uses it.
 */
final class LuaEngine {
  private static final Logger log = LoggerFactory.getLogger(LuaEngine.class);
  private static final int HOOK_INSTRUCTIONS = 100_000;

  /** The longest string string.rep makes: Redis's largest bulk string (proto-max-bulk-len). */
  private static final long MAX_STRING_BYTES = 512L << 20;

  /** How deep a reply nests before it is cut short (Redis is bounded by the Lua stack). */
  private static final int MAX_REPLY_DEPTH = 1000;

  private static final LuaString ERR = LuaString.valueOf("err");
  private static final LuaString OK = LuaString.valueOf("ok");
  private static final LuaString IGNORE_STATS = LuaString.valueOf("ignore_error_stats_update");

  /** The hook's events: calls and returns (for the depth), lines, and the instruction count. */
  private static final LuaString LINE_HOOK = LuaString.valueOf("crl");

  /**
   * How deep Lua calls may nest. The interpreter recurses on the Java stack, which a script must
   * not exhaust: a StackOverflowError could strike inside a command a script calls, half way
   * through changing a key. About a fifth of what the worker's stack holds, measured with a command
   * called at every level.
   */
  private static final int MAX_CALL_DEPTH = 500;

  private final CommandContext ctx;
  private final ScriptCache cache;
  private final Directive busyThreshold;
  private final SealedTables.SealedGlobals globals;

  /** How deep the running script's calls nest now (the hook follows calls and returns). */
  private int depth;

  /**
   * The line the running script or function reached last (the hook follows lines), kept for each of
   * the two interpreter threads (scripts, functions): each reports a line only when it differs from
   * the last one it reported.
   */
  private int line;

  private int scriptLine;
  private int functionLine;
  private boolean inFunction;

  private final LuaValue evalSetHook;

  /** The sethook of the globals the running script or function runs in. */
  private LuaValue setHook;

  private final LuaValue hook;
  private final ByteBuf scratch = Unpooled.buffer(256);
  private final LuaJson json = new LuaJson();
  private ScriptRun run;

  private LuaEngine(CommandContext ctx) {
    this.ctx = ctx;
    this.cache = ctx.server().scripts();
    this.busyThreshold = ctx.server().config().require("busy-reply-threshold");
    this.hook = new Hook();
    LuaTable redis = redisLibrary();
    this.globals = newGlobals(redis);
    this.evalSetHook = newSetHook;
    // String methods ("x"):upper() go through the string metatable, which the interpreter keeps
    // in one static field: sealed too, so that no script can change strings for the others.
    SealedTables.SealedGlobals stringMeta = new SealedTables.SealedGlobals();
    stringMeta.rawset(LuaValue.INDEX, globals.rawget("string"));
    stringMeta.seal();
    LuaString.s_metatable = stringMeta;
  }

  /** A sealed global table with the libraries scripts get, {@code redis} among them. */
  private SealedTables.SealedGlobals newGlobals(LuaTable redis) {
    SealedTables.SealedGlobals g = new SealedTables.SealedGlobals();
    g.load(new JseBaseLib());
    g.load(new PackageLib());
    g.load(new TableLib());
    g.load(new StringLib());
    g.load(new JseMathLib());
    g.load(new DebugLib());
    LoadState.install(g);
    LuaC.install(g);
    newSetHook = g.get("debug").get("sethook");
    for (String hidden :
        new String[] {"debug", "dofile", "loadfile", "print", "require", "module", "package"}) {
      g.rawset(hidden, LuaValue.NIL);
    }
    g.rawset("unpack", g.get("table").get("unpack"));
    LuaValue tostring = g.get("tostring");
    g.rawset(
        "tostring",
        new VarArgFunction() {
          @Override
          public Varargs invoke(Varargs args) {
            // Lua 5.1 writes numbers with %.14g (0.0003, 1e+20, 0.3 for 0.1+0.2); the
            // interpreter's own form differs (3.0E-4, 1.0E20, 0.30000000000000004).
            if (args.narg() >= 1 && args.arg1().type() == LuaValue.TNUMBER) {
              return LuaValue.valueOf(NumberText.format(args.arg1().todouble(), 14));
            }
            return tostring.invoke(args);
          }
        });
    g.rawset("collectgarbage", new CollectGarbage());
    g.rawset("pcall", new Pcall());
    LuaValue xpcall = g.get("xpcall");
    g.rawset(
        "xpcall",
        new VarArgFunction() {
          @Override
          public Varargs invoke(Varargs args) {
            int savedDepth = depth;
            Varargs result = xpcall.invoke(args);
            depth = savedDepth;
            if (run != null && run.killed()) {
              throw new LuaError(errorTable(KILLED));
            }
            return result;
          }
        });
    g.rawset("bit", LuaBit.library());
    g.rawset("cjson", json.table());
    g.rawset("cmsgpack", LuaMsgPack.library());
    g.rawset("redis", redis);
    LuaValue load = g.get("load");
    LuaValue loadText =
        new VarArgFunction() {
          @Override
          public Varargs invoke(Varargs args) {
            // Text only (no precompiled chunks), run in the scripts' globals.
            LuaValue chunk = args.arg1();
            LuaValue name = args.arg(2).isnil() ? chunk : args.arg(2);
            return load.invoke(LuaValue.varargsOf(new LuaValue[] {chunk, name, T, g}));
          }
        };
    g.rawset("load", loadText);
    g.rawset("loadstring", loadText);
    LuaTable string = (LuaTable) g.rawget("string");
    LuaValue rep = string.rawget("rep");
    string.rawset(
        "rep",
        new VarArgFunction() {
          @Override
          public Varargs invoke(Varargs args) {
            // One call must not ask for more memory than the heap has: that would stop the
            // server, not the script.
            long length = (long) args.checkstring(1).length() * Math.max(0, args.checkint(2));
            if (length > MAX_STRING_BYTES) {
              throw new LuaError("resulting string too large");
            }
            return rep.invoke(args);
          }
        });
    for (String lib :
        new String[] {"string", "table", "math", "bit", "cjson", "cmsgpack", "redis"}) {
      g.rawset(lib, SealedTables.copyOf((LuaTable) g.rawget(lib)));
    }
    g.setmetatable(NONEXISTENT_GLOBAL);
    g.seal();
    return g;
  }

  /** The metatable of a table whose missing entries are an error, as undefined globals are. */
  private static final LuaValue NONEXISTENT_GLOBAL = nonexistentGlobal();

  private static LuaValue nonexistentGlobal() {
    SealedTables.SealedGlobals meta = new SealedTables.SealedGlobals();
    meta.rawset(
        LuaValue.INDEX,
        new TwoArgFunction() {
          @Override
          public LuaValue call(LuaValue table, LuaValue key) {
            throw new LuaError(
                "Script attempted to access nonexistent global variable '" + key.tojstring() + "'");
          }
        });
    meta.seal();
    return meta;
  }

  /**
   * The debug library's sethook of the globals {@link #newGlobals} made last, kept from scripts.
   */
  private LuaValue newSetHook;

  private static final LuaString T = LuaString.valueOf("t");

  /** The engine of the worker that {@code ctx} belongs to, made on first use. */
  static LuaEngine of(CommandContext ctx) {
    Object engine = ctx.scriptEngine();
    if (engine == null) {
      engine = new LuaEngine(ctx);
      ctx.scriptEngine(engine);
    }
    return (LuaEngine) engine;
  }

  /**
   * Runs {@code script} with KEYS and ARGV set and writes its result, converted to a reply (or the
   * error it raised), to the client. Its writes are propagated as one unit; a SELECT inside it
   * changes only its own database.
   */
  void run(Script script, byte[][] keys, byte[][] args, boolean readOnly) {
    ScriptRun r = new ScriptRun(script.sha(), false, readOnly, busyThreshold.number());
    r.keys(keys, (script.flags() & Script.ALLOW_CROSS_SLOT) != 0);
    globals.put("KEYS", array(keys));
    globals.put("ARGV", array(args));
    try {
      runAs(r, new LuaClosure(script.code(), globals), LuaValue.NONE, evalSetHook);
    } finally {
      globals.put("KEYS", LuaValue.NIL);
      globals.put("ARGV", LuaValue.NIL);
    }
  }

  /**
   * Runs the function {@code f} (FCALL) with its keys and arguments as its two parameters, as
   * {@link #run} runs a script.
   */
  void call(FunctionLibraries.Function f, byte[][] keys, byte[][] args, boolean readOnly) {
    LuaValue callback = instance(f.library()).get(f.name().toLowerCase(java.util.Locale.ROOT));
    ScriptRun r = new ScriptRun(f.name(), true, readOnly, busyThreshold.number());
    r.keys(keys, (f.flags() & Script.ALLOW_CROSS_SLOT) != 0);
    runAs(r, callback, LuaValue.varargsOf(array(keys), array(args)), functionSetHook);
  }

  private void runAs(ScriptRun r, LuaValue function, Varargs args, LuaValue hookSetter) {
    int db = ctx.session().db();
    r.command = ctx.argv();
    inFunction = r.function;
    line = inFunction ? functionLine : scriptLine;
    setHook = hookSetter;
    run = r;
    cache.running(r);
    // The line is not reset: the interpreter reports a line only when it differs from the last
    // one it reported, which may be from the previous script, so the last line seen is still right.
    depth = 0;
    json.reset();
    setHook.call(hook, LINE_HOOK, LuaValue.valueOf(HOOK_INSTRUCTIONS));
    try {
      ctx.runAsUnit(() -> invoke(function, args, r));
    } finally {
      setHook.call();
      if (inFunction) {
        functionLine = line;
      } else {
        scriptLine = line;
      }
      run = null;
      cache.running(null);
      ctx.session().db(db);
      if (scratch.capacity() > 64 << 10) {
        scratch.capacity(256);
      }
      if (r.timedOut()) {
        log.warn(
            "Slow script detected: it ran for {} milliseconds. Script name is: {}.",
            r.elapsedMillis(),
            r.name);
      }
    }
  }

  private void invoke(LuaValue function, Varargs args, ScriptRun r) {
    LuaValue result;
    try {
      result = function.invoke(args).arg1();
    } catch (LuaError e) {
      String text = errorText(e, r, line);
      LuaValue object = e.getMessageObject();
      if (object != null && object.istable() && object.rawget(IGNORE_STATS).toboolean()) {
        // A failed redis.call: counted once already, as the command it ran (Redis's
        // ignore_error_stats_update).
        ctx.out().error(text);
      } else {
        ctx.error(text);
      }
      return;
    } catch (StackOverflowError e) {
      ctx.error(
          "ERR Error running script "
              + r.name
              + ", stack overflow (the script recursed too deeply)");
      return;
    }
    reply(result, r.resp, 0);
  }

  /**
   * The reply for an error a script raised, as Redis's luaCallFunction writes it: the error's own
   * code and text for an error table ({@code redis.error_reply}, a failed {@code redis.call}), else
   * ERR and the Lua message; then where it happened.
   */
  static String errorText(LuaError e, ScriptRun r, int lastLine) {
    String message = errorMessage(e, r.function, lastLine);
    String at = LuaErrors.line(e.getMessage());
    if (at == null && lastLine > 0) {
      // Raised by a function the script tail-called: its position is the line it ran last.
      at = Integer.toString(lastLine);
    }
    if (at != null) {
      message +=
          " script: "
              + r.name
              + ", on @"
              + (r.function ? "user_function" : "user_script")
              + ":"
              + at
              + ".";
    }
    return message;
  }

  /**
   * The error's message object, with the position of the calling line added to a library error that
   * a tail call left without one ({@link LibraryError}).
   */
  private static LuaValue messageOf(LuaError e, boolean function, int lastLine) {
    if (e instanceof LibraryError le && !le.placed() && lastLine > 0) {
      return LuaValue.valueOf(
          (function ? "user_function:" : "user_script:") + lastLine + ": " + le.getMessage());
    }
    return e.getMessageObject();
  }

  // ---------------------------------------------------------------------------------------------
  // Lua values to replies (luaReplyToRedisReply)

  /**
   * Writes {@code v} as a reply: strings as bulk strings, numbers as integers (truncated), true as
   * 1 and false as null under RESP2 ({@code resp}, the script's protocol), tables by their shape.
   */
  private void reply(LuaValue v, int resp, int depth) {
    RespWriter out = ctx.out();
    if (depth > MAX_REPLY_DEPTH) {
      ctx.error("ERR reached lua stack limit");
      return;
    }
    switch (v.type()) {
      case LuaValue.TSTRING -> out.bulk(bytes(v.checkstring()));
      case LuaValue.TBOOLEAN -> {
        if (resp == 2) {
          if (v.toboolean()) {
            out.integer(1);
          } else {
            out.nullBulk();
          }
        } else {
          out.bool(v.toboolean());
        }
      }
      case LuaValue.TNUMBER -> out.integer(toLong(v.todouble()));
      case LuaValue.TTABLE -> replyTable(out, (LuaTable) v, resp, depth);
      default -> out.nullBulk();
    }
  }

  private void replyTable(RespWriter out, LuaTable t, int resp, int depth) {
    LuaValue err = t.rawget(ERR);
    if (err.isstring()) {
      if (t.rawget(IGNORE_STATS).toboolean()) {
        out.error(err.tojstring());
      } else {
        // redis.error_reply, or an error table of the script's own: counted as Redis counts it.
        ctx.error(err.tojstring());
      }
      return;
    }
    LuaValue ok = t.rawget(OK);
    if (ok.isstring()) {
      out.simple(ok.tojstring().replace('\r', ' ').replace('\n', ' '));
      return;
    }
    LuaValue dbl = t.rawget("double");
    if (dbl.type() == LuaValue.TNUMBER) {
      out.doubleValue(dbl.todouble());
      return;
    }
    LuaValue big = t.rawget("big_number");
    if (big.isstring()) {
      out.bigNumber(big.tojstring().replace('\r', ' ').replace('\n', ' '));
      return;
    }
    LuaValue verbatim = t.rawget("verbatim_string");
    if (verbatim.istable()) {
      LuaValue format = verbatim.rawget("format");
      LuaValue text = verbatim.rawget("string");
      if (format.isstring() && text.isstring()) {
        out.verbatim(format.tojstring(), bytes(text.checkstring()));
        return;
      }
    }
    LuaValue map = t.rawget("map");
    if (map.istable()) {
      LuaTable m = (LuaTable) map;
      out.mapHeader(count(m));
      for (Varargs e = m.next(LuaValue.NIL); !e.arg1().isnil(); e = m.next(e.arg1())) {
        reply(e.arg1(), resp, depth + 1);
        reply(e.arg(2), resp, depth + 1);
      }
      return;
    }
    LuaValue set = t.rawget("set");
    if (set.istable()) {
      LuaTable s = (LuaTable) set;
      out.setHeader(count(s));
      for (Varargs e = s.next(LuaValue.NIL); !e.arg1().isnil(); e = s.next(e.arg1())) {
        reply(e.arg1(), resp, depth + 1);
      }
      return;
    }
    int n = 0;
    while (!t.rawget(n + 1).isnil()) {
      n++;
    }
    out.arrayHeader(n);
    for (int i = 1; i <= n; i++) {
      reply(t.rawget(i), resp, depth + 1);
    }
  }

  private static int count(LuaTable t) {
    int n = 0;
    for (Varargs e = t.next(LuaValue.NIL); !e.arg1().isnil(); e = t.next(e.arg1())) {
      n++;
    }
    return n;
  }

  /** C's conversion of a double to long long, as Redis's (long long)lua_tonumber. */
  private static long toLong(double d) {
    return Double.isNaN(d) ? Long.MIN_VALUE : (long) d;
  }

  static byte[] bytes(LuaString s) {
    byte[] b = new byte[s.m_length];
    System.arraycopy(s.m_bytes, s.m_offset, b, 0, s.m_length);
    return b;
  }

  private static LuaTable array(byte[][] items) {
    LuaTable t = new LuaTable(items.length, 0);
    for (int i = 0; i < items.length; i++) {
      t.rawset(i + 1, LuaString.valueOf(items[i]));
    }
    return t;
  }

  // ---------------------------------------------------------------------------------------------
  // Functions (Redis's function_lua.c)

  /**
   * The global table functions see. It is empty: names resolve through its metatable's {@code
   * __index}, which is {@link #libraryGlobals} while FUNCTION LOAD runs a library's code (only
   * {@code redis}, with register_function and log), and {@link #callGlobals} (every library, and
   * the whole {@code redis} API) otherwise, as in Redis's function engine.
   */
  private SealedTables.SealedGlobals functionGlobals;

  private SealedTables.SealedGlobals functionMeta;
  private SealedTables.SealedGlobals libraryGlobals;
  private SealedTables.SealedGlobals callGlobals;
  private LuaValue functionSetHook;

  /** While a library's code runs: the functions it registered so far; null otherwise. */
  private java.util.Map<String, Registered> registering;

  private long loadDeadlineNanos;

  /** This interpreter's closures of each library's functions, by lower-case function name. */
  private final java.util.Map<FunctionLibraries.Library, java.util.Map<String, LuaValue>>
      instances = new java.util.IdentityHashMap<>();

  private record Registered(String name, String description, int flags, LuaValue callback) {}

  private SealedTables.SealedGlobals functionGlobals() {
    if (functionGlobals == null) {
      callGlobals = newGlobals(redisLibrary());
      functionSetHook = newSetHook;
      SealedTables.SealedGlobals loadRedis = new SealedTables.SealedGlobals();
      loadRedis.rawset("register_function", new RegisterFunction());
      LuaTable full = (LuaTable) callGlobals.rawget("redis");
      for (String name :
          new String[] {
            "log",
            "LOG_DEBUG",
            "LOG_VERBOSE",
            "LOG_NOTICE",
            "LOG_WARNING",
            "REDIS_VERSION",
            "REDIS_VERSION_NUM"
          }) {
        loadRedis.rawset(name, full.rawget(name));
      }
      loadRedis.setmetatable(NONEXISTENT_GLOBAL);
      loadRedis.seal();
      libraryGlobals = new SealedTables.SealedGlobals();
      libraryGlobals.rawset("redis", loadRedis);
      libraryGlobals.setmetatable(NONEXISTENT_GLOBAL);
      libraryGlobals.seal();
      functionMeta = new SealedTables.SealedGlobals();
      functionMeta.rawset(LuaValue.INDEX, callGlobals);
      functionMeta.seal();
      SealedTables.SealedGlobals g = new SealedTables.SealedGlobals();
      // The hooks and the interpreter's state are those of the globals the libraries come from.
      g.debuglib = callGlobals.debuglib;
      g.running = callGlobals.running;
      g.setmetatable(functionMeta);
      g.seal();
      callGlobals.put("_G", g);
      functionGlobals = g;
    }
    return functionGlobals;
  }

  /**
   * FUNCTION LOAD's compile and run: compiles {@code code} from {@code bodyStart} (the line feed
   * ending the metadata line, so that line numbers stay right) and runs it with the library API,
   * for at most {@code timeoutMillis} (0: no limit). Returns the library, whose functions this
   * interpreter then has as closures.
   *
   * @throws io.toridb.core.command.CommandException with Redis's error text
   */
  FunctionLibraries.Library loadLibrary(
      String name, byte[] code, int bodyStart, long timeoutMillis) {
    org.luaj.vm2.Prototype body;
    try {
      body =
          LuaC.instance.compile(
              new java.io.ByteArrayInputStream(code, bodyStart, code.length - bodyStart),
              "@user_function");
    } catch (LuaError e) {
      throw new io.toridb.core.command.CommandException(
          "ERR Error compiling function: " + LuaErrors.plain(e.getMessage()));
    } catch (java.io.IOException | RuntimeException e) {
      throw new io.toridb.core.command.CommandException(
          "ERR Error compiling function: " + e.getMessage());
    }
    java.util.Map<String, Registered> registered = register(body, timeoutMillis);
    if (registered.isEmpty()) {
      throw new io.toridb.core.command.CommandException("ERR No functions registered");
    }
    java.util.Map<String, FunctionLibraries.Function> functions = new java.util.LinkedHashMap<>();
    FunctionLibraries.Library library = new FunctionLibraries.Library(name, code, body, functions);
    java.util.Map<String, LuaValue> closures = new java.util.HashMap<>();
    registered.forEach(
        (key, f) -> {
          functions.put(
              key, new FunctionLibraries.Function(f.name(), f.description(), f.flags(), library));
          closures.put(key, f.callback());
        });
    instances.put(library, closures);
    return library;
  }

  /** This interpreter's closures of {@code library}'s functions, made by running its code. */
  private java.util.Map<String, LuaValue> instance(FunctionLibraries.Library library) {
    java.util.Map<String, LuaValue> closures = instances.get(library);
    if (closures != null) {
      return closures;
    }
    if (instances.size() > 2 * ctx.server().functions().libraryCount() + 16) {
      // Libraries replaced or deleted since: forget them.
      instances.keySet().removeIf(l -> ctx.server().functions().library(l.name()) != l);
    }
    closures = new java.util.HashMap<>();
    java.util.Map<String, Registered> registered;
    try {
      registered = register(library.body(), 0);
    } catch (io.toridb.core.command.CommandException e) {
      throw new io.toridb.core.command.CommandException(
          "ERR Error loading library '" + library.name() + "': " + e.getMessage());
    }
    for (var e : registered.entrySet()) {
      closures.put(e.getKey(), e.getValue().callback());
    }
    instances.put(library, closures);
    return closures;
  }

  /** Runs a library's code with the library API, collecting what it registers. */
  private java.util.Map<String, Registered> register(
      org.luaj.vm2.Prototype body, long timeoutMillis) {
    SealedTables.SealedGlobals g = functionGlobals();
    java.util.Map<String, Registered> registered = new java.util.LinkedHashMap<>();
    registering = registered;
    loadDeadlineNanos =
        timeoutMillis > 0 ? System.nanoTime() + timeoutMillis * 1_000_000 : Long.MAX_VALUE;
    functionMeta.put(LuaValue.INDEX.tojstring(), libraryGlobals);
    functionSetHook.call(new LoadHook(), LuaValue.valueOf(""), LuaValue.valueOf(HOOK_INSTRUCTIONS));
    try {
      new LuaClosure(body, g).call();
    } catch (LuaError e) {
      throw new io.toridb.core.command.CommandException(
          "ERR Error registering functions: " + errorMessage(e, true, 0));
    } catch (StackOverflowError e) {
      throw new io.toridb.core.command.CommandException(
          "ERR Error registering functions: stack overflow");
    } finally {
      functionSetHook.call();
      functionMeta.put(LuaValue.INDEX.tojstring(), callGlobals);
      registering = null;
    }
    return registered;
  }

  /**
   * The message of an error a script, a function or a library's code raised, as Redis's
   * luaExtractErrorInformation: an error table's own code and text, else ERR and the Lua message.
   */
  private static String errorMessage(LuaError e, boolean function, int lastLine) {
    LuaValue object = messageOf(e, function, lastLine);
    if (object != null && object.istable() && object.rawget(ERR).isstring()) {
      return object.rawget(ERR).tojstring();
    }
    String text = object == null || object.isnil() ? e.getMessage() : object.tojstring();
    return "ERR " + LuaErrors.plain(LuaErrors.withoutTraceback(text));
  }

  /** Stops a library's code that runs past FUNCTION LOAD's time limit. */
  private final class LoadHook extends VarArgFunction {
    @Override
    public Varargs invoke(Varargs args) {
      if (System.nanoTime() > loadDeadlineNanos) {
        throw new LuaError(errorTable("FUNCTION LOAD timeout"));
      }
      return LuaValue.NONE;
    }
  }

  /**
   * redis.register_function(name, callback) or redis.register_function{function_name=...,
   * callback=..., flags={...}, description=...}, as Redis's luaRegisterFunction.
   */
  private final class RegisterFunction extends VarArgFunction {
    @Override
    public Varargs invoke(Varargs args) {
      java.util.Map<String, Registered> into = registering;
      if (into == null) {
        throw new LuaError(
            errorTable("redis.register_function can only be called on FUNCTION LOAD command"));
      }
      int argc = args.narg();
      if (argc < 1 || argc > 2) {
        throw new LuaError(errorTable("wrong number of arguments to redis.register_function"));
      }
      String name = null;
      String description = null;
      int flags = 0;
      LuaValue callback = null;
      if (argc == 1) {
        if (!args.arg1().istable()) {
          throw new LuaError(
              errorTable(
                  "calling redis.register_function with a single argument is only applicable to"
                      + " Lua table (representing named arguments)."));
        }
        LuaTable t = (LuaTable) args.arg1();
        for (Varargs e = t.next(LuaValue.NIL); !e.arg1().isnil(); e = t.next(e.arg1())) {
          if (!e.arg1().isstring()) {
            throw new LuaError(
                errorTable("named argument key given to redis.register_function is not a string"));
          }
          String key = e.arg1().tojstring();
          LuaValue value = e.arg(2);
          if (key.equalsIgnoreCase("function_name")) {
            if (!value.isstring()) {
              throw new LuaError(
                  errorTable(
                      "function_name argument given to redis.register_function must be a string"));
            }
            name = value.tojstring();
          } else if (key.equalsIgnoreCase("description")) {
            if (!value.isstring()) {
              throw new LuaError(
                  errorTable(
                      "description argument given to redis.register_function must be a string"));
            }
            description = value.tojstring();
          } else if (key.equalsIgnoreCase("callback")) {
            if (!value.isfunction()) {
              throw new LuaError(
                  errorTable(
                      "callback argument given to redis.register_function must be a function"));
            }
            callback = value;
          } else if (key.equalsIgnoreCase("flags")) {
            if (!value.istable()) {
              throw new LuaError(
                  errorTable(
                      "flags argument to redis.register_function must be a table representing"
                          + " function flags"));
            }
            flags = functionFlags((LuaTable) value);
          } else {
            throw new LuaError(errorTable("unknown argument given to redis.register_function"));
          }
        }
        if (name == null) {
          throw new LuaError(
              errorTable("redis.register_function must get a function name argument"));
        }
        if (callback == null) {
          throw new LuaError(errorTable("redis.register_function must get a callback argument"));
        }
      } else {
        if (!args.arg1().isstring()) {
          throw new LuaError(
              errorTable("first argument to redis.register_function must be a string"));
        }
        if (!args.arg(2).isfunction()) {
          throw new LuaError(
              errorTable("second argument to redis.register_function must be a function"));
        }
        name = args.arg1().tojstring();
        callback = args.arg(2);
      }
      if (!FunctionCommands.validName(name)) {
        throw new LuaError(errorTable(FunctionCommands.BAD_NAME));
      }
      String key = name.toLowerCase(java.util.Locale.ROOT);
      if (into.containsKey(key)) {
        throw new LuaError(errorTable("Function already exists in the library"));
      }
      into.put(key, new Registered(name, description, flags, callback));
      return LuaValue.NONE;
    }
  }

  /**
   * The flags of a register_function flags table, as script flags ({@link Script#NO_WRITES}...).
   */
  private static int functionFlags(LuaTable t) {
    int flags = 0;
    for (int i = 1; ; i++) {
      LuaValue v = t.get(i);
      if (v.isnil()) {
        return flags;
      }
      if (!v.isstring()) {
        throw new LuaError(errorTable("unknown flag given"));
      }
      int flag = Script.flagNamed(v.tojstring().toLowerCase(java.util.Locale.ROOT));
      if (flag == 0) {
        throw new LuaError(errorTable("unknown flag given"));
      }
      flags |= flag;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The redis table

  private LuaTable redisLibrary() {
    LuaTable redis = new LuaTable();
    redis.rawset("call", new Call(true));
    redis.rawset("pcall", new Call(false));
    redis.rawset("sha1hex", new Sha1Hex());
    redis.rawset("error_reply", new ErrorReply());
    redis.rawset("status_reply", new StatusReply());
    redis.rawset("log", new Log());
    redis.rawset("LOG_DEBUG", 0);
    redis.rawset("LOG_VERBOSE", 1);
    redis.rawset("LOG_NOTICE", 2);
    redis.rawset("LOG_WARNING", 3);
    redis.rawset("setresp", new SetResp());
    redis.rawset("set_repl", new SetRepl());
    redis.rawset(
        "replicate_commands",
        new ZeroArgFunction() {
          @Override
          public LuaValue call() {
            return LuaValue.TRUE;
          }
        });
    redis.rawset("REPL_NONE", 0);
    redis.rawset("REPL_AOF", 1);
    redis.rawset("REPL_SLAVE", 2);
    redis.rawset("REPL_REPLICA", 2);
    redis.rawset("REPL_ALL", 3);
    redis.rawset("REDIS_VERSION", io.toridb.core.server.ServerContext.VERSION);
    redis.rawset("REDIS_VERSION_NUM", versionNumber(io.toridb.core.server.ServerContext.VERSION));
    return redis;
  }

  private static int versionNumber(String version) {
    String[] parts = version.split("\\.");
    return (Integer.parseInt(parts[0]) << 16)
        | (Integer.parseInt(parts[1]) << 8)
        | Integer.parseInt(parts[2]);
  }

  /**
   * An error table ({@code {err = "CODE message"}}), as Redis's luaPushError: a text starting with
   * '-' brings its own code, any other gets ERR.
   */
  static LuaTable errorTable(String text) {
    String code;
    String message;
    if (text.startsWith("-")) {
      int space = text.indexOf(' ');
      if (space < 0) {
        code = "ERR";
        message = text.substring(1);
      } else {
        code = text.substring(1, space);
        message = text.substring(space + 1);
      }
    } else {
      code = "ERR";
      message = text;
    }
    message = message.strip();
    LuaTable t = new LuaTable();
    t.rawset(ERR, LuaValue.valueOf(code + " " + message));
    return t;
  }

  private ScriptRun current(String what) {
    if (run == null) {
      throw new LuaError(errorTable(what + " can only be called inside a script invocation"));
    }
    return run;
  }

  /** redis.call (raising errors) and redis.pcall (returning them). */
  private final class Call extends VarArgFunction {
    private final boolean raise;

    Call(boolean raise) {
      this.raise = raise;
    }

    @Override
    public Varargs invoke(Varargs args) {
      ScriptRun r = current("redis.call/pcall");
      LuaValue result = execute(r, args);
      if (raise && result.istable() && result.rawget(ERR).isstring()) {
        throw new LuaError(result);
      }
      return result;
    }
  }

  /** Runs one redis.call: Redis's scriptCall checks, then the command. */
  private LuaValue execute(ScriptRun r, Varargs args) {
    int argc = args.narg();
    if (argc == 0) {
      return errorTable("Please specify at least one argument for this redis lib call");
    }
    byte[][] argv = new byte[argc][];
    for (int i = 0; i < argc; i++) {
      LuaValue a = args.arg(i + 1);
      if (a.type() == LuaValue.TNUMBER) {
        argv[i] = NumberText.g17(a.todouble());
      } else if (a.type() == LuaValue.TSTRING) {
        argv[i] = bytes(a.checkstring());
      } else {
        return errorTable("Lua redis lib command arguments must be strings or integers");
      }
    }
    CommandSpec spec = ctx.server().commands().lookup(argv[0]);
    if (spec != null && spec.isContainer() && argc >= 2) {
      spec = spec.subcommand(argv[1]);
    }
    String refusal = refusal(r, spec, argv);
    if (refusal != null) {
      if (spec != null) {
        spec.rejectedCalls.increment();
      }
      LuaTable error = errorTable(refusal);
      ctx.server().stats().countError(error.rawget(ERR).tojstring());
      error.rawset(IGNORE_STATS, LuaValue.TRUE);
      return error;
    }
    // Its keys first: while the script waits for another client's key it has written nothing, and
    // SCRIPT KILL may still stop it.
    ctx.lockForScript(spec, argv);
    if (spec.has(CommandFlag.WRITE) && !r.mayWrite()) {
      // SCRIPT KILL came first: the script stops before its first write.
      throw new LuaError(errorTable(KILLED));
    }
    scratch.clear();
    ctx.callFromScript(spec, argv, scratch, r.resp);
    return RespToLua.parse(scratch);
  }

  /** Why a script may not run the command, as Redis's scriptCall checks it, or null. */
  private String refusal(ScriptRun r, CommandSpec spec, byte[][] argv) {
    if (spec == null) {
      return "Unknown Redis command called from script";
    }
    if (!spec.arityAccepts(argv.length)) {
      return "Wrong number of args calling Redis command from script";
    }
    if (spec.has(CommandFlag.NOSCRIPT) && !cache.denyDisabled()) {
      return "This Redis command is not allowed from script";
    }
    if (r.readOnly && spec.has(CommandFlag.WRITE | CommandFlag.MAY_REPLICATE)) {
      return "Write commands are not allowed from read-only scripts.";
    }
    if (!spec.has(CommandFlag.STALE) && ctx.server().staleReplica() && !ctx.session().master()) {
      return "Can not execute the command on a stale replica";
    }
    if (spec.writes(argv) && ctx.server().readOnlyReplica() && !ctx.session().master()) {
      return "-" + Errors.READONLY;
    }
    if (spec.has(CommandFlag.WRITE) && !r.dirty()) {
      String diskError = ctx.server().writeRefusal();
      if (diskError != null) {
        return "-" + diskError;
      }
      if (ctx.server().lacksGoodReplicas()) {
        return "-" + Errors.NOREPLICAS;
      }
    }
    return clusterRefusal(r, spec, argv);
  }

  /**
   * On a cluster node, as Redis's scriptVerifyClusterState: the keys a script touches must be
   * served here, and (unless the script declared allow-cross-slot-keys) in the slot of its first
   * key, declared or not.
   */
  private String clusterRefusal(ScriptRun r, CommandSpec spec, byte[][] argv) {
    io.toridb.core.server.ClusterRouting cluster = ctx.server().clusterRouting();
    if (cluster == null) {
      return null;
    }
    java.util.List<byte[]> keys = io.toridb.core.command.CommandExecutor.keyNames(spec, argv);
    if (keys.isEmpty()) {
      return null;
    }
    String redirect =
        io.toridb.core.command.CommandExecutor.route(
            ctx.server(),
            cluster,
            spec,
            keys,
            spec.has(CommandFlag.WRITE),
            ctx.session().asking(),
            ctx.session().readonly(),
            ctx.now());
    if (redirect != null) {
      if (redirect.startsWith("CLUSTERDOWN The cluster is down and only accepts read")) {
        return "Script attempted to execute a write command while the cluster is down and"
            + " readonly";
      }
      if (redirect.startsWith("CLUSTERDOWN The cluster is down")) {
        return "Script attempted to execute a command while the cluster is down";
      }
      return "Script attempted to access a non local key in a cluster node";
    }
    if (!r.crossSlot) {
      int slot = io.toridb.core.keyspace.HashSlot.of(keys.get(0));
      if (r.slot == -1) {
        r.slot = slot;
      } else if (r.slot != slot) {
        return "Script attempted to access keys that do not hash to the same slot";
      }
    }
    return null;
  }

  /** redis.sha1hex(string) */
  private static final class Sha1Hex extends VarArgFunction {
    @Override
    public Varargs invoke(Varargs args) {
      if (args.narg() != 1) {
        throw new LuaError(errorTable("wrong number of arguments"));
      }
      LuaValue v = args.arg1();
      byte[] b = v.isstring() ? bytes(v.checkstring()) : new byte[0];
      return LuaValue.valueOf(ScriptCache.sha1hex(b));
    }
  }

  /** redis.error_reply(text) */
  private static final class ErrorReply extends VarArgFunction {
    @Override
    public Varargs invoke(Varargs args) {
      if (args.narg() != 1 || args.arg1().type() != LuaValue.TSTRING) {
        return errorTable("wrong number or type of arguments");
      }
      String text = args.arg1().tojstring();
      return errorTable(text.startsWith("-") ? text : "-" + text);
    }
  }

  /** redis.status_reply(text) */
  private static final class StatusReply extends VarArgFunction {
    @Override
    public Varargs invoke(Varargs args) {
      if (args.narg() != 1 || args.arg1().type() != LuaValue.TSTRING) {
        return errorTable("wrong number or type of arguments");
      }
      LuaTable t = new LuaTable();
      t.rawset(OK, args.arg1());
      return t;
    }
  }

  /** redis.log(level, message...) */
  private static final class Log extends VarArgFunction {
    @Override
    public Varargs invoke(Varargs args) {
      int argc = args.narg();
      if (argc < 2) {
        throw new LuaError(errorTable("redis.log() requires two arguments or more."));
      }
      if (!args.arg1().isnumber()) {
        throw new LuaError(errorTable("First argument must be a number (log level)."));
      }
      int level = args.arg1().toint();
      if (level < 0 || level > 3) {
        throw new LuaError(errorTable("Invalid debug level."));
      }
      StringBuilder text = new StringBuilder();
      for (int i = 2; i <= argc; i++) {
        LuaValue v = args.arg(i);
        if (v.isstring()) {
          if (text.length() > 0) {
            text.append(' ');
          }
          text.append(v.tojstring());
        }
      }
      switch (level) {
        case 0 -> log.debug("{}", text);
        case 1 -> log.debug("{}", text);
        case 2 -> log.info("{}", text);
        default -> log.warn("{}", text);
      }
      return LuaValue.NONE;
    }
  }

  /** redis.setresp(2 or 3) */
  private final class SetResp extends VarArgFunction {
    @Override
    public Varargs invoke(Varargs args) {
      ScriptRun r = current("redis.setresp");
      if (args.narg() != 1) {
        throw new LuaError(errorTable("redis.setresp() requires one argument."));
      }
      int resp = args.arg1().isnumber() ? args.arg1().toint() : 0;
      if (resp != 2 && resp != 3) {
        throw new LuaError(errorTable("RESP version must be 2 or 3."));
      }
      r.resp = resp;
      return LuaValue.NONE;
    }
  }

  /**
   * redis.set_repl(flags): accepted and checked; every write of a script is logged, as ToriDB has
   * no replicas to leave out and a log without a script's writes would lose them.
   */
  private final class SetRepl extends VarArgFunction {
    @Override
    public Varargs invoke(Varargs args) {
      current("redis.set_repl");
      if (args.narg() != 1) {
        throw new LuaError(errorTable("redis.set_repl() requires two arguments."));
      }
      int flags = args.arg1().isnumber() ? args.arg1().toint() : -1;
      if ((flags & ~3) != 0) {
        throw new LuaError(
            errorTable(
                "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE."));
      }
      return LuaValue.NONE;
    }
  }

  /**
   * Redis's pcall: as Lua's, but an error table raised by redis.call comes back as its text, as
   * scripts written for Redis 6 expect.
   */
  private final class Pcall extends VarArgFunction {
    @Override
    public Varargs invoke(Varargs args) {
      LuaValue function = args.checkvalue(1);
      int savedDepth = depth;
      try {
        return LuaValue.varargsOf(LuaValue.TRUE, function.invoke(args.subargs(2)));
      } catch (LuaError e) {
        // The frames the error unwound returned no return events.
        depth = savedDepth;
        if (run != null && run.killed()) {
          // SCRIPT KILL: no pcall may keep the script alive.
          throw e;
        }
        // A library function pcall calls itself has no Lua caller to name, as in Lua.
        LuaValue object =
            function instanceof LuaClosure
                ? messageOf(e, run != null && run.function, line)
                : e.getMessageObject();
        if (object != null && object.istable() && object.rawget(ERR).isstring()) {
          return LuaValue.varargsOf(LuaValue.FALSE, object.rawget(ERR));
        }
        if (object == null || object.type() == LuaValue.TSTRING) {
          String text = object == null ? e.getMessage() : object.tojstring();
          return LuaValue.varargsOf(
              LuaValue.FALSE, LuaValue.valueOf(LuaErrors.plain(LuaErrors.withoutTraceback(text))));
        }
        return LuaValue.varargsOf(LuaValue.FALSE, object);
      } catch (StackOverflowError e) {
        return LuaValue.varargsOf(LuaValue.FALSE, LuaValue.valueOf("stack overflow"));
      }
    }
  }

  /** collectgarbage(): the JVM collects on its own; "count" reports a size in KB. */
  private static final class CollectGarbage extends VarArgFunction {
    @Override
    public Varargs invoke(Varargs args) {
      String option = args.optjstring(1, "collect");
      if (option.equals("count")) {
        Runtime rt = Runtime.getRuntime();
        return LuaValue.valueOf((rt.totalMemory() - rt.freeMemory()) / 1024.0);
      }
      return LuaValue.valueOf(0);
    }
  }

  // The hook's event names. Not CALL: inside a LuaValue subclass that name is LuaValue's
  // "__call".
  private static final LuaString LINE_EVENT = LuaString.valueOf("line");
  private static final LuaString CALL_EVENT = LuaString.valueOf("call");
  private static final LuaString RETURN_EVENT = LuaString.valueOf("return");
  private static final LuaString TAIL_CALL_EVENT = LuaString.valueOf("tail call");
  private static final String KILLED = "Script killed by user with SCRIPT KILL...";

  /**
   * The hook: follows the line the script is on, and every {@value #HOOK_INSTRUCTIONS} instructions
   * notices a script that runs too long, or stops one that was killed.
   */
  private final class Hook extends VarArgFunction {
    @Override
    public Varargs invoke(Varargs args) {
      ScriptRun r = run;
      if (r == null) {
        return LuaValue.NONE;
      }
      LuaValue event = args.arg1();
      if (event.raweq(CALL_EVENT)) {
        if (++depth > MAX_CALL_DEPTH) {
          throw new LuaError("stack overflow");
        }
        return LuaValue.NONE;
      }
      if (event.raweq(RETURN_EVENT)) {
        depth--;
        return LuaValue.NONE;
      }
      if (event.raweq(TAIL_CALL_EVENT)) {
        return LuaValue.NONE;
      }
      if (event.raweq(LINE_EVENT)) {
        line = args.arg(2).toint();
        if (!r.killed()) {
          return LuaValue.NONE;
        }
      }
      boolean wasTimedOut = r.timedOut();
      if (r.check()) {
        if (!r.killReported) {
          r.killReported = true;
          log.warn("Lua script killed by user with SCRIPT KILL.");
        }
        // Fire on every instruction from now on, so that pcall cannot keep the script alive.
        setHook.call(hook, LINE_HOOK, LuaValue.valueOf(1));
        throw new LuaError(errorTable(KILLED));
      }
      if (r.timedOut()) {
        ScriptCache.whileBusy();
      }
      if (!wasTimedOut && r.timedOut()) {
        cache.changed();
        log.warn(
            "Slow script detected: still in execution after {} milliseconds. You can try killing"
                + " the script using the {} command. Script name is: {}.",
            r.elapsedMillis(),
            r.function ? "FUNCTION KILL" : "SCRIPT KILL",
            r.name);
      }
      return LuaValue.NONE;
    }
  }
}
