package io.toridb.core.vector;

import static io.toridb.core.vector.FilterText.isDigit;
import static io.toridb.core.vector.FilterText.isJsonNumberChar;
import static io.toridb.core.vector.FilterText.isSpace;
import static io.toridb.core.vector.FilterText.skipSpace;
import static io.toridb.core.vector.FilterText.skipString;
import static io.toridb.core.vector.FilterText.skipValue;
import static io.toridb.core.vector.FilterText.skipWord;

import io.toridb.core.zset.Strtod;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The expression of {@code VSIM key ... FILTER expr}: a test on the JSON attributes of each
 * candidate element, with Redis's syntax, types and coercions.
 *
 * <h2>Language</h2>
 *
 * <ul>
 *   <li>Selectors {@code .name} (letters, digits, {@code _} and {@code -}) read a top-level field
 *       of the element's attributes. Nested paths do not exist.
 *   <li>Literals: numbers ({@code 12}, {@code -1.5}, {@code 2e3}; an exponent cannot carry a sign),
 *       strings in single or double quotes where a backslash makes the next character literal
 *       ({@code \n}, {@code \r} and {@code \t} are control characters), tuples {@code [1, "a"]} of
 *       number and string literals, and {@code null}. There is no {@code true} or {@code false}.
 *   <li>Operators, tightest first: {@code ! not}; {@code **} (right associative); {@code * / %};
 *       {@code + -}; {@code > >= < <= == != in}; {@code and &&}; {@code or ||}. Parentheses group.
 *       A {@code -} directly before a digit is part of a number at the start, after {@code (} and
 *       after an operator.
 * </ul>
 *
 * <p>Values are numbers (doubles), strings, tuples and null. Arithmetic and ordering read both
 * sides as numbers: a string counts as the number C's {@code strtod} reads from all of it (so
 * {@code "0x10"} is 16 and {@code " 5"} is 5) and as 0 when it is not one or is 256 bytes or
 * longer; a tuple and null count as 0. {@code ==} compares strings by bytes and numbers by value,
 * is true for null only against null, and otherwise compares both sides as numbers. {@code a in b}
 * is tuple membership by {@code ==} when {@code b} is a tuple, substring search when both are
 * strings, and false otherwise. Every operator yields a number. Truth: 0, the empty string and null
 * are false, everything else (NaN, every tuple) is true. Division and modulo by zero follow IEEE
 * arithmetic.
 *
 * <p>JSON values: numbers as doubles, strings with {@code \" \\ \n \r \t} decoded and any other
 * escaped character kept as that character (<code>&#92;u00e9</code> reads as {@code u00e9}), {@code
 * true}/{@code false} as 1/0, {@code null} as null, arrays of these (nested arrays included) as
 * tuples. An element does not match when a field the expression reads is missing, holds an object,
 * or cannot be read, or when the attributes are not a JSON object. Only the text up to each needed
 * field is looked at, as Redis does: an attribute text that is malformed after the fields the
 * expression reads still matches.
 *
 * <h2>Implementation notes</h2>
 *
 * <p>Compiling tokenizes the expression and orders it into a postfix program with the shunting-yard
 * algorithm, counting the values the program will have on its stack; a program that would pop a
 * missing operand or end with other than one value is a syntax error. Evaluation then runs the
 * program on a stack of parallel arrays whose depth is known from compiling, so it allocates
 * nothing but the text of decoded strings and numbers. Each field is read once per evaluation
 * however often it is named, by one pass over the JSON that skips the fields not named and stops
 * once all are found. A compiled filter can be shared between threads: evaluations borrow a
 * workspace and make a new one only when another thread holds it.
 */
public final class VectorFilter {
  /** Kinds of value. */
  static final byte NUM = 0;

  static final byte STR = 1;
  static final byte TUPLE = 2;
  static final byte NULL = 3;

  /**
   * Program instructions: an operator is its ordinal; pushing constant {@code i} is {@code PUSH +
   * 2i}, pushing field {@code i} is {@code PUSH + 2i + 1}.
   */
  static final int PUSH = 32;

  /**
   * The position of errors found after tokenizing (unbalanced parentheses, missing operands, values
   * left over). Redis's tokens do not record where they were read, so it reports these at 0.
   */
  static final int UNPLACED = 0;

  /** Longest number literal Redis reads, in the expression and in JSON. */
  static final int MAX_NUMBER_TEXT = 255;

  /** Strings this long or longer count as 0 in arithmetic. */
  static final int MAX_NUMERIC_STRING = 256;

  /** Operators with Redis's precedence (higher binds tighter) and operand count. */
  enum Operator {
    OPEN(7, 0, "("),
    CLOSE(7, 0, ")"),
    NOT(6, 1, "!", "not"),
    POW(5, 2, "**"),
    MUL(4, 2, "*"),
    DIV(4, 2, "/"),
    MOD(4, 2, "%"),
    ADD(3, 2, "+"),
    SUB(3, 2, "-"),
    GT(2, 2, ">"),
    GTE(2, 2, ">="),
    LT(2, 2, "<"),
    LTE(2, 2, "<="),
    EQ(2, 2, "=="),
    NEQ(2, 2, "!="),
    IN(2, 2, "in"),
    AND(1, 2, "and", "&&"),
    OR(0, 2, "or", "||");

    final int precedence;
    final int arity;
    final String[] spellings;

    Operator(int precedence, int arity, String... spellings) {
      this.precedence = precedence;
      this.arity = arity;
      this.spellings = spellings;
    }
  }

  static final Operator[] OPERATORS = Operator.values();

  private final int[] program;
  private final Values constants;
  private final byte[][] fields;
  private final int stackSize;
  private final AtomicReference<Workspace> spare = new AtomicReference<>();

  VectorFilter(int[] program, Values constants, byte[][] fields, int maxDepth) {
    this.program = program;
    this.constants = constants;
    this.fields = fields;
    // One slot past the deepest point: IN compares each tuple element from there.
    this.stackSize = maxDepth + 1;
  }

  /**
   * Compiles {@code expr}. As in Redis the expression ends at its first NUL byte.
   *
   * @throws SyntaxError when Redis refuses it; {@link SyntaxError#position()} is the byte offset
   *     Redis reports, which is the length of the expression for an unterminated string and 0 for
   *     errors in the arrangement of tokens.
   */
  public static VectorFilter compile(byte[] expr) throws SyntaxError {
    FilterParser parser = new FilterParser(expr);
    parser.tokenize();
    return parser.compile();
  }

  /**
   * Whether an element whose attributes are this JSON text passes. An element without attributes
   * ({@code null}) never does. Never throws.
   */
  public boolean matches(byte[] json) {
    if (json == null) {
      return false;
    }
    Workspace w = spare.getAndSet(null);
    if (w == null) {
      w = new Workspace(this);
    }
    boolean result = w.run(json);
    spare.set(w);
    return result;
  }

  /** An expression Redis does not compile, with the byte offset it reports the error at. */
  public static final class SyntaxError extends Exception {
    private static final long serialVersionUID = 1L;

    private final int position;

    SyntaxError(int position) {
      super("syntax error in FILTER expression at offset " + position);
      this.position = position;
    }

    /** Byte offset into the expression, as Redis's errpos. */
    public int position() {
      return position;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Values

  /**
   * A list of values in parallel arrays, so that pushing and popping allocate nothing: the
   * evaluation stack, the constants of a program, the elements of a tuple, the fields read from one
   * JSON text. A string is a slice of {@code bytes}; a tuple points to its elements.
   */
  static final class Values {
    /** An empty tuple: stands for arrays nested in a JSON array, whose contents never matter. */
    static final Values EMPTY = new Values(0);

    byte[] kind;
    double[] num;
    byte[][] bytes;
    int[] off;
    int[] len;
    Values[] tuple;
    int size;

    Values(int capacity) {
      kind = new byte[capacity];
      num = new double[capacity];
      bytes = new byte[capacity][];
      off = new int[capacity];
      len = new int[capacity];
      tuple = new Values[capacity];
    }

    /** Adds a slot at the end and returns its index. */
    int append() {
      if (size == kind.length) {
        int capacity = Math.max(4, size * 2);
        kind = Arrays.copyOf(kind, capacity);
        num = Arrays.copyOf(num, capacity);
        bytes = Arrays.copyOf(bytes, capacity);
        off = Arrays.copyOf(off, capacity);
        len = Arrays.copyOf(len, capacity);
        tuple = Arrays.copyOf(tuple, capacity);
      }
      return size++;
    }

    void setNum(int i, double v) {
      kind[i] = NUM;
      num[i] = v;
    }

    void setStr(int i, byte[] b, int from, int length) {
      kind[i] = STR;
      bytes[i] = b;
      off[i] = from;
      len[i] = length;
    }

    void setTuple(int i, Values elements) {
      kind[i] = TUPLE;
      tuple[i] = elements;
    }

    void setNull(int i) {
      kind[i] = NULL;
    }

    void copy(int i, Values from, int j) {
      kind[i] = from.kind[j];
      num[i] = from.num[j];
      bytes[i] = from.bytes[j];
      off[i] = from.off[j];
      len[i] = from.len[j];
      tuple[i] = from.tuple[j];
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Compiling

  // ---------------------------------------------------------------------------------------------
  // Evaluating

  /**
   * What one evaluation needs: the value stack, the fields read from the JSON, and buffers for
   * decoded strings and number text. Reused across evaluations by one thread at a time.
   */
  private static final class Workspace {
    private final VectorFilter filter;
    private final Values stack;
    private final Values fieldValues;
    private final Values[] fieldArrays;
    private final int[] fieldAt;

    /** Where elements of nested arrays are read to check them. */
    private final Values discarded = new Values(1);

    private final Strtod strtod = new Strtod();
    private final byte[] numberText = new byte[MAX_NUMERIC_STRING + 1];

    /**
     * Decoded JSON strings of this evaluation. Values keep the array they were written to, so
     * growing it leaves earlier strings intact in the old one.
     */
    private byte[] text = new byte[64];

    private int textLength;

    Workspace(VectorFilter filter) {
      this.filter = filter;
      int fields = filter.fields.length;
      stack = new Values(filter.stackSize);
      fieldValues = new Values(fields);
      fieldArrays = new Values[fields];
      for (int i = 0; i < fields; i++) {
        fieldArrays[i] = new Values(4);
      }
      fieldAt = new int[fields];
    }

    boolean run(byte[] json) {
      if (fieldAt.length > 0 && !readFields(json)) {
        return false;
      }
      Values s = stack;
      int sp = 0;
      for (int instruction : filter.program) {
        if (instruction < PUSH) {
          sp = apply(OPERATORS[instruction], sp);
        } else {
          Values from = (instruction & 1) == 0 ? filter.constants : fieldValues;
          s.copy(sp++, from, (instruction - PUSH) >>> 1);
        }
      }
      return truthy(sp - 1);
    }

    /** Applies an operator to the top of the stack; returns the new stack size. */
    private int apply(Operator op, int sp) {
      if (op == Operator.NOT) {
        stack.setNum(sp - 1, truthy(sp - 1) ? 0 : 1);
        return sp;
      }
      int a = sp - 2;
      int b = sp - 1;
      double r =
          switch (op) {
            case POW -> pow(number(a), number(b));
            case MUL -> number(a) * number(b);
            case DIV -> number(a) / number(b);
            case MOD -> number(a) % number(b);
            case ADD -> number(a) + number(b);
            case SUB -> number(a) - number(b);
            case GT -> number(a) > number(b) ? 1 : 0;
            case GTE -> number(a) >= number(b) ? 1 : 0;
            case LT -> number(a) < number(b) ? 1 : 0;
            case LTE -> number(a) <= number(b) ? 1 : 0;
            case EQ -> equal(a, b) ? 1 : 0;
            case NEQ -> equal(a, b) ? 0 : 1;
            case IN -> in(a, b) ? 1 : 0;
            case AND -> truthy(a) && truthy(b) ? 1 : 0;
            case OR -> truthy(a) || truthy(b) ? 1 : 0;
            default -> throw new AssertionError(op + " is not emitted as a binary operator");
          };
      stack.setNum(a, r);
      return sp - 1;
    }

    private boolean truthy(int i) {
      return switch (stack.kind[i]) {
        case NUM -> stack.num[i] != 0;
        case STR -> stack.len[i] != 0;
        case NULL -> false;
        default -> true;
      };
    }

    /** The value as a number: a string through strtod (all of it, or 0), anything else 0. */
    private double number(int i) {
      if (stack.kind[i] == NUM) {
        return stack.num[i];
      }
      if (stack.kind[i] != STR || stack.len[i] >= MAX_NUMERIC_STRING) {
        return 0;
      }
      int length = stack.len[i];
      System.arraycopy(stack.bytes[i], stack.off[i], numberText, 0, length);
      numberText[length] = 0;
      double v = strtod.parse(numberText, 0);
      // Like C, the text ends at its first NUL byte.
      return numberText[strtod.end()] == 0 ? v : 0;
    }

    private boolean equal(int a, int b) {
      byte ka = stack.kind[a];
      byte kb = stack.kind[b];
      if (ka == STR && kb == STR) {
        return Arrays.equals(
            stack.bytes[a],
            stack.off[a],
            stack.off[a] + stack.len[a],
            stack.bytes[b],
            stack.off[b],
            stack.off[b] + stack.len[b]);
      }
      if (ka == NUM && kb == NUM) {
        return stack.num[a] == stack.num[b];
      }
      if (ka == NULL || kb == NULL) {
        return ka == kb;
      }
      return number(a) == number(b);
    }

    /** Tuple membership, or substring search when both sides are strings. */
    private boolean in(int a, int b) {
      if (stack.kind[b] == TUPLE) {
        Values elements = stack.tuple[b];
        int element = b + 1;
        for (int k = 0; k < elements.size; k++) {
          stack.copy(element, elements, k);
          if (equal(a, element)) {
            return true;
          }
        }
        return false;
      }
      if (stack.kind[a] != STR || stack.kind[b] != STR) {
        return false;
      }
      int needle = stack.len[a];
      int last = stack.off[b] + stack.len[b] - needle;
      for (int at = stack.off[b]; at <= last; at++) {
        if (Arrays.equals(
            stack.bytes[b], at, at + needle, stack.bytes[a], stack.off[a], stack.off[a] + needle)) {
          return true;
        }
      }
      return false;
    }

    /** C's pow where it differs from Java's: 1 to any power and -1 to an infinite one are 1. */
    private static double pow(double base, double exponent) {
      if (base == 1 || (base == -1 && Double.isInfinite(exponent))) {
        return 1;
      }
      return Math.pow(base, exponent);
    }

    // -------------------------------------------------------------------------------------------
    // Reading the JSON

    /**
     * Reads every field the program uses into {@link #fieldValues}; false when one is missing or
     * its value cannot be read.
     */
    private boolean readFields(byte[] json) {
      textLength = 0;
      Arrays.fill(fieldAt, -1);
      seek(json);
      for (int i = 0; i < fieldAt.length; i++) {
        if (fieldAt[i] < 0 || readValue(json, fieldAt[i], i) < 0) {
          return false;
        }
      }
      return true;
    }

    /**
     * Records where the value of each needed field starts, walking the top-level object key by key
     * and skipping values without reading them. The first occurrence of a key counts; the walk ends
     * at the object's end, at anything malformed, or when all fields are found, so a field after a
     * malformed part is missing.
     */
    private void seek(byte[] json) {
      int end = json.length;
      int p = skipSpace(json, 0);
      if (p >= end || json[p] != '{') {
        return;
      }
      int missing = fieldAt.length;
      p++;
      while (true) {
        p = skipSpace(json, p);
        if (p >= end || json[p] != '"') {
          return;
        }
        int keyEnd = skipString(json, p);
        if (keyEnd < 0) {
          return;
        }
        int field = fieldNamed(json, p + 1, keyEnd - 1);
        p = skipSpace(json, keyEnd);
        if (p >= end || json[p] != ':') {
          return;
        }
        p = skipSpace(json, p + 1);
        if (p >= end) {
          return;
        }
        if (field >= 0 && fieldAt[field] < 0) {
          fieldAt[field] = p;
          if (--missing == 0) {
            return;
          }
        }
        p = skipValue(json, p);
        if (p < 0) {
          return;
        }
        p = skipSpace(json, p);
        if (p >= end || json[p] != ',') {
          return;
        }
        p++;
      }
    }

    /** The field whose name is the raw key bytes {@code json[from, to)}, or -1. */
    private int fieldNamed(byte[] json, int from, int to) {
      byte[][] names = filter.fields;
      for (int i = 0; i < names.length; i++) {
        if (Arrays.equals(names[i], 0, names[i].length, json, from, to)) {
          return i;
        }
      }
      return -1;
    }

    /** Reads the value at {@code p} as field {@code i}; returns where it ends, or -1. */
    private int readValue(byte[] json, int p, int i) {
      if (json[p] == '[') {
        return readArray(json, p, fieldValues, i, fieldArrays[i]);
      }
      return readScalar(json, p, fieldValues, i);
    }

    /**
     * Reads a string, number, boolean or null into {@code into[i]}; returns where it ends, or -1
     * for an object or anything unreadable.
     */
    private int readScalar(byte[] json, int p, Values into, int i) {
      byte c = json[p];
      if (c == '"') {
        return readString(json, p, into, i);
      }
      if (c == 't' || c == 'f' || c == 'n') {
        int end = literalEnd(json, p, c == 't' ? "true" : c == 'f' ? "false" : "null");
        if (c == 'n') {
          into.setNull(i);
        } else {
          into.setNum(i, c == 't' ? 1 : 0);
        }
        return end;
      }
      if (isDigit(c) || c == '-' || c == '+') {
        return readNumber(json, p, into, i);
      }
      return -1;
    }

    /**
     * Reads an array into {@code into[i]} with its elements in {@code elements}. Arrays nested in
     * it are checked but kept as empty tuples: no operator looks inside them.
     */
    private int readArray(byte[] json, int p, Values into, int i, Values elements) {
      int end = json.length;
      elements.size = 0;
      into.setTuple(i, elements);
      int depth = 1;
      p = skipSpace(json, p + 1);
      boolean closing = p < end && json[p] == ']';
      if (closing) {
        p++;
      }
      while (true) {
        if (closing) {
          if (--depth == 0) {
            return p;
          }
        } else {
          // An element.
          p = skipSpace(json, p);
          if (p >= end) {
            return -1;
          }
          if (json[p] == '[') {
            if (depth == 1) {
              elements.setTuple(elements.append(), Values.EMPTY);
            }
            depth++;
            p = skipSpace(json, p + 1);
            if (p < end && json[p] == ']') {
              p++;
              closing = true;
            }
            continue;
          }
          p =
              depth == 1
                  ? readScalar(json, p, elements, elements.append())
                  : readScalar(json, p, discarded, 0);
          if (p < 0) {
            return -1;
          }
        }
        // After an element: a comma and the next one, or the end of this array.
        p = skipSpace(json, p);
        if (p >= end) {
          return -1;
        }
        if (json[p] == ',') {
          p = skipSpace(json, p + 1);
          closing = false;
        } else if (json[p] == ']') {
          p++;
          closing = true;
        } else {
          return -1;
        }
      }
    }

    /** Reads a string, decoding escapes into {@link #text} when it has any. */
    private int readString(byte[] json, int p, Values into, int i) {
      int end = json.length;
      int start = p + 1;
      int q = start;
      int length = 0;
      boolean hasEscape = false;
      while (q < end && json[q] != '"') {
        if (json[q] == '\\') {
          hasEscape = true;
          q++;
        }
        q++;
        length++;
      }
      if (q >= end) {
        return -1;
      }
      if (!hasEscape) {
        into.setStr(i, json, start, length);
        return q + 1;
      }
      if (textLength + length > text.length) {
        text = Arrays.copyOf(text, Math.max(text.length * 2, textLength + length));
      }
      int at = textLength;
      for (int r = start; r < q; r++) {
        text[textLength++] = json[r] == '\\' ? FilterParser.escaped(json[++r]) : json[r];
      }
      into.setStr(i, text, at, length);
      return q + 1;
    }

    /**
     * Reads up to 255 number characters, all of which must form one number; what follows is left
     * for the caller.
     */
    private int readNumber(byte[] json, int p, Values into, int i) {
      int length = 0;
      while (p < json.length && length < MAX_NUMBER_TEXT && isJsonNumberChar(json[p])) {
        numberText[length++] = json[p++];
      }
      numberText[length] = 0;
      double v = strtod.parse(numberText, 0);
      if (numberText[strtod.end()] != 0) {
        return -1;
      }
      into.setNum(i, v);
      return p;
    }

    /**
     * The end of {@code word} at {@code p}, or -1 when it is not there or runs on into something
     * other than white space, a comma or a closing bracket.
     */
    private static int literalEnd(byte[] json, int p, String word) {
      int end = skipWord(json, p, word);
      if (end < 0 || end == json.length) {
        return end;
      }
      byte next = json[end];
      return isSpace(next) || next == ',' || next == ']' || next == '}' ? end : -1;
    }
  }
}
