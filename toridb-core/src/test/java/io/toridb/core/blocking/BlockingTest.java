package io.toridb.core.blocking;

import static io.toridb.core.CommandHarness.bulk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.CommandHarness;
import io.toridb.core.command.CommandContext;
import io.toridb.core.command.CommandFlag;
import io.toridb.core.command.CommandSpec;
import io.toridb.core.command.CommandTable;
import io.toridb.core.keyspace.Key;
import io.toridb.core.keyspace.StoredValue;
import io.toridb.core.keyspace.ValueType;
import java.util.ArrayDeque;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The parking and serving machinery, driven by two test commands over a minimal list type: TPUSH
 * appends, TBPOP pops from the first non-empty key or parks the client.
 */
class BlockingTest {
  /** A bare list value, enough to exercise blocking without the list engine. */
  static final class TestList extends StoredValue {
    final ArrayDeque<byte[]> items = new ArrayDeque<>();

    @Override
    public ValueType type() {
      return ValueType.LIST;
    }

    @Override
    public String encoding() {
      return "test";
    }

    @Override
    public StoredValue copy() {
      TestList c = new TestList();
      c.items.addAll(items);
      return c;
    }
  }

  static void register(CommandTable t) {
    t.add(
        CommandSpec.builder("tpush", -3)
            .flags(CommandFlag.WRITE)
            .keys(1, 1, 1)
            .group("list")
            .handler(BlockingTest::tpush));
    t.add(
        CommandSpec.builder("tflash", 2)
            .flags(CommandFlag.WRITE)
            .keys(1, 1, 1)
            .group("list")
            .handler(BlockingTest::tflash));
    t.add(
        CommandSpec.builder("tbpop", -3)
            .flags(CommandFlag.WRITE | CommandFlag.BLOCKING)
            .keys(1, -2, 1)
            .group("list")
            .handler(BlockingTest::tbpop));
  }

  /** TFLASH key: a list appears at key and is removed within the same command. */
  static void tflash(CommandContext ctx, byte[][] argv) {
    Key key = Key.of(argv[1]);
    TestList list = new TestList();
    list.items.add(argv[1]);
    ctx.db().put(key, list);
    ctx.db().remove(key);
    ctx.out().ok();
  }

  static void tpush(CommandContext ctx, byte[][] argv) {
    Key key = Key.of(argv[1]);
    TestList list = (TestList) ctx.db().lookupWrite(key, ctx.now());
    boolean created = list == null;
    if (created) {
      list = new TestList();
    }
    for (int i = 2; i < argv.length; i++) {
      list.items.add(argv[i]);
    }
    if (created) {
      ctx.db().put(key, list);
    }
    ctx.out().integer(list.items.size());
  }

  static void tbpop(CommandContext ctx, byte[][] argv) {
    long deadline = BlockingTimeout.deadline(argv[argv.length - 1], ctx.now());
    Key[] keys = new Key[argv.length - 2];
    for (int i = 1; i < argv.length - 1; i++) {
      keys[i - 1] = Key.of(argv[i]);
      TestList list = (TestList) ctx.db().lookupWrite(keys[i - 1], ctx.now());
      if (list != null) {
        byte[] v = list.items.poll();
        if (list.items.isEmpty()) {
          ctx.db().remove(keys[i - 1]);
        }
        ctx.out().arrayHeader(2);
        ctx.out().bulk(argv[i]);
        ctx.out().bulk(v);
        return;
      }
    }
    if (!ctx.mayBlock()) {
      ctx.out().nullArray();
      return;
    }
    ctx.block(keys, deadline, out -> out.nullArray());
  }

  private CommandHarness a;
  private CommandHarness b;
  private CommandHarness c;
  private Blocking blocking;

  @BeforeEach
  void setUp() {
    a = new CommandHarness();
    register(a.server().commands());
    b = new CommandHarness(a);
    c = new CommandHarness(a);
    blocking = a.server().blocking();
  }

  private static String pair(String key, String value) {
    return "*2\r\n" + bulk(key) + bulk(value);
  }

  @Test
  void dataPresent_servesAtOnceWithoutParking() {
    b.call("TPUSH", "k", "x");
    assertEquals(pair("k", "x"), a.call("TBPOP", "k", "0"));
    assertEquals(0, blocking.blockedClients());
    assertEquals(0, a.host().blockedCount());
  }

  @Test
  void push_servesTheParkedClientAndEndsItsWait() {
    assertEquals("", a.call("TBPOP", "k", "0"));
    assertEquals(1, blocking.blockedClients());
    assertEquals(1, a.host().blockedCount());
    assertEquals(0, a.host().lastDeadline());
    assertTrue(a.session().blocked() != null);

    assertEquals(":1\r\n", b.call("TPUSH", "k", "x"));
    assertEquals(pair("k", "x"), a.host().takeSent());
    assertEquals(1, a.host().unblockedCount());
    assertEquals(0, blocking.blockedClients());
    assertNull(a.session().blocked());
    // The parked client took the element: the key is gone.
    assertNull(a.server().keyspace().db(0).peek(Key.of("k".getBytes())));
  }

  @Test
  void clients_areServedInArrivalOrder() {
    a.call("TBPOP", "k", "0");
    c.call("TBPOP", "k", "0");
    b.call("TPUSH", "k", "first");
    assertEquals(pair("k", "first"), a.host().takeSent());
    assertEquals("", c.host().takeSent());
    assertEquals(1, blocking.blockedClients());
    b.call("TPUSH", "k", "second");
    assertEquals(pair("k", "second"), c.host().takeSent());
    assertEquals(0, blocking.blockedClients());
  }

  @Test
  void onePush_ofSeveralElements_servesSeveralClients() {
    a.call("TBPOP", "k", "0");
    c.call("TBPOP", "k", "0");
    b.call("TPUSH", "k", "1", "2", "3");
    assertEquals(pair("k", "1"), a.host().takeSent());
    assertEquals(pair("k", "2"), c.host().takeSent());
    assertEquals(pair("k", "3"), b.call("TBPOP", "k", "0"));
  }

  @Test
  void clientWaitingOnSeveralKeys_isServedFromTheOneThatAppears() {
    a.call("TBPOP", "k1", "k2", "0");
    b.call("TPUSH", "k2", "v");
    assertEquals(pair("k2", "v"), a.host().takeSent());
    assertEquals(0, blocking.blockedClients());
    // Its registration under k1 is gone too: a push there stays in the list.
    b.call("TPUSH", "k1", "w");
    assertEquals("", a.host().takeSent());
    assertEquals(pair("k1", "w"), b.call("TBPOP", "k1", "0"));
  }

  @Test
  void sameKeyTwice_registersOnce() {
    a.call("TBPOP", "k", "k", "0");
    b.call("TPUSH", "k", "v");
    assertEquals(pair("k", "v"), a.host().takeSent());
    assertEquals(1, a.host().unblockedCount());
  }

  @Test
  void expire_repliesTheTimeoutReplyOnce() {
    a.call("TBPOP", "k", "5");
    assertTrue(a.host().lastDeadline() > System.currentTimeMillis());
    BlockedClient client = a.session().blocked();
    assertTrue(blocking.expire(client));
    assertEquals("*-1\r\n", a.host().takeSent());
    assertEquals(1, a.host().unblockedCount());
    // A second expiry, or a push, finds the wait over.
    assertTrue(blocking.expire(client));
    b.call("TPUSH", "k", "v");
    assertEquals("", a.host().takeSent());
    assertEquals(1, a.host().unblockedCount());
  }

  @Test
  void expire_isRefusedWhileTheClientIsBeingServed() {
    a.call("TBPOP", "k", "5");
    BlockedClient client = a.session().blocked();
    assertTrue(client.state.compareAndSet(BlockedClient.WAITING, BlockedClient.SERVING));
    assertFalse(blocking.expire(client));
    client.state.set(BlockedClient.WAITING);
    assertTrue(blocking.expire(client));
  }

  @Test
  void resp3Client_timesOutWithResp3Null() {
    a.session().protocol(3);
    a.call("TBPOP", "k", "1");
    blocking.expire(a.session().blocked());
    assertEquals("_\r\n", a.host().takeSent());
  }

  @Test
  void cancel_forgetsTheClientSoThePushedValueStays() {
    a.call("TBPOP", "k", "0");
    blocking.cancel(a.session());
    assertEquals(0, blocking.blockedClients());
    b.call("TPUSH", "k", "v");
    assertEquals("", a.host().takeSent());
    assertEquals(0, a.host().unblockedCount());
    assertEquals(pair("k", "v"), b.call("TBPOP", "k", "0"));
  }

  @Test
  void unblock_withError_orWithTheTimeoutReply() {
    a.call("TBPOP", "k", "0");
    assertTrue(blocking.unblock(a.session(), "UNBLOCKED client unblocked via CLIENT UNBLOCK"));
    assertEquals("-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n", a.host().takeSent());
    assertFalse(blocking.unblock(a.session(), null));
    c.call("TBPOP", "k", "0");
    assertTrue(blocking.unblock(c.session(), null));
    assertEquals("*-1\r\n", c.host().takeSent());
  }

  @Test
  void servedClient_thatFindsNothing_keepsItsPlaceAndDeadline() {
    a.call("TBPOP", "k", "100");
    BlockedClient first = a.session().blocked();
    c.call("TBPOP", "k", "0");
    // A list appears and is gone again within one command: the parked client runs again, finds
    // nothing, and stays parked, first in line, with its deadline.
    b.call("TFLASH", "k");
    assertEquals("", a.host().takeSent());
    assertEquals(2, blocking.blockedClients());
    assertTrue(a.session().blocked() == first);
    b.call("TPUSH", "k", "w");
    assertEquals(pair("k", "w"), a.host().takeSent());
    assertEquals("", c.host().takeSent());
  }

  @Test
  void repliesBeforeTheBlockingCommand_goOutFirst() {
    // The batch buffer holds an earlier reply when the command parks: it is sent at once.
    io.netty.buffer.ByteBuf buf = io.netty.buffer.Unpooled.buffer();
    try {
      CommandContext ctx = executorContext(a);
      ctx.out().reset(buf, 2);
      buf.writeBytes("+PONG\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      a.executor().execute(a.session(), new byte[][] {"TBPOP".getBytes(), "k".getBytes(), {'0'}});
      assertEquals("+PONG\r\n", a.host().takeSent());
      assertFalse(buf.isReadable());
    } finally {
      buf.release();
    }
    b.call("TPUSH", "k", "v");
    assertEquals(pair("k", "v"), a.host().takeSent());
  }

  private static CommandContext executorContext(CommandHarness h) {
    return h.executor().context();
  }

  @Test
  void swapdb_servesClientsWhoseKeyArrivesWithTheOtherDatabase() {
    b.call("SELECT", "1");
    b.call("TPUSH", "k", "from-db1");
    a.call("TBPOP", "k", "0");
    assertEquals("+OK\r\n", c.call("SWAPDB", "0", "1"));
    assertEquals(pair("k", "from-db1"), a.host().takeSent());
    assertEquals(0, blocking.blockedClients());
  }

  @Test
  void badTimeouts_areRefusedWithRedisTexts() {
    assertEquals("-ERR timeout is negative\r\n", a.call("TBPOP", "k", "-1"));
    assertEquals("-ERR timeout is not a float or out of range\r\n", a.call("TBPOP", "k", "x"));
    assertEquals("-ERR timeout is negative\r\n", a.call("TBPOP", "k", "inf"));
    assertEquals("-ERR timeout is out of range\r\n", a.call("TBPOP", "k", "9223372036854775"));
    assertEquals(0, blocking.blockedClients());
  }

  @Test
  void deadline_isAbsoluteAndZeroMeansForever() {
    assertEquals(0, BlockingTimeout.deadline("0".getBytes(), 1000));
    assertEquals(1500, BlockingTimeout.deadline("0.5".getBytes(), 1000));
    assertEquals(1001, BlockingTimeout.deadline("0.0015".getBytes(), 1000));
  }

  @Test
  void claimingAClientAnotherThreadServes_marksItToBeLookedAtAgain() {
    BlockedClient client =
        new BlockedClient(
            a.session(),
            0,
            new byte[][] {"TBPOP".getBytes(), "k".getBytes(), "0".getBytes()},
            new Key[] {Key.of("k")},
            0,
            out -> out.nullArray(),
            ValueType.LIST);
    assertTrue(Blocking.claim(client));
    assertFalse(client.signalled);
    // Another thread made the key ready while this one serves the client: it must not take the
    // client, and must leave the mark that makes the serving thread look again.
    assertFalse(Blocking.claim(client));
    assertTrue(client.signalled);
    client.state.set(BlockedClient.WAITING);
    assertTrue(Blocking.claim(client));
    assertFalse(client.signalled);
    client.state.set(BlockedClient.DONE);
    assertFalse(Blocking.claim(client));
  }
}
