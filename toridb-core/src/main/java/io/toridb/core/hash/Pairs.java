package io.toridb.core.hash;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The field/value pairs of a hash in one of its two encodings: {@link PackedPairs} ("listpack") or
 * {@link PairTable} ("hashtable"). Pairs are addressed by positions, opaque non-negative ints that
 * stay valid until the next change; a position's field and value are slices of {@link #array}, so
 * replies can be written without copying.
 *
 * <p>Both encodings store a field and its value as {@code varint(field length), field bytes} and
 * then the value, whose length the encoding knows; see {@link Varint}.
 */
abstract class Pairs {
  /** Number of pairs. */
  abstract int size();

  /** The position of {@code field}, or -1. */
  abstract int find(byte[] field);

  /** The first position in iteration order, or -1 when empty. */
  abstract int first();

  /** The position after {@code pos}, or -1 at the end. */
  abstract int next(int pos);

  /** The array that holds the field and value at {@code pos}. */
  abstract byte[] array(int pos);

  /** Start of the field at {@code pos} in {@link #array}. */
  final int fieldOffset(int pos) {
    return fieldStart(pos) + Varint.size(fieldLength(pos));
  }

  /** Length of the field at {@code pos}. */
  final int fieldLength(int pos) {
    return Varint.read(array(pos), fieldStart(pos));
  }

  /** Start of the value at {@code pos} in {@link #array}. */
  abstract int valueOffset(int pos);

  /** Length of the value at {@code pos}. */
  abstract int valueLength(int pos);

  /** Where the field's length prefix starts in {@link #array}. */
  abstract int fieldStart(int pos);

  /**
   * Sets {@code field} to {@code value}, adding the pair if it is new; an existing pair keeps its
   * place in the iteration order. Neither array is kept.
   *
   * @return true when the field was added
   */
  abstract boolean put(byte[] field, byte[] value);

  /** Removes {@code field}; true if it was there. */
  abstract boolean remove(byte[] field);

  /** A copy that shares nothing mutable with this one. */
  abstract Pairs copy();

  /** A uniformly chosen position of a non-empty collection. */
  abstract int randomPosition(ThreadLocalRandom random);

  /** Every position, in iteration order. */
  final int[] positions() {
    int[] out = new int[size()];
    int n = 0;
    for (int p = first(); p >= 0; p = next(p)) {
      out[n++] = p;
    }
    return out;
  }

  /** A copy of the field at {@code pos}. */
  final byte[] field(int pos) {
    int off = fieldOffset(pos);
    return java.util.Arrays.copyOfRange(array(pos), off, off + fieldLength(pos));
  }

  /** A copy of the value at {@code pos}. */
  final byte[] value(int pos) {
    int off = valueOffset(pos);
    return java.util.Arrays.copyOfRange(array(pos), off, off + valueLength(pos));
  }
}
