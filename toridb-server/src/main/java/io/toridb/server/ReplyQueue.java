package io.toridb.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jctools.queues.MpscUnboundedArrayQueue;

/**
 * Replies on their way from workers to the connections of one event loop. Workers offer a
 * connection's reply buffer; the event loop writes everything queued in one task and flushes each
 * connection once, instead of running one write-and-flush task per batch.
 *
 * <p>Implementation notes: {@code scheduled} is cleared before the drain starts, and a producer
 * checks it after its offer completes, so every reply is either seen by a drain already running or
 * schedules a new one; at worst a drain finds the queue empty.
 */
final class ReplyQueue implements Runnable {
  private record Reply(ClientConnection connection, ByteBuf buffer, boolean close) {}

  private final EventLoop loop;
  private final MpscUnboundedArrayQueue<Reply> queue = new MpscUnboundedArrayQueue<>(1024);
  private final AtomicBoolean scheduled = new AtomicBoolean();

  /** Connections written in the current drain, flushed at its end. Event-loop thread only. */
  private final ArrayList<ClientConnection> written = new ArrayList<>();

  ReplyQueue(EventLoop loop) {
    this.loop = loop;
  }

  /** Queues {@code buffer} for {@code connection}, closing the connection after it if asked. */
  void offer(ClientConnection connection, ByteBuf buffer, boolean close) {
    queue.offer(new Reply(connection, buffer, close));
    if (!scheduled.get() && scheduled.compareAndSet(false, true)) {
      try {
        loop.execute(this);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // The event loop is shutting down: nothing will be written, so free what is queued.
        Reply dropped;
        while ((dropped = queue.poll()) != null) {
          dropped.buffer().release();
        }
        scheduled.set(false);
      }
    }
  }

  @Override
  public void run() {
    scheduled.set(false);
    Reply reply;
    while ((reply = queue.poll()) != null) {
      ClientConnection connection = reply.connection();
      Channel channel = connection.channel();
      if (!channel.isActive()) {
        reply.buffer().release();
        continue;
      }
      connection.touch();
      if (reply.close()) {
        channel.writeAndFlush(reply.buffer()).addListener(ChannelFutureListener.CLOSE);
        continue;
      }
      channel.write(reply.buffer(), channel.voidPromise());
      if (connection.markFlushPending()) {
        written.add(connection);
      }
    }
    for (int i = 0; i < written.size(); i++) {
      ClientConnection connection = written.get(i);
      connection.clearFlushPending();
      connection.channel().flush();
    }
    written.clear();
  }
}
