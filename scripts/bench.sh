#!/usr/bin/env bash
# Side-by-side throughput and latency of ToriDB and a stock redis-server on this machine.
#
# Starts both servers on loopback, then runs the same redis-benchmark workloads against each in
# alternation (ToriDB, Redis, Redis, ToriDB, ToriDB, Redis, ...: the order flips every round so
# that neither server always runs second) and prints, per workload, the median requests per
# second, p50/p99 latency and server CPU time per request of each server, and the ToriDB/Redis
# ratios; then the ratios of every round and their geometric mean, which show the spread.
#
#   scripts/bench.sh [-r rounds] [-n requests] [-c clients] [-d value-bytes] [-t tests]
#                    [-P "1 16"] [-k keyspace] [--tori-args "--workers 2"]
#                    [--aof no|everysec|always] [--reference-jar JAR] [--reference-args ARGS]
#                    [--cluster] [--replica]
#
# --reference-jar JAR compares two ToriDB builds instead: the reference server is JAR (started
# with the same JVM options, --tori-args and --aof) in place of Redis, and the ratios are
# ToriDB/reference. TORIDB_JAR picks the build under test (default: toridb-server/target).
# --reference-args ARGS adds server arguments for the reference ToriDB alone, after the shared
# ones, so one build can be compared with itself under other settings: with --aof everysec and
# --reference-args "--appendonly no", the ratios are the log's cost.
# scripts/bench-pool.py pools the saved output of several such runs.
# --cluster starts both servers as cluster nodes (cluster-enabled yes), each one node serving all
# 16384 slots, so every command pays for routing; multi-key workloads across slots (mset) then
# fail on both. --reference-args "--cluster-enabled no" with the same jar measures routing's cost.
# --replica gives each server a replica of its own kind (a ToriDB replica of the same jar, or a
# redis-server replica), on the port after the server's own plus one, attached before the
# warm-up: the primaries are measured while they stream every write to it (CPU per request
# counts the primary alone; the replicas share the machine's cores).
#
# Tests are redis-benchmark's -t names (set, get, incr, mset, lpush, lpop, sadd, hset, zadd, ...)
# plus zrange (ZRANGE myzset 0 9, over the sorted set that zadd fills), hget (over the hash
# that hset fills; put zadd and hset before them), eval (a Lua script that INCRs the one key it
# declares), pfadd (random elements into one HyperLogLog), xadd (XADD to one stream trimmed to
# about 100000 entries) and xrange (the first 10 entries of that stream; put xadd before it).
#
# Defaults: 5 rounds, 200000 requests, 50 clients, 3-byte values, tests set,get,incr,mset,
# pipelines "1 16", keyspace 100000 random keys (-r of redis-benchmark), and no append-only file
# on either server (--aof everysec or always turns it on for both, with that fsync policy).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds=5 requests=200000 clients=50 size=3 tests="set,get,incr,mset" pipelines="1 16" keyspace=100000
tori_args="" ref_jar="" ref_args=""
aof=no cluster=no replica=no
tori_port=${TORI_PORT:-16379} redis_port=${REDIS_PORT:-16380}
while [ $# -gt 0 ]; do
  case "$1" in
    -r) rounds=$2; shift 2 ;;
    -n) requests=$2; shift 2 ;;
    -c) clients=$2; shift 2 ;;
    -d) size=$2; shift 2 ;;
    -t) tests=$2; shift 2 ;;
    -P) pipelines=$2; shift 2 ;;
    -k) keyspace=$2; shift 2 ;;
    --tori-args) tori_args=$2; shift 2 ;;
    --aof) aof=$2; shift 2 ;;
    --reference-jar) ref_jar=$2; shift 2 ;;
    --reference-args) ref_args=$2; shift 2 ;;
    --cluster) cluster=yes; shift ;;
    --replica) replica=yes; shift ;;
    -h|--help) sed -n '2,29p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
for cmd in redis-server redis-benchmark redis-cli java; do
  command -v $cmd >/dev/null || { echo "bench.sh needs $cmd (apt-get install redis-server redis-tools)" >&2; exit 1; }
done
jar="${TORIDB_JAR:-$root/toridb-server/target/toridb-server.jar}"
[ -f "$jar" ] || (cd "$root" && mvn -q -B -DskipTests package)
[ -z "$ref_jar" ] || [ -f "$ref_jar" ] || { echo "no such reference jar: $ref_jar" >&2; exit 2; }
[ -z "$ref_args" ] || [ -n "$ref_jar" ] || { echo "--reference-args needs --reference-jar" >&2; exit 2; }
work=$(mktemp -d)
cleanup() {
  redis-cli -p "$tori_port" shutdown nosave >/dev/null 2>&1 || true
  redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
  if [ "$replica" = yes ]; then
    redis-cli -p $((tori_port + 2)) shutdown nosave >/dev/null 2>&1 || true
    redis-cli -p $((redis_port + 2)) shutdown nosave >/dev/null 2>&1 || true
  fi
  [ -n "${tori_pid:-}" ] && kill "$tori_pid" 2>/dev/null || true
  [ -n "${ref_pid:-}" ] && kill "$ref_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
case "$aof" in
  no) persistence=(--appendonly no) ;;
  everysec|always) persistence=(--appendonly yes --appendfsync "$aof" --auto-aof-rewrite-percentage 0) ;;
  *) echo "--aof takes no, everysec or always" >&2; exit 2 ;;
esac
cluster_args=()
[ "$cluster" = no ] || cluster_args=(--cluster-enabled yes)
start_toridb() { # jar port name [extra server arguments]
  mkdir -p "$work/$3"
  # shellcheck disable=SC2086
  java ${TORIDB_JAVA_OPTS:--Xms1g -Xmx1g -XX:+UseParallelGC} -jar "$1" --port "$2" --dir "$work/$3" "${persistence[@]}" "${cluster_args[@]}" $tori_args ${4:-} >"$work/$3.log" 2>&1 &
}
start_toridb "$jar" "$tori_port" tori
tori_pid=$!
# The second server ("redis" below) is either Redis or the reference ToriDB build.
if [ -n "$ref_jar" ]; then
  start_toridb "$ref_jar" "$redis_port" ref "$ref_args"
  ref_pid=$!
  ref_label=ref
else
  mkdir -p "$work/redis"
  redis-server --port "$redis_port" --save '' "${persistence[@]}" "${cluster_args[@]}" --daemonize yes --logfile "$work/redis.log" --dir "$work/redis" --pidfile "$work/redis.pid"
  ref_label=redis
fi
for _ in $(seq 100); do
  redis-cli -p "$tori_port" ping >/dev/null 2>&1 && redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break
  sleep 0.1
done
if [ "$cluster" = yes ]; then
  # Each server becomes a one-node cluster serving every slot (a server the reference arguments
  # left standalone refuses, which is fine).
  for port in "$tori_port" "$redis_port"; do
    redis-cli -p "$port" cluster addslotsrange 0 16383 >/dev/null 2>&1 || true
    for _ in $(seq 100); do
      state=$(redis-cli -p "$port" cluster info 2>/dev/null | tr -d '\r' | sed -n 's/^cluster_state://p')
      [ "$state" = ok ] || [ -z "$state" ] && break
      sleep 0.1
    done
    [ "$state" != fail ] || { echo "the server on port $port did not become a working cluster node" >&2; exit 1; }
  done
fi
if [ "$replica" = yes ]; then
  [ "$cluster" = no ] || { echo "--replica and --cluster do not go together" >&2; exit 2; }
  start_toridb "$jar" $((tori_port + 2)) tori-replica
  if [ -n "$ref_jar" ]; then
    start_toridb "$ref_jar" $((redis_port + 2)) ref-replica "$ref_args"
  else
    mkdir -p "$work/redis-replica"
    redis-server --port $((redis_port + 2)) --save '' "${persistence[@]}" --daemonize yes \
      --logfile "$work/redis-replica.log" --dir "$work/redis-replica"
  fi
  # REPLICAOF once each replica answers; then wait for its link.
  for port in $((tori_port + 2)) $((redis_port + 2)); do
    for _ in $(seq 200); do
      redis-cli -p "$port" replicaof 127.0.0.1 $((port - 2)) >/dev/null 2>&1 && break
      sleep 0.1
    done
    for _ in $(seq 300); do
      redis-cli -p "$port" info replication 2>/dev/null | grep -q 'master_link_status:up' && break
      sleep 0.1
    done
    redis-cli -p "$port" info replication | grep -q 'master_link_status:up' \
      || { echo "the replica on port $port did not connect" >&2; exit 1; }
  done
fi
# Workloads redis-benchmark has no -t name for run as explicit commands.
workload_of() {
  case "$1" in
    zrange) workload=(ZRANGE myzset 0 9) ;;
    hget) workload=(HGET myhash element:__rand_int__) ;;
    eval) workload=(EVAL "return redis.call('incr', KEYS[1])" 1 counter:__rand_int__) ;;
    pfadd) workload=(PFADD hll element:__rand_int__) ;;
    xadd) workload=(XADD mystream MAXLEN '~' 100000 '*' field __rand_int__) ;;
    xrange) workload=(XRANGE mystream - + COUNT 10) ;;
    *) workload=(-t "$1") ;;
  esac
}
# Warm up the JIT so the first measured round is not the interpreter's.
for port in $tori_port ${ref_jar:+$redis_port}; do
  for t in ${tests//,/ }; do
    workload_of "$t"
    redis-benchmark -p "$port" -n 200000 -c "$clients" -P 16 -r "$keyspace" -q "${workload[@]}" >/dev/null 2>&1
    redis-benchmark -p "$port" -n 100000 -c "$clients" -r "$keyspace" -q "${workload[@]}" >/dev/null 2>&1
  done
done
# CPU time a process has used, in clock ticks (utime + stime from /proc): throughput on a shared
# machine is noisy, CPU time per request much less so.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
redis_pid=${ref_pid:-$(cat "$work/redis.pid" 2>/dev/null)}
ticks_per_sec=$(getconf CLK_TCK)
results="$work/results.csv"
for round in $(seq "$rounds"); do
  order="tori redis"; [ $((round % 2)) = 0 ] && order="redis tori"
  for p in $pipelines; do
    for server in $order; do
      port=$tori_port pid=$tori_pid
      [ $server = redis ] && port=$redis_port pid=$redis_pid
      # Pipelined runs get more requests so that each lasts about as long as an unpipelined one.
      n=$requests; [ "$p" -gt 1 ] && n=$((requests * 5))
      for t in ${tests//,/ }; do
        before=$(cpu_ticks "$pid")
        workload_of "$t"
        line=$(redis-benchmark -p "$port" -n "$n" -c "$clients" -d "$size" -P "$p" \
          -r "$keyspace" --csv "${workload[@]}" 2>/dev/null | tail -n 1 | tr -d '"')
        # The last seven fields: a command's name may hold commas of its own.
        line="$t,$(echo "$line" | rev | cut -d, -f1-7 | rev)"
        after=$(cpu_ticks "$pid")
        echo "$line" | awk -F, -v r="$round" -v s=$server -v p="$p" -v n="$n" -v cpu=$((after - before)) -v hz="$ticks_per_sec" \
          '{printf "%s,%s,%s,%s,%s,%s,%s,%.3f\n", r, s, p, $1, $2, $5, $7, cpu / hz * 1e6 / n}' >>"$results"
      done
    done
  done
done
if [ -n "$ref_jar" ]; then
  against="ToriDB $(basename "$jar") vs ToriDB $(basename "$ref_jar")${ref_args:+ $ref_args} (ref)"
else
  against="ToriDB vs Redis $(redis-server --version | awk '{print $3}')"
fi
[ "$replica" = no ] || against="$against, each with a replica"
echo "$against: $rounds rounds, $requests requests, $clients clients, ${size}B values, keyspace $keyspace, append-only file: $aof, $(nproc) cores"
python3 - "$results" "$ref_label" <<'PY'
import csv, statistics, sys
ref = sys.argv[2]
rows = list(csv.reader(open(sys.argv[1])))
data = {}
for rnd, server, p, test, rps, p50, p99, cpu in rows:
    data.setdefault((test, int(p)), {}).setdefault(server, []).append((float(rps), float(p50), float(p99), float(cpu)))
print(f"{'test':<14}{'P':>3}{'tori rps':>10}{ref+' rps':>10}{'ratio':>7}{'tori p50':>9}{ref+' p50':>10}{'tori p99':>9}{ref+' p99':>10}{'p99 x':>6}{'tori cpu/op':>12}{ref+' cpu/op':>13}{'cpu x':>7}")
for (test, p), d in sorted(data.items(), key=lambda kv: (kv[0][1], kv[0][0])):
    med = lambda s, i: statistics.median(x[i] for x in d[s])
    t, r = med('tori', 0), med('redis', 0)
    print(f"{test:<14}{p:>3}{t:>10.0f}{r:>10.0f}{t/r:>7.2f}{med('tori',1):>9.3f}{med('redis',1):>10.3f}{med('tori',2):>9.3f}{med('redis',2):>10.3f}{med('tori',2)/med('redis',2):>6.2f}{med('tori',3):>10.2f}us{med('redis',3):>11.2f}us{med('tori',3)/med('redis',3):>7.2f}")
# The two servers of a round ran back to back, so the ratio within each round shows the spread
# that the medians hide.
print(f"\nper-round tori/{ref} ratios, round 1 first, and their geometric mean: requests/s | CPU per request | p99 latency")
for (test, p), d in sorted(data.items(), key=lambda kv: (kv[0][1], kv[0][0])):
    line = f"{test:<14}{p:>3}"
    for i in (0, 3, 2):
        ratios = [t[i] / r[i] for t, r in zip(d['tori'], d['redis'])]
        mean = statistics.geometric_mean(ratios)
        line += (" |" if i else "") + "".join(f" {x:.2f}" for x in ratios) + f"  ({mean:.3f})"
    print(line)
PY
