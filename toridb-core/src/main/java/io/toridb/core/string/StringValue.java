package io.toridb.core.string;

import io.toridb.core.command.Args;
import io.toridb.core.keyspace.DatasetDigest;
import io.toridb.core.keyspace.PackedBytes;
import io.toridb.core.keyspace.StoredValue;
import io.toridb.core.keyspace.ValueType;
import io.toridb.protocol.RespWriter;
import java.util.Arrays;

/**
 * A string value. Keeps the bytes plus the encoding Redis would report for them: "int" for
 * canonical integers set by SET-like commands and for counters, "embstr" up to 44 bytes, "raw"
 * beyond that or after in-place edits (APPEND, SETRANGE), which Redis always leaves raw.
 *
 * <p>The visible bytes of an array never change once a value shows them, so anyone may keep the
 * array (a propagated command, a copy of the value) without copying it. Edits make a new value,
 * except that INCR and its kin point an unshared counter at a new array in place, as Redis changes
 * such an object in place ({@link #setLong}): keep the bytes or a {@link #copy}, not the value. To
 * keep APPEND amortized O(1) as Redis's sds strings do, a value grown by APPEND has spare room at
 * the end of its array; the next APPEND writes into that room (which no older value can see, since
 * each one only shows its own length) and hands the room on to the new value.
 *
 * <p>A plain value is one array and a 32-byte object: the encoding lives in the flag bits {@link
 * StoredValue} keeps, and the length is the array's. Two subclasses cover the rest: a value of at
 * most 16 bytes set by a client keeps its bytes in two fields instead of an array ({@link Small},
 * 48 bytes in all, as Redis's embstr object of the same value), and a value grown by APPEND, whose
 * array is longer than the value, carries its length and its claim on the room ({@link Grown}).
 */
public sealed class StringValue extends StoredValue permits StringValue.Grown, StringValue.Small {
  /** Longest string Redis stores with the embstr encoding. */
  public static final int EMBSTR_MAX = 44;

  /** Counters below this share their digit arrays, as Redis shares small integer objects. */
  private static final int SHARED_INTEGERS = 10_000;

  private static final byte[][] SHARED_DIGITS = new byte[SHARED_INTEGERS][];

  static {
    for (int i = 0; i < SHARED_INTEGERS; i++) {
      SHARED_DIGITS[i] = Args.bytes(Integer.toString(i));
    }
  }

  /** Largest array the JVM reliably allocates. */
  static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

  private static final byte INT = 0;
  private static final byte EMBSTR = 1;
  private static final byte RAW = 2;

  /** The encoding's bits in {@link #flags()}; a {@link Small} value keeps its length above them. */
  private static final int ENCODING_BITS = 0x3;

  private byte[] buf;

  private StringValue(byte[] buf, int flags) {
    this.buf = buf;
    flags(flags);
  }

  /** A value grown by APPEND: its array has room past the value's end. */
  static final class Grown extends StringValue {
    private final int length;

    /** Whether this value may append into the room after its bytes (see the class comment). */
    private boolean ownsRoom;

    Grown(byte[] buf, int length, boolean ownsRoom) {
      super(buf, RAW);
      this.length = length;
      this.ownsRoom = ownsRoom;
    }

    @Override
    public int length() {
      return length;
    }

    /** A copy does not own the room: only one value may append into it. */
    @Override
    public StoredValue copy() {
      return new Grown(array(), length, false);
    }
  }

  /** A value of at most {@link PackedBytes#MAX} bytes, held in two words rather than an array. */
  static final class Small extends StringValue {
    private final long low;
    private final long high;

    Small(byte[] bytes, byte encoding) {
      super(null, encoding | (bytes.length << 2));
      low = PackedBytes.word(bytes, 0);
      high = PackedBytes.word(bytes, Long.BYTES);
    }

    private Small(long low, long high, int flags) {
      super(null, flags);
      this.low = low;
      this.high = high;
    }

    @Override
    public int length() {
      return flags() >>> 2;
    }

    @Override
    public byte[] bytes() {
      return PackedBytes.unpack(low, high, length());
    }

    @Override
    public byte[] array() {
      return bytes();
    }

    /** Writes the bulk string reply straight from the two words, without making an array. */
    @Override
    void reply(RespWriter out) {
      out.bulkPacked(low, high, length());
    }

    @Override
    public StoredValue copy() {
      return new Small(low, high, flags());
    }

    @Override
    public long memoryUsage() {
      return VALUE_OVERHEAD + 16;
    }
  }

  /** {@code bytes} as a value of encoding {@code enc}, in the {@link Small} form when they fit. */
  private static StringValue make(byte[] bytes, byte enc) {
    return bytes.length <= PackedBytes.MAX ? new Small(bytes, enc) : new StringValue(bytes, enc);
  }

  /**
   * A value as SET stores it (Redis's tryObjectEncoding): "int" for canonical integers. {@code
   * bytes} is taken over, not copied.
   */
  public static StringValue of(byte[] bytes) {
    byte enc;
    if (bytes.length <= 20 && Args.isCanonicalLong(bytes)) {
      enc = INT;
    } else {
      enc = bytes.length <= EMBSTR_MAX ? EMBSTR : RAW;
    }
    return make(bytes, enc);
  }

  /**
   * A value Redis creates as a plain string, embstr or raw by length but never "int" even when it
   * reads as an integer (an INCRBYFLOAT result). {@code bytes} is taken over.
   */
  public static StringValue plain(byte[] bytes) {
    return make(bytes, bytes.length <= EMBSTR_MAX ? EMBSTR : RAW);
  }

  /** A value produced by an in-place edit (APPEND, SETRANGE), which Redis leaves raw. */
  public static StringValue raw(byte[] bytes) {
    return new StringValue(bytes, RAW);
  }

  /** A counter value, "int" encoded. */
  public static StringValue ofLong(long value) {
    return new StringValue(digits(value), INT);
  }

  /** The decimal text of {@code value}, without creating a String; small values are shared. */
  public static byte[] digits(long value) {
    if (value >= 0 && value < SHARED_INTEGERS) {
      return SHARED_DIGITS[(int) value];
    }
    if (value == Long.MIN_VALUE) {
      return Args.bytes(Long.toString(value));
    }
    boolean negative = value < 0;
    long v = negative ? -value : value;
    int n = 1;
    for (long t = v / 10; t > 0; t /= 10) {
      n++;
    }
    int size = negative ? n + 1 : n;
    byte[] out = new byte[size];
    for (int i = size - 1; i >= size - n; i--) {
      out[i] = (byte) ('0' + v % 10);
      v /= 10;
    }
    if (negative) {
      out[0] = '-';
    }
    return out;
  }

  /**
   * The value's bytes, exactly {@link #length()} long; callers must not modify them. Copies for a
   * value grown by APPEND and makes an array for a {@link Small} one; readers on hot paths use
   * {@link #array()} and {@link #length()}.
   */
  public byte[] bytes() {
    int length = length();
    return buf.length == length ? buf : Arrays.copyOf(buf, length);
  }

  /**
   * The backing array, of which the first {@link #length()} bytes are the value (a new array for a
   * {@link Small} value). Read only.
   */
  public byte[] array() {
    return buf;
  }

  public int length() {
    return buf.length;
  }

  /**
   * Whether INCR may change this value in place ({@link #setLong}): a plain counter, neither an
   * inline short value nor one grown by APPEND, which keep their bytes otherwise.
   */
  public boolean countsInPlace() {
    return getClass() == StringValue.class && isInt();
  }

  /**
   * Makes this counter ({@link #countsInPlace}) hold {@code value}, saving INCR a second update of
   * the keyspace. The old array is left as it was, for whoever kept it.
   */
  public void setLong(long value) {
    if (!countsInPlace()) {
      throw new IllegalStateException("not a plain counter");
    }
    buf = digits(value);
  }

  /** Whether Redis would report the "int" encoding. */
  public boolean isInt() {
    return (flags() & ENCODING_BITS) == INT;
  }

  /**
   * This value with {@code tail} appended: a raw value, growing the array by doubling (by 1 MiB
   * steps past 1 MiB, as sds does) so that repeated appends cost amortized O(length of tail).
   */
  StringValue append(byte[] tail) {
    int length = length();
    int newLength = length + tail.length;
    byte[] target;
    if (this instanceof Grown g && g.ownsRoom && buf.length >= newLength) {
      target = buf;
      g.ownsRoom = false;
    } else {
      long capacity = newLength < (1 << 20) ? 2L * newLength : (long) newLength + (1 << 20);
      target = new byte[(int) Math.min(capacity, MAX_ARRAY)];
      System.arraycopy(array(), 0, target, 0, length);
    }
    System.arraycopy(tail, 0, target, length, tail.length);
    return new Grown(target, newLength, true);
  }

  /**
   * This value with {@code value} written at {@code offset}, zero-padded when the offset is past
   * the end: a new raw value.
   */
  StringValue overwrite(int offset, byte[] value) {
    int length = length();
    int newLength = Math.max(length, offset + value.length);
    byte[] out = new byte[newLength];
    System.arraycopy(array(), 0, out, 0, length);
    System.arraycopy(value, 0, out, offset, value.length);
    return new StringValue(out, RAW);
  }

  @Override
  public ValueType type() {
    return ValueType.STRING;
  }

  @Override
  public String encoding() {
    return switch (flags() & ENCODING_BITS) {
      case INT -> "int";
      case EMBSTR -> "embstr";
      default -> "raw";
    };
  }

  /** Redis digests a string as its text, integers in decimal: the bytes this value shows. */
  @Override
  public void digest(DatasetDigest digest) {
    digest.mix(array(), 0, length());
  }

  /** Writes the value as a bulk string reply (GET and the commands that reply with a value). */
  void reply(RespWriter out) {
    out.bulk(buf, 0, length());
  }

  @Override
  public StoredValue copy() {
    return new StringValue(buf, flags());
  }

  @Override
  public long memoryUsage() {
    return VALUE_OVERHEAD + 16 + buf.length;
  }
}
