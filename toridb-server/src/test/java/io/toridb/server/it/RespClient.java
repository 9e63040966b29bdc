package io.toridb.server.it;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A bare RESP connection over a blocking socket, for tests that must see exactly what the server
 * sends: requests go out as multibulk arrays (or raw bytes), replies come back as {@link Reply}.
 * Reads time out after {@link #READ_TIMEOUT_MS} so a server that never answers fails the test
 * instead of hanging it.
 */
public final class RespClient implements AutoCloseable {
  static final int READ_TIMEOUT_MS = 15_000;

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  public RespClient(String host, int port) throws IOException {
    socket = new Socket();
    socket.setTcpNoDelay(true);
    socket.connect(new InetSocketAddress(host, port), READ_TIMEOUT_MS);
    socket.setSoTimeout(READ_TIMEOUT_MS);
    in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
    out = socket.getOutputStream();
  }

  /** Encodes a request as a RESP multibulk array. */
  public static byte[] encode(byte[]... argv) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    encodeTo(buf, argv);
    return buf.toByteArray();
  }

  public static byte[] encode(String... argv) {
    return encode(bytes(argv));
  }

  static void encodeTo(ByteArrayOutputStream buf, byte[]... argv) {
    buf.writeBytes(("*" + argv.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
    for (byte[] a : argv) {
      buf.writeBytes(("$" + a.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
      buf.writeBytes(a);
      buf.writeBytes(new byte[] {'\r', '\n'});
    }
  }

  static byte[][] bytes(String... argv) {
    byte[][] out = new byte[argv.length][];
    for (int i = 0; i < argv.length; i++) {
      out[i] = argv[i].getBytes(StandardCharsets.UTF_8);
    }
    return out;
  }

  /** Sends a request without waiting for its reply. */
  public void send(byte[]... argv) throws IOException {
    out.write(encode(argv));
    out.flush();
  }

  public void send(String... argv) throws IOException {
    send(bytes(argv));
  }

  /** Sends bytes exactly as given. */
  public void sendRaw(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  public void sendRaw(String ascii) throws IOException {
    sendRaw(ascii.getBytes(StandardCharsets.ISO_8859_1));
  }

  /** Reads the next reply. */
  public Reply read() throws IOException {
    return Reply.read(in);
  }

  /** Sends a request and reads its reply. */
  public Reply call(byte[]... argv) throws IOException {
    send(argv);
    return read();
  }

  public Reply call(String... argv) throws IOException {
    return call(bytes(argv));
  }

  /** Sends a request and returns its reply's exact bytes as ISO-8859-1 text. */
  public String callRaw(String... argv) throws IOException {
    return call(argv).rawText();
  }

  /**
   * True when the server closed the connection: the next read sees end of stream (or a reset)
   * without any byte arriving first. False if a byte arrives.
   */
  public boolean closedByServer() throws IOException {
    try {
      return in.read() < 0;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      // A reset (the server closed with unread input pending) is a close too.
      return true;
    }
  }

  public InputStream input() {
    return in;
  }

  public OutputStream output() {
    return out;
  }

  public Socket socket() {
    return socket;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
