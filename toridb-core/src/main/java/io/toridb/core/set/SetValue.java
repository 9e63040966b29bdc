package io.toridb.core.set;

import io.toridb.core.command.Args;
import io.toridb.core.keyspace.DatasetDigest;
import io.toridb.core.keyspace.StoredValue;
import io.toridb.core.keyspace.ValueType;
import io.toridb.core.string.StringValue;
import java.util.Random;
import java.util.function.Consumer;

/**
 * A set value, in one of Redis 7.0's two encodings as {@code OBJECT ENCODING} names them:
 *
 * <ul>
 *   <li>"intset": a sorted packed array of integers ({@link IntSet}), while every member is an
 *       integer in canonical form (what Redis's string2ll accepts: no sign but '-', no leading
 *       zeros, fits 64 bits) and there are at most set-max-intset-entries members;
 *   <li>"hashtable": a hash set of byte strings ({@link MemberTable}) otherwise.
 * </ul>
 *
 * A set converts from intset to hashtable at the moment Redis's setTypeAdd does (a non-integer
 * member, or one member too many) and never converts back; whether a new set starts as an intset
 * follows Redis's setTypeCreate ({@link #forMember}) or createIntsetObject ({@link #emptyIntset}).
 *
 * <p>Members handed to {@link #add} are kept without copying; callers pass arrays nobody modifies
 * (request arguments, members of other sets). Members of an intset are produced as decimal text
 * when read.
 */
public final class SetValue extends StoredValue implements io.toridb.core.zset.SetOperand {
  /** Redis caps set-max-intset-entries at 2^30 because of the intset's own limits. */
  private static final long INTSET_HARD_LIMIT = 1L << 30;

  private IntSet ints;
  private MemberTable table;

  private SetValue(IntSet ints, MemberTable table) {
    this.ints = ints;
    this.table = table;
  }

  /** An empty set in the intset encoding, as Redis's createIntsetObject (STORE results, SPOP). */
  public static SetValue emptyIntset() {
    return new SetValue(new IntSet(), null);
  }

  /** An empty set in the hashtable encoding, sized for {@code expected} members. */
  public static SetValue emptyHashtable(int expected) {
    return new SetValue(null, new MemberTable(expected));
  }

  /**
   * An empty set that can hold {@code first}: an intset when it is an integer, a hashtable
   * otherwise (Redis's setTypeCreate). Add {@code first} to it next.
   */
  public static SetValue forMember(byte[] first) {
    return Args.isCanonicalLong(first) ? emptyIntset() : emptyHashtable(0);
  }

  public boolean isIntset() {
    return ints != null;
  }

  @Override
  public int size() {
    return ints != null ? ints.size() : table.size();
  }

  /**
   * Adds {@code member}, converting to a hashtable as Redis's setTypeAdd does: when the member is
   * not an integer, or when the intset would exceed {@code maxIntsetEntries}.
   *
   * @return false if the member was there already
   */
  public boolean add(byte[] member, long maxIntsetEntries) {
    if (table != null) {
      return table.add(member);
    }
    long v = Args.parseLongOr(member, Long.MIN_VALUE);
    if (v == Long.MIN_VALUE && !Args.isCanonicalLong(member)) {
      convertToHashtable();
      table.addNew(member);
      return true;
    }
    if (!ints.add(v)) {
      return false;
    }
    if (ints.size() > Math.min(maxIntsetEntries, INTSET_HARD_LIMIT)) {
      convertToHashtable();
    }
    return true;
  }

  /** Removes {@code member}; false if it was not there. */
  public boolean remove(byte[] member) {
    if (table != null) {
      return table.remove(member);
    }
    long v = Args.parseLongOr(member, Long.MIN_VALUE);
    if (v == Long.MIN_VALUE && !Args.isCanonicalLong(member)) {
      return false;
    }
    return ints.remove(v);
  }

  @Override
  public boolean contains(byte[] member) {
    if (table != null) {
      return table.contains(member);
    }
    long v = Args.parseLongOr(member, Long.MIN_VALUE);
    if (v == Long.MIN_VALUE && !Args.isCanonicalLong(member)) {
      return false;
    }
    return ints.contains(v);
  }

  /** Whether the integer {@code v} is a member (its decimal text, for a hashtable). */
  public boolean containsInteger(long v) {
    return ints != null ? ints.contains(v) : table.contains(StringValue.digits(v));
  }

  /**
   * The integer at sorted position {@code i} (0 &le; i &lt; size) of an intset: what saving the set
   * in Redis's intset form reads.
   */
  public long intAt(int i) {
    return ints.get(i);
  }

  /** A member chosen uniformly at random; the set must not be empty. */
  public byte[] random(Random random) {
    if (table != null) {
      return table.random(random);
    }
    return StringValue.digits(ints.get(random.nextInt(ints.size())));
  }

  /** Removes and returns a member chosen uniformly at random; the set must not be empty. */
  public byte[] removeRandom(Random random) {
    if (table != null) {
      return table.removeRandom(random);
    }
    long v = ints.get(random.nextInt(ints.size()));
    ints.remove(v);
    return StringValue.digits(v);
  }

  /**
   * Calls {@code action} with every member in the order Redis's set iterator yields them: ascending
   * for an intset, table order for a hashtable.
   */
  @Override
  public void forEach(Consumer<byte[]> action) {
    if (table != null) {
      table.forEach(action);
      return;
    }
    for (int i = 0; i < ints.size(); i++) {
      action.accept(StringValue.digits(ints.get(i)));
    }
  }

  /**
   * One SSCAN step over a hashtable: feeds {@code sink} the members of the bucket {@code cursor}
   * names and returns the next cursor (0 when the iteration is complete).
   */
  long scanStep(long cursor, Consumer<byte[]> sink) {
    return table.scan(cursor, sink);
  }

  private void convertToHashtable() {
    IntSet old = ints;
    MemberTable t = new MemberTable(old.size() + 1);
    for (int i = 0; i < old.size(); i++) {
      t.addNew(StringValue.digits(old.get(i)));
    }
    table = t;
    ints = null;
  }

  @Override
  public ValueType type() {
    return ValueType.SET;
  }

  @Override
  public String encoding() {
    return ints != null ? "intset" : "hashtable";
  }

  /** Redis XORs in the SHA-1 of each member's text, so the digest ignores member order. */
  @Override
  public void digest(DatasetDigest digest) {
    forEach(m -> digest.xor(m, 0, m.length));
  }

  /**
   * A copy in the same encoding with its own storage, as Redis's setTypeDup; member arrays are
   * immutable and therefore shared.
   */
  @Override
  public StoredValue copy() {
    return ints != null ? new SetValue(ints.copy(), null) : new SetValue(null, table.copy());
  }

  @Override
  public long memoryUsage() {
    if (encoding().equals("intset")) {
      return VALUE_OVERHEAD + 8L * size();
    }
    long[] bytes = {VALUE_OVERHEAD};
    // A member array and its slot and cached hash in the table.
    forEach(member -> bytes[0] += member.length + 28);
    return bytes[0];
  }
}
