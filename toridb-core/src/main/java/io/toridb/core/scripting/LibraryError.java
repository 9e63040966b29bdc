package io.toridb.core.scripting;

import org.luaj.vm2.LuaError;

/**
 * An error raised by a library function written in Java (cjson, cmsgpack), as Lua's luaL_error
 * raises one in C: its message starts with the position of the Lua code that called the function.
 * The interpreter adds that position when the error passes through the calling Lua function, but
 * not after a tail call ({@code return cjson.decode(s)}), which has left the caller already; then
 * the engine adds the line the script reached last ({@link #placed}).
 */
final class LibraryError extends LuaError {
  LibraryError(String message) {
    super(message);
  }

  /** Whether the interpreter gave the error the position of the Lua code it passed through. */
  boolean placed() {
    return fileline != null || traceback != null;
  }
}
