package io.toridb.core.keyspace;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;

/**
 * DEBUG DIGEST and DEBUG DIGEST-VALUE: SHA-1 signatures of the whole dataset and of single values,
 * computed as Redis computes them, so that the same data gives the same hex string on both and a
 * test can compare the dataset before and after an operation (a reload, a COPY, a replay).
 *
 * <p>Implementation notes: a digest is a 20-byte state. {@link #xor} XORs the SHA-1 of some bytes
 * into it; {@link #mix} does that and then replaces the state by its own SHA-1, so mixing is order
 * sensitive and XOR is not. A value's digest mixes its Redis type code and its content (each type
 * decides how, in {@link StoredValue#digest}), and XORs in "!!expire!!" when the key has a TTL. The
 * dataset digest mixes in each non-empty database's index, then XORs in, for every key, the digest
 * of the key name mixed with its value's digest: keys are unordered, databases are not.
 */
public final class DatasetDigest {
  private static final byte[] EXPIRE_MARK = {'!', '!', 'e', 'x', 'p', 'i', 'r', 'e', '!', '!'};

  private final MessageDigest sha1;
  private final byte[] state = new byte[20];

  private DatasetDigest() {
    try {
      sha1 = MessageDigest.getInstance("SHA-1");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-1", e);
    }
  }

  /** The state XOR the SHA-1 of {@code len} bytes of {@code data} at {@code off}. */
  public void xor(byte[] data, int off, int len) {
    sha1.update(data, off, len);
    byte[] hash = sha1.digest();
    for (int i = 0; i < state.length; i++) {
      state[i] ^= hash[i];
    }
  }

  /** {@link #xor}, then the state becomes the SHA-1 of itself. */
  public void mix(byte[] data, int off, int len) {
    xor(data, off, len);
    sha1.update(state);
    System.arraycopy(sha1.digest(), 0, state, 0, state.length);
  }

  /**
   * A new all-zero digest for one element of a collection (Redis's {@code eledigest}): a type mixes
   * an element's parts into it and then {@link #xor(DatasetDigest) XORs} it into the value's
   * digest, which makes the value's digest independent of element order.
   */
  public static DatasetDigest element() {
    return new DatasetDigest();
  }

  /** Back to all zeros, so that one element digest can serve every element. */
  public void reset() {
    java.util.Arrays.fill(state, (byte) 0);
  }

  /**
   * XORs in the SHA-1 of {@code element}'s state: Redis's {@code xorDigest(digest,eledigest,20)}.
   */
  public void xor(DatasetDigest element) {
    xor(element.state, 0, element.state.length);
  }

  /** Mixes in a 32-bit number as the 4 big-endian bytes Redis hashes. */
  private void mix(int n) {
    mix(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n}, 0, 4);
  }

  /** DEBUG DIGEST: the signature of every key in every database; forty zeros when all are empty. */
  public static String ofKeyspace(Keyspace keyspace) {
    DatasetDigest all = new DatasetDigest();
    for (int i = 0; i < keyspace.databaseCount(); i++) {
      Database db = keyspace.db(i);
      if (db.size() == 0) {
        continue;
      }
      all.mix(i);
      for (Map.Entry<Key, StoredValue> e : db.entries()) {
        DatasetDigest entry = new DatasetDigest();
        byte[] name = e.getKey().bytes();
        entry.mix(name, 0, name.length);
        entry.addValue(e.getValue());
        all.xor(entry.state, 0, entry.state.length);
      }
    }
    return all.hex();
  }

  /** DEBUG DIGEST-VALUE: the signature of one value (with its TTL); forty zeros for null. */
  public static String ofValue(StoredValue value) {
    DatasetDigest d = new DatasetDigest();
    if (value != null) {
      d.addValue(value);
    }
    return d.hex();
  }

  private void addValue(StoredValue value) {
    mix(typeCode(value.type()));
    value.digest(this);
    if (value.hasExpiry()) {
      xor(EXPIRE_MARK, 0, EXPIRE_MARK.length);
    }
  }

  /** Redis's object type numbers (OBJ_STRING ... OBJ_STREAM), which the digest covers. */
  static int typeCode(ValueType type) {
    return switch (type) {
      case STRING -> 0;
      case LIST -> 1;
      case SET -> 2;
      case ZSET -> 3;
      case HASH -> 4;
      case VECTORSET, TABLE -> 5;
      case STREAM -> 6;
    };
  }

  private String hex() {
    StringBuilder sb = new StringBuilder(40);
    for (byte b : state) {
      sb.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
    }
    return sb.toString();
  }
}
