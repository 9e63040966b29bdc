package io.toridb.core.vector;

import static io.toridb.core.vector.FilterText.isAlpha;
import static io.toridb.core.vector.FilterText.isDigit;
import static io.toridb.core.vector.FilterText.isOperatorChar;
import static io.toridb.core.vector.FilterText.isSelectorChar;
import static io.toridb.core.vector.FilterText.isSpace;
import static io.toridb.core.vector.VectorFilter.MAX_NUMBER_TEXT;
import static io.toridb.core.vector.VectorFilter.OPERATORS;
import static io.toridb.core.vector.VectorFilter.PUSH;
import static io.toridb.core.vector.VectorFilter.UNPLACED;

import io.toridb.core.vector.VectorFilter.Operator;
import io.toridb.core.vector.VectorFilter.SyntaxError;
import io.toridb.core.vector.VectorFilter.Values;
import io.toridb.core.zset.Strtod;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

/** Tokenizes one expression and compiles the tokens, collecting constants and field names. */
final class FilterParser {
  private final byte[] e;
  private final int n;
  private int p;
  private final List<Token> tokens = new ArrayList<>();
  private final Values constants = new Values(8);
  private final List<byte[]> fields = new ArrayList<>();
  private final Strtod strtod = new Strtod();
  private final byte[] numberText = new byte[MAX_NUMBER_TEXT + 1];

  FilterParser(byte[] expr) {
    e = expr;
    int end = 0;
    while (end < expr.length && expr[end] != 0) {
      end++;
    }
    n = end;
  }

  /** Splits the expression into tokens; an error is reported where reading stopped. */
  void tokenize() throws SyntaxError {
    while (true) {
      skipSpaces();
      if (p == n) {
        return;
      }
      byte c = e[p];
      Token t;
      if (isDigit(c) || (minusStartsNumber() && c == '-' && p + 1 < n && isDigit(e[p + 1]))) {
        t = constant(numberConstant(number()));
      } else if (c == '"' || c == '\'') {
        byte[] s = string();
        t = constant(stringConstant(s));
      } else if (c == '.' && p + 1 < n && isSelectorChar(e[p + 1])) {
        t = selector();
      } else if (c == '[') {
        t = tuple();
      } else if (isAlpha(c) || isOperatorChar(c)) {
        t = operatorOrNull();
      } else {
        throw new SyntaxError(p);
      }
      tokens.add(t);
    }
  }

  /**
   * A minus is a sign at the start and after any operator but {@code )}, as in {@code 2*-1}; after
   * a value or {@code )} it subtracts.
   */
  private boolean minusStartsNumber() {
    if (tokens.isEmpty()) {
      return true;
    }
    Operator last = tokens.get(tokens.size() - 1).op;
    return last != null && last != Operator.CLOSE;
  }

  private void skipSpaces() {
    while (p < n && isSpace(e[p])) {
      p++;
    }
  }

  /**
   * Reads the longest run of digits, points, {@code e}/{@code E} and a leading minus; all of it
   * must be one number, so {@code 1e-5} fails after {@code 1e}.
   */
  private double number() throws SyntaxError {
    int length = 0;
    while (p < n
        && (isDigit(e[p])
            || e[p] == '.'
            || e[p] == 'e'
            || e[p] == 'E'
            || (length == 0 && e[p] == '-'))) {
      if (length >= MAX_NUMBER_TEXT) {
        throw new SyntaxError(p);
      }
      numberText[length++] = e[p++];
    }
    numberText[length] = 0;
    double v = strtod.parse(numberText, 0);
    if (numberText[strtod.end()] != 0) {
      throw new SyntaxError(p);
    }
    return v;
  }

  /** Reads a quoted string and returns its decoded bytes. */
  private byte[] string() throws SyntaxError {
    byte quote = e[p++];
    int start = p;
    while (p < n) {
      if (e[p] == '\\' && p + 1 < n) {
        p += 2;
        continue;
      }
      if (e[p] == quote) {
        byte[] s = unescape(e, start, p);
        p++;
        return s;
      }
      p++;
    }
    throw new SyntaxError(p);
  }

  private Token selector() {
    int start = ++p;
    while (p < n && isSelectorChar(e[p])) {
      p++;
    }
    byte[] name = Arrays.copyOfRange(e, start, p);
    int index = 0;
    while (index < fields.size() && !Arrays.equals(fields.get(index), name)) {
      index++;
    }
    if (index == fields.size()) {
      fields.add(name);
    }
    return new Token(null, PUSH + 2 * index + 1);
  }

  /** Reads {@code [a, b, ...]} of number and string literals; a trailing comma is allowed. */
  private Token tuple() throws SyntaxError {
    p++;
    Values items = new Values(4);
    while (true) {
      skipSpaces();
      if (p < n && e[p] == ']') {
        p++;
        break;
      }
      if (p < n && (isDigit(e[p]) || e[p] == '-')) {
        items.setNum(items.append(), number());
      } else if (p < n && (e[p] == '"' || e[p] == '\'')) {
        byte[] s = string();
        items.setStr(items.append(), s, 0, s.length);
      } else {
        throw new SyntaxError(p);
      }
      skipSpaces();
      if (p < n && e[p] == ']') {
        p++;
        break;
      }
      if (p >= n || e[p] != ',') {
        throw new SyntaxError(p);
      }
      p++;
    }
    int i = constants.append();
    constants.setTuple(i, items);
    return constant(i);
  }

  /**
   * Reads a run of letters and operator characters, which is {@code null} when it is exactly that,
   * and otherwise starts with the longest operator spelling it begins with; the rest of the run is
   * read again as the next token. A run that starts with no operator is an error at its end.
   *
   * <p>Only the run's first five bytes decide the token (is it exactly {@code null}, which spelling
   * of at most three bytes starts it), so only those are looked at unless the run is an error:
   * reading a long run such as {@code ((((...} stays linear.
   */
  private Token operatorOrNull() throws SyntaxError {
    int start = p;
    int limit = Math.min(n, start + 5);
    while (p < limit && isOperatorRunChar(e[p])) {
      p++;
    }
    int run = p - start;
    if (run == 4 && startsWith(start, "null")) {
      int i = constants.append();
      constants.setNull(i);
      return constant(i);
    }
    Operator best = null;
    int bestLength = 0;
    for (Operator op : OPERATORS) {
      for (String spelling : op.spellings) {
        int length = spelling.length();
        if (length <= run && length > bestLength && startsWith(start, spelling)) {
          best = op;
          bestLength = length;
        }
      }
    }
    if (best == null) {
      while (p < n && isOperatorRunChar(e[p])) {
        p++;
      }
      throw new SyntaxError(p);
    }
    p = start + bestLength;
    return new Token(best, 0);
  }

  private static boolean isOperatorRunChar(byte c) {
    return isAlpha(c) || isOperatorChar(c);
  }

  private boolean startsWith(int at, String word) {
    for (int k = 0; k < word.length(); k++) {
      if (e[at + k] != word.charAt(k)) {
        return false;
      }
    }
    return true;
  }

  private Token constant(int index) {
    return new Token(null, PUSH + 2 * index);
  }

  private int numberConstant(double v) {
    int i = constants.append();
    constants.setNum(i, v);
    return i;
  }

  private int stringConstant(byte[] s) {
    int i = constants.append();
    constants.setStr(i, s, 0, s.length);
    return i;
  }

  /**
   * Orders the tokens into a postfix program (shunting-yard), checking that each operator will find
   * its operands and that one value remains.
   */
  VectorFilter compile() throws SyntaxError {
    Program out = new Program();
    Deque<Operator> pending = new ArrayDeque<>();
    for (Token t : tokens) {
      if (t.op == null) {
        out.pushValue(t.push);
      } else {
        arrange(t.op, pending, out);
      }
    }
    while (!pending.isEmpty()) {
      Operator op = pending.pop();
      if (op == Operator.OPEN) {
        throw new SyntaxError(UNPLACED);
      }
      out.apply(op);
    }
    if (out.depth != 1) {
      throw new SyntaxError(UNPLACED);
    }
    return new VectorFilter(out.code(), constants, fields.toArray(new byte[0][]), out.maxDepth);
  }

  /**
   * Places one operator: {@code (} waits, {@code )} emits back to its {@code (}, a unary operator
   * waits for its operand, and a binary one first emits the waiting operators that bind at least as
   * tightly ({@code **} only those that bind tighter, which makes it right associative).
   */
  private static void arrange(Operator op, Deque<Operator> pending, Program out)
      throws SyntaxError {
    if (op == Operator.CLOSE) {
      while (true) {
        Operator top = pending.poll();
        if (top == null) {
          throw new SyntaxError(UNPLACED);
        }
        if (top == Operator.OPEN) {
          return;
        }
        out.apply(top);
      }
    }
    if (op != Operator.OPEN && op.arity == 2) {
      while (!pending.isEmpty() && pending.peek() != Operator.OPEN) {
        int top = pending.peek().precedence;
        if (top < op.precedence || (op == Operator.POW && top <= op.precedence)) {
          break;
        }
        out.apply(pending.pop());
      }
    }
    pending.push(op);
  }

  /** A token: an operator, or a value already turned into its push instruction. */
  private record Token(Operator op, int push) {}

  /** The instructions being emitted, with the stack depth they will reach. */
  private static final class Program {
    private int[] code = new int[16];
    private int size;
    int depth;
    int maxDepth;

    void pushValue(int instruction) {
      emit(instruction);
      depth++;
      maxDepth = Math.max(maxDepth, depth);
    }

    void apply(Operator op) throws SyntaxError {
      if (depth < op.arity) {
        throw new SyntaxError(UNPLACED);
      }
      emit(op.ordinal());
      depth = depth - op.arity + 1;
    }

    private void emit(int instruction) {
      if (size == code.length) {
        code = Arrays.copyOf(code, size * 2);
      }
      code[size++] = instruction;
    }

    int[] code() {
      return Arrays.copyOf(code, size);
    }
  }

  /**
   * The bytes of a string literal between {@code from} and {@code to}, with each backslash pair
   * replaced by the character it stands for.
   */
  private static byte[] unescape(byte[] b, int from, int to) {
    byte[] out = new byte[to - from];
    int length = 0;
    for (int i = from; i < to; i++) {
      if (b[i] == '\\' && i + 1 < to) {
        out[length++] = escaped(b[++i]);
      } else {
        out[length++] = b[i];
      }
    }
    return Arrays.copyOf(out, length);
  }

  /** What a backslash followed by {@code c} stands for. */
  static byte escaped(byte c) {
    return switch (c) {
      case 'n' -> '\n';
      case 'r' -> '\r';
      case 't' -> '\t';
      default -> c;
    };
  }
}
