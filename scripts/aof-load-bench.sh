#!/usr/bin/env bash
# How fast ToriDB loads its append-only file next to Redis loading its own AOF of the same writes.
#
#   scripts/aof-load-bench.sh [-n KEYS] [-r ROUNDS] [-d VALUE_BYTES]
#
# Writes the same KEYS SET commands (pipelined with redis-cli --pipe) to a ToriDB and to a Redis,
# both with appendonly yes (Redis with aof-use-rdb-preamble no, so its log holds the commands),
# stops both, then restarts each ROUNDS times, alternating, and reports per round the load time
# each server logs and the time from process start until PING answers PONG (which for ToriDB
# includes the JVM's start).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
keys=1000000
rounds=3
size=16
while getopts "n:r:d:" opt; do
  case "$opt" in
    n) keys="$OPTARG" ;;
    r) rounds="$OPTARG" ;;
    d) size="$OPTARG" ;;
    *) echo "usage: $0 [-n keys] [-r rounds] [-d value bytes]" >&2; exit 2 ;;
  esac
done
jar="${TORIDB_JAR:-$root/toridb-server/target/toridb-server.jar}"
[[ -f "$jar" ]] || (cd "$root" && mvn -q -DskipTests package -pl toridb-server -am)
java_opts="${TORIDB_JAVA_OPTS:--Xms2g -Xmx2g -XX:+UseParallelGC}"
work="$(mktemp -d)"
tori_port=7411
redis_port=7412
trap 'redis-cli -p $tori_port shutdown >/dev/null 2>&1 || true; redis-cli -p $redis_port shutdown nosave >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

start_tori() {
  # shellcheck disable=SC2086
  java $java_opts -jar "$jar" --port "$tori_port" --dir "$work/tori" --appendfsync everysec \
    --auto-aof-rewrite-percentage 0 > "$work/tori.log" 2>&1 &
}
start_redis() {
  redis-server --port "$redis_port" --dir "$work/redis" --save "" --appendonly yes \
    --appendfsync everysec --aof-use-rdb-preamble no --auto-aof-rewrite-percentage 0 \
    --logfile "$work/redis.log" --daemonize no > /dev/null 2>&1 &
}
wait_ready() { # port -> milliseconds until PONG
  local port=$1 t0=$2
  until [[ "$(redis-cli -p "$port" ping 2>/dev/null)" == "PONG" ]]; do sleep 0.01; done
  echo $(( $(date +%s%3N) - t0 ))
}

mkdir -p "$work/tori" "$work/redis"
python3 - "$keys" "$size" > "$work/load.resp" <<'PY'
import sys
n, size = int(sys.argv[1]), int(sys.argv[2])
value = b"v" * size
out = sys.stdout.buffer
for i in range(n):
    key = b"key:%012d" % i
    out.write(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(key), key, len(value), value))
PY
start_tori; start_redis
wait_ready "$tori_port" "$(date +%s%3N)" > /dev/null
wait_ready "$redis_port" "$(date +%s%3N)" > /dev/null
redis-cli -p "$tori_port" --pipe < "$work/load.resp" | tail -1
redis-cli -p "$redis_port" --pipe < "$work/load.resp" | tail -1
redis-cli -p "$tori_port" shutdown > /dev/null 2>&1 || true
redis-cli -p "$redis_port" shutdown nosave > /dev/null 2>&1 || true
sleep 1
echo "ToriDB log: $(du -sb "$work/tori/appendonlydir" | cut -f1) bytes; Redis log: $(du -sb "$work/redis/appendonlydir" | cut -f1) bytes"
printf '%-6s %-8s %14s %16s\n' round server "logged load s" "start to PONG ms"
for r in $(seq 1 "$rounds"); do
  for server in toridb redis; do
    t0=$(date +%s%3N)
    if [[ $server == toridb ]]; then
      start_tori; ms=$(wait_ready "$tori_port" "$t0")
      logged=$(grep -o 'in [0-9.]* s' "$work/tori.log" | tail -1 | awk '{print $2}')
      [[ "$(redis-cli -p $tori_port dbsize)" == "$keys" ]] || { echo "ToriDB loaded the wrong number of keys" >&2; exit 1; }
      redis-cli -p "$tori_port" shutdown > /dev/null 2>&1 || true
    else
      start_redis; ms=$(wait_ready "$redis_port" "$t0")
      logged=$(grep -o 'DB loaded from append only file: [0-9.]* seconds' "$work/redis.log" | tail -1 | awk '{print $7}')
      [[ "$(redis-cli -p $redis_port dbsize)" == "$keys" ]] || { echo "Redis loaded the wrong number of keys" >&2; exit 1; }
      redis-cli -p "$redis_port" shutdown nosave > /dev/null 2>&1 || true
    fi
    printf '%-6s %-8s %14s %16s\n' "$r" "$server" "$logged" "$ms"
    sleep 1
  done
done
