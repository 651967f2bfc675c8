#!/usr/bin/env bash
# Server memory under the checkout load (issue 19 goal 5): what RSS consists of at start, after
# a c8 checkout load and late in a c4 soak, and how it moves over the soak.
#
#   scripts/memory.sh breakdown [BIN]         start / after LOAD (c8) breakdown, glibc arenas
#   scripts/memory.sh soak [BIN]              RSS every 30 s over SOAK (c4), then a breakdown
#   BIN defaults to target/release/stockroom; LOADGEN=target/release/loadgen, LOAD=8s,
#   SOAK=600s, PORT=9180. Each run serves a fresh `serve --demo --db FILE` store at the default
#   synchronous=FULL. glibc's malloc_stats() is read through gdb (the process pauses briefly).
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=${1:?usage: scripts/memory.sh breakdown|soak [BIN]}
BIN=${2:-target/release/stockroom}
LOADGEN=${LOADGEN:-target/release/loadgen}
LOAD=${LOAD:-8s}
SOAK=${SOAK:-600s}
PORT=${PORT:-9180}
KEY=pk_demo_0000000000000000000000000000000000000000000000000000000000000000
OUT=$(mktemp -d /tmp/stockroom-memory.XXXXXX)
PID=
cleanup() {
  [ -n "$PID" ] && kill "$PID" 2> /dev/null || true
  rm -rf "$OUT"
}
trap cleanup EXIT

"$BIN" serve --demo --db "$OUT/store.db" --port "$PORT" > "$OUT/server.log" 2>&1 &
PID=$!
for _ in $(seq 600); do
  curl -fs "http://127.0.0.1:$PORT/health/ready" > /dev/null 2>&1 && break
  sleep 0.1
done

breakdown() { # breakdown LABEL
  echo "== $1 (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  : > "$OUT/server.log"
  gdb -p "$PID" -batch -ex 'call (void) malloc_stats()' > /dev/null 2>&1 || true
  python3 scripts/memory_breakdown.py "$PID" --malloc-stats "$OUT/server.log"
  curl -fs "http://127.0.0.1:$PORT/metrics" | grep -E '^stockroom_sqlite' || true
}

checkout() { # checkout CLIENTS DURATION
  "$LOADGEN" --base "http://127.0.0.1:$PORT" --key "$KEY" --scenario checkout \
    --region-currency usd -c "$1" -d "$2" --warmup 0s --pid "$PID"
}

rss() { awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$PID/status"; }

case $MODE in
  breakdown)
    breakdown "at start"
    checkout 8 "$LOAD" | grep -E "orders|RSS|CPU" || true
    breakdown "after checkout -c 8 -d $LOAD"
    ;;
  soak)
    echo "== soak: checkout -c 4 -d $SOAK, RSS (MiB) every 30 s"
    checkout 4 "$SOAK" > "$OUT/soak.txt" &
    load=$!
    echo "0 s: $(rss)"
    elapsed=0
    while kill -0 "$load" 2> /dev/null; do
      sleep 30
      elapsed=$((elapsed + 30))
      kill -0 "$load" 2> /dev/null && echo "$elapsed s: $(rss) (load $(cut -d' ' -f1 /proc/loadavg))"
    done
    wait "$load" || true
    grep -E "orders|RSS|CPU|errors" "$OUT/soak.txt" || cat "$OUT/soak.txt"
    breakdown "after the soak"
    ;;
  *) echo "unknown mode $MODE" >&2; exit 2 ;;
esac
