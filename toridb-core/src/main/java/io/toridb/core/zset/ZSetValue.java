package io.toridb.core.zset;

import io.toridb.core.keyspace.DatasetDigest;
import io.toridb.core.keyspace.StoredValue;
import io.toridb.core.keyspace.ValueType;
import io.toridb.protocol.DoubleFormat;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * A sorted set: members (byte strings) with scores (doubles, never NaN), ordered by score and then
 * by member bytes. Two forms, switched at the moments Redis 7.0 switches its encodings:
 *
 * <ul>
 *   <li>"listpack": {@link PackedEntries}, while there are at most {@code
 *       zset-max-listpack-entries} members of at most {@code zset-max-listpack-value} bytes;
 *   <li>"skiplist": a {@link ScoreTree} for order and rank plus a {@link MemberIndex} for scores.
 * </ul>
 *
 * A set only moves to the big form (when an addition would break a limit), never back, except for
 * results that Redis builds whole (ZUNIONSTORE and friends), which start small when they fit.
 *
 * <p>Positions are ranks: 0 is the lowest entry. Ranges of scores and members are found as Redis
 * finds them, including its exact walk over a listpack when members are compared by bytes while
 * scores differ (a case whose answer Redis leaves unspecified).
 */
public final class ZSetValue extends StoredValue {
  /** ZADD input flags, Redis's ZADD_IN_*. */
  static final int IN_INCR = 1;

  static final int IN_NX = 1 << 1;
  static final int IN_XX = 1 << 2;
  static final int IN_GT = 1 << 3;
  static final int IN_LT = 1 << 4;

  /** ZADD result flags, Redis's ZADD_OUT_*. */
  static final int OUT_NOP = 1;

  static final int OUT_NAN = 1 << 1;
  static final int OUT_ADDED = 1 << 2;
  static final int OUT_UPDATED = 1 << 3;

  /** Redis's LISTPACK_MAX_SAFETY_SIZE: a listpack never grows past 1 GiB. */
  private static final long LISTPACK_SAFETY_SIZE = 1L << 30;

  private PackedEntries packed;
  private ScoreTree tree;
  private MemberIndex index;

  private ZSetValue(PackedEntries packed) {
    this.packed = packed;
  }

  private ZSetValue(ScoreTree tree, MemberIndex index) {
    this.tree = tree;
    this.index = index;
  }

  /** An empty set in the listpack form. */
  static ZSetValue packed() {
    return new ZSetValue(new PackedEntries(4));
  }

  /** An empty set in the skiplist form. */
  static ZSetValue ranked(int expected) {
    return new ZSetValue(new ScoreTree(), new MemberIndex(expected));
  }

  /**
   * An empty set in the listpack form, or in the skiplist form sized for {@code expected} members:
   * for building a loaded value entry by entry with {@link #insert}.
   */
  public static ZSetValue empty(boolean listpack, int expected) {
    return listpack ? new ZSetValue(new PackedEntries(Math.min(expected, 1024))) : ranked(expected);
  }

  /**
   * Adds {@code member} (kept, not copied) with {@code score} if it is not in the set, checking no
   * limit and converting nothing: for loading a saved value, whose encoding the loader decides.
   *
   * @return false when the member is already there (nothing changes)
   */
  public boolean insert(byte[] member, double score) {
    if (!Double.isNaN(score(member))) {
      return false;
    }
    insertNew(score, member);
    return true;
  }

  /** Moves to the skiplist form now if it is not there yet (a loaded set with too many entries). */
  public void convertToSkiplist() {
    if (packed != null) {
      convertToRanked();
    }
  }

  /**
   * Moves to the listpack form when the set has at most {@code maxEntries} members of at most
   * {@code maxValue} bytes, as Redis does after loading a sorted set saved in the skiplist form.
   */
  public void packIfFits(long maxEntries, long maxValue) {
    packIfFits(new ZSetLimits(maxEntries, maxValue));
  }

  /**
   * A score as Redis reads it from a listpack entry stored as text (zzlStrtod): C's {@code strtod}
   * over at most the first 127 bytes.
   */
  public static double parseListpackScore(byte[] text) {
    byte[] b = text.length > 127 ? Arrays.copyOf(text, 127) : text;
    return new Strtod().parse(b, 0);
  }

  /**
   * An empty set in the form ZADD creates for a first member of {@code firstMemberLength} bytes.
   */
  static ZSetValue forFirstMember(int firstMemberLength, ZSetLimits limits) {
    if (limits.maxEntries() == 0 || limits.maxValue() < firstMemberLength) {
      return ranked(0);
    }
    return packed();
  }

  /**
   * A set in the skiplist form holding the entries of {@code index}, which it takes over: how
   * ZUNION and friends build their result before {@link #packIfFits}.
   */
  static ZSetValue ofIndex(MemberIndex index) {
    ScoreTree t = new ScoreTree();
    index.forEach((m, s) -> t.insert(s, m));
    return new ZSetValue(t, index);
  }

  /**
   * Moves a computed result to the listpack form when it fits the limits, as Redis's
   * zsetConvertToListpackIfNeeded does for ZUNIONSTORE, ZINTERSTORE and ZDIFFSTORE.
   */
  void packIfFits(ZSetLimits limits) {
    if (packed != null || tree.size() > limits.maxEntries()) {
      return;
    }
    long longest = 0;
    long total = 0;
    for (ScoreTree.Cursor c = tree.first(); c.valid(); c.next()) {
      longest = Math.max(longest, c.member().length);
      total += c.member().length;
    }
    if (tree.size() <= limits.maxEntries()
        && longest <= limits.maxValue()
        && total <= LISTPACK_SAFETY_SIZE) {
      PackedEntries p = new PackedEntries(tree.size());
      for (ScoreTree.Cursor c = tree.first(); c.valid(); c.next()) {
        p.append(c.score(), c.member());
      }
      packed = p;
      tree = null;
      index = null;
    }
  }

  /** Number of members. */
  public int size() {
    return packed != null ? packed.size() : tree.size();
  }

  boolean isPacked() {
    return packed != null;
  }

  /** The member's score, or NaN when it is not in the set. */
  double score(byte[] member) {
    if (packed != null) {
      int i = packed.indexOf(member);
      return i < 0 ? Double.NaN : packed.scoreAt(i);
    }
    return index.get(member);
  }

  /** The form change ZADD makes when an addition would break a limit (zsetConvert). */
  private void convertToRanked() {
    PackedEntries p = packed;
    ScoreTree t = new ScoreTree();
    MemberIndex idx = new MemberIndex(p.size() + 1);
    for (int i = 0; i < p.size(); i++) {
      t.insert(p.scoreAt(i), p.memberAt(i));
      idx.put(p.memberAt(i), p.scoreAt(i));
    }
    tree = t;
    index = idx;
    packed = null;
  }

  /** What {@link #add} did, reused across the members of one command. */
  static final class AddOutcome {
    int flags;
    double score;
  }

  /**
   * Adds or updates a member as Redis's zsetAdd: INCR adds to the old score (0 for a new member),
   * NX only adds, XX only updates, GT/LT only update to a greater/smaller score. Converts to the
   * skiplist form first when a new member would break a limit. {@code member} is kept, not copied.
   *
   * @return false when the resulting score is NaN (nothing changed)
   */
  boolean add(double score, byte[] member, int in, ZSetLimits limits, AddOutcome out) {
    out.flags = 0;
    if (Double.isNaN(score)) {
      out.flags = OUT_NAN;
      return false;
    }
    double current = score(member);
    if (!Double.isNaN(current)) {
      if ((in & IN_NX) != 0) {
        out.flags = OUT_NOP;
        return true;
      }
      if ((in & IN_INCR) != 0) {
        score += current;
        if (Double.isNaN(score)) {
          out.flags = OUT_NAN;
          return false;
        }
      }
      if (((in & IN_LT) != 0 && score >= current) || ((in & IN_GT) != 0 && score <= current)) {
        out.flags = OUT_NOP;
        return true;
      }
      out.score = score;
      if (score != current) {
        updateScore(member, current, score);
        out.flags = OUT_UPDATED;
      }
      return true;
    }
    if ((in & IN_XX) != 0) {
      out.flags = OUT_NOP;
      return true;
    }
    if (packed != null
        && (packed.size() + 1 > limits.maxEntries()
            || member.length > limits.maxValue()
            || packed.memberBytes() + member.length > LISTPACK_SAFETY_SIZE)) {
      convertToRanked();
    }
    insertNew(score, member);
    // The score as computed, even where a listpack stores -0 as 0 (as Redis replies).
    out.score = score;
    out.flags = OUT_ADDED;
    return true;
  }

  private void insertNew(double score, byte[] member) {
    if (packed != null) {
      packed.insert(score, member);
    } else {
      tree.insert(score, member);
      index.put(member, score);
    }
  }

  private void updateScore(byte[] member, double current, double score) {
    if (packed != null) {
      packed.removeAt(packed.indexOf(member));
      packed.insert(score, member);
    } else {
      // Keep the stored member array, which the member index holds too.
      byte[] stored = tree.delete(current, member);
      tree.insert(score, stored);
      index.put(stored, score);
    }
  }

  /** Removes a member; false when it was not in the set. */
  boolean remove(byte[] member) {
    if (packed != null) {
      int i = packed.indexOf(member);
      if (i < 0) {
        return false;
      }
      packed.removeAt(i);
      return true;
    }
    double s = index.get(member);
    if (Double.isNaN(s)) {
      return false;
    }
    index.remove(member);
    tree.delete(s, member);
    return true;
  }

  /** The member's 0-based rank from the lowest (or the highest when {@code reverse}), or -1. */
  long rank(byte[] member, boolean reverse) {
    long r;
    if (packed != null) {
      r = packed.indexOf(member);
    } else {
      double s = index.get(member);
      r = Double.isNaN(s) ? -1 : tree.rank(s, member);
    }
    if (r < 0) {
      return -1;
    }
    return reverse ? size() - 1 - r : r;
  }

  private byte[] memberAt(int rank) {
    return packed != null ? packed.memberAt(rank) : tree.at(rank).member();
  }

  // ---------------------------------------------------------------------------------------------
  // Iteration

  /** A cursor on the entry of rank {@code rank} (0 &le; rank &lt; size). */
  Cursor cursor(int rank) {
    return new Cursor(this, rank);
  }

  /**
   * A position in a set that moves entry by entry in either direction; invalid once it runs off an
   * end. The set must not change while it is used.
   */
  static final class Cursor {
    private final PackedEntries packed;
    private final ScoreTree.Cursor node;
    private int index;

    private Cursor(ZSetValue z, int rank) {
      packed = z.packed;
      index = rank;
      node = packed == null ? z.tree.at(rank) : null;
    }

    boolean valid() {
      return packed != null ? index >= 0 && index < packed.size() : node.valid();
    }

    double score() {
      return packed != null ? packed.scoreAt(index) : node.score();
    }

    byte[] member() {
      return packed != null ? packed.memberAt(index) : node.member();
    }

    void next() {
      if (packed != null) {
        index++;
      } else {
        node.next();
      }
    }

    void prev() {
      if (packed != null) {
        index--;
      } else {
        node.prev();
      }
    }

    void move(boolean reverse) {
      if (reverse) {
        prev();
      } else {
        next();
      }
    }
  }

  /** Receives entries one by one; the member array is the set's own and must not be changed. */
  public interface EntryVisitor {
    void accept(byte[] member, double score);
  }

  /** Visits every entry from the lowest to the highest (the order a listpack holds them). */
  public void forEachAscending(EntryVisitor visitor) {
    int n = size();
    if (n == 0) {
      return;
    }
    for (Cursor c = cursor(0); c.valid(); c.next()) {
      visitor.accept(c.member(), c.score());
    }
  }

  /**
   * Visits every entry from the highest to the lowest, the order Redis's set algebra reads and its
   * skiplist form is saved in.
   */
  public void forEachDescending(EntryVisitor visitor) {
    int n = size();
    if (n == 0) {
      return;
    }
    for (Cursor c = cursor(n - 1); c.valid(); c.prev()) {
      visitor.accept(c.member(), c.score());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Ranges

  /** The rank of the first entry within {@code range} (zzlFirstInRange/zslFirstInRange), or -1. */
  int firstInRange(ScoreRange range) {
    int n = size();
    if (range.isEmpty() || n == 0) {
      return -1;
    }
    int r = countBefore(range, true);
    if (r >= n || !range.belowMax(scoreAtRank(r))) {
      return -1;
    }
    return r;
  }

  /** The rank of the last entry within {@code range}, or -1. */
  int lastInRange(ScoreRange range) {
    int n = size();
    if (range.isEmpty() || n == 0) {
      return -1;
    }
    int r = countBefore(range, false) - 1;
    if (r < 0 || !range.aboveMin(scoreAtRank(r))) {
      return -1;
    }
    return r;
  }

  /**
   * Entries below the range's start ({@code belowStart}), or entries up to its end: the scores are
   * in order, so both are prefixes.
   */
  private int countBefore(ScoreRange range, boolean belowStart) {
    if (packed != null) {
      int lo = 0;
      int hi = packed.size();
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        double s = packed.scoreAt(mid);
        if (belowStart ? !range.aboveMin(s) : range.belowMax(s)) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      return lo;
    }
    return belowStart
        ? tree.countBefore((s, m) -> !range.aboveMin(s))
        : tree.countBefore((s, m) -> range.belowMax(s));
  }

  private double scoreAtRank(int rank) {
    return packed != null ? packed.scoreAt(rank) : tree.at(rank).score();
  }

  /**
   * The rank of the first entry within the member range, or -1: a walk from the start in the
   * listpack form (zzlFirstInLexRange), a descent in the skiplist form (zslFirstInLexRange).
   */
  int firstInLexRange(LexRange range) {
    if (!isInLexRange(range)) {
      return -1;
    }
    int r;
    if (packed != null) {
      r = 0;
      while (r < packed.size() && !range.aboveMin(packed.memberAt(r))) {
        r++;
      }
      if (r == packed.size()) {
        return -1;
      }
    } else {
      r = Math.min(tree.countBefore((s, m) -> !range.aboveMin(m)), tree.size() - 1);
    }
    return range.belowMax(memberAt(r)) ? r : -1;
  }

  /** The rank of the last entry within the member range, or -1 (see {@link #firstInLexRange}). */
  int lastInLexRange(LexRange range) {
    if (!isInLexRange(range)) {
      return -1;
    }
    int r;
    if (packed != null) {
      r = packed.size() - 1;
      while (r >= 0 && !range.belowMax(packed.memberAt(r))) {
        r--;
      }
      if (r < 0) {
        return -1;
      }
    } else {
      r = Math.max(tree.countBefore((s, m) -> range.belowMax(m)) - 1, 0);
    }
    return range.aboveMin(memberAt(r)) ? r : -1;
  }

  /** zzlIsInLexRange/zslIsInLexRange: whether the range can hold anything at all. */
  private boolean isInLexRange(LexRange range) {
    int n = size();
    return !range.isEmpty()
        && n > 0
        && range.aboveMin(memberAt(n - 1))
        && range.belowMax(memberAt(0));
  }

  /** Removes {@code count} entries from rank {@code from}. */
  void removeRange(int from, int count) {
    if (packed != null) {
      packed.removeRange(from, count);
      return;
    }
    for (int k = 0; k < count; k++) {
      ScoreTree.Cursor c = tree.at(from);
      byte[] m = c.member();
      double s = c.score();
      tree.delete(s, m);
      index.remove(m);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // SCAN

  /**
   * One ZSCAN step: the listpack form returns everything and cursor 0; the skiplist form walks its
   * member index from {@code cursor} until {@code count} entries were gathered, the iteration ends,
   * or ten times {@code count} slots were visited, as Redis's scanGenericCommand. Scores come as
   * Redis shows them: as stored in the listpack (integers in decimal), or as "%.17Lg".
   */
  long scan(long cursor, long count, MemberIndex.EntrySink sink) {
    if (packed != null) {
      for (int i = 0; i < packed.size(); i++) {
        sink.accept(packed.memberAt(i), packed.scoreAt(i));
      }
      return 0;
    }
    long[] found = {0};
    MemberIndex.EntrySink counting =
        (m, s) -> {
          found[0]++;
          sink.accept(m, s);
        };
    long budget = count * 2 * 10;
    long c = cursor;
    do {
      c = index.scanStep(c, counting);
    } while (c != 0 && budget-- > 0 && found[0] < count);
    return c;
  }

  /** The score text a listpack holds: integral scores as integers (d2string of zzlInsertAt). */
  static String listpackScoreText(double score) {
    if (score >= -(double) (Long.MAX_VALUE / 2)
        && score <= (double) (Long.MAX_VALUE / 2)
        && score == Math.rint(score)) {
      return Long.toString((long) score);
    }
    return DoubleFormat.format(score);
  }

  // ---------------------------------------------------------------------------------------------
  // StoredValue

  @Override
  public ValueType type() {
    return ValueType.ZSET;
  }

  @Override
  public String encoding() {
    return packed != null ? "listpack" : "skiplist";
  }

  /**
   * As Redis's xorObjectDigest: for each entry a fresh digest mixes in the member and then the
   * score printed with "%.17g", and the SHA-1 of that digest is XORed into the value's (so the
   * order of the entries does not matter).
   */
  @Override
  public void digest(DatasetDigest digest) {
    MessageDigest sha1 = sha1();
    byte[] element = new byte[20];
    forEachDescending(
        (m, s) -> {
          Arrays.fill(element, (byte) 0);
          mixDigest(sha1, element, m);
          mixDigest(sha1, element, DoubleFormat.format(s).getBytes(StandardCharsets.US_ASCII));
          digest.xor(element, 0, element.length);
        });
  }

  /** Redis's mixDigest: the state XOR the SHA-1 of {@code data}, then the SHA-1 of the state. */
  private static void mixDigest(MessageDigest sha1, byte[] state, byte[] data) {
    byte[] hash = sha1.digest(data);
    for (int i = 0; i < state.length; i++) {
      state[i] ^= hash[i];
    }
    System.arraycopy(sha1.digest(state), 0, state, 0, state.length);
  }

  private static MessageDigest sha1() {
    try {
      return MessageDigest.getInstance("SHA-1");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-1", e);
    }
  }

  @Override
  public StoredValue copy() {
    if (packed != null) {
      return new ZSetValue(packed.copy());
    }
    ZSetValue z = ranked(size());
    for (ScoreTree.Cursor c = tree.first(); c.valid(); c.next()) {
      z.tree.insert(c.score(), c.member());
      z.index.put(c.member(), c.score());
    }
    return z;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("zset[");
    int n = size();
    for (int i = 0; i < n && i < 16; i++) {
      Cursor c = cursor(i);
      sb.append(new String(c.member(), StandardCharsets.ISO_8859_1))
          .append('=')
          .append(c.score())
          .append(i + 1 < n ? ", " : "");
    }
    return sb.append(n > 16 ? "...]" : "]").toString();
  }

  /** Whether two sets hold the same entries (for tests). */
  boolean sameEntries(ZSetValue o) {
    if (size() != o.size()) {
      return false;
    }
    for (int i = 0; i < size(); i++) {
      Cursor a = cursor(i);
      Cursor b = o.cursor(i);
      if (a.score() != b.score() || !Arrays.equals(a.member(), b.member())) {
        return false;
      }
    }
    return true;
  }

  @Override
  public long memoryUsage() {
    long[] bytes = {VALUE_OVERHEAD};
    // Packed: the member and its score; ranked: also the tree and member-table entries.
    long perEntry = isPacked() ? 10 : 48;
    forEachDescending((member, score) -> bytes[0] += member.length + perEntry);
    return bytes[0];
  }
}
