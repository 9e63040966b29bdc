package io.toridb.server.lincheck;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides whether a concurrent history of SET/GET/INCR operations on one register is linearizable:
 * whether every operation can be given a single instant between its invocation and its completion
 * such that, taken in the order of those instants, the operations are a legal sequential run of the
 * register ({@link Register}).
 *
 * <p>Implementation notes. This is the Wing–Gong search with Lowe's memoization (G. Lowe, "Testing
 * for linearizability", 2017), the algorithm behind Porcupine and Knossos's "linear" checker:
 *
 * <ul>
 *   <li>The history becomes one list of events, each operation's call at its invocation time and
 *       its return at its completion time, sorted by time (a call before a return at equal times,
 *       so operations that touch at an instant count as concurrent).
 *   <li>The search walks the list from the front. At a call it tries to linearize that operation
 *       now: if the register accepts it, the operation's call and return are unlinked from the list
 *       (dancing links) and the walk restarts at the front. Reaching a return means an operation
 *       that completed before everything left in front of it was not linearized: the last choice is
 *       undone and the walk continues after it. The history is linearizable when the list is empty,
 *       and not when a return is reached with nothing left to undo.
 *   <li>Memoization: a configuration is the set of operations linearized so far plus the register
 *       state. Two paths that reach the same configuration have the same futures, so each is
 *       explored once: a choice that leads to a configuration already in the cache is skipped.
 *       Without this the search is exponential in the number of concurrent operations; with it,
 *       histories of tens of thousands of operations from eight clients check in about a second.
 *   <li>The linearized set is a bitset over operations numbered by invocation. Every operation
 *       before the first one not yet linearized is linearized, so a cache key keeps only that
 *       position and the words from there to the last set bit: a few words, not the whole bitset.
 *       Register values are interned to small integers.
 *   <li>Pending operations (invoked, never completed) get their return at infinity and accept any
 *       output, so each may take effect at any moment after its invocation or, by being placed
 *       after everything else, never.
 * </ul>
 *
 * <p>When a history is not linearizable the checker looks for its shortest non-linearizable prefix
 * by bisection (linearizability is prefix-closed when the operations still running at the cut are
 * treated as pending): the operation whose completion ends that prefix is the first one whose reply
 * no order of the operations before it can explain, and the explanation lists it, the operations
 * running at the same time and the ones that completed just before it.
 */
public final class LinearizabilityChecker {
  /** Configurations the search may cache before it gives up and reports the result as unknown. */
  static final int DEFAULT_MAX_CONFIGURATIONS = 20_000_000;

  /** How many operations completed just before the failing one the explanation shows. */
  private static final int CONTEXT_BEFORE = 8;

  private final int maxConfigurations;

  public LinearizabilityChecker() {
    this(DEFAULT_MAX_CONFIGURATIONS);
  }

  /** A checker that gives up (result {@link Verdict#UNKNOWN}) past {@code maxConfigurations}. */
  public LinearizabilityChecker(int maxConfigurations) {
    this.maxConfigurations = maxConfigurations;
  }

  /** The answer for a history. */
  public enum Verdict {
    LINEARIZABLE,
    NOT_LINEARIZABLE,
    /** The search exceeded its configuration budget. */
    UNKNOWN
  }

  /**
   * The outcome of a check: the verdict, the number of configurations the (first, whole-history)
   * search cached, and for a violation the shortest failing prefix's length in operations, the
   * operation that ends it and a readable explanation.
   */
  public record Result(
      Verdict verdict,
      int operations,
      long configurations,
      int failingPrefixOperations,
      Operation failingOperation,
      String explanation) {
    public boolean linearizable() {
      return verdict == Verdict.LINEARIZABLE;
    }

    @Override
    public String toString() {
      return verdict
          + " ("
          + operations
          + " operations, "
          + configurations
          + " configurations)"
          + (explanation.isEmpty() ? "" : "\n" + explanation);
    }
  }

  /** Checks {@code history}, which starts from an absent register (the key does not exist). */
  public Result check(List<Operation> history) {
    return check(history, null);
  }

  /** Checks {@code history} starting from a register holding {@code initial} (null: absent). */
  public Result check(List<Operation> history, String initial) {
    List<Operation> ops = new ArrayList<>(history);
    ops.sort(Comparator.comparingLong(Operation::invoke));
    Search whole = new Search(ops, initial, maxConfigurations);
    Verdict verdict = whole.run();
    if (verdict != Verdict.NOT_LINEARIZABLE) {
      return new Result(verdict, ops.size(), whole.configurations(), -1, null, "");
    }
    return explainViolation(ops, initial, whole);
  }

  /**
   * Bisects over the history's completions for the shortest prefix that is not linearizable, and
   * describes the operation whose completion ends it.
   */
  private Result explainViolation(List<Operation> ops, String initial, Search whole) {
    int[] order = whole.events();
    int n = ops.size();
    // Positions in the event order of the returns of completed operations.
    List<Integer> returns = new ArrayList<>();
    for (int e = 0; e < order.length; e++) {
      int node = order[e];
      if (node >= n && !ops.get(node - n).pending()) {
        returns.add(e);
      }
    }
    int lo = 0;
    int hi = returns.size() - 1; // the whole history fails: the last completion is a failing cut
    boolean budgetExceeded = false;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      Verdict v =
          new Search(prefix(ops, order, returns.get(mid)), initial, maxConfigurations).run();
      if (v == Verdict.UNKNOWN) {
        budgetExceeded = true;
        break;
      }
      if (v == Verdict.NOT_LINEARIZABLE) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    int cut = returns.get(hi);
    Operation failing = ops.get(order[cut] - n);
    List<Operation> prefix = prefix(ops, order, cut);
    StringBuilder b = new StringBuilder();
    long origin = ops.get(0).invoke();
    b.append("not linearizable: ");
    if (budgetExceeded) {
      b.append(
          "(the search for the shortest failing prefix ran out of budget; this prefix fails)\n");
    }
    b.append("the shortest failing prefix has ")
        .append(prefix.size())
        .append(" of ")
        .append(n)
        .append(" operations and ends when this one completes:\n    ")
        .append(failing.describe(origin))
        .append('\n')
        .append("no order of the operations before it explains its reply.\n");
    List<Operation> concurrent = new ArrayList<>();
    List<Operation> before = new ArrayList<>();
    for (Operation op : ops) {
      if (op == failing || op.invoke() > failing.complete()) {
        continue;
      }
      if (op.complete() < failing.invoke()) {
        before.add(op);
      } else {
        concurrent.add(op);
      }
    }
    before.sort(Comparator.comparingLong(Operation::complete));
    List<Operation> lastBefore =
        before.subList(Math.max(0, before.size() - CONTEXT_BEFORE), before.size());
    b.append("operations running at the same time (").append(concurrent.size()).append("):\n");
    for (Operation op : concurrent) {
      b.append("    ").append(op.describe(origin)).append('\n');
    }
    b.append("the last ")
        .append(lastBefore.size())
        .append(" operations completed before it was invoked:\n");
    for (Operation op : lastBefore) {
      b.append("    ").append(op.describe(origin)).append('\n');
    }
    b.append("(times in microseconds from the first invocation)");
    return new Result(
        Verdict.NOT_LINEARIZABLE, n, whole.configurations(), prefix.size(), failing, b.toString());
  }

  /**
   * The history as it stood at event {@code cut}: the operations invoked up to it, those not
   * completed by then turned pending.
   */
  private static List<Operation> prefix(List<Operation> ops, int[] order, int cut) {
    int n = ops.size();
    boolean[] invoked = new boolean[n];
    boolean[] completed = new boolean[n];
    for (int e = 0; e <= cut; e++) {
      int node = order[e];
      if (node < n) {
        invoked[node] = true;
      } else {
        completed[node - n] = true;
      }
    }
    List<Operation> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (invoked[i]) {
        out.add(completed[i] ? ops.get(i) : ops.get(i).asPending());
      }
    }
    return out;
  }

  /** One run of the memoized Wing–Gong search over a history. */
  private static final class Search {
    private final List<Operation> ops;
    private final int n;
    private final int maxConfigurations;

    /** Event nodes: 0..n-1 are calls of operation i, n..2n-1 their returns; 2n is the head. */
    private final int[] next;

    private final int[] prev;
    private final int head;
    private final int[] events;
    private final String initialState;

    private final long[] linearized;

    /** Index of the first word of {@link #linearized} that is not all ones. */
    private int lowWord;

    /** Index of the last word of {@link #linearized} that is not zero, or -1. */
    private int highWord = -1;

    private final Map<String, Integer> stateIds = new HashMap<>();
    private final List<String> states = new ArrayList<>();
    private final Set<CacheKey> cache = new HashSet<>();

    Search(List<Operation> ops, String initial, int maxConfigurations) {
      this.ops = ops;
      this.n = ops.size();
      this.maxConfigurations = maxConfigurations;
      this.head = 2 * n;
      this.next = new int[2 * n + 1];
      this.prev = new int[2 * n + 1];
      this.linearized = new long[(n + 63) / 64 + 1];
      Integer[] nodes = new Integer[2 * n];
      for (int i = 0; i < 2 * n; i++) {
        nodes[i] = i;
      }
      Arrays.sort(
          nodes,
          Comparator.<Integer>comparingLong(this::time)
              .thenComparingInt(node -> node < n ? 0 : 1)
              .thenComparingInt(node -> node));
      events = new int[2 * n];
      int last = head;
      for (int i = 0; i < 2 * n; i++) {
        int node = nodes[i];
        events[i] = node;
        next[last] = node;
        prev[node] = last;
        last = node;
      }
      next[last] = -1;
      if (n == 0) {
        next[head] = -1;
      }
      initialState = initial;
    }

    private long time(int node) {
      return node < n ? ops.get(node).invoke() : ops.get(node - n).complete();
    }

    int[] events() {
      return events;
    }

    long configurations() {
      return cache.size();
    }

    Verdict run() {
      int[] stackCall = new int[n];
      int[] stackState = new int[n];
      int depth = 0;
      int state = stateId(initialState);
      int entry = next[head];
      while (next[head] != -1) {
        if (entry < n) {
          Object stepped = Register.step(states.get(state), ops.get(entry));
          if (stepped != Register.REJECTED) {
            int newState = stateId((String) stepped);
            set(entry);
            if (cache.add(key(newState))) {
              if (cache.size() > maxConfigurations) {
                return Verdict.UNKNOWN;
              }
              stackCall[depth] = entry;
              stackState[depth] = state;
              depth++;
              state = newState;
              lift(entry);
              entry = next[head];
              continue;
            }
            clear(entry);
          }
          entry = next[entry];
        } else {
          if (depth == 0) {
            return Verdict.NOT_LINEARIZABLE;
          }
          depth--;
          int call = stackCall[depth];
          state = stackState[depth];
          clear(call);
          unlift(call);
          entry = next[call];
        }
      }
      return Verdict.LINEARIZABLE;
    }

    /** Unlinks an operation's call and return from the event list. */
    private void lift(int call) {
      int ret = call + n;
      next[prev[call]] = next[call];
      if (next[call] != -1) {
        prev[next[call]] = prev[call];
      }
      next[prev[ret]] = next[ret];
      if (next[ret] != -1) {
        prev[next[ret]] = prev[ret];
      }
    }

    /** Links back what {@link #lift} removed (the undo happens in reverse order of the lifts). */
    private void unlift(int call) {
      int ret = call + n;
      next[prev[ret]] = ret;
      if (next[ret] != -1) {
        prev[next[ret]] = ret;
      }
      next[prev[call]] = call;
      if (next[call] != -1) {
        prev[next[call]] = call;
      }
    }

    private void set(int op) {
      int w = op >>> 6;
      linearized[w] |= 1L << op;
      while (linearized[lowWord] == -1L) {
        lowWord++;
      }
      highWord = Math.max(highWord, w);
    }

    private void clear(int op) {
      int w = op >>> 6;
      linearized[w] &= ~(1L << op);
      lowWord = Math.min(lowWord, w);
      while (highWord >= 0 && linearized[highWord] == 0) {
        highWord--;
      }
    }

    private CacheKey key(int state) {
      long[] words =
          highWord < lowWord ? new long[0] : Arrays.copyOfRange(linearized, lowWord, highWord + 1);
      return new CacheKey(state, lowWord, words);
    }

    private int stateId(String value) {
      Integer id = stateIds.get(value);
      if (id == null) {
        id = states.size();
        states.add(value);
        stateIds.put(value, id);
      }
      return id;
    }
  }

  /** A configuration: register state and the linearized set from its first incomplete word. */
  private static final class CacheKey {
    private final int state;
    private final int lowWord;
    private final long[] words;
    private final int hash;

    CacheKey(int state, int lowWord, long[] words) {
      this.state = state;
      this.lowWord = lowWord;
      this.words = words;
      this.hash = (31 * state + lowWord) * 31 + Arrays.hashCode(words);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof CacheKey k
          && k.state == state
          && k.lowWord == lowWord
          && Arrays.equals(k.words, words);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }
}
