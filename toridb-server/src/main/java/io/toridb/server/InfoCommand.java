package io.toridb.server;

import static io.toridb.core.command.CommandFlag.LOADING;
import static io.toridb.core.command.CommandFlag.STALE;

import io.toridb.core.command.Args;
import io.toridb.core.command.CommandContext;
import io.toridb.core.command.CommandSpec;
import io.toridb.core.command.CommandTable;
import io.toridb.core.command.LatencyHistogram;
import io.toridb.core.config.Config;
import io.toridb.core.keyspace.Database;
import io.toridb.core.keyspace.Keyspace;
import io.toridb.core.keyspace.KeyspaceStats;
import io.toridb.core.pubsub.PubSubRegistry;
import io.toridb.core.server.ServerContext;
import io.toridb.core.server.ServerStats;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * INFO [section ...]: Redis 7.0's sections, field names and order, lines ending in CRLF and
 * sections separated by an empty line. Memory figures come from the JVM heap (used_memory) and the
 * process's resident set (used_memory_rss); fields for subsystems ToriDB does not have (forks,
 * replicas, Lua) show what an idle Redis shows.
 */
final class InfoCommand {
  /** Sections of a bare INFO or INFO default, in Redis's order. */
  private static final List<String> DEFAULT_SECTIONS =
      List.of(
          "server",
          "clients",
          "memory",
          "persistence",
          "stats",
          "replication",
          "cpu",
          "module_list",
          "errorstats",
          "cluster",
          "keyspace");

  private final ToriServer server;
  private final ServerContext context;
  private final String runId = randomHex();
  private final long startupMemory = heapUsed();
  private volatile long peakMemory;
  private final InstantaneousMetric ops = new InstantaneousMetric();
  private final InstantaneousMetric netIn = new InstantaneousMetric();
  private final InstantaneousMetric netOut = new InstantaneousMetric();

  InfoCommand(ToriServer server) {
    this.server = server;
    this.context = server.context();
  }

  void register(CommandTable t) {
    t.add(
        CommandSpec.builder("info", -1)
            .flags(LOADING | STALE)
            .group("server")
            .acl("dangerous")
            .tips("nondeterministic_output", "request_policy:all_shards", "response_policy:special")
            .doc("Get information and statistics about the server", "1.0.0", "O(1)")
            .handler(this::info));
  }

  /** Called by the server cron: samples the instantaneous rates and the memory peak. */
  void sample(long nowMillis) {
    ServerStats s = context.stats();
    ops.sample(nowMillis, s.commandsProcessed.sum());
    netIn.sample(nowMillis, s.netInputBytes.sum());
    netOut.sample(nowMillis, s.netOutputBytes.sum());
    peakMemory = Math.max(peakMemory, heapUsed());
  }

  /** INFO [section [section ...]] */
  void info(CommandContext ctx, byte[][] argv) {
    Set<String> sections = new HashSet<>();
    boolean all = false;
    boolean everything = false;
    if (argv.length == 1) {
      sections.addAll(DEFAULT_SECTIONS);
    }
    for (int i = 1; i < argv.length; i++) {
      String name = Args.latin1(argv[i]).toLowerCase(Locale.ROOT);
      switch (name) {
        case "default" -> sections.addAll(DEFAULT_SECTIONS);
        case "all" -> all = true;
        case "everything" -> everything = true;
        default -> sections.add(name);
      }
    }
    ctx.out().verbatim("txt", generate(sections, all || everything));
  }

  /** The INFO text for the given sections (all of them when {@code all}). */
  String generate(Set<String> sections, boolean all) {
    Sections out = new Sections(sections, all);
    if (out.begin("server", "Server")) {
      server(out);
    }
    if (out.begin("clients", "Clients")) {
      clients(out);
    }
    if (out.begin("memory", "Memory")) {
      memory(out);
    }
    if (out.begin("persistence", "Persistence")) {
      persistence(out);
    }
    if (out.begin("stats", "Stats")) {
      stats(out);
    }
    if (out.begin("replication", "Replication")) {
      replication(out);
    }
    if (out.begin("cpu", "CPU")) {
      cpu(out);
    }
    if (out.begin(sections.contains("modules") ? "modules" : "module_list", "Modules")) {
      // No modules.
    }
    if (out.begin("commandstats", "Commandstats")) {
      commandStats(out);
    }
    if (out.begin("errorstats", "Errorstats")) {
      errorStats(out);
    }
    if (out.begin("latencystats", "Latencystats")) {
      latencyStats(out);
    }
    if (out.begin("cluster", "Cluster")) {
      out.field("cluster_enabled", context.config().yes("cluster-enabled") ? 1 : 0);
    }
    if (out.begin("keyspace", "Keyspace")) {
      keyspace(out);
    }
    return out.toString();
  }

  private void server(Sections out) {
    long now = System.currentTimeMillis();
    long uptime = (now - context.startMillis()) / 1000;
    Config config = context.config();
    out.field("redis_version", ServerContext.VERSION);
    out.field("redis_git_sha1", "00000000");
    out.field("redis_git_dirty", 0);
    out.field("redis_build_id", runId.substring(0, 16));
    out.field("redis_mode", config.yes("cluster-enabled") ? "cluster" : "standalone");
    out.field("os", os());
    out.field("arch_bits", System.getProperty("sun.arch.data.model", "64"));
    out.field("monotonic_clock", "POSIX clock_gettime");
    out.field("multiplexing_api", server.transportName());
    out.field("atomicvar_api", "c11-builtin");
    out.field("gcc_version", "0.0.0");
    out.field("process_id", ProcessHandle.current().pid());
    out.field("process_supervised", server.supervisedBy());
    out.field("run_id", runId);
    out.field("tcp_port", server.port());
    out.field("server_time_usec", now * 1000);
    out.field("uptime_in_seconds", uptime);
    out.field("uptime_in_days", uptime / (3600 * 24));
    out.field("hz", ToriServer.effectiveHz(config.number("hz")));
    out.field("configured_hz", config.number("hz"));
    out.field("lru_clock", (now / 1000) & ((1 << 24) - 1));
    out.field("executable", executable());
    Path file = config.configFile();
    out.field("config_file", file == null ? "" : file.toString());
    out.field("io_threads_active", 0);
  }

  private void clients(Sections out) {
    long maxInput = 0;
    for (ClientConnection c : server.clients().all()) {
      maxInput = Math.max(maxInput, c.queryBufferBytes());
    }
    out.field("connected_clients", server.clients().size());
    out.field("cluster_connections", 0);
    out.field("maxclients", context.config().number("maxclients"));
    out.field("client_recent_max_input_buffer", maxInput);
    out.field("client_recent_max_output_buffer", 0);
    out.field(
        "blocked_clients",
        context.blocking().blockedClients() + context.clientPause().postponedCount());
    out.field("tracking_clients", 0);
    out.field("clients_in_timeout_table", 0);
  }

  private void memory(Sections out) {
    long used = heapUsed();
    long peak = Math.max(peakMemory, used);
    peakMemory = peak;
    long rss = residentSetSize();
    long committed = Runtime.getRuntime().totalMemory();
    long startup = Math.min(startupMemory, used);
    long dataset = used - startup;
    long maxmemory = context.config().number("maxmemory");
    long system = totalSystemMemory();
    out.field("used_memory", used);
    out.field("used_memory_human", human(used));
    out.field("used_memory_rss", rss);
    out.field("used_memory_rss_human", human(rss));
    out.field("used_memory_peak", peak);
    out.field("used_memory_peak_human", human(peak));
    out.field("used_memory_peak_perc", percent(used, peak) + "%");
    out.field("used_memory_overhead", startup);
    out.field("used_memory_startup", startup);
    out.field("used_memory_dataset", dataset);
    out.field("used_memory_dataset_perc", percent(dataset, used) + "%");
    out.field("allocator_allocated", used);
    out.field("allocator_active", committed);
    out.field("allocator_resident", rss);
    out.field("total_system_memory", system);
    out.field("total_system_memory_human", human(system));
    out.field("used_memory_lua", 0);
    out.field("used_memory_vm_eval", 0);
    out.field("used_memory_lua_human", "0B");
    long scripts = context.scripts().memory();
    out.field("used_memory_scripts_eval", scripts);
    out.field("number_of_cached_scripts", context.scripts().size());
    io.toridb.core.scripting.FunctionLibraries functions = context.functions();
    long functionMemory = functions.memory();
    out.field("number_of_functions", functions.functionCount());
    out.field("number_of_libraries", functions.libraryCount());
    out.field("used_memory_vm_functions", 0);
    out.field("used_memory_vm_total", 0);
    out.field("used_memory_vm_total_human", "0B");
    out.field("used_memory_functions", functionMemory);
    out.field("used_memory_scripts", scripts + functionMemory);
    out.field("used_memory_scripts_human", human(scripts + functionMemory));
    out.field("maxmemory", maxmemory);
    out.field("maxmemory_human", human(maxmemory));
    out.field("maxmemory_policy", context.config().text("maxmemory-policy"));
    out.field("allocator_frag_ratio", ratio(committed, used));
    out.field("allocator_frag_bytes", committed - used);
    out.field("allocator_rss_ratio", ratio(rss, committed));
    out.field("allocator_rss_bytes", rss - committed);
    out.field("rss_overhead_ratio", "1.00");
    out.field("rss_overhead_bytes", 0);
    out.field("mem_fragmentation_ratio", ratio(rss, used));
    out.field("mem_fragmentation_bytes", rss - used);
    out.field("mem_not_counted_for_evict", 0);
    out.field("mem_replication_backlog", 0);
    out.field("mem_total_replication_buffers", 0);
    out.field("mem_clients_slaves", 0);
    out.field("mem_clients_normal", 0);
    out.field("mem_cluster_links", 0);
    io.toridb.persistence.aof.AppendOnlyFile aof = server.aof();
    out.field("mem_aof_buffer", aof == null ? 0 : aof.bufferMemory());
    out.field("mem_allocator", "jvm");
    out.field("active_defrag_running", 0);
    out.field("lazyfree_pending_objects", 0);
    out.field("lazyfreed_objects", 0);
  }

  private void persistence(Sections out) {
    boolean loading = context.loading();
    io.toridb.persistence.aof.AppendOnlyFile aof = server.aof();
    out.field("loading", loading ? 1 : 0);
    out.field("async_loading", 0);
    out.field("current_cow_peak", 0);
    out.field("current_cow_size", 0);
    out.field("current_cow_size_age", 0);
    out.field("current_fork_perc", "0.00");
    io.toridb.persistence.snapshot.Snapshots snapshots = server.snapshots();
    out.field("current_save_keys_processed", snapshots.currentKeysProcessed());
    out.field("current_save_keys_total", snapshots.currentKeysTotal());
    out.field("rdb_changes_since_last_save", snapshots.changesSinceLastSave());
    out.field("rdb_bgsave_in_progress", snapshots.bgsaveInProgress() ? 1 : 0);
    out.field("rdb_last_save_time", context.lastSaveSeconds());
    out.field("rdb_last_bgsave_status", snapshots.lastBgsaveStatus());
    out.field("rdb_last_bgsave_time_sec", snapshots.lastBgsaveSeconds());
    out.field("rdb_current_bgsave_time_sec", snapshots.currentBgsaveSeconds());
    out.field("rdb_saves", snapshots.saves());
    out.field("rdb_last_cow_size", 0);
    out.field("rdb_last_load_keys_expired", snapshots.lastLoadKeysExpired());
    out.field("rdb_last_load_keys_loaded", snapshots.lastLoadKeysLoaded());
    out.field("aof_enabled", aof != null ? 1 : 0);
    io.toridb.persistence.aof.AppendOnlyFile rewritten =
        aof != null ? aof : server.rewritingWhileOff();
    out.field("aof_rewrite_in_progress", rewritten != null && rewritten.rewriting() ? 1 : 0);
    out.field("aof_rewrite_scheduled", snapshots.rewriteScheduled() ? 1 : 0);
    io.toridb.persistence.aof.RewriteHistory rewrites = server.rewriteHistory();
    out.field("aof_last_rewrite_time_sec", rewrites.lastSeconds());
    out.field(
        "aof_current_rewrite_time_sec", rewritten == null ? -1 : rewritten.currentRewriteSeconds());
    out.field("aof_last_bgrewrite_status", rewrites.lastStatus());
    out.field("aof_rewrites", rewrites.rewrites());
    out.field("aof_rewrites_consecutive_failures", rewrites.consecutiveFailures());
    out.field("aof_last_write_status", aof == null ? "ok" : aof.lastWriteStatus());
    out.field("aof_last_cow_size", 0);
    out.field("module_fork_in_progress", 0);
    out.field("module_fork_last_cow_size", 0);
    if (aof != null) {
      out.field("aof_current_size", aof.currentSize());
      out.field("aof_base_size", aof.baseSize());
      out.field("aof_pending_rewrite", 0);
      out.field("aof_buffer_length", aof.pendingBytes());
      out.field("aof_pending_bio_fsync", 0);
      out.field("aof_delayed_fsync", 0);
    }
    if (loading) {
      io.toridb.persistence.aof.AppendOnlyFile.LoadProgress p =
          aof == null ? null : aof.loadProgress();
      io.toridb.persistence.snapshot.Snapshots.LoadProgress r = snapshots.loadProgress();
      long start =
          p != null ? p.startMillis() : r != null ? r.startMillis() : context.startMillis();
      long total = p != null ? p.totalBytes() : r != null ? r.totalBytes() : 0;
      long loaded = p != null ? p.loadedBytes() : r != null ? r.loadedBytes() : 0;
      long elapsed = Math.max(1, System.currentTimeMillis() - start);
      out.field("loading_start_time", start / 1000);
      out.field("loading_total_bytes", total);
      out.field("loading_rdb_used_mem", 0);
      out.field("loading_loaded_bytes", loaded);
      out.field(
          "loading_loaded_perc",
          String.format(java.util.Locale.ROOT, "%.2f", total == 0 ? 0.0 : 100.0 * loaded / total));
      // As Redis: the time left at the rate so far, 1 second until anything is loaded.
      out.field(
          "loading_eta_seconds",
          loaded == 0 ? 1 : (long) ((total - loaded) / (loaded / (elapsed / 1000.0))));
    }
  }

  private void stats(Sections out) {
    ServerStats s = context.stats();
    KeyspaceStats k = context.keyspace().stats();
    out.field("total_connections_received", s.connectionsReceived.sum());
    out.field("total_commands_processed", s.commandsProcessed.sum());
    out.field("instantaneous_ops_per_sec", ops.perSecond());
    out.field("total_net_input_bytes", s.netInputBytes.sum());
    out.field("total_net_output_bytes", s.netOutputBytes.sum());
    out.field("total_net_repl_input_bytes", 0);
    out.field("total_net_repl_output_bytes", 0);
    out.field("instantaneous_input_kbps", kbps(netIn.perSecond()));
    out.field("instantaneous_output_kbps", kbps(netOut.perSecond()));
    out.field("instantaneous_input_repl_kbps", "0.00");
    out.field("instantaneous_output_repl_kbps", "0.00");
    out.field("rejected_connections", s.rejectedConnections.sum());
    Replication replication = server.replication();
    out.field("sync_full", replication.syncFull());
    out.field("sync_partial_ok", replication.syncPartialOk());
    out.field("sync_partial_err", replication.syncPartialErr());
    out.field("expired_keys", k.expiredKeys.sum());
    out.field("expired_stale_perc", "0.00");
    out.field("expired_time_cap_reached_count", 0);
    out.field("expire_cycle_cpu_milliseconds", 0);
    out.field("evicted_keys", k.evictedKeys.sum());
    out.field("evicted_clients", 0);
    out.field("total_eviction_exceeded_time", 0);
    out.field("current_eviction_exceeded_time", 0);
    out.field("keyspace_hits", k.keyspaceHits.sum());
    out.field("keyspace_misses", k.keyspaceMisses.sum());
    PubSubRegistry pubsub = context.pubsub();
    out.field("pubsub_channels", pubsub.size(PubSubRegistry.Kind.CHANNEL));
    out.field("pubsub_patterns", pubsub.size(PubSubRegistry.Kind.PATTERN));
    out.field("pubsubshard_channels", pubsub.size(PubSubRegistry.Kind.SHARD));
    out.field("latest_fork_usec", 0);
    out.field("total_forks", 0);
    out.field("migrate_cached_sockets", 0);
    out.field("slave_expires_tracked_keys", 0);
    out.field("active_defrag_hits", 0);
    out.field("active_defrag_misses", 0);
    out.field("active_defrag_key_hits", 0);
    out.field("active_defrag_key_misses", 0);
    out.field("total_active_defrag_time", 0);
    out.field("current_active_defrag_time", 0);
    out.field("tracking_total_keys", 0);
    out.field("tracking_total_items", 0);
    out.field("tracking_total_prefixes", 0);
    out.field("unexpected_error_replies", 0);
    out.field("total_error_replies", s.errorReplies.sum());
    out.field("dump_payload_sanitizations", 0);
    out.field("total_reads_processed", 0);
    out.field("total_writes_processed", 0);
    out.field("io_threaded_reads_processed", 0);
    out.field("io_threaded_writes_processed", 0);
    out.field("reply_buffer_shrinks", 0);
    out.field("reply_buffer_expands", 0);
  }

  private void replication(Sections out) {
    for (String[] field : server.replication().info()) {
      out.field(field[0], field[1]);
    }
  }

  private void cpu(Sections out) {
    long[] ticks = processCpuTicks();
    out.field("used_cpu_sys", seconds(ticks[1] * 10_000_000L));
    out.field("used_cpu_user", seconds(ticks[0] * 10_000_000L));
    out.field("used_cpu_sys_children", "0.000000");
    out.field("used_cpu_user_children", "0.000000");
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long cpu = Math.max(0, threads.getCurrentThreadCpuTime());
    long user = Math.max(0, threads.getCurrentThreadUserTime());
    out.field("used_cpu_sys_main_thread", seconds(Math.max(0, cpu - user)));
    out.field("used_cpu_user_main_thread", seconds(user));
  }

  private void commandStats(Sections out) {
    for (CommandSpec spec : context.commands().allWithSubcommands()) {
      long calls = spec.calls.sum();
      long failed = spec.failedCalls.sum();
      long rejected = spec.rejectedCalls.sum();
      if (calls == 0 && failed == 0 && rejected == 0) {
        continue;
      }
      long usec = spec.usec.sum();
      out.field(
          "cmdstat_" + safe(spec.fullName()),
          "calls="
              + calls
              + ",usec="
              + usec
              + ",usec_per_call="
              + String.format(Locale.ROOT, "%.2f", calls == 0 ? 0f : (float) usec / calls)
              + ",rejected_calls="
              + rejected
              + ",failed_calls="
              + failed);
    }
  }

  /** latency_percentiles_usec_get:p50=1.003,p99=2.007,p99.9=2.007 per command with calls. */
  private void latencyStats(Sections out) {
    Config config = context.config();
    if (!config.yes("latency-tracking")) {
      return;
    }
    String[] labels = config.text("latency-tracking-info-percentiles").split(" ");
    if (labels.length == 1 && labels[0].isEmpty()) {
      labels = new String[0];
    }
    double[] percentiles = new double[labels.length];
    for (int i = 0; i < labels.length; i++) {
      percentiles[i] = Double.parseDouble(labels[i]);
    }
    for (CommandSpec spec : context.commands().allWithSubcommands()) {
      LatencyHistogram histogram = spec.latency();
      if (histogram == null) {
        continue;
      }
      long[] nanos = histogram.valuesAt(percentiles);
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < labels.length; i++) {
        if (i > 0) {
          line.append(',');
        }
        line.append('p').append(labels[i]).append('=');
        line.append(String.format(Locale.ROOT, "%.3f", nanos[i] / 1000.0));
      }
      out.field("latency_percentiles_usec_" + safe(spec.fullName()), line.toString());
    }
  }

  private void errorStats(Sections out) {
    for (Map.Entry<String, LongAdder> e : new TreeMap<>(context.stats().errorCodes).entrySet()) {
      out.field("errorstat_" + safe(e.getKey()), "count=" + e.getValue().sum());
    }
  }

  private void keyspace(Sections out) {
    Keyspace ks = context.keyspace();
    for (int i = 0; i < ks.databaseCount(); i++) {
      Database db = ks.db(i);
      int keys = db.size();
      int expires = db.expiresCount();
      if (keys != 0 || expires != 0) {
        out.field("db" + i, "keys=" + keys + ",expires=" + expires + ",avg_ttl=" + db.avgTtl());
      }
    }
  }

  /** Builds the text: a header per requested section, an empty line between sections. */
  private static final class Sections {
    private final Set<String> wanted;
    private final boolean all;
    private final StringBuilder sb = new StringBuilder(4096);
    private int count;

    Sections(Set<String> wanted, boolean all) {
      this.wanted = wanted;
      this.all = all;
    }

    boolean begin(String name, String title) {
      if (!all && !wanted.contains(name)) {
        return false;
      }
      if (count++ > 0) {
        sb.append("\r\n");
      }
      sb.append("# ").append(title).append("\r\n");
      return true;
    }

    void field(String name, Object value) {
      sb.append(name).append(':').append(value).append("\r\n");
    }

    @Override
    public String toString() {
      return sb.toString();
    }
  }

  /** Field names in INFO must not contain characters that would break the line format. */
  private static String safe(String s) {
    return s.replace('#', '_').replace(':', '_').replace('\n', '_').replace('\r', '_');
  }

  /** Redis's bytesToHuman: B below 1 KiB, else two decimals and K, M, G, T or P. */
  static String human(long n) {
    String[] units = {"K", "M", "G", "T", "P"};
    if (n < 1024) {
      return n + "B";
    }
    double d = n;
    for (String unit : units) {
      d /= 1024;
      if (d < 1024 || unit.equals("P")) {
        return String.format(Locale.ROOT, "%.2f%s", d, unit);
      }
    }
    return n + "B";
  }

  private static String percent(long part, long whole) {
    return String.format(Locale.ROOT, "%.2f", whole == 0 ? 0.0 : 100.0 * part / whole);
  }

  private static String ratio(long a, long b) {
    return String.format(Locale.ROOT, "%.2f", b == 0 ? 0.0 : (double) a / b);
  }

  private static String kbps(long bytesPerSecond) {
    return String.format(Locale.ROOT, "%.2f", bytesPerSecond / 1024.0);
  }

  /** Nanoseconds as Redis prints rusage times: seconds with six decimals. */
  private static String seconds(long nanos) {
    long micros = nanos / 1000;
    return String.format(Locale.ROOT, "%d.%06d", micros / 1_000_000, micros % 1_000_000);
  }

  private static long heapUsed() {
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }

  /** Resident set size from /proc (Linux); the committed heap elsewhere. */
  private static long residentSetSize() {
    try {
      String[] statm = Files.readString(Path.of("/proc/self/statm")).trim().split("\\s+");
      return Long.parseLong(statm[1]) * 4096;
    } catch (Exception e) {
      return Runtime.getRuntime().totalMemory();
    }
  }

  /** User and system CPU time of the process in clock ticks (1/100 s), from /proc (Linux). */
  private static long[] processCpuTicks() {
    try {
      String stat = Files.readString(Path.of("/proc/self/stat"));
      // Fields after the command name, which is in parentheses and may contain spaces.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12])};
    } catch (Exception e) {
      long cpu =
          ManagementFactory.getOperatingSystemMXBean()
                  instanceof com.sun.management.OperatingSystemMXBean os
              ? os.getProcessCpuTime()
              : 0;
      return new long[] {Math.max(0, cpu) / 10_000_000L, 0};
    }
  }

  private static long totalSystemMemory() {
    return ManagementFactory.getOperatingSystemMXBean()
            instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getTotalMemorySize()
        : 0;
  }

  private static String os() {
    String arch = System.getProperty("os.arch", "");
    if (arch.equals("amd64")) {
      arch = "x86_64";
    }
    return System.getProperty("os.name", "")
        + " "
        + System.getProperty("os.version", "")
        + " "
        + arch;
  }

  /** The server jar when running from one, else the java launcher. */
  private static String executable() {
    try {
      Path p = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      if (p.toString().endsWith(".jar")) {
        return p.toAbsolutePath().toString();
      }
    } catch (Exception e) {
      // Fall back to the launcher.
    }
    return ProcessHandle.current().info().command().orElse("");
  }

  private static String randomHex() {
    byte[] b = new byte[20];
    new SecureRandom().nextBytes(b);
    StringBuilder sb = new StringBuilder(40);
    for (byte x : b) {
      sb.append(Character.forDigit((x >> 4) & 15, 16)).append(Character.forDigit(x & 15, 16));
    }
    return sb.toString();
  }
}
