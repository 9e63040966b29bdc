package io.toridb.core.scripting;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Error messages of the interpreter in the form Lua 5.1 (Redis's) gives them: the interpreter
 * writes a position as {@code @user_script:3 message}, Lua as {@code user_script:3: message}.
 */
final class LuaErrors {
  private static final Pattern POSITION = Pattern.compile("^@?([^\\s:]+):(\\d+):? ");

  private LuaErrors() {}

  /** {@code message} with its position, if any, written as Lua writes it. */
  static String plain(String message) {
    if (message == null) {
      return "";
    }
    Matcher m = POSITION.matcher(message);
    if (m.find()) {
      return m.group(1) + ":" + m.group(2) + ": " + message.substring(m.end());
    }
    return message;
  }

  /** {@code message} without the stack traceback the interpreter appends to it. */
  static String withoutTraceback(String message) {
    int at = message.indexOf("\nstack traceback:");
    return at < 0 ? message : message.substring(0, at);
  }

  /** The line of the position that starts {@code message}, or null. */
  static String line(String message) {
    if (message == null) {
      return null;
    }
    Matcher m = POSITION.matcher(message);
    return m.find() ? m.group(2) : null;
  }
}
