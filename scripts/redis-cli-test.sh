#!/usr/bin/env bash
# Scripted redis-cli sessions: pipes each command file under
# toridb-server/src/test/resources/redis-cli/ (NAME.cmds) through redis-cli, in RESP2 and with -3
# (RESP3), and compares what redis-cli prints with NAME.resp2.out / NAME.resp3.out. Each command
# is preceded by an ECHO of itself, so the output (and any diff) shows which command printed what.
#
#   scripts/redis-cli-test.sh [HOST] PORT [NAME ...]            compare (all files, or the NAMEs)
#   scripts/redis-cli-test.sh --update [HOST] PORT [NAME ...]   rewrite the expected files; run this
#                                                               against a stock Redis 7.0 only
#
# The command files start with FLUSHALL: point this at a server whose data you do not need.
# Exit status: 0 when every output matches, 1 on a difference, 2 on a usage or setup problem.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$root/toridb-server/src/test/resources/redis-cli"

update=0
if [ "${1:-}" = "--update" ]; then
  update=1
  shift
fi
host=127.0.0.1
if [ $# -ge 2 ] && ! [[ "$1" =~ ^[0-9]+$ ]]; then
  host="$1"
  shift
fi
if [ $# -lt 1 ] || ! [[ "$1" =~ ^[0-9]+$ ]]; then
  sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
port="$1"
shift

cli="$(command -v redis-cli || true)"
if [ -z "$cli" ]; then
  echo "redis-cli was not found on the PATH: run scripts/test (it installs redis-tools), or install it." >&2
  exit 2
fi

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for f in "$dir"/*.cmds; do
    names+=("$(basename "$f" .cmds)")
  done
fi

# Puts "ECHO '> command'" before each command (a quote inside becomes \', redis-cli's escape).
with_markers() {
  local line
  while IFS= read -r line; do
    printf "ECHO '> %s'\n%s\n" "${line//\'/\\\'}" "$line"
  done
}

failed=0
for name in "${names[@]}"; do
  cmds="$dir/$name.cmds"
  if [ ! -f "$cmds" ]; then
    echo "no command file $cmds" >&2
    exit 2
  fi
  for proto in 2 3; do
    expected="$dir/$name.resp$proto.out"
    args=(-h "$host" -p "$port" --no-raw)
    [ "$proto" = 3 ] && args+=(-3)
    # Comment and blank lines are for people; redis-cli would send them as commands.
    actual="$(grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$cmds" | with_markers \
      | "$cli" "${args[@]}" 2>&1)"
    if [ "$update" = 1 ]; then
      printf '%s\n' "$actual" > "$expected"
      echo "wrote $expected"
      continue
    fi
    if [ ! -f "$expected" ]; then
      echo "FAIL $name RESP$proto: missing expected file $expected (create it with --update against Redis 7.0)"
      failed=1
      continue
    fi
    if diff_out="$(diff -u --label "expected $name.resp$proto.out" --label "redis-cli output" \
        "$expected" <(printf '%s\n' "$actual"))"; then
      echo "ok   $name RESP$proto"
    else
      echo "FAIL $name RESP$proto"
      printf '%s\n' "$diff_out"
      failed=1
    fi
  done
done
exit "$failed"
