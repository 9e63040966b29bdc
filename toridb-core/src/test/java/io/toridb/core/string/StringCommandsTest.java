package io.toridb.core.string;

import static io.toridb.core.CommandHarness.NIL;
import static io.toridb.core.CommandHarness.OK;
import static io.toridb.core.CommandHarness.bulk;
import static io.toridb.core.CommandHarness.encoding;
import static io.toridb.core.CommandHarness.error;
import static io.toridb.core.CommandHarness.integer;
import static io.toridb.core.CommandHarness.peek;
import static io.toridb.core.string.StringTestSupport.EMPTY_BULK;
import static io.toridb.core.string.StringTestSupport.NOT_INTEGER;
import static io.toridb.core.string.StringTestSupport.NULL3;
import static io.toridb.core.string.StringTestSupport.SYNTAX;
import static io.toridb.core.string.StringTestSupport.WRONGTYPE;
import static io.toridb.core.string.StringTestSupport.expireAt;
import static io.toridb.core.string.StringTestSupport.putOther;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toridb.core.CommandHarness;
import io.toridb.core.keyspace.StoredValue;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class StringCommandsTest {
  private final CommandHarness h = new CommandHarness();

  private static String arity(String name) {
    return error("ERR wrong number of arguments for '" + name + "' command");
  }

  @Nested
  class Get {
    @Test
    void get_onMissingKey_returnsNull() {
      assertEquals(NIL, h.call("GET", "nope"));
      assertEquals(NULL3, h.call3("GET", "nope"));
    }

    @Test
    void set_thenGet_returnsValue() {
      assertEquals(OK, h.call("SET", "foo", "bar"));
      assertEquals(bulk("bar"), h.call("get", "foo"));
      assertEquals(bulk("bar"), h.call3("GET", "foo"));
    }

    @Test
    void get_onEmptyValue_returnsEmptyBulk() {
      h.call("SET", "e", "");
      assertEquals(EMPTY_BULK, h.call("GET", "e"));
    }

    @Test
    void get_keepsBinaryBytes() {
      h.call("SET", "b", "a\0b\r\n\u00ff");
      assertEquals(bulk("a\0b\r\n\u00ff"), h.call("GET", "b"));
    }

    @Test
    void get_onWrongType_returnsWrongtypeError() {
      putOther(h, "list");
      assertEquals(WRONGTYPE, h.call("GET", "list"));
    }

    @Test
    void get_withWrongArity_returnsRedisError() {
      assertEquals(arity("get"), h.call("GET"));
      assertEquals(arity("get"), h.call("GET", "a", "b"));
    }

    @Test
    void get_onExpiredKey_returnsNullAndDeletesIt() {
      h.call("SET", "k", "v", "PXAT", "1");
      assertEquals(NIL, h.call("GET", "k"));
      assertNull(peek(h, "k"));
    }
  }

  @Nested
  class Set {
    @Test
    void set_overwritesOtherTypes() {
      putOther(h, "list");
      assertEquals(OK, h.call("SET", "list", "v"));
      assertEquals(bulk("v"), h.call("GET", "list"));
    }

    @Test
    void set_nx_onlySetsMissingKey() {
      assertEquals(OK, h.call("SET", "k", "1", "NX"));
      assertEquals(NIL, h.call("SET", "k", "2", "nx"));
      assertEquals(NULL3, h.call3("SET", "k", "2", "NX"));
      assertEquals(bulk("1"), h.call("GET", "k"));
    }

    @Test
    void set_xx_onlySetsExistingKey() {
      assertEquals(NIL, h.call("SET", "k", "1", "XX"));
      assertNull(peek(h, "k"));
      h.call("SET", "k", "1");
      assertEquals(OK, h.call("SET", "k", "2", "XX"));
      assertEquals(bulk("2"), h.call("GET", "k"));
    }

    @Test
    void set_nxOnExpiredKey_setsIt() {
      h.call("SET", "k", "old", "PXAT", "1");
      assertEquals(OK, h.call("SET", "k", "new", "NX"));
      assertEquals(bulk("new"), h.call("GET", "k"));
    }

    @Test
    void set_get_returnsPreviousValue() {
      assertEquals(NIL, h.call("SET", "k", "1", "GET"));
      assertEquals(bulk("1"), h.call("SET", "k", "2", "GET"));
      assertEquals(bulk("2"), h.call("GET", "k"));
    }

    @Test
    void set_getWithNx_isAllowedAndReturnsOldValueWithoutSetting() {
      h.call("SET", "k", "old");
      assertEquals(bulk("old"), h.call("SET", "k", "new", "NX", "GET"));
      assertEquals(bulk("old"), h.call("GET", "k"));
      assertEquals(NIL, h.call("SET", "fresh", "v", "NX", "GET"));
      assertEquals(bulk("v"), h.call("GET", "fresh"));
    }

    @Test
    void set_getWithXx_onMissingKeyReturnsNullAndSetsNothing() {
      assertEquals(NIL, h.call("SET", "k", "v", "XX", "GET"));
      assertNull(peek(h, "k"));
      h.call("SET", "k", "a");
      assertEquals(bulk("a"), h.call("SET", "k", "b", "XX", "GET"));
      assertEquals(bulk("b"), h.call("GET", "k"));
    }

    @Test
    void set_getOnWrongType_returnsWrongtypeAndKeepsValue() {
      putOther(h, "list");
      assertEquals(WRONGTYPE, h.call("SET", "list", "v", "GET"));
      assertTrue(peek(h, "list") instanceof StringTestSupport.OtherValue);
    }

    @Test
    void set_repeatedOptions_areAccepted() {
      assertEquals(OK, h.call("SET", "k", "v", "NX", "NX"));
      assertEquals(bulk("v"), h.call("SET", "k", "w", "GET", "GET"));
      assertEquals(OK, h.call("SET", "k", "v", "KEEPTTL", "KEEPTTL"));
      assertEquals(OK, h.call("SET", "k", "v", "EX", "10", "EX", "20"));
      long at = expireAt(h, "k");
      assertTrue(at > System.currentTimeMillis() + 10_000, "the last EX wins");
    }

    @ParameterizedTest
    @CsvSource({
      "NX XX",
      "XX NX",
      "EX",
      "EX 10 PX 100",
      "PX 100 EX 10",
      "EX 10 EXAT 10",
      "EXAT 10 PXAT 10",
      "EX 10 KEEPTTL",
      "KEEPTTL EX 10",
      "KEEPTTL PXAT 10",
      "PERSIST",
      "FOO",
      "GET FOO",
      "NX GET XX",
    })
    void set_badOptions_returnSyntaxError(String options) {
      h.call("SET", "k", "keep");
      String[] opts = options.split(" ");
      String[] argv = new String[3 + opts.length];
      argv[0] = "SET";
      argv[1] = "k";
      argv[2] = "v";
      System.arraycopy(opts, 0, argv, 3, opts.length);
      assertEquals(SYNTAX, h.call(argv));
      assertEquals(bulk("keep"), h.call("GET", "k"));
    }

    @ParameterizedTest
    @CsvSource({
      "EX, 0",
      "EX, -1",
      "PX, 0",
      "EXAT, 0",
      "PXAT, -5",
      "EX, 9223372036854775",
      "EX, 9223372036854776",
      "PX, 9223372036854775807",
      "EXAT, 9223372036854776",
    })
    void set_invalidExpireTime_returnsInvalidExpireError(String unit, String time) {
      assertEquals(
          error("ERR invalid expire time in 'set' command"), h.call("SET", "k", "v", unit, time));
      assertNull(peek(h, "k"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "1.5", "", " 1", "9223372036854775808"})
    void set_nonIntegerExpireTime_returnsNotIntegerError(String time) {
      assertEquals(NOT_INTEGER, h.call("SET", "k", "v", "EX", time));
    }

    @Test
    void set_invalidExpireTime_isReportedBeforeWrongType() {
      putOther(h, "list");
      assertEquals(
          error("ERR invalid expire time in 'set' command"),
          h.call("SET", "list", "v", "EX", "0", "GET"));
    }

    @Test
    void set_ex_setsAbsoluteExpiryFromNow() {
      long before = System.currentTimeMillis();
      assertEquals(OK, h.call("SET", "k", "v", "EX", "100"));
      long after = System.currentTimeMillis();
      long at = expireAt(h, "k");
      assertTrue(at >= before + 100_000 && at <= after + 100_000);
    }

    @Test
    void set_px_setsAbsoluteExpiryFromNow() {
      long before = System.currentTimeMillis();
      h.call("SET", "k", "v", "px", "1500");
      long after = System.currentTimeMillis();
      long at = expireAt(h, "k");
      assertTrue(at >= before + 1500 && at <= after + 1500);
    }

    @Test
    void set_exatAtTheLargestConvertibleTime_isAccepted() {
      assertEquals(OK, h.call("SET", "k", "v", "EXAT", "9223372036854775"));
      assertEquals(9223372036854775000L, expireAt(h, "k"));
    }

    @Test
    void set_exatAndPxat_setExactExpiry() {
      h.call("SET", "a", "v", "EXAT", "99999999999");
      assertEquals(99999999999000L, expireAt(h, "a"));
      h.call("SET", "b", "v", "PXAT", "99999999999999");
      assertEquals(99999999999999L, expireAt(h, "b"));
    }

    @Test
    void set_withoutKeepttl_clearsExpiry() {
      h.call("SET", "k", "v", "EX", "100");
      h.call("SET", "k", "w");
      assertFalse(peek(h, "k").hasExpiry());
    }

    @Test
    void set_keepttl_keepsExpiry() {
      h.call("SET", "k", "v", "PXAT", "99999999999999");
      assertEquals(OK, h.call("SET", "k", "w", "KEEPTTL"));
      assertEquals(99999999999999L, expireAt(h, "k"));
      assertEquals(bulk("w"), h.call("GET", "k"));
    }

    @Test
    void set_keepttlOnKeyWithoutExpiry_setsNone() {
      h.call("SET", "k", "v");
      h.call("SET", "k", "w", "KEEPTTL");
      assertFalse(peek(h, "k").hasExpiry());
    }

    @Test
    void set_exatInThePast_storesKeyThatReadsAsMissing() {
      // Redis 7.0 replies OK and lets lazy expiry remove the key.
      assertEquals(OK, h.call("SET", "k", "v", "EXAT", "1"));
      assertEquals(1000L, expireAt(h, "k"));
      assertEquals(NIL, h.call("GET", "k"));
    }

    @Test
    void set_encodings_followRedis() {
      h.call("SET", "int", "12345");
      assertEquals("int", encoding(h, "int"));
      h.call("SET", "neg", "-9223372036854775808");
      assertEquals("int", encoding(h, "neg"));
      h.call("SET", "toobig", "12345678901234567890");
      assertEquals("embstr", encoding(h, "toobig"));
      h.call("SET", "lead", "0123");
      assertEquals("embstr", encoding(h, "lead"));
      h.call("SET", "short", "x".repeat(44));
      assertEquals("embstr", encoding(h, "short"));
      h.call("SET", "long", "x".repeat(45));
      assertEquals("raw", encoding(h, "long"));
    }

    @Test
    void set_withWrongArity_returnsRedisError() {
      assertEquals(arity("set"), h.call("SET", "k"));
      assertEquals(arity("set"), h.call("SET"));
    }
  }

  @Nested
  class SetnxSetexPsetex {
    @Test
    void setnx_setsOnlyMissingKey() {
      assertEquals(integer(1), h.call("SETNX", "k", "1"));
      assertEquals(integer(0), h.call("SETNX", "k", "2"));
      assertEquals(bulk("1"), h.call("GET", "k"));
    }

    @Test
    void setnx_onWrongType_returnsZero() {
      putOther(h, "list");
      assertEquals(integer(0), h.call("SETNX", "list", "v"));
    }

    @Test
    void setnx_onExpiredKey_setsIt() {
      h.call("SET", "k", "v", "PXAT", "1");
      assertEquals(integer(1), h.call("SETNX", "k", "w"));
      assertEquals(bulk("w"), h.call("GET", "k"));
      assertFalse(peek(h, "k").hasExpiry());
    }

    @Test
    void setex_setsValueAndExpiry() {
      long before = System.currentTimeMillis();
      assertEquals(OK, h.call("SETEX", "k", "100", "v"));
      long after = System.currentTimeMillis();
      assertEquals(bulk("v"), h.call("GET", "k"));
      long at = expireAt(h, "k");
      assertTrue(at >= before + 100_000 && at <= after + 100_000);
    }

    @Test
    void psetex_setsValueAndExpiryInMilliseconds() {
      long before = System.currentTimeMillis();
      assertEquals(OK, h.call("PSETEX", "k", "100000", "v"));
      long after = System.currentTimeMillis();
      long at = expireAt(h, "k");
      assertTrue(at >= before + 100_000 && at <= after + 100_000);
    }

    @Test
    void setex_overwritesOtherTypes() {
      putOther(h, "list");
      assertEquals(OK, h.call("SETEX", "list", "10", "v"));
      assertEquals(bulk("v"), h.call("GET", "list"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-10", "9223372036854775807"})
    void setex_invalidTime_returnsInvalidExpireError(String time) {
      assertEquals(
          error("ERR invalid expire time in 'setex' command"), h.call("SETEX", "k", time, "v"));
      assertNull(peek(h, "k"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "9223372036854775807"})
    void psetex_invalidTime_returnsInvalidExpireError(String time) {
      assertEquals(
          error("ERR invalid expire time in 'psetex' command"), h.call("PSETEX", "k", time, "v"));
    }

    @Test
    void setex_nonIntegerTime_returnsNotIntegerError() {
      assertEquals(NOT_INTEGER, h.call("SETEX", "k", "abc", "v"));
      assertEquals(NOT_INTEGER, h.call("PSETEX", "k", "1.5", "v"));
    }

    @Test
    void setVariants_withWrongArity_returnRedisError() {
      assertEquals(arity("setnx"), h.call("SETNX", "k"));
      assertEquals(arity("setex"), h.call("SETEX", "k", "10"));
      assertEquals(arity("psetex"), h.call("PSETEX", "k", "10", "v", "x"));
    }
  }

  @Nested
  class GetsetGetdelGetex {
    @Test
    void getset_returnsOldValueAndSetsNew() {
      assertEquals(NIL, h.call("GETSET", "k", "a"));
      assertEquals(bulk("a"), h.call("GETSET", "k", "b"));
      assertEquals(bulk("b"), h.call("GET", "k"));
      assertEquals(NULL3, h.call3("GETSET", "new", "x"));
    }

    @Test
    void getset_clearsExpiry() {
      h.call("SET", "k", "v", "EX", "100");
      h.call("GETSET", "k", "w");
      assertFalse(peek(h, "k").hasExpiry());
    }

    @Test
    void getset_onWrongType_returnsWrongtypeError() {
      putOther(h, "list");
      assertEquals(WRONGTYPE, h.call("GETSET", "list", "v"));
    }

    @Test
    void getdel_returnsValueAndDeletesKey() {
      h.call("SET", "k", "v");
      assertEquals(bulk("v"), h.call("GETDEL", "k"));
      assertNull(peek(h, "k"));
      assertEquals(NIL, h.call("GETDEL", "k"));
      assertEquals(NULL3, h.call3("GETDEL", "k"));
    }

    @Test
    void getdel_onWrongType_returnsWrongtypeAndKeepsKey() {
      putOther(h, "list");
      assertEquals(WRONGTYPE, h.call("GETDEL", "list"));
      assertTrue(peek(h, "list") != null);
    }

    @Test
    void getex_withoutOptions_isGet() {
      h.call("SET", "k", "v", "PXAT", "99999999999999");
      assertEquals(bulk("v"), h.call("GETEX", "k"));
      assertEquals(99999999999999L, expireAt(h, "k"));
      assertEquals(NIL, h.call("GETEX", "missing"));
      assertEquals(NULL3, h.call3("GETEX", "missing"));
    }

    @Test
    void getex_ex_setsRelativeExpiry() {
      h.call("SET", "k", "v");
      long before = System.currentTimeMillis();
      assertEquals(bulk("v"), h.call("GETEX", "k", "EX", "100"));
      long after = System.currentTimeMillis();
      long at = expireAt(h, "k");
      assertTrue(at >= before + 100_000 && at <= after + 100_000);
    }

    @Test
    void getex_px_setsRelativeExpiry() {
      h.call("SET", "k", "v");
      long before = System.currentTimeMillis();
      h.call("GETEX", "k", "PX", "5000");
      long after = System.currentTimeMillis();
      long at = expireAt(h, "k");
      assertTrue(at >= before + 5000 && at <= after + 5000);
    }

    @Test
    void getex_exatAndPxat_setAbsoluteExpiry() {
      h.call("SET", "k", "v");
      assertEquals(bulk("v"), h.call("GETEX", "k", "EXAT", "99999999999"));
      assertEquals(99999999999000L, expireAt(h, "k"));
      assertEquals(bulk("v"), h.call("GETEX", "k", "pxat", "99999999999999"));
      assertEquals(99999999999999L, expireAt(h, "k"));
    }

    @Test
    void getex_persist_removesExpiry() {
      h.call("SET", "k", "v", "EX", "100");
      assertEquals(bulk("v"), h.call("GETEX", "k", "PERSIST"));
      assertFalse(peek(h, "k").hasExpiry());
      assertEquals(bulk("v"), h.call("GETEX", "k", "PERSIST", "PERSIST"));
    }

    @Test
    void getex_absoluteTimeInThePast_returnsValueAndDeletesKey() {
      h.call("SET", "k", "v");
      assertEquals(bulk("v"), h.call("GETEX", "k", "EXAT", "1"));
      assertNull(peek(h, "k"));
    }

    @ParameterizedTest
    @CsvSource({
      "EX",
      "EX 10 PERSIST",
      "PERSIST EX 10",
      "PX 10 EXAT 10",
      "NX",
      "XX",
      "GET",
      "KEEPTTL",
      "FOO",
    })
    void getex_badOptions_returnSyntaxError(String options) {
      h.call("SET", "k", "v");
      String[] opts = options.split(" ");
      String[] argv = new String[2 + opts.length];
      argv[0] = "GETEX";
      argv[1] = "k";
      System.arraycopy(opts, 0, argv, 2, opts.length);
      assertEquals(SYNTAX, h.call(argv));
      // Syntax is checked before the key is looked up.
      argv[1] = "missing";
      assertEquals(SYNTAX, h.call(argv));
    }

    @Test
    void getex_invalidTime_returnsErrorOnlyWhenKeyExists() {
      h.call("SET", "k", "v");
      assertEquals(
          error("ERR invalid expire time in 'getex' command"), h.call("GETEX", "k", "EX", "0"));
      assertEquals(
          error("ERR invalid expire time in 'getex' command"),
          h.call("GETEX", "k", "EX", "9223372036854775807"));
      assertEquals(NOT_INTEGER, h.call("GETEX", "k", "EX", "abc"));
      assertFalse(peek(h, "k").hasExpiry());
      assertEquals(NIL, h.call("GETEX", "missing", "EX", "0"));
      assertEquals(NIL, h.call("GETEX", "missing", "EX", "abc"));
    }

    @Test
    void getex_onWrongType_returnsWrongtypeBeforeCheckingTime() {
      putOther(h, "list");
      assertEquals(WRONGTYPE, h.call("GETEX", "list", "EX", "0"));
    }

    @Test
    void getVariants_withWrongArity_returnRedisError() {
      assertEquals(arity("getset"), h.call("GETSET", "k"));
      assertEquals(arity("getdel"), h.call("GETDEL", "k", "x"));
      assertEquals(arity("getex"), h.call("GETEX"));
    }
  }

  @Test
  void commandTable_declaresRedisKeySpecsAndFlags() {
    var t = h.server().commands();
    assertEquals("1,-1,2", keys(t.lookup("mset")));
    assertEquals("1,-1,2", keys(t.lookup("msetnx")));
    assertEquals("1,-1,1", keys(t.lookup("mget")));
    assertEquals("1,2,1", keys(t.lookup("lcs")));
    assertEquals("1,1,1", keys(t.lookup("getex")));
    assertEquals(
        java.util.List.of("readonly", "fast"),
        io.toridb.core.command.CommandFlag.names(t.lookup("get").flags()));
    assertEquals(
        java.util.List.of("write", "denyoom"),
        io.toridb.core.command.CommandFlag.names(t.lookup("set").flags()));
    assertEquals(
        java.util.List.of("write", "fast"),
        io.toridb.core.command.CommandFlag.names(t.lookup("getdel").flags()));
    assertEquals(
        java.util.List.of("readonly"),
        io.toridb.core.command.CommandFlag.names(t.lookup("getrange").flags()));
    assertEquals(-3, t.lookup("set").arity());
    assertEquals(-2, t.lookup("getex").arity());
    assertEquals(4, t.lookup("substr").arity());
    assertEquals("string", t.lookup("incrbyfloat").group());
    assertEquals("7.0.0", t.lookup("lcs").since());
  }

  private static String keys(io.toridb.core.command.CommandSpec s) {
    return s.firstKey() + "," + s.lastKey() + "," + s.step();
  }

  @Test
  void storedValue_hasNoExpiryByDefault() {
    h.call("SET", "k", "v");
    assertEquals(StoredValue.NO_EXPIRY, expireAt(h, "k"));
  }
}
