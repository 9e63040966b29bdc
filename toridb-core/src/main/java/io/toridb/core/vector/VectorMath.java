package io.toridb.core.vector;

/**
 * The arithmetic of vector sets on plain arrays: L2 normalization and the three distance functions,
 * computed in float as Redis's C code computes them (so scores print the same).
 */
final class VectorMath {
  private VectorMath() {}

  /**
   * Normalizes {@code x} in place and returns its length before, or 0 (left as it is) for the zero
   * vector.
   */
  static float normalize(float[] x) {
    float l2 = 0;
    int i = 0;
    for (; i + 3 < x.length; i += 4) {
      l2 += x[i] * x[i] + x[i + 1] * x[i + 1] + x[i + 2] * x[i + 2] + x[i + 3] * x[i + 3];
    }
    for (; i < x.length; i++) {
      l2 += x[i] * x[i];
    }
    if (l2 == 0) {
      return 0;
    }
    l2 = (float) Math.sqrt(l2);
    for (i = 0; i < x.length; i++) {
      x[i] /= l2;
    }
    return l2;
  }

  static float distanceQ8(byte[] x, float rangeA, byte[] y, float rangeB) {
    if (rangeA == 0 || rangeB == 0) {
      return 1.0f;
    }
    int dot = 0;
    for (int i = 0; i < x.length; i++) {
      dot += x[i] * y[i];
    }
    float scale = (rangeA / 127) * (rangeB / 127);
    float d = 1.0f - dot * scale;
    return d < 0 ? 0 : Math.min(d, 2);
  }

  static float distanceBin(long[] x, long[] y, int dim) {
    int opposite = 0;
    for (int i = 0; i < x.length; i++) {
      opposite += Long.bitCount(x[i] ^ y[i]);
    }
    return (float) opposite * 2 / dim;
  }

  static float distanceFloat(float[] x, float[] y) {
    float dot0 = 0;
    float dot1 = 0;
    int i = 0;
    for (; i + 7 < x.length; i += 8) {
      dot0 += x[i] * y[i] + x[i + 1] * y[i + 1] + x[i + 2] * y[i + 2] + x[i + 3] * y[i + 3];
      dot1 += x[i + 4] * y[i + 4] + x[i + 5] * y[i + 5] + x[i + 6] * y[i + 6] + x[i + 7] * y[i + 7];
    }
    for (; i < x.length; i++) {
      dot0 += x[i] * y[i];
    }
    return 1.0f - (dot0 + dot1);
  }
}
