#!/usr/bin/env bash
# Memory of large collections in ToriDB and in a stock redis-server, side by side.
#
# Loads the same data into both servers and prints, per workload, the growth of used_memory
# (Redis: INFO memory; ToriDB: live heap, read after a full GC) and of the process RSS.
#
#   scripts/memory.sh [-n elements] [-w "hash set intset zset list strings stream"]
#
# Workloads (each in a fresh pair of servers): hash = one hash of N fields "field:I" -> 16-byte
# values; set = one set of N members "member:I"; intset = one set of N integers; zset = one sorted
# set of N members with float scores; list = one list of N 16-byte elements; strings = N keys
# "key:I" with 16-byte values; stream = one stream of N entries "sensor" -> 16-byte value, IDs
# I-1 (one XADD each).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
n=1000000 workloads="hash set intset zset list strings stream"
tori_port=${TORI_PORT:-16479} redis_port=${REDIS_PORT:-16480}
while [ $# -gt 0 ]; do
  case "$1" in
    -n) n=$2; shift 2 ;;
    -w) workloads=$2; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
for cmd in redis-server redis-cli java jcmd python3; do
  command -v $cmd >/dev/null || { echo "memory.sh needs $cmd" >&2; exit 1; }
done
jar="${TORIDB_JAR:-$root/toridb-server/target/toridb-server.jar}"
[ -f "$jar" ] || (cd "$root" && mvn -q -B -DskipTests package)
work=$(mktemp -d)
tori_pid=""
stop_servers() {
  redis-cli -p "$tori_port" shutdown nosave >/dev/null 2>&1 || true
  redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
  if [ -n "$tori_pid" ]; then wait "$tori_pid" 2>/dev/null || true; tori_pid=""; fi
}
trap 'stop_servers; rm -rf "$work"' EXIT

# Writes the RESP commands of one workload to stdout, 100 elements per command.
generate() {
  python3 - "$1" "$n" <<'PY'
import sys
kind, n = sys.argv[1], int(sys.argv[2])
out = sys.stdout.buffer
def cmd(*args):
    parts = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(a), a))
    out.write(b"".join(parts))
value = lambda i: ("v%015d" % i).encode()
for start in range(0, n, 100):
    idx = range(start, min(n, start + 100))
    if kind == "hash":
        args = ["HSET", "h"]
        for i in idx: args += ["field:%d" % i, value(i)]
    elif kind == "set":
        args = ["SADD", "s"] + ["member:%d" % i for i in idx]
    elif kind == "intset":
        args = ["SADD", "s"] + [str(i) for i in idx]
    elif kind == "zset":
        args = ["ZADD", "z"]
        for i in idx: args += [repr(i * 1.5), "member:%d" % i]
    elif kind == "list":
        args = ["RPUSH", "l"] + [value(i) for i in idx]
    elif kind == "strings":
        args = ["MSET"]
        for i in idx: args += ["key:%d" % i, value(i)]
    elif kind == "stream":
        for i in idx: cmd("XADD", "x", "%d-1" % (i + 1), "sensor", value(i))
        continue
    cmd(*args)
PY
}

field() { redis-cli -p "$1" info memory | tr -d '\r' | awk -F: -v f="$2" '$1 == f {print $2}'; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
tori_used() {
  jcmd "$tori_pid" GC.run >/dev/null; jcmd "$tori_pid" GC.run >/dev/null
  field "$tori_port" used_memory
}

printf '%-9s %10s %14s %14s %7s %12s %12s %7s\n' workload elements "redis used" "tori used" ratio "redis rss" "tori rss" ratio
for w in $workloads; do
  generate "$w" >"$work/$w.resp"
  # shellcheck disable=SC2086
  java ${TORIDB_JAVA_OPTS:--Xms2g -Xmx2g -XX:+UseParallelGC} -jar "$jar" --port "$tori_port" \
    --dir "$work/tori" --appendonly no >"$work/tori.log" 2>&1 &
  tori_pid=$!
  redis-server --port "$redis_port" --save '' --appendonly no --daemonize yes \
    --logfile "$work/redis.log" --dir "$work" --pidfile "$work/redis.pid"
  for _ in $(seq 100); do
    redis-cli -p "$tori_port" ping >/dev/null 2>&1 && redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  redis_pid=$(cat "$work/redis.pid")
  r0=$(field "$redis_port" used_memory) t0=$(tori_used)
  rr0=$(rss_kb "$redis_pid") tr0=$(rss_kb "$tori_pid")
  redis-cli -p "$redis_port" --pipe <"$work/$w.resp" >/dev/null
  redis-cli -p "$tori_port" --pipe <"$work/$w.resp" >/dev/null
  # Both servers must hold the same data, or the comparison means nothing.
  case "$w" in
    hash) count=(HLEN h) ;; set|intset) count=(SCARD s) ;; zset) count=(ZCARD z) ;;
    list) count=(LLEN l) ;; strings) count=(DBSIZE) ;; stream) count=(XLEN x) ;;
  esac
  rc=$(redis-cli -p "$redis_port" "${count[@]}") tc=$(redis-cli -p "$tori_port" "${count[@]}")
  if [ "$rc" != "$n" ] || [ "$tc" != "$n" ]; then
    echo "memory.sh: $w loaded $rc elements into Redis and $tc into ToriDB, expected $n" >&2
    exit 1
  fi
  r1=$(field "$redis_port" used_memory) t1=$(tori_used)
  rr1=$(rss_kb "$redis_pid") tr1=$(rss_kb "$tori_pid")
  python3 - "$w" "$n" "$r0" "$r1" "$t0" "$t1" "$rr0" "$rr1" "$tr0" "$tr1" <<'PY'
import sys
w, n = sys.argv[1], int(sys.argv[2])
r0, r1, t0, t1, rr0, rr1, tr0, tr1 = map(int, sys.argv[3:])
mb = lambda b: "%.1f MB" % (b / 1e6)
ru, tu = r1 - r0, t1 - t0
rr, tr = (rr1 - rr0) * 1024, (tr1 - tr0) * 1024
print("%-9s %10d %14s %14s %7.2f %12s %12s %7.2f" % (w, n, mb(ru), mb(tu), tu / ru, mb(rr), mb(tr), tr / rr if rr else 0))
PY
  stop_servers
done
