package io.toridb.core.sql;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Vector columns and functions. A column declared {@code vector(n)} holds vectors of n float32
 * components, as a BLOB of 4n bytes in little-endian order (Redis's FP32 form), normalized to
 * length 1 when stored, so that cosine similarity against a stored vector is a dot product. A
 * vector is given as such a BLOB or as text in JSON array form, {@code '[0.1, 0.2, 0.3]'}.
 */
final class Vectors {
  private Vectors() {}

  /** The largest dimension a vector column may declare. */
  static final int MAX_DIM = 65536;

  private static final Pattern DECLARED =
      Pattern.compile("\\s*vector\\s*\\(\\s*(\\d+)\\s*\\)\\s*", Pattern.CASE_INSENSITIVE);

  /** The dimension a declared type names ({@code vector(3)} is 3), or 0 if it is no vector. */
  static int declaredDim(String type) {
    if (type == null) {
      return 0;
    }
    Matcher m = DECLARED.matcher(type);
    if (!m.matches()) {
      return 0;
    }
    long dim;
    try {
      dim = Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      dim = -1;
    }
    if (dim < 1 || dim > MAX_DIM) {
      throw new SqlException("vector dimension must be between 1 and " + MAX_DIM + ": " + type);
    }
    return (int) dim;
  }

  /** {@code v} as stored in a {@code vector(dim)} column: normalized float32 bytes, or NULL. */
  static Object store(Object v, int dim, String column) {
    if (v == null) {
      return null;
    }
    float[] f = parse(v);
    if (f.length != dim) {
      throw new SqlException(
          "vector dimension mismatch for " + column + ": expected " + dim + ", got " + f.length);
    }
    double norm = norm(f);
    if (norm == 0 || Double.isNaN(norm) || Double.isInfinite(norm)) {
      throw new SqlException("a vector of length 0 (or not finite) cannot be stored in " + column);
    }
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) (f[i] / norm);
    }
    return bytes(f);
  }

  /** The components of a vector given as float32 bytes or as JSON array text. */
  static float[] parse(Object v) {
    if (v instanceof byte[] b) {
      if (b.length == 0 || b.length % 4 != 0) {
        throw new SqlException("a vector blob needs 4 bytes per component, got " + b.length);
      }
      float[] f = new float[b.length / 4];
      ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
      for (float x : f) {
        if (!Float.isFinite(x)) {
          throw new SqlException("vector component out of range: " + x);
        }
      }
      return f;
    }
    if (v instanceof String s) {
      return parseText(s);
    }
    throw new SqlException("not a vector: " + SqlValues.text(v));
  }

  private static float[] parseText(String s) {
    String t = s.strip();
    if (t.length() < 2 || t.charAt(0) != '[' || t.charAt(t.length() - 1) != ']') {
      throw new SqlException("not a vector (expected [x, y, ...]): " + abbreviate(s));
    }
    String body = t.substring(1, t.length() - 1).strip();
    if (body.isEmpty()) {
      throw new SqlException("a vector needs at least one component");
    }
    String[] parts = body.split(",", -1);
    if (parts.length > MAX_DIM) {
      throw new SqlException("a vector has at most " + MAX_DIM + " components");
    }
    float[] f = new float[parts.length];
    for (int i = 0; i < parts.length; i++) {
      Object n = SqlValues.exactNumber(parts[i]);
      if (n == null) {
        throw new SqlException("not a number in a vector: " + abbreviate(parts[i].strip()));
      }
      f[i] = (float) SqlValues.toDouble(n);
      if (!Float.isFinite(f[i])) {
        throw new SqlException("vector component out of range: " + abbreviate(parts[i].strip()));
      }
    }
    return f;
  }

  private static String abbreviate(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }

  static byte[] bytes(float[] f) {
    ByteBuffer b = ByteBuffer.allocate(4 * f.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(f);
    return b.array();
  }

  private static double norm(float[] f) {
    double sum = 0;
    for (float x : f) {
      sum += (double) x * x;
    }
    return Math.sqrt(sum);
  }

  /** Cosine similarity of two vectors, from -1 to 1; NULL if either is NULL or has length 0. */
  static Object cosine(Object a, Object b) {
    if (a == null || b == null) {
      return null;
    }
    float[] x = parse(a);
    float[] y = parse(b);
    if (x.length != y.length) {
      throw new SqlException(
          "vector dimension mismatch: " + x.length + " and " + y.length + " components");
    }
    double dot = 0;
    double nx = 0;
    double ny = 0;
    for (int i = 0; i < x.length; i++) {
      dot += (double) x[i] * y[i];
      nx += (double) x[i] * x[i];
      ny += (double) y[i] * y[i];
    }
    if (nx == 0 || ny == 0) {
      return null;
    }
    double cosine = dot / Math.sqrt(nx * ny);
    return Double.isFinite(cosine) ? (Object) cosine : null;
  }

  /** A vector as JSON array text, each component in the shortest form that reads back. */
  static String text(Object v) {
    float[] f = parse(v);
    StringBuilder out = new StringBuilder("[");
    for (int i = 0; i < f.length; i++) {
      if (i > 0) {
        out.append(',');
      }
      out.append(Float.toString(f[i]).toLowerCase(Locale.ROOT));
    }
    return out.append(']').toString();
  }

  /** The float32 bytes of a vector given either way (the {@code vector()} function). */
  static byte[] blob(Object v) {
    return bytes(parse(v));
  }

  static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
