package io.toridb.core.connection;

import static io.toridb.core.CommandHarness.OK;
import static io.toridb.core.CommandHarness.bulk;
import static io.toridb.core.CommandHarness.error;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.CommandHarness;
import io.toridb.core.config.Config;
import org.junit.jupiter.api.Test;

class ConnectionCommandsTest {
  private final CommandHarness h = new CommandHarness();

  private static CommandHarness withPassword(String password) {
    Config config = Config.standard();
    config.require("requirepass").set(password);
    CommandHarness h = new CommandHarness(config);
    h.session().authenticated(false);
    return h;
  }

  private String helloMap(String header, int proto, long id) {
    return header
        + bulk("server")
        + bulk("redis")
        + bulk("version")
        + bulk("7.0.15")
        + bulk("proto")
        + ":"
        + proto
        + "\r\n"
        + bulk("id")
        + ":"
        + id
        + "\r\n"
        + bulk("mode")
        + bulk("standalone")
        + bulk("role")
        + bulk("master")
        + bulk("modules")
        + "*0\r\n";
  }

  @Test
  void hello3_switchesProtocolForItsOwnReply() {
    long id = h.session().id();
    assertEquals(helloMap("%7\r\n", 3, id), h.call("HELLO", "3"));
    assertEquals(3, h.session().protocol());
  }

  @Test
  void hello2_repliesWithFlatArray() {
    assertEquals(helloMap("*14\r\n", 2, h.session().id()), h.call("HELLO", "2"));
  }

  @Test
  void hello_withoutVersion_reportsCurrentProtocol() {
    h.call("HELLO", "3");
    assertEquals(helloMap("%7\r\n", 3, h.session().id()), h.call("HELLO"));
  }

  @Test
  void hello_withBadVersion_returnsRedisErrors() {
    assertEquals(
        error("ERR Protocol version is not an integer or out of range"), h.call("HELLO", "abc"));
    assertEquals(error("NOPROTO unsupported protocol version"), h.call("HELLO", "4"));
    assertEquals(error("NOPROTO unsupported protocol version"), h.call("HELLO", "1"));
    assertEquals(2, h.session().protocol());
  }

  @Test
  void hello_withUnknownOrIncompleteOption_returnsSyntaxError() {
    assertEquals(error("ERR Syntax error in HELLO option 'foo'"), h.call("HELLO", "3", "foo"));
    assertEquals(
        error("ERR Syntax error in HELLO option 'AUTH'"), h.call("HELLO", "3", "AUTH", "a"));
    assertEquals(
        error("ERR Syntax error in HELLO option 'setname'"), h.call("HELLO", "3", "setname"));
    assertEquals(2, h.session().protocol());
  }

  @Test
  void hello_setname_setsTheName() {
    h.call("HELLO", "3", "SETNAME", "myname");
    assertEquals("myname", h.session().name());
    assertEquals(
        error("ERR Client names cannot contain spaces, newlines or special characters."),
        h.call("HELLO", "3", "SETNAME", "a b"));
  }

  @Test
  void hello_withoutAuthWhenPasswordRequired_returnsNoauth() {
    CommandHarness p = withPassword("secret");
    assertEquals(
        error(
            "NOAUTH HELLO must be called with the client already authenticated, otherwise the"
                + " HELLO AUTH <user> <pass> option can be used to authenticate the client and"
                + " select the RESP protocol version at the same time"),
        p.call("HELLO", "3"));
    assertEquals(2, p.session().protocol());
  }

  @Test
  void hello_withAuth_authenticatesAndSwitches() {
    CommandHarness p = withPassword("secret");
    assertEquals(
        error("WRONGPASS invalid username-password pair or user is disabled."),
        p.call("HELLO", "3", "AUTH", "default", "nope"));
    assertFalse(p.session().authenticated());
    assertEquals(
        helloMap("%7\r\n", 3, p.session().id()), p.call("HELLO", "3", "AUTH", "default", "secret"));
    assertTrue(p.session().authenticated());
    assertEquals(3, p.session().protocol());
  }

  @Test
  void hello_withAuthForOtherUser_returnsWrongpass() {
    assertEquals(
        error("WRONGPASS invalid username-password pair or user is disabled."),
        h.call("HELLO", "3", "AUTH", "bob", "x"));
  }

  @Test
  void auth_withoutConfiguredPassword_refusesOneArgumentForm() {
    assertEquals(
        error(
            "ERR AUTH <password> called without any password configured for the default user."
                + " Are you sure your configuration is correct?"),
        h.call("AUTH", "pw"));
    // The default user without a password accepts any password in the two-argument form.
    assertEquals(OK, h.call("AUTH", "default", "anything"));
    assertEquals(
        error("WRONGPASS invalid username-password pair or user is disabled."),
        h.call("AUTH", "bob", "anything"));
  }

  @Test
  void auth_withRequirepass_checksPassword() {
    CommandHarness p = withPassword("secret");
    assertEquals(error("NOAUTH Authentication required."), p.call("GET", "k"));
    assertEquals(
        error("WRONGPASS invalid username-password pair or user is disabled."),
        p.call("AUTH", "wrong"));
    assertFalse(p.session().authenticated());
    assertEquals(OK, p.call("AUTH", "secret"));
    assertTrue(p.session().authenticated());
    assertEquals("$-1\r\n", p.call("GET", "k"));
  }

  @Test
  void auth_userAndPassword_acceptsDefaultUserOnly() {
    CommandHarness p = withPassword("secret");
    assertEquals(
        error("WRONGPASS invalid username-password pair or user is disabled."),
        p.call("AUTH", "admin", "secret"));
    assertEquals(OK, p.call("AUTH", "default", "secret"));
  }

  @Test
  void auth_withTooManyArguments_returnsSyntaxError() {
    assertEquals(error("ERR syntax error"), h.call("AUTH", "a", "b", "c"));
    assertEquals(error("ERR wrong number of arguments for 'auth' command"), h.call("AUTH"));
  }

  @Test
  void reset_restoresConnectionDefaults() {
    h.call("SELECT", "3");
    h.call("HELLO", "3", "SETNAME", "n");
    h.session().noEvict(true);
    assertEquals("+RESET\r\n", h.call("RESET"));
    assertEquals(0, h.session().db());
    assertEquals(2, h.session().protocol());
    assertEquals("", h.session().name());
    assertTrue(h.session().authenticated());
    // As in Redis 7.0, RESET leaves NO-EVICT alone.
    assertTrue(h.session().noEvict());
  }

  @Test
  void reset_whenPasswordRequired_deauthenticates() {
    CommandHarness p = withPassword("secret");
    p.call("AUTH", "secret");
    assertEquals("+RESET\r\n", p.call("RESET"));
    assertFalse(p.session().authenticated());
    assertEquals(error("NOAUTH Authentication required."), p.call("PING"));
  }

  @Test
  void reset_withArguments_returnsArityError() {
    assertEquals(error("ERR wrong number of arguments for 'reset' command"), h.call("RESET", "x"));
  }

  @Test
  void noAuthCommands_runBeforeAuthentication() {
    CommandHarness p = withPassword("secret");
    assertEquals("+RESET\r\n", p.call("RESET"));
    assertEquals(OK, p.call("QUIT"));
  }

  @Test
  void ping_andEcho_reply() {
    assertEquals("+PONG\r\n", h.call("PING"));
    assertEquals(bulk("hi"), h.call("PING", "hi"));
    assertEquals(
        error("ERR wrong number of arguments for 'ping' command"), h.call("PING", "a", "b"));
    assertEquals(bulk("x"), h.call("ECHO", "x"));
  }

  @Test
  void select_validatesIndex() {
    assertEquals(OK, h.call("SELECT", "15"));
    assertEquals(error("ERR DB index is out of range"), h.call("SELECT", "16"));
    assertEquals(error("ERR DB index is out of range"), h.call("SELECT", "-1"));
    assertEquals(error("ERR value is not an integer or out of range"), h.call("SELECT", "x"));
  }
}
