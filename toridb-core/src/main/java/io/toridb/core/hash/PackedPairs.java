package io.toridb.core.hash;

import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The "listpack" encoding of a small hash: every pair packed one after the other in a single byte
 * array, in insertion order, as {@code varint(field length) field varint(value length) value}.
 *
 * <p>Like Redis's listpack, lookups scan the array, a new pair is appended, a changed value is
 * replaced in place (so the pair keeps its place) and a removed pair closes its gap. A position is
 * the byte offset where a pair starts. The thresholds hash-max-listpack-entries and
 * hash-max-listpack-value keep these arrays short, which is what makes the linear scans cheap.
 */
final class PackedPairs extends Pairs {
  private static final byte[] EMPTY = new byte[0];

  private byte[] buf;
  private int used;
  private int count;

  PackedPairs() {
    buf = EMPTY;
  }

  private PackedPairs(byte[] buf, int used, int count) {
    this.buf = buf;
    this.used = used;
    this.count = count;
  }

  /** Bytes the pairs take, the measure Redis's 1 GiB listpack safety limit applies to. */
  int bytes() {
    return used;
  }

  @Override
  int size() {
    return count;
  }

  @Override
  int find(byte[] field) {
    int n = field.length;
    int p = 0;
    while (p < used) {
      int flen = Varint.read(buf, p);
      int f = p + Varint.size(flen);
      int vh = f + flen;
      int vlen = Varint.read(buf, vh);
      if (flen == n && Arrays.equals(buf, f, vh, field, 0, n)) {
        return p;
      }
      p = vh + Varint.size(vlen) + vlen;
    }
    return -1;
  }

  @Override
  int first() {
    return used == 0 ? -1 : 0;
  }

  @Override
  int next(int pos) {
    int p = valueOffset(pos) + valueLength(pos);
    return p < used ? p : -1;
  }

  @Override
  byte[] array(int pos) {
    return buf;
  }

  @Override
  int fieldStart(int pos) {
    return pos;
  }

  private int valueHeader(int pos) {
    int flen = Varint.read(buf, pos);
    return pos + Varint.size(flen) + flen;
  }

  @Override
  int valueOffset(int pos) {
    int vh = valueHeader(pos);
    return vh + Varint.size(Varint.read(buf, vh));
  }

  @Override
  int valueLength(int pos) {
    return Varint.read(buf, valueHeader(pos));
  }

  @Override
  boolean put(byte[] field, byte[] value) {
    int newValueSize = Varint.size(value.length) + value.length;
    int pos = find(field);
    if (pos >= 0) {
      int vh = valueHeader(pos);
      int end = valueOffset(pos) + valueLength(pos);
      int delta = newValueSize - (end - vh);
      ensureCapacity(used + delta);
      System.arraycopy(buf, end, buf, end + delta, used - end);
      int v = Varint.write(buf, vh, value.length);
      System.arraycopy(value, 0, buf, v, value.length);
      used += delta;
      return false;
    }
    int add = Varint.size(field.length) + field.length + newValueSize;
    ensureCapacity(used + add);
    int p = Varint.write(buf, used, field.length);
    System.arraycopy(field, 0, buf, p, field.length);
    p = Varint.write(buf, p + field.length, value.length);
    System.arraycopy(value, 0, buf, p, value.length);
    used += add;
    count++;
    return true;
  }

  @Override
  boolean remove(byte[] field) {
    int pos = find(field);
    if (pos < 0) {
      return false;
    }
    int end = valueOffset(pos) + valueLength(pos);
    System.arraycopy(buf, end, buf, pos, used - end);
    used -= end - pos;
    count--;
    if (used < buf.length / 4) {
      buf = Arrays.copyOf(buf, used + used / 2);
    }
    return true;
  }

  private void ensureCapacity(int needed) {
    if (needed > buf.length) {
      long grown = Math.max(needed, (long) buf.length + (buf.length >> 1) + 16);
      buf = Arrays.copyOf(buf, (int) Math.min(grown, Integer.MAX_VALUE - 8));
    }
  }

  @Override
  Pairs copy() {
    return new PackedPairs(Arrays.copyOf(buf, used), used, count);
  }

  @Override
  int randomPosition(ThreadLocalRandom random) {
    int skip = random.nextInt(count);
    int p = 0;
    while (skip-- > 0) {
      p = next(p);
    }
    return p;
  }
}
