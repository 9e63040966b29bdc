package io.toridb.server;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.toridb.cluster.BusLink;
import io.toridb.cluster.BusTransport;
import io.toridb.cluster.Cluster;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster bus over Netty: a listener on the bus port whose connections deliver the other nodes'
 * messages, and the outgoing connections {@link Cluster} asks for. Every frame is a 4-byte length
 * and one message (at most 1 MiB); a connection that sends anything else is closed.
 */
final class ClusterBus implements BusTransport {
  private static final Logger log = LoggerFactory.getLogger(ClusterBus.class);
  private static final int MAX_FRAME = 1 << 20;
  private static final int CONNECT_TIMEOUT_MILLIS = 2000;

  private final Cluster cluster;
  private final EventLoopGroup group;
  private final Bootstrap client;
  private final List<Channel> listeners = new ArrayList<>();

  ClusterBus(Cluster cluster, EventLoopGroup group, Class<? extends SocketChannel> channelClass) {
    this.cluster = cluster;
    this.group = group;
    this.client =
        new Bootstrap()
            .group(group)
            .channel(channelClass)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    pipeline(ch);
                  }
                });
  }

  /**
   * Listens on {@code port} at every address of {@code bind} (the client listener's setting: a
   * leading '-' makes an address optional, '*' is every address).
   */
  void listen(String bind, int port, EventLoopGroup boss, Class<? extends ServerSocketChannel> type)
      throws java.net.BindException {
    ServerBootstrap b =
        new ServerBootstrap()
            .group(boss, group)
            .channel(type)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ChannelLink link = new ChannelLink(ch);
                    link.connected();
                    pipeline(ch);
                    ch.attr(LINK).set(link);
                  }
                });
    for (ToriServer.BindAddress address : ToriServer.BindAddress.parse(bind)) {
      String host = address.host();
      boolean optional = address.optional();
      try {
        listeners.add(b.bind(new InetSocketAddress(host, port)).sync().channel());
      } catch (Exception e) {
        if (optional) {
          log.debug("Skipping optional cluster bus address {}: {}", host, e.getMessage());
          continue;
        }
        close();
        java.net.BindException be =
            new java.net.BindException(
                "Could not bind the cluster bus to " + host + ":" + port + ": " + e.getMessage());
        be.initCause(e);
        throw be;
      }
    }
  }

  private static final io.netty.util.AttributeKey<ChannelLink> LINK =
      io.netty.util.AttributeKey.valueOf("toridb.cluster.link");

  private void pipeline(SocketChannel ch) {
    ch.pipeline()
        .addLast(new LengthFieldBasedFrameDecoder(MAX_FRAME, 0, 4, 0, 4))
        .addLast(new LengthFieldPrepender(4))
        .addLast(
            new SimpleChannelInboundHandler<ByteBuf>() {
              @Override
              protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
                ChannelLink link = ctx.channel().attr(LINK).get();
                if (link == null) {
                  return;
                }
                byte[] bytes = ByteBufUtil.getBytes(frame);
                cluster.onMessage(
                    link,
                    bytes,
                    address(ctx.channel().remoteAddress()),
                    address(ctx.channel().localAddress()));
              }

              @Override
              public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                log.debug("Cluster bus link {} failed: {}", ctx.channel(), cause.toString());
                ctx.close();
              }
            });
  }

  private static String address(java.net.SocketAddress a) {
    if (a instanceof InetSocketAddress isa && isa.getAddress() != null) {
      String ip = isa.getAddress().getHostAddress();
      // An IPv4 client of a dual-stack socket shows as ::ffff:a.b.c.d.
      return ip.startsWith("::ffff:") ? ip.substring(7) : ip;
    }
    return "";
  }

  @Override
  public BusLink connect(String ip, int port) {
    ChannelFuture f = client.connect(ip, port);
    ChannelLink link = new ChannelLink(f.channel());
    f.channel().attr(LINK).set(link);
    f.addListener(
        done -> {
          if (done.isSuccess()) {
            link.connected();
          } else {
            f.channel().close();
          }
        });
    f.channel().closeFuture().addListener(closed -> cluster.onLinkClosed(link));
    return link;
  }

  void close() {
    for (Channel ch : listeners) {
      ch.close().awaitUninterruptibly();
    }
    listeners.clear();
  }

  /** A bus connection; messages sent before it is connected wait for it. */
  private static final class ChannelLink implements BusLink {
    private final Channel channel;
    private List<byte[]> pending = new ArrayList<>();

    ChannelLink(Channel channel) {
      this.channel = channel;
    }

    void connected() {
      List<byte[]> waiting;
      synchronized (this) {
        waiting = pending;
        pending = null;
      }
      if (waiting != null) {
        for (byte[] m : waiting) {
          channel.write(io.netty.buffer.Unpooled.wrappedBuffer(m));
        }
        channel.flush();
      }
    }

    @Override
    public void send(byte[] message) {
      synchronized (this) {
        if (pending != null) {
          if (pending.size() < 64) {
            pending.add(message);
          }
          return;
        }
      }
      channel.writeAndFlush(io.netty.buffer.Unpooled.wrappedBuffer(message));
    }

    @Override
    public void close() {
      channel.close();
    }
  }
}
