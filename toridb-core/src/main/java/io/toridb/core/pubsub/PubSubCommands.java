package io.toridb.core.pubsub;

import static io.toridb.core.command.CommandFlag.FAST;
import static io.toridb.core.command.CommandFlag.LOADING;
import static io.toridb.core.command.CommandFlag.MAY_REPLICATE;
import static io.toridb.core.command.CommandFlag.NOSCRIPT;
import static io.toridb.core.command.CommandFlag.PUBSUB;
import static io.toridb.core.command.CommandFlag.STALE;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.toridb.core.command.CommandContext;
import io.toridb.core.command.CommandException;
import io.toridb.core.command.CommandSpec;
import io.toridb.core.command.CommandTable;
import io.toridb.core.command.Help;
import io.toridb.core.command.KeySpec;
import io.toridb.core.keyspace.Key;
import io.toridb.core.pubsub.PubSubRegistry.Kind;
import io.toridb.core.session.ClientHost;
import io.toridb.core.session.ClientSession;
import io.toridb.protocol.RespWriter;
import java.util.List;
import java.util.Set;

/**
 * Pub/sub commands, Redis 7.0's family of the same name: SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE,
 * PUNSUBSCRIBE, PUBLISH, the shard variants SSUBSCRIBE, SUNSUBSCRIBE and SPUBLISH, and PUBSUB.
 *
 * <p>(Un)subscribe confirmations are pushes: they reach the client even under CLIENT REPLY OFF or
 * SKIP, and are flushed to it before the subscriber's lock is released, so no message published
 * afterwards by another client can overtake them (see {@link PubSubRegistry}).
 */
public final class PubSubCommands {
  private PubSubCommands() {}

  /** The commands a RESP2 client may run while it has subscriptions. */
  private static final Set<String> ALLOWED_WHILE_SUBSCRIBED =
      Set.of(
          "ping",
          "subscribe",
          "ssubscribe",
          "unsubscribe",
          "sunsubscribe",
          "psubscribe",
          "punsubscribe",
          "quit",
          "reset");

  public static void register(CommandTable t) {
    int subscribeFlags = PUBSUB | NOSCRIPT | LOADING | STALE;
    t.add(
        CommandSpec.builder("subscribe", -2)
            .flags(subscribeFlags)
            .group("pubsub")
            .doc(
                "Listen for messages published to the given channels",
                "2.0.0",
                "O(N) where N is the number of channels to subscribe to.")
            .handler((ctx, argv) -> subscribe(ctx, argv, Kind.CHANNEL)));
    t.add(
        CommandSpec.builder("unsubscribe", -1)
            .flags(subscribeFlags)
            .group("pubsub")
            .doc(
                "Stop listening for messages posted to the given channels",
                "2.0.0",
                "O(N) where N is the number of clients already subscribed to a channel.")
            .handler((ctx, argv) -> unsubscribe(ctx, argv, Kind.CHANNEL)));
    t.add(
        CommandSpec.builder("psubscribe", -2)
            .flags(subscribeFlags)
            .group("pubsub")
            .doc(
                "Listen for messages published to channels matching the given patterns",
                "2.0.0",
                "O(N) where N is the number of patterns the client is already subscribed to.")
            .handler((ctx, argv) -> subscribe(ctx, argv, Kind.PATTERN)));
    t.add(
        CommandSpec.builder("punsubscribe", -1)
            .flags(subscribeFlags)
            .group("pubsub")
            .doc(
                "Stop listening for messages posted to channels matching the given patterns",
                "2.0.0",
                "O(N+M) where N is the number of patterns the client is already subscribed and M is"
                    + " the number of total patterns subscribed in the system (by any client).")
            .handler((ctx, argv) -> unsubscribe(ctx, argv, Kind.PATTERN)));
    t.add(
        CommandSpec.builder("ssubscribe", -2)
            .flags(subscribeFlags)
            .keys(1, -1, 1)
            .keySpec(KeySpec.range(1, -1, 1, "not_key"))
            .group("pubsub")
            .doc(
                "Listen for messages published to the given shard channels",
                "7.0.0",
                "O(N) where N is the number of shard channels to subscribe to.")
            .handler((ctx, argv) -> subscribe(ctx, argv, Kind.SHARD)));
    t.add(
        CommandSpec.builder("sunsubscribe", -1)
            .flags(subscribeFlags)
            .keys(1, -1, 1)
            .keySpec(KeySpec.range(1, -1, 1, "not_key"))
            .group("pubsub")
            .doc(
                "Stop listening for messages posted to the given shard channels",
                "7.0.0",
                "O(N) where N is the number of clients already subscribed to a shard channel.")
            .handler((ctx, argv) -> unsubscribe(ctx, argv, Kind.SHARD)));
    t.add(
        CommandSpec.builder("publish", 3)
            .flags(PUBSUB | LOADING | STALE | FAST | MAY_REPLICATE)
            .group("pubsub")
            .doc(
                "Post a message to a channel",
                "2.0.0",
                "O(N+M) where N is the number of clients subscribed to the receiving channel and M"
                    + " is the total number of subscribed patterns (by any client).")
            .handler((ctx, argv) -> publish(ctx, argv, false)));
    t.add(
        CommandSpec.builder("spublish", 3)
            .flags(PUBSUB | LOADING | STALE | FAST | MAY_REPLICATE)
            .keys(1, 1, 1)
            .keySpec(KeySpec.range(1, 0, 1, "not_key"))
            .group("pubsub")
            .doc(
                "Post a message to a shard channel",
                "7.0.0",
                "O(N) where N is the number of clients subscribed to the receiving shard channel.")
            .handler((ctx, argv) -> publish(ctx, argv, true)));
    int introspection = PUBSUB | LOADING | STALE;
    t.add(
        CommandSpec.builder("pubsub", -2)
            .group("pubsub")
            .doc("A container for Pub/Sub commands", "2.8.0", "Depends on subcommand.")
            .subcommand(
                sub(
                        "channels",
                        -2,
                        introspection,
                        "List active channels",
                        "2.8.0",
                        "O(N) where N is the number of active channels, and assuming constant time"
                            + " pattern matching (relatively short channels and patterns)")
                    .handler((ctx, argv) -> channels(ctx, argv, Kind.CHANNEL)))
            .subcommand(
                sub(
                        "numsub",
                        -2,
                        introspection,
                        "Get the count of subscribers for channels",
                        "2.8.0",
                        "O(N) for the NUMSUB subcommand, where N is the number of requested"
                            + " channels")
                    .handler((ctx, argv) -> numsub(ctx, argv, Kind.CHANNEL)))
            .subcommand(
                sub(
                        "numpat",
                        2,
                        introspection,
                        "Get the count of unique patterns pattern subscriptions",
                        "2.8.0",
                        "O(1)")
                    .handler(PubSubCommands::numpat))
            .subcommand(
                sub(
                        "shardchannels",
                        -2,
                        introspection,
                        "List active shard channels",
                        "7.0.0",
                        "O(N) where N is the number of active shard channels, and assuming constant"
                            + " time pattern matching (relatively short shard channels).")
                    .handler((ctx, argv) -> channels(ctx, argv, Kind.SHARD)))
            .subcommand(
                sub(
                        "shardnumsub",
                        -2,
                        introspection,
                        "Get the count of subscribers for shard channels",
                        "7.0.0",
                        "O(N) for the SHARDNUMSUB subcommand, where N is the number of requested"
                            + " shard channels")
                    .handler((ctx, argv) -> numsub(ctx, argv, Kind.SHARD)))
            .subcommand(
                sub(
                        "help",
                        2,
                        LOADING | STALE,
                        "Show helpful text about the different subcommands",
                        "6.2.0",
                        "O(1)")
                    .handler(PubSubCommands::help)));
  }

  private static CommandSpec.Builder sub(
      String name, int arity, int flags, String summary, String since, String complexity) {
    return CommandSpec.builder(name, arity)
        .flags(flags)
        .group("pubsub")
        .doc(summary, since, complexity);
  }

  /**
   * Whether a RESP2 client with subscriptions may run {@code spec}: only (P|S)SUBSCRIBE,
   * (P|S)UNSUBSCRIBE, PING, QUIT and RESET, as Redis.
   */
  public static boolean allowedWhileSubscribed(CommandSpec spec) {
    return spec.parent() == null && ALLOWED_WHILE_SUBSCRIBED.contains(spec.name());
  }

  /** The error for any other command, naming it as Redis does ("client|list" for subcommands). */
  public static String subscribedModeError(CommandSpec spec) {
    return "ERR Can't execute '"
        + spec.fullName()
        + "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this"
        + " context";
  }

  /** SUBSCRIBE channel [channel ...], PSUBSCRIBE pattern [...], SSUBSCRIBE shardchannel [...] */
  static void subscribe(CommandContext ctx, byte[][] argv, Kind kind) {
    ClientSession session = ctx.session();
    ClientSubscriptions subs = session.subscriptions();
    PubSubRegistry registry = ctx.server().pubsub();
    synchronized (subs) {
      Confirmations out = new Confirmations(ctx);
      for (int i = 1; i < argv.length; i++) {
        // A client that disconnected meanwhile has been cleaned up: register nothing for it.
        if (!session.killed()) {
          registry.subscribe(session, kind, Key.of(argv[i]));
        }
        out.confirm(kind.subscribeWord, argv[i], subs.replyCount(kind));
      }
      out.send();
    }
  }

  /** UNSUBSCRIBE [channel ...], PUNSUBSCRIBE [pattern ...], SUNSUBSCRIBE [shardchannel ...] */
  static void unsubscribe(CommandContext ctx, byte[][] argv, Kind kind) {
    ClientSession session = ctx.session();
    ClientSubscriptions subs = session.subscriptions();
    PubSubRegistry registry = ctx.server().pubsub();
    synchronized (subs) {
      Confirmations out = new Confirmations(ctx);
      if (argv.length == 1) {
        List<Key> names = subs.names(kind);
        for (Key name : names) {
          registry.unsubscribe(session, kind, name);
          out.confirm(kind.unsubscribeWord, name.bytes(), subs.replyCount(kind));
        }
        if (names.isEmpty()) {
          // Subscribed to nothing of this kind: still one confirmation, with a null name.
          out.confirm(kind.unsubscribeWord, null, subs.replyCount(kind));
        }
      } else {
        for (int i = 1; i < argv.length; i++) {
          registry.unsubscribe(session, kind, Key.of(argv[i]));
          out.confirm(kind.unsubscribeWord, argv[i], subs.replyCount(kind));
        }
      }
      out.send();
    }
  }

  /** PUBLISH channel message, SPUBLISH shardchannel message */
  static void publish(CommandContext ctx, byte[][] argv, boolean shard) {
    // Not logged for replay: a message is not data, as Redis sends PUBLISH to replicas only (whose
    // subscribers get it too).
    int receivers = ctx.server().pubsub().publish(argv[1], argv[2], shard);
    ctx.propagateToReplicas(argv);
    ctx.out().integer(receivers);
  }

  /** PUBSUB CHANNELS [pattern], PUBSUB SHARDCHANNELS [pattern] */
  static void channels(CommandContext ctx, byte[][] argv, Kind kind) {
    if (argv.length > 3) {
      throw new CommandException(Help.syntaxError(argv));
    }
    List<byte[]> names = ctx.server().pubsub().names(kind, argv.length == 3 ? argv[2] : null);
    RespWriter out = ctx.out();
    out.arrayHeader(names.size());
    for (byte[] name : names) {
      out.bulk(name);
    }
  }

  /** PUBSUB NUMSUB [channel ...], PUBSUB SHARDNUMSUB [shardchannel ...] */
  static void numsub(CommandContext ctx, byte[][] argv, Kind kind) {
    PubSubRegistry registry = ctx.server().pubsub();
    RespWriter out = ctx.out();
    out.arrayHeader((argv.length - 2) * 2);
    for (int i = 2; i < argv.length; i++) {
      out.bulk(argv[i]);
      out.integer(registry.subscribers(kind, argv[i]));
    }
  }

  /** PUBSUB NUMPAT */
  static void numpat(CommandContext ctx, byte[][] argv) {
    ctx.out().integer(ctx.server().pubsub().size(Kind.PATTERN));
  }

  /** PUBSUB HELP */
  static void help(CommandContext ctx, byte[][] argv) {
    Help.reply(
        ctx,
        argv[0],
        "CHANNELS [<pattern>]",
        "    Return the currently active channels matching a <pattern> (default: '*').",
        "NUMPAT",
        "    Return number of subscriptions to patterns.",
        "NUMSUB [<channel> ...]",
        "    Return the number of subscribers for the specified channels, excluding",
        "    pattern subscriptions(default: no channels).",
        "SHARDCHANNELS [<pattern>]",
        "    Return the currently active shard level channels matching a <pattern> (default:"
            + " '*').",
        "SHARDNUMSUB [<shardchannel> ...]",
        "    Return the number of subscribers for the specified shard level channel(s)");
  }

  /**
   * The (un)subscribe confirmations of one command, written as pushes. Normally they go into the
   * command's reply buffer, which is then flushed to the client at once; under CLIENT REPLY OFF or
   * SKIP they are collected apart and sent after the replies of earlier commands, since the
   * command's own reply is cut off but pushes are not. Used with the subscriber's lock held.
   */
  private static final class Confirmations {
    private final CommandContext ctx;
    private final ClientHost host;
    private final RespWriter writer;
    private final ByteBuf scratch;

    Confirmations(CommandContext ctx) {
      this.ctx = ctx;
      ClientSession session = ctx.session();
      this.host = session.host();
      if (host != null && session.repliesSilenced()) {
        scratch = Unpooled.buffer(64);
        writer = new RespWriter(scratch, session.protocol());
      } else {
        scratch = null;
        writer = ctx.out();
      }
    }

    /** One {@code [word, name, count]} push; a null name is written as a null. */
    void confirm(byte[] word, byte[] name, int count) {
      writer.pushHeader(3);
      writer.bulk(word);
      writer.bulkOrNull(name);
      writer.integer(count);
    }

    /** Hands everything to the client now (without a host it stays in the reply buffer). */
    void send() {
      if (host == null) {
        return;
      }
      if (scratch == null) {
        ByteBuf buffer = ctx.out().buffer();
        if (buffer != null) {
          PubSubRegistry.flushBefore(ctx, host, buffer.writerIndex());
        }
      } else {
        PubSubRegistry.flushBefore(ctx, host, ctx.replyStart());
        writer.flush();
        host.send(scratch);
      }
    }
  }
}
