package io.toridb.core.server;

import static io.toridb.core.CommandHarness.bulk;
import static io.toridb.core.CommandHarness.error;
import static io.toridb.core.CommandHarness.integer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.CommandHarness;
import org.junit.jupiter.api.Test;

class CommandCommandsTest {
  private final CommandHarness h = new CommandHarness();

  /** COMMAND INFO get, byte for byte as Redis 7.0.15 sends it in RESP2. */
  private static final String GET_INFO_RESP2 =
      "*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n"
          + "*3\r\n+@read\r\n+@string\r\n+@fast\r\n*0\r\n"
          + "*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n"
          + "$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n"
          + "*2\r\n$5\r\nindex\r\n:1\r\n"
          + "$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n"
          + "*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n";

  /** The same in RESP3. */
  private static final String GET_INFO_RESP3 =
      "*10\r\n$3\r\nget\r\n:2\r\n~2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n"
          + "~3\r\n+@read\r\n+@string\r\n+@fast\r\n~0\r\n"
          + "~1\r\n%3\r\n$5\r\nflags\r\n~2\r\n+RO\r\n+access\r\n"
          + "$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n"
          + "%1\r\n$5\r\nindex\r\n:1\r\n"
          + "$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n"
          + "%3\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n~0\r\n";

  /** COMMAND INFO config|get as Redis 7.0.15 sends it. */
  private static final String CONFIG_GET_INFO =
      "*10\r\n$10\r\nconfig|get\r\n:-3\r\n*4\r\n+admin\r\n+noscript\r\n+loading\r\n+stale\r\n"
          + ":0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*0\r\n*0\r\n*0\r\n";

  /** COMMAND INFO ping as Redis 7.0.15 sends it. */
  private static final String PING_INFO =
      "*10\r\n$4\r\nping\r\n:-1\r\n*1\r\n+fast\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@fast\r\n"
          + "+@connection\r\n*2\r\n$25\r\nrequest_policy:all_shards\r\n"
          + "$29\r\nresponse_policy:all_succeeded\r\n*0\r\n*0\r\n";

  @Test
  void info_matchesRedisByteForByte() {
    assertEquals("*1\r\n" + GET_INFO_RESP2, h.call("COMMAND", "INFO", "get"));
    assertEquals("*1\r\n" + GET_INFO_RESP3, h.call3("COMMAND", "INFO", "GET"));
    assertEquals(
        "*4\r\n" + GET_INFO_RESP2 + CONFIG_GET_INFO + PING_INFO + "$-1\r\n",
        h.call("COMMAND", "INFO", "get", "config|get", "ping", "nosuch"));
  }

  @Test
  void info_unknown_isNullInRespThree() {
    assertEquals("*1\r\n_\r\n", h.call3("COMMAND", "INFO", "nosuch"));
    assertEquals("*1\r\n$-1\r\n", h.call("COMMAND", "INFO", "config|nosuch"));
  }

  @Test
  void info_container_listsSubcommands() {
    String reply = h.call("COMMAND", "INFO", "slowlog");
    assertTrue(
        reply.startsWith(
            "*1\r\n*10\r\n$7\r\nslowlog\r\n:-2\r\n*0\r\n:0\r\n:0\r\n:0\r\n*1\r\n+@slow\r\n*0\r\n*0\r\n"
                + "*4\r\n*10\r\n$11\r\nslowlog|get\r\n"),
        reply);
  }

  @Test
  void command_bare_listsEveryCommand() {
    String reply = h.call("COMMAND");
    int count = h.server().commands().size();
    assertTrue(reply.startsWith("*" + count + "\r\n*10\r\n"), reply.substring(0, 40));
    assertTrue(reply.contains(GET_INFO_RESP2));
    assertEquals(reply, h.call("COMMAND", "INFO"));
  }

  @Test
  void count_isTheNumberOfTopLevelCommands() {
    assertEquals(integer(h.server().commands().size()), h.call("COMMAND", "COUNT"));
    assertEquals(
        error("ERR wrong number of arguments for 'command|count' command"),
        h.call("COMMAND", "COUNT", "x"));
  }

  @Test
  void list_filters() {
    assertEquals(
        "*6\r\n"
            + bulk("config")
            + bulk("config|get")
            + bulk("config|set")
            + bulk("config|resetstat")
            + bulk("config|rewrite")
            + bulk("config|help"),
        h.call("COMMAND", "LIST", "FILTERBY", "PATTERN", "conf*"));
    String connection = h.call("COMMAND", "LIST", "FILTERBY", "ACLCAT", "connection");
    assertTrue(connection.contains(bulk("hello")) && !connection.contains(bulk("get")));
    assertEquals("*0\r\n", h.call("COMMAND", "LIST", "FILTERBY", "ACLCAT", "nope"));
    assertEquals("*0\r\n", h.call("COMMAND", "LIST", "FILTERBY", "MODULE", "m"));
    assertEquals(error("ERR syntax error"), h.call("COMMAND", "LIST", "FILTERBY", "foo", "x"));
    assertEquals(error("ERR syntax error"), h.call("COMMAND", "LIST", "FILTERBY", "ACLCAT"));
    assertTrue(h.call("COMMAND", "LIST").contains(bulk("slowlog|get")));
  }

  @Test
  void docs_givesSummarySinceGroupComplexity() {
    assertEquals(
        "*2\r\n"
            + bulk("ping")
            + "*8\r\n"
            + bulk("summary")
            + bulk("Ping the server")
            + bulk("since")
            + bulk("1.0.0")
            + bulk("group")
            + bulk("connection")
            + bulk("complexity")
            + bulk("O(1)"),
        h.call("COMMAND", "DOCS", "ping", "nosuch"));
    String resp3 = h.call3("COMMAND", "DOCS", "slowlog");
    assertTrue(
        resp3.startsWith(
            "%1\r\n"
                + bulk("slowlog")
                + "%5\r\n"
                + bulk("summary")
                + bulk("A container for slow log commands")),
        resp3);
    assertTrue(resp3.contains(bulk("subcommands") + "%4\r\n" + bulk("slowlog|get") + "%4\r\n"));
  }

  @Test
  void docs_all_isAMapOfEveryCommand() {
    String reply = h.call3("COMMAND", "DOCS");
    assertTrue(reply.startsWith("%" + h.server().commands().size() + "\r\n"));
  }

  @Test
  void getkeys_extractsKeys() {
    assertEquals("*1\r\n" + bulk("k"), h.call("COMMAND", "GETKEYS", "GET", "k"));
    assertEquals(
        "*2\r\n" + bulk("a") + bulk("b"),
        h.call("COMMAND", "GETKEYS", "copy", "a", "b", "db", "1"));
  }

  @Test
  void getkeysandflags_set_isOverwriteUnlessGetReadsTheOldValue() {
    assertEquals(
        "*1\r\n*2\r\n" + bulk("k") + "*2\r\n+OW\r\n+update\r\n",
        h.call("COMMAND", "GETKEYSANDFLAGS", "set", "k", "v"));
    assertEquals(
        "*1\r\n*2\r\n" + bulk("k") + "*3\r\n+RW\r\n+access\r\n+update\r\n",
        h.call("COMMAND", "GETKEYSANDFLAGS", "set", "k", "v", "EX", "10", "get"));
    assertEquals(
        "*1\r\n*2\r\n" + bulk("k") + "~3\r\n+RW\r\n+access\r\n+update\r\n",
        h.call3("COMMAND", "GETKEYSANDFLAGS", "set", "k", "v", "GET"));
  }

  @Test
  void getkeysandflags_givesEachKeyTheFlagsOfItsKeySpec() {
    assertEquals(
        "*2\r\n*2\r\n"
            + bulk("a")
            + "*2\r\n+OW\r\n+update\r\n"
            + "*2\r\n"
            + bulk("b")
            + "*2\r\n+OW\r\n+update\r\n",
        h.call("COMMAND", "GETKEYSANDFLAGS", "mset", "a", "1", "b", "2"));
    assertEquals(
        "*2\r\n*2\r\n"
            + bulk("a")
            + "*3\r\n+RW\r\n+access\r\n+delete\r\n"
            + "*2\r\n"
            + bulk("b")
            + "*2\r\n+OW\r\n+update\r\n",
        h.call("COMMAND", "GETKEYSANDFLAGS", "rename", "a", "b"));
    assertEquals(
        "*2\r\n*2\r\n"
            + bulk("a")
            + "*2\r\n+RO\r\n+access\r\n"
            + "*2\r\n"
            + bulk("b")
            + "*2\r\n+OW\r\n+update\r\n",
        h.call("COMMAND", "GETKEYSANDFLAGS", "copy", "a", "b", "db", "1"));
    assertEquals(
        "*2\r\n*2\r\n"
            + bulk("a")
            + "*2\r\n+RM\r\n+delete\r\n"
            + "*2\r\n"
            + bulk("b")
            + "*2\r\n+RM\r\n+delete\r\n",
        h.call("COMMAND", "GETKEYSANDFLAGS", "del", "a", "b"));
  }

  /** COMMAND INFO set as Redis 7.0.15 sends it: a key spec with notes, which come first. */
  private static final String SET_INFO =
      "*10\r\n$3\r\nset\r\n:-3\r\n*2\r\n+write\r\n+denyoom\r\n:1\r\n:1\r\n:1\r\n"
          + "*3\r\n+@write\r\n+@string\r\n+@slow\r\n*0\r\n*1\r\n*8\r\n"
          + "$5\r\nnotes\r\n$48\r\nRW and ACCESS due to the optional `GET` argument\r\n"
          + "$5\r\nflags\r\n*4\r\n+RW\r\n+access\r\n+update\r\n+variable_flags\r\n"
          + "$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n"
          + "*2\r\n$5\r\nindex\r\n:1\r\n"
          + "$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n"
          + "*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n";

  /** One range key spec at {@code index} covering one key, as Redis encodes it in RESP2. */
  private static String singleKeySpec(int index, String flags) {
    return "*6\r\n$5\r\nflags\r\n"
        + flags
        + "$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n"
        + "*2\r\n$5\r\nindex\r\n:"
        + index
        + "\r\n"
        + "$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n"
        + "*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n";
  }

  @Test
  void info_keySpecs_matchRedisByteForByte() {
    assertEquals("*1\r\n" + SET_INFO, h.call("COMMAND", "INFO", "set"));
    assertEquals(
        "*1\r\n*10\r\n$6\r\nrename\r\n:3\r\n*1\r\n+write\r\n:1\r\n:2\r\n:1\r\n"
            + "*3\r\n+@keyspace\r\n+@write\r\n+@slow\r\n*0\r\n*2\r\n"
            + singleKeySpec(1, "*3\r\n+RW\r\n+access\r\n+delete\r\n")
            + singleKeySpec(2, "*2\r\n+OW\r\n+update\r\n")
            + "*0\r\n",
        h.call("COMMAND", "INFO", "rename"));
  }

  @Test
  void info_tipsAndAclCategories_matchRedis() {
    assertEquals(
        "*1\r\n*10\r\n$8\r\nflushall\r\n:-1\r\n*1\r\n+write\r\n:0\r\n:0\r\n:0\r\n"
            + "*4\r\n+@keyspace\r\n+@write\r\n+@slow\r\n+@dangerous\r\n"
            + "*2\r\n$25\r\nrequest_policy:all_shards\r\n$29\r\nresponse_policy:all_succeeded\r\n"
            + "*0\r\n*0\r\n",
        h.call("COMMAND", "INFO", "flushall"));
  }

  @Test
  void getkeys_errors_matchRedis() {
    assertEquals(error("ERR Invalid command specified"), h.call("COMMAND", "GETKEYS", "foo", "a"));
    assertEquals(
        error("ERR The command has no key arguments"), h.call("COMMAND", "GETKEYS", "ping", "a"));
    assertEquals(
        error("ERR The command has no key arguments"),
        h.call("COMMAND", "GETKEYS", "config", "get", "x"));
    assertEquals(
        error("ERR Invalid number of arguments specified for command"),
        h.call("COMMAND", "GETKEYS", "get", "a", "b"));
    assertEquals(
        error("ERR wrong number of arguments for 'command|getkeys' command"),
        h.call("COMMAND", "GETKEYS", "get"));
  }

  @Test
  void help_andUnknownSubcommand() {
    assertTrue(
        h.call("COMMAND", "HELP")
            .startsWith(
                "*21\r\n+COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"));
    assertEquals(
        error("ERR unknown subcommand 'FOO'. Try COMMAND HELP."), h.call("COMMAND", "FOO"));
  }
}
