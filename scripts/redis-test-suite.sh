#!/usr/bin/env bash
# Runs units of Redis's own Tcl test suite against ToriDB and prints how many tests of each unit
# passed and failed. See usage() below, or run with --help.
set -uo pipefail

# The units that exercise what ToriDB implements today: strings, lists, hashes, sets, sorted sets,
# keyspace, expiry, transactions, pub/sub, connection and server commands, scripts and functions,
# HyperLogLogs. docs/conformance.md records their results and why each remaining test fails.
readonly DEFAULT_UNITS="unit/type/string unit/type/incr unit/bitops unit/bitfield unit/type/list unit/type/hash unit/type/set
unit/type/zset unit/type/stream unit/type/stream-cgroups unit/sort unit/keyspace unit/dump unit/latency-monitor unit/expire unit/info-command unit/quit unit/protocol unit/auth
unit/introspection unit/introspection-2 unit/geo unit/info unit/scan unit/other unit/slowlog unit/multi
unit/pubsub unit/scripting unit/functions unit/hyperloglog unit/pause"

usage() {
  cat <<EOF
Usage: scripts/redis-test-suite.sh REDIS_DIR [unit ...]

Starts ToriDB from toridb-server/target/toridb-server.jar (built first when missing) on a free
loopback port with enable-debug-command yes, runs the given units of Redis's Tcl test suite
against it in external-server mode, prints a per-unit summary and stops the server.

  REDIS_DIR   a Redis source tree that holds tests/test_helper.tcl, or its tests/ directory.
              ToriDB does not ship Redis's tests. Take them from the source tarball of the
              version ToriDB follows, Redis 7.0.15:
                curl -LO https://download.redis.io/releases/redis-7.0.15.tar.gz
                tar xzf redis-7.0.15.tar.gz      # then pass ./redis-7.0.15
              or from a clone: git clone -b 7.0.15 --depth 1 https://github.com/redis/redis
              The suite needs tclsh (apt-get install tcl). Nothing needs to be compiled.
  unit        a unit name as the suite spells it, e.g. unit/type/string or unit/keyspace.
              Default:
$(echo "$DEFAULT_UNITS" | tr '\n' ' ' | fold -s -w 80 | sed 's/^/                /')

The suite runs with --durable (an unexpected error fails one test instead of stopping the
unit). A start_server block that fails outside any test skips the rest of that block; such
failures are counted as "blocks" and are included in the failed count.

Environment:
  TORIDB_PORT         port for ToriDB (default: the first free port from 21000). The suite
                      uses the 64 ports above it: its control socket, and spare ports that
                      some tests bind.
  TORIDB_JAR          jar to run (default: toridb-server/target/toridb-server.jar)
  TORIDB_JAVA_OPTS    JVM options (default: -Xmx1g)
  TORIDB_ARGS         extra server arguments, e.g. "--workers 2". With one worker (the
                      default on two cores), commands of different connections run in the
                      order they arrive, as in Redis, which some tests assume when they do not
                      wait for each other's replies; with more, such tests can fail at random
  REDIS_TEST_ARGS     extra options for tests/test_helper.tcl, e.g. "--only 'MGET*'" or
                      "--tags -needs:debug"; see tclsh tests/test_helper.tcl --help
  REDIS_TEST_TIMEOUT  seconds without progress before the suite gives up on a unit (default 600)
  REDIS_TEST_LOGS     directory that keeps each unit's full output and the server log
                      (default: a temporary directory, deleted unless a unit failed)

Exit status: 0 when every test passed, 1 when any failed, 2 on a usage or setup error.
EOF
}

if [ $# -lt 1 ] || [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
  usage
  [ $# -lt 1 ] && exit 2
  exit 0
fi

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
redis_dir="$(cd "$1" 2>/dev/null && pwd)" || { echo "redis-test-suite: no directory $1" >&2; exit 2; }
shift
if [ ! -f "$redis_dir/tests/test_helper.tcl" ] && [ -f "$redis_dir/test_helper.tcl" ]; then
  redis_dir="$(dirname "$redis_dir")"
fi
if [ ! -f "$redis_dir/tests/test_helper.tcl" ]; then
  echo "redis-test-suite: $redis_dir holds no tests/test_helper.tcl; pass an extracted Redis" \
    "source tarball (see --help)" >&2
  exit 2
fi
command -v tclsh >/dev/null || { echo "redis-test-suite: tclsh is missing (apt-get install tcl)" >&2; exit 2; }
command -v java >/dev/null || { echo "redis-test-suite: java is missing" >&2; exit 2; }

units=("$@")
[ ${#units[@]} -eq 0 ] && read -r -a units <<<"$(echo $DEFAULT_UNITS)"
for unit in "${units[@]}"; do
  if [ ! -f "$redis_dir/tests/$unit.tcl" ]; then
    echo "redis-test-suite: no unit $unit ($redis_dir/tests/$unit.tcl)" >&2
    exit 2
  fi
done

jar="${TORIDB_JAR:-$root/toridb-server/target/toridb-server.jar}"
if [ ! -f "$jar" ]; then
  echo "redis-test-suite: building $jar" >&2
  (cd "$root" && mvn -q -B -DskipTests -pl toridb-server -am package) >&2 || exit 2
fi

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port="${TORIDB_PORT:-}"
if [ -z "$port" ]; then
  port=21000
  while port_busy "$port"; do port=$((port + 1)); done
fi

logs="${REDIS_TEST_LOGS:-}"
keep_logs=1
if [ -z "$logs" ]; then
  logs="$(mktemp -d)"
  keep_logs=0
fi
mkdir -p "$logs"
data="$(mktemp -d)"
server_pid=""

# PING over bash's /dev/tcp, so neither redis-cli nor Redis's own binaries are needed.
ping_server() {
  local reply=""
  exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
  printf 'PING\r\n' >&3
  read -r -t 2 reply <&3
  exec 3<&- 3>&-
  [ "${reply%$'\r'}" = "+PONG" ]
}

start_server() {
  # shellcheck disable=SC2086
  java ${TORIDB_JAVA_OPTS:--Xmx1g} -jar "$jar" --port "$port" --bind 127.0.0.1 --dir "$data" \
    --enable-debug-command yes ${TORIDB_ARGS:-} >>"$logs/toridb.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 300); do
    ping_server 2>/dev/null && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "redis-test-suite: ToriDB did not start on port $port; see $logs/toridb.log" >&2
  keep_logs=1
  return 1
}

stop_server() {
  [ -n "$server_pid" ] || return 0
  kill "$server_pid" 2>/dev/null
  for _ in $(seq 100); do
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -9 "$server_pid" 2>/dev/null
  wait "$server_pid" 2>/dev/null
  server_pid=""
}

cleanup() {
  stop_server
  rm -rf "$data"
  if [ "$keep_logs" = 1 ]; then
    echo "Logs: $logs"
  else
    rm -rf "$logs"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start_server || exit 2
echo "ToriDB $(basename "$jar") on 127.0.0.1:$port, Redis tests from $redis_dir"

extra=()
# shellcheck disable=SC2206
[ -n "${REDIS_TEST_ARGS:-}" ] && eval "extra=(${REDIS_TEST_ARGS})"
summary=()
status=0
total_pass=0 total_fail=0
for unit in "${units[@]}"; do
  out="$logs/$(echo "$unit" | tr '/' '_').txt"
  echo "== $unit"
  # Every unit gets a fresh server, as each of the suite's start_server blocks would outside
  # external mode: settings a unit leaves behind (a password, proto-max-bulk-len raised to 10 GB
  # by the list unit's large-value block) must not change the next unit's results.
  if [ "$unit" != "${units[0]}" ] || ! ping_server 2>/dev/null; then
    stop_server
    start_server || exit 2
  fi
  # Tests tagged needs:config-maxmemory wait for evictions, which ToriDB does not do yet: they
  # would hang until the suite's timeout, so they are left out.
  # The suite's control socket takes the first free port of [baseport-32, baseport), just above
  # ours; tests that need a spare port take one from [baseport, baseport+portcount).
  (cd "$redis_dir" && tclsh tests/test_helper.tcl --host 127.0.0.1 --port "$port" \
    --baseport $((port + 33)) --portcount 32 --clients 1 --durable --tags -needs:config-maxmemory \
    --timeout "${REDIS_TEST_TIMEOUT:-600}" \
    --single "$unit" ${extra[@]+"${extra[@]}"}) </dev/null >"$out" 2>&1
  # Strip colours, then count the per-test verdicts the suite prints.
  clean="$(sed 's/\x1b\[[0-9;]*m//g' "$out")"
  pass=$(grep -c '^\[ok\]: ' <<<"$clean")
  fail=$(grep -c '^\[err\]: ' <<<"$clean")
  blocks=$(grep '^\[err\]: ' <<<"$clean" | grep -vc ' in tests/.*\.tcl$')
  ignored=$(grep -c '^\[ignore\]: ' <<<"$clean")
  exceptions=$(grep -c '^\[exception\]: ' <<<"$clean")
  [ "$exceptions" -gt 0 ] && fail=$((fail + exceptions))
  grep '^\[err\]: .* in tests/.*\.tcl$' <<<"$clean" | sed 's/^\[err\]: /   FAIL /; s/ in tests\/.*\.tcl$//'
  [ "$blocks" -gt 0 ] && echo "   ($blocks start_server block(s) stopped by an error outside a test)"
  [ "$exceptions" -gt 0 ] && echo "   (the unit stopped with an exception; see $out)"
  if ! grep -q 'The End' <<<"$clean"; then
    echo "   (the unit did not finish; see $out)"
    fail=$((fail + 1))
  fi
  [ "$fail" -gt 0 ] && status=1
  total_pass=$((total_pass + pass))
  total_fail=$((total_fail + fail))
  summary+=("$(printf '%-24s %7d %7d %7d %7d' "$unit" "$pass" "$fail" "$blocks" "$ignored")")
done

echo
printf '%-24s %7s %7s %7s %7s\n' unit passed failed blocks ignored
printf '%s\n' "${summary[@]}"
printf '%-24s %7d %7d\n' total "$total_pass" "$total_fail"
[ "$status" -ne 0 ] && keep_logs=1
exit "$status"
