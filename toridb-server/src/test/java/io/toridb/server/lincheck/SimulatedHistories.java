package io.toridb.server.lincheck;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Linearizable histories made by running the sequential register model: each simulated client
 * invokes an operation, the operation takes effect on the model at some later step (its
 * linearization point, where its result is computed) and completes at a step after that. Steps are
 * interleaved at random between clients, so operations overlap as on a real server, yet a valid
 * linearization exists by construction.
 */
final class SimulatedHistories {
  private SimulatedHistories() {}

  /** Values SET writes in the sequential histories: integers, edge integers, non-integers. */
  private static final String[] SEQUENTIAL_VALUES = {
    "0",
    "1",
    "-1",
    "41",
    "-0",
    "+5",
    "007",
    "x",
    "",
    "9223372036854775806",
    "9223372036854775807",
    "-9223372036854775808",
    "12345678901234567890",
    " 3",
    "3.0"
  };

  /**
   * {@code count} operations one after the other (no two overlap), values drawn from a small pool
   * that includes integers at the edges of INCR's range and strings INCR must refuse.
   */
  static List<Operation> sequential(Random rnd, int count) {
    List<Operation> out = new ArrayList<>();
    String state = null;
    long t = 0;
    for (int i = 0; i < count; i++) {
      int client = rnd.nextInt(4);
      long invoke = t += 1 + rnd.nextInt(3);
      long complete = t += 1 + rnd.nextInt(3);
      int pick = rnd.nextInt(10);
      if (pick < 3) {
        String v = SEQUENTIAL_VALUES[rnd.nextInt(SEQUENTIAL_VALUES.length)];
        state = v;
        out.add(Operation.set(client, v, invoke, complete));
      } else if (pick < 6) {
        out.add(Operation.get(client, state, invoke, complete));
      } else {
        Long next = Register.increment(state);
        if (next == null) {
          out.add(Operation.incrError(client, "ERR", invoke, complete));
        } else {
          state = next.toString();
          out.add(Operation.incr(client, next, invoke, complete));
        }
      }
    }
    return out;
  }

  /**
   * {@code count} operations from {@code clients} concurrent clients (each client's operations in
   * sequence), mixing SET of unique values (mostly integers, one in twenty not), GET and INCR in
   * the given percentages.
   */
  static List<Operation> concurrent(
      Random rnd, int clients, int count, int setPercent, int getPercent) {
    List<Operation> out = new ArrayList<>(count);
    String state = null;
    long t = 0;
    int invoked = 0;
    // Per client: 0 idle, 1 invoked, 2 took effect (result known).
    int[] phase = new int[clients];
    Operation.Kind[] kind = new Operation.Kind[clients];
    String[] argument = new String[clients];
    String[] result = new String[clients];
    long[] invokeTime = new long[clients];
    int[] seq = new int[clients];
    int busy = 0;
    while (invoked < count || busy > 0) {
      int c = rnd.nextInt(clients);
      t++;
      switch (phase[c]) {
        case 0 -> {
          if (invoked == count) {
            continue;
          }
          invoked++;
          busy++;
          invokeTime[c] = t;
          int pick = rnd.nextInt(100);
          if (pick < setPercent) {
            kind[c] = Operation.Kind.SET;
            argument[c] = value(rnd, c, seq[c]++);
          } else if (pick < setPercent + getPercent) {
            kind[c] = Operation.Kind.GET;
          } else {
            kind[c] = Operation.Kind.INCR;
          }
          phase[c] = 1;
        }
        case 1 -> {
          switch (kind[c]) {
            case SET -> state = argument[c];
            case GET -> result[c] = state;
            case INCR -> {
              Long next = Register.increment(state);
              if (next == null) {
                result[c] = null;
              } else {
                state = next.toString();
                result[c] = state;
              }
            }
          }
          phase[c] = 2;
        }
        default -> {
          out.add(
              switch (kind[c]) {
                case SET -> Operation.set(c, argument[c], invokeTime[c], t);
                case GET -> Operation.get(c, result[c], invokeTime[c], t);
                case INCR ->
                    result[c] == null
                        ? Operation.incrError(
                            c, "ERR value is not an integer or out of range", invokeTime[c], t)
                        : Operation.incr(c, Long.parseLong(result[c]), invokeTime[c], t);
              });
          phase[c] = 0;
          busy--;
        }
      }
    }
    return out;
  }

  /**
   * A value no other SET writes and no chain of fewer than a million INCRs from another value
   * reaches; one in twenty is not an integer, so INCR errors are exercised too.
   */
  static String value(Random rnd, int client, int seq) {
    if (rnd.nextInt(20) == 0) {
      return "s" + client + "-" + seq;
    }
    return Long.toString((client + 1) * 1_000_000_000_000L + seq * 1_000_000L);
  }
}
