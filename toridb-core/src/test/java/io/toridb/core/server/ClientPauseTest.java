package io.toridb.core.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.toridb.core.server.ClientPause.Purpose;
import io.toridb.core.server.ClientPause.Type;
import io.toridb.core.session.ClientHost;
import io.toridb.core.session.ClientSession;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientPauseTest {
  private final List<Boolean> held = new ArrayList<>();
  private final ClientPause pause = new ClientPause(held::add);
  private final List<String> events = new ArrayList<>();

  private ClientSession session(String name) {
    ClientSession s = new ClientSession(true);
    s.host(
        new ClientHost() {
          @Override
          public void send(ByteBuf reply) {
            reply.release();
          }

          @Override
          public void blocked(long deadline) {
            events.add(name + " blocked " + deadline);
          }

          @Override
          public void unblocked() {
            events.add(name + " unblocked");
          }
        });
    return s;
  }

  private static long later() {
    return System.currentTimeMillis() + 100_000;
  }

  @Test
  void theMostRestrictivePauseOfAnyPurposeIsInForce() {
    assertEquals(Type.OFF, pause.type());
    pause.pause(Purpose.CLIENT_COMMAND, later(), Type.WRITE);
    assertEquals(Type.WRITE, pause.type());
    pause.pause(Purpose.FAILOVER, later(), Type.ALL);
    assertEquals(Type.ALL, pause.type());
    pause.unpause(Purpose.FAILOVER);
    assertEquals(Type.WRITE, pause.type());
    assertTrue(pause.pausedBy(Purpose.CLIENT_COMMAND));
    assertFalse(pause.pausedBy(Purpose.FAILOVER));
    pause.unpause(Purpose.CLIENT_COMMAND);
    assertEquals(Type.OFF, pause.type());
    // Expiry is held once, for as long as any pause is on.
    assertEquals(List.of(true, false), held);
  }

  @Test
  void aSecondPauseOfOnePurposeKeepsTheStricterTypeAndTheLaterEnd() {
    long end = later();
    pause.pause(Purpose.CLIENT_COMMAND, end, Type.ALL);
    pause.pause(Purpose.CLIENT_COMMAND, System.currentTimeMillis() + 1, Type.WRITE);
    pause.check(end - 1);
    assertEquals(Type.ALL, pause.type());
  }

  @Test
  void aPauseEndsAtItsEndTime() {
    long end = System.currentTimeMillis() + 50_000;
    pause.pause(Purpose.CLIENT_COMMAND, end, Type.ALL);
    ClientSession a = session("a");
    pause.postpone(a, false);
    pause.check(end);
    assertEquals(Type.ALL, pause.type(), "still on at its end time");
    pause.check(end + 1);
    assertEquals(List.of("a blocked 0", "a unblocked"), events);
    assertEquals(0, pause.postponedCount());
    assertFalse(a.postponed());
    assertEquals(List.of(true, false), held);
  }

  @Test
  void postponedClientsGoInTheirOrderWhenThePauseBecomesLessRestrictive() {
    pause.pause(Purpose.CLIENT_COMMAND, later(), Type.WRITE);
    pause.pause(Purpose.FAILOVER, later(), Type.ALL);
    ClientSession a = session("a");
    ClientSession b = session("b");
    pause.postpone(a, true);
    pause.postpone(b, false);
    assertEquals(2, pause.postponedCount());
    assertTrue(a.postponed());
    pause.unpause(Purpose.FAILOVER);
    // Down to WRITE: all go, and those still covered are postponed again by their command.
    assertEquals(List.of("a blocked 0", "b blocked 0", "a unblocked", "b unblocked"), events);
    assertEquals(0, pause.postponedCount());
  }

  @Test
  void aClientPostponedAfterThePauseEndedGoesAtOnce() {
    ClientSession a = session("a");
    pause.postpone(a, true);
    assertEquals(List.of("a blocked 0", "a unblocked"), events);
    assertEquals(0, pause.postponedCount());
  }

  @Test
  void aReadPostponedWhenThePauseIsDownToWriteGoesAtOnce() {
    pause.pause(Purpose.CLIENT_COMMAND, later(), Type.WRITE);
    ClientSession a = session("a");
    pause.postpone(a, false);
    assertEquals(List.of("a blocked 0", "a unblocked"), events);
    ClientSession b = session("b");
    pause.postpone(b, true);
    assertEquals(1, pause.postponedCount());
  }

  @Test
  void aClientKilledBeforeItIsPostponedIsNotKept() {
    pause.pause(Purpose.CLIENT_COMMAND, later(), Type.ALL);
    ClientSession a = session("a");
    a.kill();
    pause.postpone(a, false);
    assertEquals(0, pause.postponedCount());
  }

  @Test
  void aDisconnectedClientIsForgotten() {
    pause.pause(Purpose.CLIENT_COMMAND, later(), Type.ALL);
    ClientSession a = session("a");
    pause.postpone(a, false);
    pause.forget(a);
    assertEquals(0, pause.postponedCount());
    pause.unpause(Purpose.CLIENT_COMMAND);
    assertEquals(List.of("a blocked 0"), events);
  }
}
