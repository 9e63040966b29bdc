package io.toridb.server;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A bare RESP client for tests that assert exact reply bytes: sends commands as RESP arrays and
 * reads back one complete reply at a time, returned as text (bytes as ISO-8859-1 chars).
 */
final class RawClient implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  RawClient(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    in = new BufferedInputStream(socket.getInputStream());
    out = socket.getOutputStream();
  }

  /** Sends one command and returns its reply. */
  String call(String... args) throws IOException {
    send(args);
    return read();
  }

  void send(String... args) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
    for (String a : args) {
      byte[] bytes = a.getBytes(StandardCharsets.ISO_8859_1);
      b.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
      b.writeBytes(bytes);
      b.writeBytes(new byte[] {'\r', '\n'});
    }
    out.write(b.toByteArray());
    out.flush();
  }

  /** Sends bytes as they are (inline commands, malformed input). */
  void sendRaw(String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  /** Reads one complete reply, attributes included. */
  String read() throws IOException {
    StringBuilder sb = new StringBuilder();
    readValue(sb);
    return sb.toString();
  }

  /** True when the server closes the connection within {@code millis} without sending data. */
  boolean closedWithin(int millis) throws IOException {
    socket.setSoTimeout(millis);
    try {
      return in.read() == -1;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      // A reset is a close too.
      return true;
    } finally {
      if (!socket.isClosed()) {
        socket.setSoTimeout(10_000);
      }
    }
  }

  /** True when nothing arrives within {@code millis}. */
  boolean silentFor(int millis) throws IOException {
    socket.setSoTimeout(millis);
    try {
      int b = in.read();
      if (b == -1) {
        return true;
      }
      throw new AssertionError("unexpected data starting with '" + (char) b + "'");
    } catch (SocketTimeoutException e) {
      return true;
    } finally {
      socket.setSoTimeout(10_000);
    }
  }

  private void readValue(StringBuilder sb) throws IOException {
    int type = in.read();
    if (type == -1) {
      throw new EOFException("connection closed");
    }
    sb.append((char) type);
    String line = readLine(sb);
    switch (type) {
      case '$', '=', '!' -> {
        int len = Integer.parseInt(line);
        if (len >= 0) {
          for (int i = 0; i < len + 2; i++) {
            sb.append((char) readByte());
          }
        }
      }
      case '*', '~', '>' -> {
        int n = Integer.parseInt(line);
        for (int i = 0; i < n; i++) {
          readValue(sb);
        }
      }
      case '%' -> {
        int n = Integer.parseInt(line);
        for (int i = 0; i < 2 * n; i++) {
          readValue(sb);
        }
      }
      case '|' -> {
        int n = Integer.parseInt(line);
        for (int i = 0; i < 2 * n; i++) {
          readValue(sb);
        }
        // An attribute precedes the reply it describes.
        readValue(sb);
      }
      default -> {}
    }
  }

  private String readLine(StringBuilder sb) throws IOException {
    StringBuilder line = new StringBuilder();
    while (true) {
      int c = readByte();
      if (c == '\r') {
        int lf = readByte();
        sb.append(line).append("\r\n");
        if (lf != '\n') {
          throw new IOException("CR without LF");
        }
        return line.toString();
      }
      line.append((char) c);
    }
  }

  private int readByte() throws IOException {
    int c = in.read();
    if (c == -1) {
      throw new EOFException("connection closed");
    }
    return c;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
