package io.toridb.core.command;

/** Error reply texts, exactly as Redis words them (without the leading '-'). */
public final class Errors {
  private Errors() {}

  public static final String WRONGTYPE =
      "WRONGTYPE Operation against a key holding the wrong kind of value";
  public static final String NOT_INTEGER = "ERR value is not an integer or out of range";
  public static final String NOT_FLOAT = "ERR value is not a valid float";
  public static final String OVERFLOW = "ERR increment or decrement would overflow";
  public static final String SYNTAX = "ERR syntax error";
  public static final String NO_SUCH_KEY = "ERR no such key";
  public static final String INDEX_OUT_OF_RANGE = "ERR index out of range";
  public static final String DB_OUT_OF_RANGE = "ERR DB index is out of range";
  public static final String BUSYKEY = "BUSYKEY Target key name already exists.";
  public static final String NOAUTH = "NOAUTH Authentication required.";
  public static final String WRONGPASS =
      "WRONGPASS invalid username-password pair or user is disabled.";
  public static final String AUTH_NOT_CONFIGURED =
      "ERR AUTH <password> called without any password configured for the default user. Are you"
          + " sure your configuration is correct?";
  public static final String LOADING = "LOADING Redis is loading the dataset in memory";
  public static final String MAX_CLIENTS = "ERR max number of clients reached";
  public static final String NOREPLICAS = "NOREPLICAS Not enough good replicas to write.";
  public static final String READONLY = "READONLY You can't write against a read only replica.";
  public static final String MASTERDOWN =
      "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";

  /** To commands that may not run while a script runs past busy-reply-threshold. */
  public static final String BUSY_SCRIPT =
      "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";

  public static final String BUSY_FUNCTION =
      "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";

  public static final String INVALID_EXPIRE = "ERR invalid expire time in '%s' command";
  public static final String REPLICA_KEYSPACE = "ERR Replica can't interact with the keyspace";
  public static final String NOT_POSITIVE = "ERR value is out of range, must be positive";

  public static String wrongArity(String fullName) {
    return "ERR wrong number of arguments for '" + fullName + "' command";
  }

  public static String unknownSubcommand(String sub, String container) {
    return "ERR unknown subcommand '"
        + truncate(sub)
        + "'. Try "
        + container.toUpperCase(java.util.Locale.ROOT)
        + " HELP.";
  }

  /** Redis's text for an unknown command, quoting the arguments as Redis does. */
  public static String unknownCommand(byte[][] argv) {
    StringBuilder args = new StringBuilder();
    for (int i = 1; i < argv.length && args.length() < 128; i++) {
      String a = cString(argv[i]);
      int room = 128 - args.length();
      args.append('\'').append(a.length() > room ? a.substring(0, room) : a).append("' ");
    }
    return "ERR unknown command '"
        + truncate(cString(argv[0]))
        + "', with args beginning with: "
        + args;
  }

  /** The bytes up to the first NUL: Redis formats these texts with C's %s, which stops there. */
  public static String cString(byte[] b) {
    for (int i = 0; i < b.length; i++) {
      if (b[i] == 0) {
        return Args.latin1(java.util.Arrays.copyOf(b, i));
      }
    }
    return Args.latin1(b);
  }

  private static String truncate(String s) {
    return s.length() > 128 ? s.substring(0, 128) : s;
  }
}
