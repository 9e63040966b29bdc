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

  private static final Pattern ARITHMETIC =
      Pattern.compile("attempt to perform arithmetic __\\w+ on (\\w+) and (\\w+)");
  private static final Pattern CALL = Pattern.compile("attempt to call (\\w+)$");
  private static final Pattern CONCAT = Pattern.compile("attempt to concatenate (\\w+) and (\\w+)");

  /**
   * {@code message} with its position, if any, written as Lua writes it, and the interpreter's
   * wording of the commonest runtime errors replaced by Lua 5.1's.
   */
  static String plain(String message) {
    if (message == null) {
      return "";
    }
    Matcher m = POSITION.matcher(message);
    if (m.find()) {
      return m.group(1) + ":" + m.group(2) + ": " + lua51(message.substring(m.end()));
    }
    return lua51(message);
  }

  private static String lua51(String message) {
    Matcher m = ARITHMETIC.matcher(message);
    if (m.find()) {
      String operand = m.group(1).equals("number") ? m.group(2) : m.group(1);
      return m.replaceFirst("attempt to perform arithmetic on a " + operand + " value");
    }
    m = CALL.matcher(message);
    if (m.find()) {
      return m.replaceFirst("attempt to call a " + m.group(1) + " value");
    }
    m = CONCAT.matcher(message);
    if (m.find()) {
      String operand =
          m.group(1).equals("string") || m.group(1).equals("number") ? m.group(2) : m.group(1);
      return m.replaceFirst("attempt to concatenate a " + operand + " value");
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
