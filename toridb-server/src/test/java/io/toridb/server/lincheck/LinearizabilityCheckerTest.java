package io.toridb.server.lincheck;

import static io.toridb.server.lincheck.Operation.get;
import static io.toridb.server.lincheck.Operation.incr;
import static io.toridb.server.lincheck.Operation.incrError;
import static io.toridb.server.lincheck.Operation.pending;
import static io.toridb.server.lincheck.Operation.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.server.lincheck.LinearizabilityChecker.Result;
import io.toridb.server.lincheck.LinearizabilityChecker.Verdict;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LinearizabilityCheckerTest {
  private static final String NOT_INT = "ERR value is not an integer or out of range";

  private final LinearizabilityChecker checker = new LinearizabilityChecker();

  private Result check(Operation... ops) {
    return checker.check(List.of(ops));
  }

  private void assertLinearizable(Operation... ops) {
    Result r = check(ops);
    assertEquals(Verdict.LINEARIZABLE, r.verdict(), r::toString);
  }

  /** Asserts a violation and that its shortest failing prefix ends with {@code culprit}. */
  private Result assertViolation(Operation culprit, Operation... ops) {
    Result r = check(ops);
    assertEquals(Verdict.NOT_LINEARIZABLE, r.verdict(), r::toString);
    assertSame(culprit, r.failingOperation(), r::toString);
    assertTrue(r.explanation().contains(culprit.describe(minInvoke(ops))), r::toString);
    return r;
  }

  private static long minInvoke(Operation... ops) {
    long min = Long.MAX_VALUE;
    for (Operation op : ops) {
      min = Math.min(min, op.invoke());
    }
    return min;
  }

  // ---- linearizable by hand ----

  @Test
  void emptyHistory_isLinearizable() {
    assertLinearizable();
  }

  @Test
  void sequentialSetThenGet_isLinearizable() {
    assertLinearizable(set(0, "a", 0, 1), get(1, "a", 2, 3), get(0, "a", 4, 5));
  }

  @Test
  void getOverlappingSet_mayReadEitherTheOldOrTheNewValue() {
    assertLinearizable(set(0, "a", 0, 1), set(0, "b", 10, 20), get(1, "a", 12, 18));
    assertLinearizable(set(0, "a", 0, 1), set(0, "b", 10, 20), get(1, "b", 12, 18));
    assertLinearizable(set(0, "b", 10, 20), get(1, null, 5, 15));
    assertLinearizable(set(0, "b", 10, 20), get(1, "b", 5, 15));
  }

  @Test
  void concurrentSets_eitherMayWin() {
    assertLinearizable(set(0, "a", 0, 10), set(1, "b", 0, 10), get(2, "a", 11, 12));
    assertLinearizable(set(0, "a", 0, 10), set(1, "b", 0, 10), get(2, "b", 11, 12));
  }

  @Test
  void readsDuringConcurrentSets_mayObserveThemInTheOrderTheyTookEffect() {
    // b then a took effect: two readers see b then a.
    assertLinearizable(
        set(0, "a", 0, 100),
        set(1, "b", 0, 100),
        get(2, "b", 10, 20),
        get(2, "a", 30, 40),
        get(3, "a", 50, 60));
  }

  @Test
  void concurrentIncrs_takeEffectInEitherOrder() {
    assertLinearizable(incr(0, 2, 0, 10), incr(1, 1, 0, 10), get(2, "2", 11, 12));
    assertLinearizable(
        set(0, "5", 0, 1), incr(0, 7, 2, 10), incr(1, 6, 2, 10), get(2, "7", 11, 12));
  }

  @Test
  void operationsTouchingAtAnInstant_countAsConcurrent() {
    assertLinearizable(get(1, null, 5, 10), set(0, "a", 10, 12));
    assertLinearizable(get(1, "a", 5, 10), set(0, "a", 10, 12));
  }

  @Test
  void incrOnNonInteger_isAnErrorThatLeavesTheValue() {
    assertLinearizable(
        set(0, "x", 0, 1),
        incrError(0, NOT_INT, 2, 3),
        get(1, "x", 4, 5),
        incrError(1, NOT_INT, 6, 7));
    assertLinearizable(set(0, "x", 0, 1), set(0, "4", 2, 3), incr(1, 5, 4, 5));
  }

  @Test
  void incrOnMissingRegister_startsFromZero() {
    assertLinearizable(incr(0, 1, 0, 1), incr(0, 2, 2, 3), get(1, "2", 4, 5));
  }

  @Test
  void incrOverflow_isAnError() {
    assertLinearizable(
        set(0, "9223372036854775806", 0, 1),
        incr(0, Long.MAX_VALUE, 2, 3),
        incrError(0, "ERR increment or decrement would overflow", 4, 5),
        get(0, "9223372036854775807", 6, 7));
  }

  @Test
  void initialValue_isHonoured() {
    Result r = checker.check(List.of(incr(0, 11, 0, 1)), "10");
    assertTrue(r.linearizable(), r::toString);
    assertFalse(checker.check(List.of(incr(0, 11, 0, 1))).linearizable());
  }

  @Test
  void pendingSet_mayHaveTakenEffectOrNot() {
    assertLinearizable(pending(0, Operation.Kind.SET, "a", 0), get(1, "a", 5, 6));
    assertLinearizable(pending(0, Operation.Kind.SET, "a", 0), get(1, null, 5, 6));
    assertLinearizable(
        pending(0, Operation.Kind.SET, "a", 0), get(1, null, 5, 6), get(1, "a", 7, 8));
  }

  @Test
  void pendingIncr_mayExplainAnIncrementOnlyOnce() {
    assertLinearizable(pending(0, Operation.Kind.INCR, null, 0), incr(1, 2, 5, 6));
    Operation late = incr(1, 4, 7, 8);
    assertViolation(late, pending(0, Operation.Kind.INCR, null, 0), incr(1, 2, 5, 6), late);
  }

  // ---- violations by hand ----

  @Test
  void staleReadAfterCompletedSet_isAViolation() {
    Operation stale = get(1, "a", 4, 5);
    Result r = assertViolation(stale, set(0, "a", 0, 1), set(0, "b", 2, 3), stale);
    assertEquals(3, r.failingPrefixOperations());
  }

  @Test
  void readOfMissingKeyAfterCompletedSet_isAViolation() {
    Operation nil = get(1, null, 2, 3);
    assertViolation(nil, set(0, "a", 0, 1), nil);
  }

  @Test
  void valueFlippingBackWithoutAWrite_isAViolation() {
    Operation back = get(3, "a", 35, 40);
    assertViolation(back, set(0, "a", 0, 10), set(1, "b", 0, 10), get(2, "b", 20, 30), back);
    Operation flip = get(3, "b", 50, 60);
    assertViolation(
        flip,
        set(0, "a", 0, 100),
        set(1, "b", 0, 100),
        get(2, "b", 10, 20),
        get(2, "a", 30, 40),
        flip);
  }

  @Test
  void lostIncr_isAViolation() {
    Operation read = get(2, "1", 11, 12);
    assertViolation(read, incr(0, 1, 0, 10), incr(1, 2, 0, 10), read);
  }

  @Test
  void twoIncrsReturningTheSameValue_isAViolation() {
    Operation a = incr(0, 6, 2, 10);
    Operation b = incr(1, 6, 3, 12);
    assertViolation(b, set(0, "5", 0, 1), a, b);
    // Sequential too.
    Operation c = incr(1, 1, 2, 3);
    assertViolation(c, incr(0, 1, 0, 1), c);
  }

  @Test
  void readingAValueNeverWritten_isAViolation() {
    Operation ghost = get(2, "ghost", 3, 8);
    assertViolation(ghost, set(0, "a", 0, 10), set(1, "b", 2, 9), ghost);
  }

  @Test
  void incrAfterNonIntegerThatSucceeds_isAViolation() {
    Operation bad = incr(0, 1, 2, 3);
    assertViolation(bad, set(0, "x", 0, 1), bad);
    Operation badError = incrError(0, NOT_INT, 2, 3);
    assertViolation(badError, set(0, "41", 0, 1), badError);
    Operation errorOnMissing = incrError(0, NOT_INT, 0, 1);
    assertViolation(errorOnMissing, errorOnMissing);
  }

  @Test
  void realTimeOrderBetweenClients_isEnforced() {
    // Client 1's read began after client 0's write ended: it must see the write.
    Operation early = get(1, null, 2, 3);
    assertViolation(early, set(0, "a", 0, 1), early);
    // A pending write invoked after a read cannot explain what the read saw.
    Operation read = get(1, "a", 0, 1);
    assertViolation(read, read, pending(0, Operation.Kind.SET, "a", 2));
  }

  @Test
  void violation_explanationNamesTheOperationsRunningAtTheSameTime() {
    Operation concurrentSet = set(2, "c", 3, 20);
    Operation stale = get(1, "a", 4, 5);
    Result r = assertViolation(stale, set(0, "a", 0, 1), set(0, "b", 2, 3), concurrentSet, stale);
    assertTrue(r.explanation().contains("running at the same time (1)"), r::toString);
    assertTrue(r.explanation().contains("SET \"c\""), r::toString);
    assertTrue(r.explanation().contains("SET \"b\""), r::toString);
  }

  @Test
  void operationCompletingBeforeItsInvocation_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> get(0, null, 5, 4));
  }

  // ---- random histories ----

  @Test
  void randomSequentialHistories_areLinearizable() {
    for (long seed = 1; seed <= 200; seed++) {
      List<Operation> h = SimulatedHistories.sequential(new Random(seed), 60);
      Result r = checker.check(h);
      assertTrue(r.linearizable(), "seed " + seed + ": " + r);
    }
  }

  @Test
  void randomSequentialHistories_withOneResultChanged_areViolationsAtThatOperation() {
    for (long seed = 1; seed <= 200; seed++) {
      Random rnd = new Random(seed);
      List<Operation> h = new ArrayList<>(SimulatedHistories.sequential(rnd, 60));
      List<Integer> mutable = new ArrayList<>();
      for (int i = 0; i < h.size(); i++) {
        if (h.get(i).kind() != Operation.Kind.SET) {
          mutable.add(i);
        }
      }
      int i = mutable.get(rnd.nextInt(mutable.size()));
      Operation mutated = mutate(h.get(i), rnd);
      h.set(i, mutated);
      Collections.shuffle(h, rnd); // the checker must not depend on the list's order
      Result r = checker.check(h);
      assertEquals(Verdict.NOT_LINEARIZABLE, r.verdict(), "seed " + seed + ": " + r);
      assertSame(mutated, r.failingOperation(), "seed " + seed + ": " + r);
    }
  }

  /** The same operation with a different observed result. */
  private static Operation mutate(Operation op, Random rnd) {
    long i = op.invoke();
    long c = op.complete();
    if (op.kind() == Operation.Kind.GET) {
      if (op.output() == null) {
        return get(op.client(), rnd.nextBoolean() ? "0" : "x", i, c);
      }
      return rnd.nextBoolean()
          ? get(op.client(), null, i, c)
          : get(op.client(), op.output() + "0", i, c);
    }
    if (op.error()) {
      return incr(op.client(), rnd.nextInt(3), i, c);
    }
    long v = Long.parseLong(op.output());
    return switch (rnd.nextInt(3)) {
      case 0 -> incr(op.client(), v == Long.MIN_VALUE ? v + 1 : v - 1, i, c);
      case 1 -> incr(op.client(), v == Long.MAX_VALUE ? v - 1 : v + 1, i, c);
      default -> incrError(op.client(), NOT_INT, i, c);
    };
  }

  @Test
  void randomConcurrentHistoriesFromTheModel_areLinearizable() {
    for (long seed = 1; seed <= 100; seed++) {
      List<Operation> h = SimulatedHistories.concurrent(new Random(seed), 8, 400, 30, 40);
      Result r = checker.check(h);
      assertTrue(r.linearizable(), "seed " + seed + ": " + r);
    }
  }

  @Test
  void longConcurrentHistory_isCheckedAndADuplicatedIncrInItIsFound() {
    List<Operation> h =
        new ArrayList<>(SimulatedHistories.concurrent(new Random(42), 8, 40_000, 30, 40));
    Result ok = checker.check(h);
    assertTrue(ok.linearizable(), ok::toString);
    assertEquals(40_000, ok.operations());

    // Give an INCR late in the history the result of an earlier one.
    int late = -1;
    for (int i = h.size() - 1; i >= 0 && late < 0; i--) {
      if (h.get(i).kind() == Operation.Kind.INCR && !h.get(i).error() && i < 30_000) {
        late = i;
      }
    }
    Operation earlier = null;
    for (int i = late - 1; i >= 0 && earlier == null; i--) {
      if (h.get(i).kind() == Operation.Kind.INCR && !h.get(i).error()) {
        earlier = h.get(i);
      }
    }
    Operation original = h.get(late);
    Operation duplicate =
        incr(
            original.client(),
            Long.parseLong(earlier.output()),
            original.invoke(),
            original.complete());
    h.set(late, duplicate);
    Result bad = checker.check(h);
    assertEquals(Verdict.NOT_LINEARIZABLE, bad.verdict(), bad::toString);
    assertTrue(
        bad.failingOperation() == duplicate || bad.failingOperation() == earlier, bad::toString);
  }

  @Test
  void searchBudget_exceeded_givesUnknown() {
    List<Operation> h = SimulatedHistories.concurrent(new Random(7), 8, 2_000, 30, 40);
    Result r = new LinearizabilityChecker(10).check(h);
    assertEquals(Verdict.UNKNOWN, r.verdict(), r::toString);
    assertNull(r.failingOperation());
  }

  // ---- the register model ----

  @Test
  void strictIntegerParsing_matchesRedis() {
    assertEquals(0L, Register.parseStrict("0"));
    assertEquals(-1L, Register.parseStrict("-1"));
    assertEquals(Long.MAX_VALUE, Register.parseStrict("9223372036854775807"));
    assertEquals(Long.MIN_VALUE, Register.parseStrict("-9223372036854775808"));
    for (String bad :
        new String[] {
          "",
          "-",
          "-0",
          "+1",
          "01",
          " 1",
          "1 ",
          "1.0",
          "x",
          "9223372036854775808",
          "-9223372036854775809",
          "123456789012345678901"
        }) {
      assertNull(Register.parseStrict(bad), bad);
    }
    assertNull(Register.increment("9223372036854775807"));
    assertEquals(1L, Register.increment(null));
  }
}
