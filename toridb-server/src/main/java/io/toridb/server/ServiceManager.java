package io.toridb.server;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code supervised} directive, as Redis reads it: under systemd ({@code supervised systemd},
 * or {@code auto} with {@code NOTIFY_SOCKET} set, which a unit of {@code Type=notify} sets) the
 * server tells the service manager its state with sd_notify's protocol, one datagram per message to
 * the Unix socket {@code NOTIFY_SOCKET} names: {@code STATUS=Redis is loading...} at start, {@code
 * READY=1} once it accepts connections (so {@code systemctl start} returns only then), {@code
 * STOPPING=1} when it stops. Redis's messages, word for word, so that units and monitoring written
 * for Redis read the same. {@code upstart} (and {@code auto} with {@code UPSTART_JOB}) is accepted
 * and changes nothing: ToriDB does not stop itself to signal readiness as Redis does for upstart.
 * Without epoll (not Linux) nothing is sent.
 */
final class ServiceManager {
  private static final Logger log = LoggerFactory.getLogger(ServiceManager.class);

  private final String socket;

  private ServiceManager(String socket) {
    this.socket = socket;
  }

  /**
   * Whether a service manager supervises the process, as Redis decides it (where daemonize is then
   * ignored): systemd with NOTIFY_SOCKET set, or upstart with UPSTART_JOB set; auto picks either.
   */
  static boolean supervises(String supervised, Map<String, String> env) {
    return switch (asked(supervised, env)) {
      case "systemd" -> !notifySocket(env).isEmpty();
      case "upstart" -> env.get("UPSTART_JOB") != null;
      default -> false;
    };
  }

  /**
   * The service manager {@code supervised} asks for in {@code env}, as Redis resolves it: auto
   * means upstart where UPSTART_JOB is set, else systemd where NOTIFY_SOCKET is.
   */
  private static String asked(String supervised, Map<String, String> env) {
    if (!supervised.equals("auto")) {
      return supervised;
    }
    if (env.get("UPSTART_JOB") != null) {
      return "upstart";
    }
    return env.get("NOTIFY_SOCKET") != null ? "systemd" : "no";
  }

  private static String notifySocket(Map<String, String> env) {
    String socket = env.get("NOTIFY_SOCKET");
    return socket == null ? "" : socket;
  }

  /**
   * The service manager to notify for {@code supervised} in environment {@code env}, or null when
   * there is none.
   */
  static ServiceManager of(String supervised, Map<String, String> env) {
    if (!asked(supervised, env).equals("systemd")) {
      return null;
    }
    String socket = notifySocket(env);
    if (socket.isEmpty()) {
      log.warn("systemd supervision error: NOTIFY_SOCKET not found!");
      return null;
    }
    ServiceManager manager = new ServiceManager(socket);
    if (!manager.send("STATUS=Redis is loading...\n")) {
      return null;
    }
    log.info(
        "Supervised by systemd. Please make sure you set appropriate values for TimeoutStartSec"
            + " and TimeoutStopSec in your service unit.");
    return manager;
  }

  /** The server accepts connections. */
  void ready() {
    send("STATUS=Ready to accept connections\n");
    send("READY=1\n");
  }

  /** The server begins to stop. */
  void stopping() {
    send("STOPPING=1\n");
  }

  /** Sends one message; false (and logged) when it could not be sent. */
  boolean send(String message) {
    if (!Epoll.isAvailable()) {
      log.warn("systemd supervision error: sd_notify needs epoll (Linux)");
      return false;
    }
    // A leading '@' names a socket in the abstract namespace, which starts with a NUL byte.
    String path = socket.startsWith("@") ? '\0' + socket.substring(1) : socket;
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    try {
      Channel ch =
          new Bootstrap()
              .group(group)
              .channel(EpollDomainDatagramChannel.class)
              .handler(new ChannelInboundHandlerAdapter())
              .connect(new DomainSocketAddress(path))
              .sync()
              .channel();
      ch.writeAndFlush(Unpooled.copiedBuffer(message, StandardCharsets.UTF_8)).sync();
      ch.close().sync();
      return true;
    } catch (Exception e) {
      log.warn("systemd supervision error: sd_notify: {}", e.toString());
      return false;
    } finally {
      group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
    }
  }
}
