#!/usr/bin/env bash
# Per-order costs of the 7-call checkout on one binary: write jobs and commits (from
# /metrics), callgrind instructions, system calls (strace -c -f), or server CPU timed under
# load. Release build, demo store seeded into a file store (synchronous=FULL, the default):
# 10 unmeasured checkouts at one client, then N measured ones at one client (`timed`: 8
# clients for N seconds); before each reading the server is let settle (its /metrics writer
# counters unchanged across $SETTLE seconds) so the event dispatcher's work after the last
# order is counted.
#
#   scripts/checkout_costs.sh jobs|callgrind|strace|timed STOCKROOM_BIN LOADGEN_BIN [N=60]
#
# The server listens on 127.0.0.1:$PORT (default 9160) and is stopped at the end.
set -euo pipefail
MODE=$1 BIN=$2 LG=$3 N=${4:-60}
PORT=${PORT:-9160}
KEY=pk_demo_0000000000000000000000000000000000000000000000000000000000000000
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT=$(mktemp -d /tmp/stockroom-costs.XXXXXX)
export JWT_SECRET=${JWT_SECRET:-benchmark-jwt-secret-0123456789abcdef0123}
export COOKIE_SECRET=${COOKIE_SECRET:-benchmark-cookie-secret-0123456789abcdef}
PID="" TRACER=""
cleanup() {
  [ -n "$TRACER" ] && kill "$TRACER" 2>/dev/null || true
  [ -n "$PID" ] && kill "$PID" 2>/dev/null || true
  wait 2>/dev/null || true
  [ -n "${KEEP:-}" ] && echo "kept $OUT" >&2 || rm -rf "$OUT"
}
trap cleanup EXIT
BASE="http://127.0.0.1:$PORT"

counters() { # "jobs commits" from /metrics
  curl -fs "$BASE/metrics" | awk '/^stockroom_writer_jobs_total /{j=$2} /^stockroom_writer_commits_total /{c=$2} END{print j, c}'
}
SETTLE=${SETTLE:-0.5}
[ "$MODE" = callgrind ] && SETTLE=${SETTLE_CALLGRIND:-2}
settle() { # until the writer counters stop moving
  local a b
  a=$(counters); sleep "$SETTLE"; b=$(counters)
  while [ "$a" != "$b" ]; do a=$b; sleep "$SETTLE"; b=$(counters); done
  echo "$b"
}
ticks() { # utime stime of the server, in clock ticks
  awk '{ print $14, $15 }' "/proc/$PID/stat"
}
checkouts() { "$LG" --base "$BASE" --key "$KEY" --scenario checkout -c 1 -n "$1" --warmup 0s >/dev/null 2>&1; }

"$BIN" seed --db "$OUT/shop.db" "$ROOT/fixtures/demo.json" >/dev/null
case $MODE in
  callgrind) valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$OUT/cg.out" \
      "$BIN" serve --db "$OUT/shop.db" --port "$PORT" --quiet >"$OUT/server.log" 2>&1 & ;;
  *) "$BIN" serve --db "$OUT/shop.db" --port "$PORT" --quiet >"$OUT/server.log" 2>&1 & ;;
esac
PID=$!
for _ in $(seq 600); do curl -fs "$BASE/health" >/dev/null 2>&1 && break; sleep 0.1; done
checkouts 10
read -r J0 C0 < <(settle)
case $MODE in
  jobs)
    checkouts "$N"
    read -r J1 C1 < <(settle)
    awk -v j=$((J1 - J0)) -v c=$((C1 - C0)) -v n="$N" \
      'BEGIN { printf "write jobs per order %.2f, commits per order %.2f (%d orders)\n", j / n, c / n, n }'
    ;;
  callgrind)
    callgrind_control -i on "$PID" >/dev/null
    checkouts "$N"
    settle >/dev/null
    callgrind_control -i off "$PID" >/dev/null
    callgrind_control -d "$PID" >/dev/null
    total=$(cat "$OUT"/cg.out.* | awk '/^totals:/ { t += $2 } END { print t }')
    awk -v t="$total" -v n="$N" 'BEGIN { printf "instructions per order %d (%d orders)\n", t / n, n }'
    ;;
  strace)
    args=()
    for t in /proc/"$PID"/task/*; do args+=(-p "${t##*/}"); done
    strace -c -f -o "$OUT/strace.txt" "${args[@]}" 2>/dev/null &
    TRACER=$!
    sleep 1
    checkouts "$N"
    settle >/dev/null
    kill -INT "$TRACER"; wait "$TRACER" 2>/dev/null || true; TRACER=""
    awk -v n="$N" '$NF ~ /^(fsync|fdatasync|pwrite64|pread64|write|fcntl)$/ && $4 ~ /^[0-9]+$/ {
        printf "%s per order %.1f\n", $NF, $4 / n }' "$OUT/strace.txt"
    ;;
  timed)
    read -r U0 S0 < <(ticks)
    "$LG" --base "$BASE" --key "$KEY" --scenario checkout -c 8 -d "${N}s" --warmup 0s \
      --json >"$OUT/run.json"
    settle >/dev/null
    read -r U1 S1 < <(ticks)
    python3 - "$OUT/run.json" $((U1 - U0)) $((S1 - S0)) "$(getconf CLK_TCK)" <<'PY'
import json, sys
run = json.load(open(sys.argv[1]))
user, kernel, hz = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
orders = run["checkout"]["ok"]
ms = lambda t: 1000 * t / hz / orders
print(f"orders/s {run['throughput']['orders_per_s']:.1f}, server CPU per order "
      f"{ms(user + kernel):.2f} ms (user {ms(user):.2f} / kernel {ms(kernel):.2f}), {orders} orders")
PY
    ;;
esac
