package io.toridb.core.command;

/** The reply to "X HELP": a header naming the command, the given lines, and the HELP entry. */
public final class Help {
  private Help() {}

  /**
   * Writes the help array as Redis's addReplyHelp: every line a simple string, the header using the
   * command name as the client typed it, upper-cased.
   */
  public static void reply(CommandContext ctx, byte[] commandName, String... lines) {
    ctx.out().arrayHeader(lines.length + 3);
    ctx.out()
        .simple(
            Args.upper(commandName) + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
    for (String line : lines) {
      ctx.out().simple(line);
    }
    ctx.out().simple("HELP");
    ctx.out().simple("    Prints this help.");
  }

  /** The error for an unknown subcommand or a wrong argument count inside a subcommand. */
  public static String syntaxError(byte[][] argv) {
    String sub = Args.latin1(argv[1]);
    return "ERR unknown subcommand or wrong number of arguments for '"
        + (sub.length() > 128 ? sub.substring(0, 128) : sub)
        + "'. Try "
        + Args.upper(argv[0])
        + " HELP.";
  }
}
