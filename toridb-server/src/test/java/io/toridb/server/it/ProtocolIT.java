package io.toridb.server.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The wire protocol over a raw socket: inline commands, protocol errors (reply, then close),
 * arbitrary request splits, large pipelines, back-pressure against a client that does not read, and
 * the configured size limits. Expected bytes are Redis 7.0's.
 */
class ProtocolIT {
  @RegisterExtension static final ToriServerExtension tori = new ToriServerExtension();

  @Test
  void inlinePing_repliesPong() throws IOException {
    try (RespClient c = tori.connect()) {
      c.sendRaw("PING\r\n");
      assertEquals("+PONG\r\n", c.read().rawText());
      c.sendRaw("ping\n");
      assertEquals("+PONG\r\n", c.read().rawText());
      c.sendRaw("PING hello\r\n");
      assertEquals("$5\r\nhello\r\n", c.read().rawText());
    }
  }

  @Test
  void inlineCommand_withQuotedArguments_splitsAsRedisDoes() throws IOException {
    try (RespClient c = tori.connect()) {
      c.sendRaw("SET \"in line\" 'c d'\r\n");
      assertEquals("+OK\r\n", c.read().rawText());
      c.sendRaw("GET \"in line\"\r\n");
      assertEquals("$3\r\nc d\r\n", c.read().rawText());
      c.sendRaw("ECHO \"\\x41\\n\\t\\\\\"\r\n");
      assertEquals("$4\r\nA\n\t\\\r\n", c.read().rawText());
      c.sendRaw("ECHO 'it\\'s'\r\n");
      assertEquals("$4\r\nit's\r\n", c.read().rawText());
      // Blank inline lines are skipped without a reply.
      c.sendRaw("\r\n   \r\nPING\r\n");
      assertEquals("+PONG\r\n", c.read().rawText());
    }
  }

  @Test
  void inlineCommand_withUnbalancedQuotes_repliesProtocolErrorAndCloses() throws IOException {
    try (RespClient c = tori.connect()) {
      c.sendRaw("SET \"a b\r\n");
      assertEquals("-ERR Protocol error: unbalanced quotes in request\r\n", c.read().rawText());
      assertTrue(c.closedByServer(), "the server must close the connection");
    }
  }

  @Test
  void negativeBulkLength_repliesInvalidBulkLengthAndCloses() throws IOException {
    try (RespClient c = tori.connect()) {
      c.sendRaw("*1\r\n$-5\r\n");
      assertEquals("-ERR Protocol error: invalid bulk length\r\n", c.read().rawText());
      assertTrue(c.closedByServer(), "the server must close the connection");
    }
    try (RespClient c = tori.connect()) {
      assertEquals("+PONG\r\n", c.callRaw("PING"));
    }
  }

  @Test
  void otherMalformedRequests_replyRedisProtocolErrorsAndClose() throws IOException {
    String[][] cases = {
      {"*1\r\nfoo\r\n", "-ERR Protocol error: expected '$', got 'f'\r\n"},
      {"*abc\r\n", "-ERR Protocol error: invalid multibulk length\r\n"},
      {"*1\r\n$abc\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
      {"*4294967296\r\n", "-ERR Protocol error: invalid multibulk length\r\n"},
    };
    for (String[] c : cases) {
      try (RespClient client = tori.connect()) {
        client.sendRaw(c[0]);
        assertEquals(c[1], client.read().rawText(), "reply to " + c[0].replace("\r\n", "\\r\\n"));
        assertTrue(client.closedByServer(), "close after " + c[0].replace("\r\n", "\\r\\n"));
      }
    }
  }

  @Test
  void unknownCommand_repliesErrorAndKeepsTheConnectionUsable() throws IOException {
    try (RespClient c = tori.connect()) {
      assertEquals(
          "-ERR unknown command 'NOSUCH', with args beginning with: 'a' 'b c' \r\n",
          c.callRaw("NOSUCH", "a", "b c"));
      c.sendRaw("nosuch x\r\n");
      assertEquals(
          "-ERR unknown command 'nosuch', with args beginning with: 'x' \r\n", c.read().rawText());
      assertEquals("+PONG\r\n", c.callRaw("PING"));
      assertEquals("+OK\r\n", c.callRaw("SET", "after-error", "v"));
      assertEquals("$1\r\nv\r\n", c.callRaw("GET", "after-error"));
    }
  }

  @Test
  void requestsSplitIntoSingleByteWrites_areReassembled() throws Exception {
    ByteArrayOutputStream requests = new ByteArrayOutputStream();
    byte[] value = new byte[300];
    for (int i = 0; i < value.length; i++) {
      value[i] = (byte) i;
    }
    RespClient.encodeTo(requests, "SET".getBytes(), "split".getBytes(), value);
    requests.writeBytes("GET split\r\n".getBytes(StandardCharsets.US_ASCII));
    RespClient.encodeTo(requests, "ECHO".getBytes(), "\r\n$*".getBytes());
    try (RespClient c = tori.connect()) {
      OutputStream out = c.output();
      byte[] all = requests.toByteArray();
      for (int i = 0; i < all.length; i++) {
        out.write(all[i]);
        out.flush();
        if (i < 64) {
          // Give the first bytes time to arrive as separate reads.
          Thread.sleep(1);
        }
      }
      assertEquals("+OK\r\n", c.read().rawText());
      Reply get = c.read();
      assertArrayEquals(value, get.payload());
      assertEquals("$4\r\n\r\n$*\r\n", c.read().rawText());
    }
  }

  @Test
  void pipelineOf10000Commands_inOneWrite_repliesInOrder() throws Exception {
    int n = 10_000;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    for (int i = 0; i < n; i++) {
      if (i % 2 == 0) {
        RespClient.encodeTo(buf, RespClient.bytes("INCR", "pipelined"));
      } else {
        RespClient.encodeTo(buf, RespClient.bytes("SET", "p" + i, "v" + i));
      }
    }
    try (RespClient c = tori.connect()) {
      c.call("DEL", "pipelined");
      byte[] all = buf.toByteArray();
      CompletableFuture<Void> writer =
          CompletableFuture.runAsync(
              () -> {
                try {
                  c.output().write(all);
                  c.output().flush();
                } catch (IOException e) {
                  throw new RuntimeException(e);
                }
              });
      long expectedCounter = 0;
      for (int i = 0; i < n; i++) {
        String reply = c.read().rawText();
        if (i % 2 == 0) {
          assertEquals(":" + (++expectedCounter) + "\r\n", reply, "reply " + i);
        } else {
          assertEquals("+OK\r\n", reply, "reply " + i);
        }
      }
      writer.get(30, TimeUnit.SECONDS);
      assertEquals("$4\r\n5000\r\n", c.callRaw("GET", "pipelined"));
      assertEquals("$5\r\nv9999\r\n", c.callRaw("GET", "p9999"));
    }
  }

  @Test
  void clientThatNeverReads_isThrottled_andOthersAreStillServed() throws Exception {
    byte[] value = new byte[1024];
    Arrays.fill(value, (byte) 'x');
    try (RespClient setup = tori.connect()) {
      assertEquals("+OK\r\n", setup.call("SET".getBytes(), "bp".getBytes(), value).rawText());
    }
    // 2 million GETs of a 1 KiB value: 44 MB of requests asking for 2 GB of replies.
    byte[] chunk;
    int perChunk = 2000;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    for (int i = 0; i < perChunk; i++) {
      RespClient.encodeTo(buf, RespClient.bytes("GET", "bp"));
    }
    chunk = buf.toByteArray();
    int chunks = 1000;
    long total = (long) chunk.length * chunks;
    AtomicLong written = new AtomicLong();
    RespClient hog = tori.connect();
    hog.socket().setReceiveBufferSize(64 * 1024);
    Thread writer =
        new Thread(
            () -> {
              try {
                for (int i = 0; i < chunks; i++) {
                  hog.output().write(chunk);
                  written.addAndGet(chunk.length);
                }
              } catch (IOException e) {
                // Closed by the test at the end.
              }
            },
            "hog-writer");
    writer.setDaemon(true);
    writer.start();
    try {
      long last = -1;
      int unchanged = 0;
      for (int polls = 0; polls < 600 && unchanged < 10; polls++) {
        Thread.sleep(100);
        long now = written.get();
        unchanged = now == last ? unchanged + 1 : 0;
        last = now;
      }
      long stalledAt = written.get();
      assertTrue(
          stalledAt < total,
          "the server kept reading from a client that reads no replies ("
              + stalledAt
              + " of "
              + total
              + " bytes accepted)");
      try (RespClient other = tori.connect()) {
        assertEquals("+PONG\r\n", other.callRaw("PING"));
        assertEquals("+OK\r\n", other.callRaw("SET", "still", "served"));
        assertEquals("$6\r\nserved\r\n", other.callRaw("GET", "still"));
      }
      long direct = usedDirectMemory();
      assertTrue(
          direct < 512L * 1024 * 1024,
          "server buffers hold " + direct + " bytes for a client that reads nothing");
      assertTrue(writer.isAlive(), "the hog's writes should be blocked, not failed");
    } finally {
      hog.close();
      writer.join(TimeUnit.SECONDS.toMillis(30));
    }
    try (RespClient after = tori.connect()) {
      assertEquals("+PONG\r\n", after.callRaw("PING"));
    }
  }

  private static long usedDirectMemory() {
    if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider p) {
      return p.metric().usedDirectMemory() + p.metric().usedHeapMemory();
    }
    return 0;
  }

  @Test
  void limits_bulkOverProtoMaxBulkLen_andQueryBufferOverLimit_areRefused() throws Exception {
    ToriServerExtension limited =
        new ToriServerExtension()
            .with("proto-max-bulk-len", "4mb")
            .with("client-query-buffer-limit", "1mb");
    limited.start();
    try {
      try (RespClient c = limited.connect()) {
        c.sendRaw("*2\r\n$3\r\nGET\r\n$5000000\r\n");
        assertEquals("-ERR Protocol error: invalid bulk length\r\n", c.read().rawText());
        assertTrue(c.closedByServer(), "the server must close the connection");
      }
      try (RespClient c = limited.connect()) {
        // Within both limits, so accepted.
        byte[] value = new byte[900 * 1024];
        assertEquals("+OK\r\n", c.call("SET".getBytes(), "big".getBytes(), value).rawText());
        assertArrayEquals(value, c.call("GET", "big").payload());
      }
      try (RespClient c = limited.connect()) {
        // A request still incomplete after 2 MB of input exceeds the 1 MB query buffer: Redis
        // closes such a client without a reply.
        c.sendRaw("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3500000\r\n");
        try {
          c.sendRaw(new byte[2 * 1024 * 1024]);
        } catch (IOException e) {
          // Closed while we were still writing: that is the expected outcome too.
        }
        assertTrue(c.closedByServer(), "the server must close a client over its query buffer");
      }
      try (RespClient c = limited.connect()) {
        byte[] inline = new byte[70 * 1024];
        Arrays.fill(inline, (byte) 'a');
        c.sendRaw(inline);
        assertEquals("-ERR Protocol error: too big inline request\r\n", c.read().rawText());
        assertTrue(c.closedByServer(), "the server must close the connection");
      }
      try (RespClient c = limited.connect()) {
        assertEquals("+PONG\r\n", c.callRaw("PING"));
      }
    } finally {
      limited.stop();
    }
  }

  @Test
  void unauthenticatedClient_withLargeRequests_isRefusedBeforeAuth() throws Exception {
    ToriServerExtension secured = new ToriServerExtension().with("requirepass", "pw");
    secured.start();
    try {
      try (RespClient c = secured.connect()) {
        c.sendRaw("*11\r\n");
        assertEquals(
            "-ERR Protocol error: unauthenticated multibulk length\r\n", c.read().rawText());
        assertTrue(c.closedByServer());
      }
      try (RespClient c = secured.connect()) {
        c.sendRaw("*2\r\n$3\r\nGET\r\n$16385\r\n");
        assertEquals("-ERR Protocol error: unauthenticated bulk length\r\n", c.read().rawText());
        assertTrue(c.closedByServer());
      }
      try (RespClient c = secured.connect()) {
        assertEquals("-NOAUTH Authentication required.\r\n", c.callRaw("GET", "k"));
        assertEquals("+OK\r\n", c.callRaw("AUTH", "pw"));
        // Authenticated: the same sizes are now fine.
        String[] eleven = new String[11];
        Arrays.fill(eleven, "x");
        eleven[0] = "ECHO";
        assertEquals("-ERR wrong number of arguments for 'echo' command\r\n", c.callRaw(eleven));
      }
    } finally {
      secured.stop();
    }
  }
}
