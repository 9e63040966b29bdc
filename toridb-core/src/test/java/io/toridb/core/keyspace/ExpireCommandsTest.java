package io.toridb.core.keyspace;

import static io.toridb.core.CommandHarness.NIL;
import static io.toridb.core.CommandHarness.error;
import static io.toridb.core.CommandHarness.integer;
import static io.toridb.core.keyspace.KeyspaceTestSupport.expireAt;
import static io.toridb.core.keyspace.KeyspaceTestSupport.recordPropagation;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.toridb.core.CommandHarness;
import io.toridb.core.command.Args;
import io.toridb.core.command.CommandContext;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ExpireCommandsTest {
  private final CommandHarness h = new CommandHarness();
  private final List<String> propagated = recordPropagation(h);

  private StoredValue value(String key) {
    return h.server().keyspace().db(0).peek(Key.of(key));
  }

  private long replyNumber(String reply) {
    assertTrue(reply.startsWith(":"), reply);
    return Long.parseLong(reply.substring(1).trim());
  }

  @Test
  void expire_setsAbsoluteTimeAndPropagatesPexpireat() {
    h.call("SET", "k", "v");
    propagated.clear();
    long before = System.currentTimeMillis();
    assertEquals(integer(1), h.call("EXPIRE", "k", "100"));
    long after = System.currentTimeMillis();
    long at = value("k").expireAt();
    assertTrue(at >= before + 100_000 && at <= after + 100_000);
    assertEquals(List.of("0:PEXPIREAT k " + at), propagated);
    assertEquals(integer(100), h.call("TTL", "k"));
  }

  @Test
  void pexpire_expireat_pexpireat_computeTheSameKindOfTime() {
    h.call("SET", "k", "v");
    h.call("PEXPIREAT", "k", "9000000000000");
    assertEquals(9_000_000_000_000L, value("k").expireAt());
    h.call("EXPIREAT", "k", "9000000001");
    assertEquals(9_000_000_001_000L, value("k").expireAt());
    long before = System.currentTimeMillis();
    h.call("PEXPIRE", "k", "1500");
    long at = value("k").expireAt();
    assertTrue(at >= before + 1500 && at <= System.currentTimeMillis() + 1500);
    assertEquals(
        List.of(
            "0:SET k v",
            "0:PEXPIREAT k 9000000000000",
            "0:PEXPIREAT k 9000000001000",
            "0:PEXPIREAT k " + at),
        propagated);
  }

  @Test
  void expire_inThePast_deletesAndPropagatesDel() {
    h.call("SET", "k", "v");
    propagated.clear();
    assertEquals(integer(1), h.call("EXPIRE", "k", "0"));
    assertEquals(integer(0), h.call("EXISTS", "k"));
    assertEquals(List.of("0:DEL k"), propagated);
    h.call("SET", "k", "v");
    assertEquals(integer(1), h.call("PEXPIREAT", "k", "-9223372036854770000"));
    assertEquals(integer(-2), h.call("TTL", "k"));
    h.call("SET", "k", "v");
    assertEquals(integer(1), h.call("EXPIRE", "k", "-10"));
    assertEquals(0, h.server().keyspace().db(0).size());
  }

  @Test
  void expire_inThePastWhileLoading_keepsTheKey() {
    h.call("SET", "k", "v");
    // Replay runs handlers directly while the server is loading.
    h.server().loading(true);
    CommandContext ctx = new CommandContext(h.server());
    long now = System.currentTimeMillis();
    ctx.begin(h.session(), now);
    ByteBuf buf = Unpooled.buffer();
    try {
      ctx.out().reset(buf, 2);
      byte[][] argv = {Args.bytes("PEXPIREAT"), Args.bytes("k"), Args.bytes("1000")};
      ExpireCommands.expire(ctx, argv, "pexpireat", false, false);
      ctx.out().flush();
      assertEquals(":1\r\n", buf.toString(StandardCharsets.ISO_8859_1));
    } finally {
      buf.release();
      h.server().loading(false);
    }
    assertEquals(1000, value("k").expireAt());
  }

  @Test
  void expire_onMissingKey_returnsZeroWithAnyOption() {
    assertEquals(integer(0), h.call("EXPIRE", "none", "100"));
    for (String opt : new String[] {"NX", "XX", "GT", "LT"}) {
      assertEquals(integer(0), h.call("EXPIRE", "none", "100", opt));
    }
    assertEquals(List.of(), propagated);
  }

  @Test
  void expire_nx_onlyWithoutTtl() {
    h.call("SET", "k", "v");
    assertEquals(integer(1), h.call("EXPIRE", "k", "100", "NX"));
    assertEquals(integer(0), h.call("EXPIRE", "k", "200", "nx"));
    assertEquals(integer(100), h.call("TTL", "k"));
    h.call("PERSIST", "k");
    assertEquals(integer(1), h.call("EXPIRE", "k", "100", "nx", "nx"));
  }

  @Test
  void expire_xx_onlyWithTtl() {
    h.call("SET", "k", "v");
    assertEquals(integer(0), h.call("EXPIRE", "k", "100", "XX"));
    assertEquals(integer(-1), h.call("TTL", "k"));
    h.call("EXPIRE", "k", "100");
    assertEquals(integer(1), h.call("EXPIRE", "k", "200", "XX"));
    assertEquals(integer(200), h.call("TTL", "k"));
  }

  @Test
  void expire_gt_onlyWhenLater_andNeverWithoutTtl() {
    h.call("SET", "k", "v");
    assertEquals(integer(0), h.call("EXPIRE", "k", "100", "GT"));
    assertEquals(integer(0), h.call("EXPIRE", "k", "100", "gt", "gt"));
    h.call("EXPIRE", "k", "100");
    assertEquals(integer(0), h.call("EXPIRE", "k", "50", "GT"));
    assertEquals(integer(1), h.call("EXPIRE", "k", "200", "GT"));
    assertEquals(integer(200), h.call("TTL", "k"));
    assertEquals(integer(1), h.call("EXPIRE", "k", "300", "GT", "XX"));
  }

  @Test
  void expire_lt_onlyWhenEarlier_orWithoutTtl() {
    h.call("SET", "k", "v");
    assertEquals(integer(1), h.call("EXPIRE", "k", "200", "LT"));
    assertEquals(integer(0), h.call("EXPIRE", "k", "300", "LT"));
    assertEquals(integer(1), h.call("EXPIRE", "k", "100", "LT"));
    assertEquals(integer(100), h.call("TTL", "k"));
    h.call("PERSIST", "k");
    assertEquals(integer(0), h.call("EXPIRE", "k", "100", "LT", "XX"));
    h.call("EXPIRE", "k", "100");
    assertEquals(integer(1), h.call("EXPIRE", "k", "50", "LT", "XX"));
  }

  @Test
  void expire_negativeWithLt_deletesKey() {
    h.call("SET", "k", "v");
    h.call("EXPIRE", "k", "100");
    assertEquals(integer(1), h.call("EXPIRE", "k", "-10", "LT"));
    assertEquals(integer(-2), h.call("TTL", "k"));
    h.call("SET", "k", "v");
    assertEquals(integer(1), h.call("EXPIRE", "k", "-10", "LT"));
    assertEquals(integer(-2), h.call("TTL", "k"));
  }

  @Test
  void expire_optionErrors_comeBeforeTheNumberCheck() {
    h.call("SET", "foo", "bar");
    String nxErr = "ERR NX and XX, GT or LT options at the same time are not compatible";
    assertEquals(error(nxErr), h.call("EXPIRE", "foo", "200", "NX", "XX"));
    assertEquals(error(nxErr), h.call("EXPIRE", "foo", "200", "NX", "GT"));
    assertEquals(error(nxErr), h.call("EXPIRE", "foo", "200", "LT", "NX"));
    assertEquals(error(nxErr), h.call("EXPIRE", "foo", "abc", "nx", "xx"));
    assertEquals(
        error("ERR GT and LT options at the same time are not compatible"),
        h.call("EXPIRE", "foo", "abc", "GT", "LT"));
    assertEquals(error("ERR Unsupported option AB"), h.call("EXPIRE", "foo", "200", "AB"));
    assertEquals(error("ERR Unsupported option ab"), h.call("EXPIRE", "foo", "200", "XX", "ab"));
    assertEquals(
        error("ERR Unsupported option AB"), h.call("EXPIRE", "foo", "200", "NX", "XX", "AB"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"abc", "", "1.5", " 1", "9223372036854775808"})
  void expire_nonInteger_isNotAnIntegerError(String time) {
    h.call("SET", "foo", "bar");
    assertEquals(
        error("ERR value is not an integer or out of range"), h.call("EXPIRE", "foo", time));
    assertEquals(
        error("ERR value is not an integer or out of range"), h.call("EXPIRE", "nokey", time));
  }

  @Test
  void expire_overflow_isInvalidExpireTime() {
    h.call("SET", "foo", "bar");
    String expire = "ERR invalid expire time in 'expire' command";
    assertEquals(error(expire), h.call("EXPIRE", "foo", "9223370399119966"));
    assertEquals(error(expire), h.call("EXPIRE", "foo", "9223372036854776"));
    assertEquals(error(expire), h.call("EXPIRE", "foo", "10000000000000000"));
    assertEquals(error(expire), h.call("EXPIRE", "foo", "18446744073709561"));
    assertEquals(error(expire), h.call("EXPIRE", "foo", "-9223372036854776"));
    assertEquals(error(expire), h.call("EXPIRE", "foo", "-9999999999999999"));
    assertEquals(error(expire), h.call("EXPIRE", "foo", "9223372036854775807"));
    assertEquals(
        error("ERR invalid expire time in 'pexpire' command"),
        h.call("PEXPIRE", "foo", "9223372036854770000"));
    assertEquals(
        error("ERR invalid expire time in 'expireat' command"),
        h.call("EXPIREAT", "foo", "9223372036854776"));
    assertEquals(error(expire), h.call("EXPIRE", "nokey", "9223372036854776"));
    assertEquals(integer(-1), h.call("TTL", "foo"));
  }

  @Test
  void pexpireat_atTheLimits() {
    h.call("SET", "foo", "bar");
    assertEquals(integer(1), h.call("PEXPIREAT", "foo", "9223372036854775807"));
    assertEquals(integer(9223372036854775807L), h.call("PEXPIRETIME", "foo"));
    // Redis rounds (t + 500) / 1000 as unsigned at this edge.
    assertEquals(integer(9223372036854776L), h.call("EXPIRETIME", "foo"));
    assertEquals(integer(1), h.call("EXPIREAT", "foo", "9223372036854775"));
    assertEquals(integer(9223372036854775000L), h.call("PEXPIRETIME", "foo"));
  }

  @Test
  void expire_wrongArity() {
    assertEquals(
        error("ERR wrong number of arguments for 'expire' command"), h.call("EXPIRE", "k"));
    assertEquals(
        error("ERR wrong number of arguments for 'pexpireat' command"), h.call("PEXPIREAT", "k"));
  }

  @Test
  void ttlFamily_conventionsForMissingAndPersistentKeys() {
    for (String cmd : new String[] {"TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"}) {
      assertEquals(integer(-2), h.call(cmd, "nokey"));
    }
    h.call("SET", "k", "v");
    for (String cmd : new String[] {"TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"}) {
      assertEquals(integer(-1), h.call(cmd, "k"));
      assertEquals(integer(-1), h.call3(cmd, "k"));
    }
    assertEquals(error("ERR wrong number of arguments for 'ttl' command"), h.call("TTL"));
    assertEquals(
        error("ERR wrong number of arguments for 'pttl' command"), h.call("PTTL", "a", "b"));
  }

  @Test
  void ttl_roundsToNearestSecond_andPttlIsExact() {
    h.call("SET", "k", "v");
    h.call("PEXPIREAT", "k", "4000000001499");
    assertEquals(integer(4000000001L), h.call("EXPIRETIME", "k"));
    assertEquals(integer(4000000001499L), h.call("PEXPIRETIME", "k"));
    h.call("PEXPIREAT", "k", "4000000001500");
    assertEquals(integer(4000000002L), h.call("EXPIRETIME", "k"));
    long now = System.currentTimeMillis();
    expireAt(h, 0, "k", now + 10_400);
    long ttl = replyNumber(h.call("TTL", "k"));
    assertTrue(ttl == 10, "ttl " + ttl);
    long pttl = replyNumber(h.call("PTTL", "k"));
    // The command's clock is derived from nanoTime and the nanosecond wall clock (WallClock),
    // which can read up to a millisecond behind the currentTimeMillis above.
    assertTrue(pttl <= 10_401 && pttl > 10_000, "pttl " + pttl);
  }

  @Test
  void ttl_ofExpiredKey_isMinusTwoAndReclaimsIt() {
    h.call("SET", "k", "v");
    expireAt(h, 0, "k", System.currentTimeMillis() - 1);
    propagated.clear();
    assertEquals(integer(-2), h.call("PTTL", "k"));
    assertEquals(List.of("0:DEL k"), propagated);
    assertEquals(1, h.server().keyspace().stats().expiredKeys.sum());
  }

  @Test
  void persist_removesTtlOnce() {
    h.call("SET", "k", "v");
    h.call("EXPIRE", "k", "100");
    propagated.clear();
    assertEquals(integer(1), h.call("PERSIST", "k"));
    assertEquals(integer(-1), h.call("TTL", "k"));
    assertEquals(integer(0), h.call("PERSIST", "k"));
    assertEquals(integer(0), h.call("PERSIST", "nokey"));
    assertEquals(List.of("0:PERSIST k"), propagated);
    assertEquals(0, h.server().keyspace().db(0).expiresCount());
    assertEquals(error("ERR wrong number of arguments for 'persist' command"), h.call("PERSIST"));
  }

  @Test
  void expiredKey_isInvisibleToReads() {
    h.call("SET", "k", "v");
    h.call("EXPIRE", "k", "100");
    expireAt(h, 0, "k", System.currentTimeMillis() - 1);
    assertEquals(NIL, h.call("GET", "k"));
    assertEquals(integer(-2), h.call("TTL", "k"));
    assertEquals(0, h.server().keyspace().db(0).expiresCount());
  }

  @Test
  void key_expiringThisVeryMillisecond_isStillAlive() {
    StoredValue v = new KeyspaceTestSupport.FakeValue(ValueType.STRING, "embstr");
    v.expireAt(1000);
    assertTrue(!v.isExpired(1000));
    assertTrue(v.isExpired(1001));
  }
}
