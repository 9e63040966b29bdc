#!/usr/bin/env bash
# Where a server's CPU goes, thread by thread, under one redis-benchmark workload.
#
# Starts ToriDB (or, with --redis, a stock redis-server) on a spare port, warms it up, runs the
# workload, and prints for each thread (threads of one kind summed: the workers, the event
# loops) the CPU time it used per request and how often per request it was switched out:
# voluntarily (it went to sleep: a parked worker, an event loop waiting in epoll) and
# involuntarily (the scheduler took the core away). Thread counters come from /proc, so the
# numbers cost nothing to collect and do not depend on a profiler.
#
#   scripts/thread-cost.sh [--redis] [-t get] [-P 1] [-n 500000] [-c 50] [-d 3] [-k 100000]
#                          [--tori-args "--workers 1"] [--redis-args "--appendonly yes"]
#
# TORIDB_JAR picks the build (default: toridb-server/target/toridb-server.jar); TORIDB_JAVA_OPTS
# the JVM options (default as scripts/bench.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
test=get pipeline=1 requests=500000 clients=50 size=3 keyspace=100000 tori_args="" redis_args="" redis=0
while [ $# -gt 0 ]; do
  case "$1" in
    --redis) redis=1; shift ;;
    -t) test=$2; shift 2 ;;
    -P) pipeline=$2; shift 2 ;;
    -n) requests=$2; shift 2 ;;
    -c) clients=$2; shift 2 ;;
    -d) size=$2; shift 2 ;;
    -k) keyspace=$2; shift 2 ;;
    --tori-args) tori_args=$2; shift 2 ;;
    --redis-args) redis_args=$2; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
if [ -n "$redis_args" ] && [ $redis = 0 ]; then
  echo "--redis-args needs --redis (ToriDB takes --tori-args)" >&2
  exit 2
fi
port=${PORT:-16391}
work=$(mktemp -d)
cleanup() {
  redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
  [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
if [ $redis = 1 ]; then
  # shellcheck disable=SC2086
  redis-server --port "$port" --save '' --appendonly no --dir "$work" $redis_args >"$work/server.log" 2>&1 &
else
  jar="${TORIDB_JAR:-$root/toridb-server/target/toridb-server.jar}"
  [ -f "$jar" ] || (cd "$root" && mvn -q -B -DskipTests package)
  # shellcheck disable=SC2086
  java ${TORIDB_JAVA_OPTS:--Xms1g -Xmx1g -XX:+UseParallelGC} -jar "$jar" --port "$port" --dir "$work" --appendonly no $tori_args >"$work/server.log" 2>&1 &
fi
pid=$!
up=0
for _ in $(seq 100); do
  redis-cli -p "$port" ping 2>/dev/null | grep -q PONG && { up=1; break; }
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.2
done
if [ $up = 0 ]; then
  echo "The server did not start; its log:" >&2
  cat "$work/server.log" >&2
  exit 1
fi
bench=(redis-benchmark -p "$port" -t "$test" -c "$clients" -d "$size" -r "$keyspace" -P "$pipeline")
"${bench[@]}" -n $((requests / 2)) -q >/dev/null 2>&1
# Per thread kind: CPU ticks (utime + stime), voluntary and involuntary context switches.
sample() {
  for t in /proc/"$pid"/task/*; do
    name=$(tr ' ' '_' <"$t/comm" | sed 's/-[0-9]*$//; s/-[0-9]*$//')
    echo "$name $(awk '{print $14 + $15}' "$t/stat") $(awk '/^voluntary_ctxt/{v=$2} /^nonvoluntary_ctxt/{n=$2} END {print v, n}' "$t/status")"
  done | awk '{c[$1]+=$2; v[$1]+=$3; n[$1]+=$4} END {for (k in c) print k, c[k], v[k], n[k]}' | sort
}
sample >"$work/before"
result=$("${bench[@]}" -n "$requests" --csv 2>/dev/null | tail -n 1 | tr -d '"')
sample >"$work/after"
echo "$result" | awk -F, '{printf "%s -P %s: %s requests/s, p50 %s ms, p99 %s ms\n", $1, P, $2, $5, $7}' P="$pipeline"
printf '%-28s %12s %14s %16s\n' thread "CPU/request" "sleeps/request" "preempted/request"
join "$work/before" "$work/after" | awk -v n="$requests" -v hz="$(getconf CLK_TCK)" '
  { cpu = ($5 - $2) / hz * 1e6 / n; total += cpu
    if ($1 ~ /^C[12]_Compiler/) jit += cpu
    if (cpu > 0.005 || $6 - $3 > n / 1000)
      printf "%-28s %10.2f us %14.3f %16.3f\n", $1, cpu, ($6 - $3) / n, ($7 - $4) / n }
  END { printf "%-28s %10.2f us\n", "all threads", total
        # The JIT still compiles for a while after the warm-up (half the requests): on a short run
        # this line is the server without that one-off cost.
        if (jit > 0) printf "%-28s %10.2f us\n", "all but the JIT compilers", total - jit }'
