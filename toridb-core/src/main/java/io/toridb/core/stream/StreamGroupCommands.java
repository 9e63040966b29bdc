package io.toridb.core.stream;

import static io.toridb.core.command.CommandFlag.DENYOOM;
import static io.toridb.core.command.CommandFlag.LOADING;
import static io.toridb.core.command.CommandFlag.READONLY;
import static io.toridb.core.command.CommandFlag.STALE;
import static io.toridb.core.command.CommandFlag.WRITE;
import static io.toridb.core.stream.StreamCommands.dirty;
import static io.toridb.core.stream.StreamCommands.id;

import io.toridb.core.command.Args;
import io.toridb.core.command.CommandContext;
import io.toridb.core.command.CommandException;
import io.toridb.core.command.CommandSpec;
import io.toridb.core.command.CommandTable;
import io.toridb.core.command.Errors;
import io.toridb.core.command.Help;
import io.toridb.core.keyspace.Key;
import io.toridb.core.pubsub.KeyspaceEvents;
import io.toridb.protocol.RespWriter;
import java.util.Map;

/** XGROUP and XINFO, the container commands of streams (Redis's t_stream.c). */
final class StreamGroupCommands {
  private StreamGroupCommands() {}

  static void register(CommandTable t) {
    t.add(
        CommandSpec.builder("xgroup", -2)
            .group("stream")
            .doc("A container for consumer groups commands", "5.0.0", "Depends on subcommand.")
            .subcommand(
                sub("create", -5, WRITE | DENYOOM, "RW", "insert")
                    .doc("Create a consumer group.", "5.0.0", "O(1)")
                    .handler(StreamGroupCommands::xgroup))
            .subcommand(
                sub("createconsumer", 5, WRITE | DENYOOM, "RW", "insert")
                    .doc("Create a consumer in a consumer group.", "6.2.0", "O(1)")
                    .handler(StreamGroupCommands::xgroup))
            .subcommand(
                sub("delconsumer", 5, WRITE, "RW", "delete")
                    .doc("Delete a consumer from a consumer group.", "5.0.0", "O(1)")
                    .handler(StreamGroupCommands::xgroup))
            .subcommand(
                sub("destroy", 4, WRITE, "RW", "delete")
                    .doc(
                        "Destroy a consumer group.",
                        "5.0.0",
                        "O(N) where N is the number of entries in the group's pending entries"
                            + " list (PEL).")
                    .handler(StreamGroupCommands::xgroup))
            .subcommand(
                sub("setid", -5, WRITE, "RW", "update")
                    .doc(
                        "Set a consumer group to an arbitrary last delivered ID value.",
                        "5.0.0",
                        "O(1)")
                    .handler(StreamGroupCommands::xgroup))
            .subcommand(
                CommandSpec.builder("help", 2)
                    .flags(LOADING | STALE)
                    .group("stream")
                    .doc("Show helpful text about the different subcommands", "5.0.0", "O(1)")
                    .handler(StreamGroupCommands::xgroupHelp)));
    t.add(
        CommandSpec.builder("xinfo", -2)
            .group("stream")
            .doc("A container for stream introspection commands", "5.0.0", "Depends on subcommand.")
            .subcommand(
                sub("consumers", 4, READONLY, "RO", "access")
                    .tips("nondeterministic_output")
                    .doc("List the consumers in a consumer group", "5.0.0", "O(1)")
                    .handler(StreamGroupCommands::xinfo))
            .subcommand(
                sub("groups", 3, READONLY, "RO", "access")
                    .doc("List the consumer groups of a stream", "5.0.0", "O(1)")
                    .handler(StreamGroupCommands::xinfo))
            .subcommand(
                sub("stream", -3, READONLY, "RO", "access")
                    .doc(
                        "Get information about a stream",
                        "5.0.0",
                        "O(1) for the default form; O(N) for the FULL form, where N is the"
                            + " number of entries returned (limited by COUNT).")
                    .handler(StreamGroupCommands::xinfo))
            .subcommand(
                CommandSpec.builder("help", 2)
                    .flags(LOADING | STALE)
                    .group("stream")
                    .doc("Show helpful text about the different subcommands", "5.0.0", "O(1)")
                    .handler(StreamGroupCommands::xinfoHelp)));
  }

  private static CommandSpec.Builder sub(String name, int arity, int flags, String... keyFlags) {
    return CommandSpec.builder(name, arity)
        .flags(flags)
        .keys(2, 2, 1)
        .keyFlags(keyFlags)
        .group("stream");
  }

  // ---------------------------------------------------------------------------------------------
  // XGROUP

  static void xgroupHelp(CommandContext ctx, byte[][] argv) {
    Help.reply(
        ctx,
        argv[0],
        "CREATE <key> <groupname> <id|$> [option]",
        "    Create a new consumer group. Options are:",
        "    * MKSTREAM",
        "      Create the empty stream if it does not exist.",
        "    * ENTRIESREAD entries_read",
        "      Set the group's entries_read counter (internal use).",
        "CREATECONSUMER <key> <groupname> <consumer>",
        "    Create a new consumer in the specified group.",
        "DELCONSUMER <key> <groupname> <consumer>",
        "    Remove the specified consumer.",
        "DESTROY <key> <groupname>",
        "    Remove the specified group.",
        "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
        "    Set the current group ID and entries_read counter.");
  }

  /**
   * XGROUP CREATE key group id|$ [MKSTREAM] [ENTRIESREAD n], SETID key group id|$ [ENTRIESREAD n],
   * DESTROY key group, CREATECONSUMER key group consumer, DELCONSUMER key group consumer
   */
  static void xgroup(CommandContext ctx, byte[][] argv) {
    String sub = Args.upper(argv[1]);
    boolean create = sub.equals("CREATE");
    boolean setId = sub.equals("SETID");
    boolean mkStream = false;
    long entriesRead = ConsumerGroup.INVALID_ENTRIES_READ;
    for (int i = 5; i < argv.length; ) {
      if (create && Args.is(argv[i], "MKSTREAM")) {
        mkStream = true;
        i++;
      } else if ((create || setId) && Args.is(argv[i], "ENTRIESREAD") && i + 1 < argv.length) {
        entriesRead = Args.parseLong(argv[i + 1]);
        if (entriesRead < 0 && entriesRead != ConsumerGroup.INVALID_ENTRIES_READ) {
          throw new CommandException("ERR value for ENTRIESREAD must be positive or -1");
        }
        i += 2;
      } else {
        throw new CommandException(Help.syntaxError(argv));
      }
    }
    Key key = Key.of(argv[2]);
    StreamValue s = StreamCommands.write(ctx, argv[2]);
    byte[] groupName = argv[3];
    ConsumerGroup g = null;
    if (!mkStream) {
      if (s == null) {
        throw new CommandException(StreamCommands.NO_KEY_FOR_XGROUP);
      }
      g = s.group(groupName);
      if (g == null && (setId || sub.equals("CREATECONSUMER") || sub.equals("DELCONSUMER"))) {
        throw noSuchGroup(argv);
      }
    }
    RespWriter out = ctx.out();
    switch (sub) {
      case "CREATE" -> {
        if (argv.length > 8) {
          throw new CommandException(Help.syntaxError(argv));
        }
        StreamId id;
        if (isDollar(argv[4])) {
          id = s == null ? StreamId.MIN : s.lastId();
        } else {
          id = StreamId.parseStrict(argv[4], 0);
        }
        if (s == null) {
          s = new StreamValue();
          ctx.db().put(key, s);
          ctx.modified(key);
        }
        if (s.createGroup(groupName, id, entriesRead) == null) {
          throw new CommandException("BUSYGROUP Consumer Group name already exists");
        }
        dirty(ctx);
        ctx.notify(KeyspaceEvents.STREAM, "xgroup-create", key);
        ctx.propagate(argv);
        out.ok();
      }
      case "SETID" -> {
        if (argv.length != 5 && argv.length != 7) {
          throw new CommandException(Help.syntaxError(argv));
        }
        StreamId id = isDollar(argv[4]) ? s.lastId() : StreamId.parse(argv[4], 0);
        g.lastId = id;
        g.entriesRead = entriesRead;
        dirty(ctx);
        ctx.notify(KeyspaceEvents.STREAM, "xgroup-setid", key);
        ctx.propagate(argv);
        out.ok();
      }
      case "DESTROY" -> {
        if (g != null && s.destroyGroup(groupName)) {
          dirty(ctx);
          ctx.notify(KeyspaceEvents.STREAM, "xgroup-destroy", key);
          ctx.propagate(argv);
          // Clients blocked in XREADGROUP on this group end with NOGROUP.
          ctx.signalReady(key);
          out.integer(1);
        } else {
          out.integer(0);
        }
      }
      case "CREATECONSUMER" -> {
        if (g.consumers.containsKey(argv[4])) {
          out.integer(0);
          return;
        }
        g.consumer(argv[4], ctx.now());
        dirty(ctx);
        ctx.notify(KeyspaceEvents.STREAM, "xgroup-createconsumer", key);
        ctx.propagate(argv);
        out.integer(1);
      }
      case "DELCONSUMER" -> {
        ConsumerGroup.Consumer c = g.consumers.get(argv[4]);
        long pending = 0;
        if (c != null) {
          pending = g.deleteConsumer(c);
          dirty(ctx);
          ctx.notify(KeyspaceEvents.STREAM, "xgroup-delconsumer", key);
          ctx.propagate(argv);
        }
        out.integer(pending);
      }
      default -> throw new CommandException(Help.syntaxError(argv));
    }
  }

  /**
   * XGROUP's and XINFO CONSUMERS' error for a group {@code argv[3]} that key {@code argv[2]} lacks.
   */
  private static CommandException noSuchGroup(byte[][] argv) {
    return new CommandException(
        "NOGROUP No such consumer group '"
            + Args.latin1(argv[3])
            + "' for key name '"
            + Args.latin1(argv[2])
            + "'");
  }

  private static boolean isDollar(byte[] b) {
    return b.length == 1 && b[0] == '$';
  }

  // ---------------------------------------------------------------------------------------------
  // XINFO

  static void xinfoHelp(CommandContext ctx, byte[][] argv) {
    Help.reply(
        ctx,
        argv[0],
        "CONSUMERS <key> <groupname>",
        "    Show consumers of <groupname>.",
        "GROUPS <key>",
        "    Show the stream consumer groups.",
        "STREAM <key> [FULL [COUNT <count>]",
        "    Show information about the stream.");
  }

  /** XINFO CONSUMERS key group, XINFO GROUPS key, XINFO STREAM key [FULL [COUNT count]] */
  static void xinfo(CommandContext ctx, byte[][] argv) {
    String sub = Args.upper(argv[1]);
    StreamValue s = StreamCommands.read(ctx, argv[2]);
    if (s == null) {
      throw new CommandException(Errors.NO_SUCH_KEY);
    }
    RespWriter out = ctx.out();
    switch (sub) {
      case "CONSUMERS" -> {
        ConsumerGroup g = s.group(argv[3]);
        if (g == null) {
          throw noSuchGroup(argv);
        }
        long now = ctx.now();
        out.arrayHeader(g.consumers.size());
        for (ConsumerGroup.Consumer c : g.consumers.values()) {
          out.mapHeader(3);
          out.bulk("name");
          out.bulk(c.name);
          out.bulk("pending");
          out.integer(c.pel.size());
          out.bulk("idle");
          out.integer(Math.max(0, now - c.seenTime));
        }
      }
      case "GROUPS" -> {
        out.arrayHeader(s.groups().size());
        for (ConsumerGroup g : s.groups().values()) {
          out.mapHeader(6);
          out.bulk("name");
          out.bulk(g.name);
          out.bulk("consumers");
          out.integer(g.consumers.size());
          out.bulk("pending");
          out.integer(g.pel.size());
          out.bulk("last-delivered-id");
          id(out, g.lastId);
          entriesRead(out, g);
          out.bulk("lag");
          lag(out, s, g);
        }
      }
      case "STREAM" -> stream(ctx, argv, s);
      default -> throw new CommandException(Help.syntaxError(argv));
    }
  }

  private static void entriesRead(RespWriter out, ConsumerGroup g) {
    out.bulk("entries-read");
    if (g.entriesRead != ConsumerGroup.INVALID_ENTRIES_READ) {
      out.integer(g.entriesRead);
    } else {
      out.nullBulk();
    }
  }

  private static void lag(RespWriter out, StreamValue s, ConsumerGroup g) {
    long lag = s.lag(g);
    if (lag == Long.MIN_VALUE) {
      out.nullBulk();
    } else {
      out.integer(lag);
    }
  }

  /** XINFO STREAM key [FULL [COUNT count]] */
  private static void stream(CommandContext ctx, byte[][] argv, StreamValue s) {
    boolean full = false;
    long count = 10;
    int opts = argv.length - 3;
    if (opts > 0) {
      if ((opts != 1 && opts != 3) || !Args.is(argv[3], "FULL")) {
        throw new CommandException(Help.syntaxError(argv));
      }
      full = true;
      if (opts == 3) {
        if (!Args.is(argv[4], "COUNT")) {
          throw new CommandException(Help.syntaxError(argv));
        }
        count = Args.parseLong(argv[5]);
        if (count < 0) {
          count = 10;
        }
      }
    }
    RespWriter out = ctx.out();
    out.mapHeader(full ? 9 : 10);
    out.bulk("length");
    out.integer(s.length());
    out.bulk("radix-tree-keys");
    out.integer(s.nodeCount());
    out.bulk("radix-tree-nodes");
    // Redis counts its radix tree's inner nodes, which ToriDB does not have: an empty tree has one,
    // one key makes two; beyond that this is an estimate.
    out.integer(1 + (long) s.nodeCount());
    out.bulk("last-generated-id");
    id(out, s.lastId());
    out.bulk("max-deleted-entry-id");
    id(out, s.maxDeletedId());
    out.bulk("entries-added");
    out.integer(s.entriesAdded());
    out.bulk("recorded-first-entry-id");
    id(out, s.firstId());
    if (!full) {
      out.bulk("groups");
      out.integer(s.groups().size());
      out.bulk("first-entry");
      edge(out, s.edge(false));
      out.bulk("last-entry");
      edge(out, s.edge(true));
      return;
    }
    out.bulk("entries");
    StreamCommands.replyRange(out, s, StreamId.MIN, StreamId.MAX, count, false);
    out.bulk("groups");
    out.arrayHeader(s.groups().size());
    for (ConsumerGroup g : s.groups().values()) {
      out.mapHeader(7);
      out.bulk("name");
      out.bulk(g.name);
      out.bulk("last-delivered-id");
      id(out, g.lastId);
      entriesRead(out, g);
      out.bulk("lag");
      lag(out, s, g);
      out.bulk("pel-count");
      out.integer(g.pel.size());
      out.bulk("pending");
      int n = limit(g.pel.size(), count);
      out.arrayHeader(n);
      int i = 0;
      for (Map.Entry<StreamId, ConsumerGroup.Pending> e : g.pel.entrySet()) {
        if (i++ == n) {
          break;
        }
        ConsumerGroup.Pending p = e.getValue();
        out.arrayHeader(4);
        id(out, e.getKey());
        out.bulk(p.consumer.name);
        out.integer(p.deliveryTime);
        out.integer(p.deliveryCount);
      }
      out.bulk("consumers");
      out.arrayHeader(g.consumers.size());
      for (ConsumerGroup.Consumer c : g.consumers.values()) {
        out.mapHeader(4);
        out.bulk("name");
        out.bulk(c.name);
        out.bulk("seen-time");
        out.integer(c.seenTime);
        out.bulk("pel-count");
        out.integer(c.pel.size());
        out.bulk("pending");
        int m = limit(c.pel.size(), count);
        out.arrayHeader(m);
        int j = 0;
        for (Map.Entry<StreamId, ConsumerGroup.Pending> e : c.pel.entrySet()) {
          if (j++ == m) {
            break;
          }
          out.arrayHeader(3);
          id(out, e.getKey());
          out.integer(e.getValue().deliveryTime);
          out.integer(e.getValue().deliveryCount);
        }
      }
    }
  }

  private static int limit(int size, long count) {
    return count == 0 || count > size ? size : (int) count;
  }

  private static void edge(RespWriter out, StreamValue.Ref e) {
    if (e == null) {
      out.nullBulk();
    } else {
      e.write(out);
    }
  }
}
