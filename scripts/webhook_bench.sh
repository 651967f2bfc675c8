#!/usr/bin/env bash
# Webhook benchmarks (BENCHMARKS.md, "Webhooks"): release build, file store, synchronous=full.
#  1. checkout throughput with 0 and with 3 webhooks subscribed to every event (same run),
#  2. delivery throughput: a backlog of dead deliveries (receiver down, one attempt each)
#     replayed in bulk with `stockroom events replay`, timed at the receiver.
# usage: scripts/webhook_bench.sh [seconds per checkout run, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-${CARGO_TARGET_DIR:-target}/release/stockroom}
LOADGEN=${LOADGEN:-${CARGO_TARGET_DIR:-target}/release/loadgen}
SECS=${1:-10}
KEY=pk_demo_0000000000000000000000000000000000000000000000000000000000000000
DIR=$(mktemp -d /tmp/stockroom-webhook-bench.XXXXXX)
PORT=$((38000 + RANDOM % 400))
RPORT=$((38500 + RANDOM % 400))
SERVER=""
RECEIVER=""
cleanup() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null || true
  [ -n "$RECEIVER" ] && kill "$RECEIVER" 2>/dev/null || true
  rm -rf "$DIR"
}
trap cleanup EXIT

start_server() { # db, extra flags...
  local db=$1; shift
  JWT_SECRET=bench-secret-0123456789abcdef0123456789abcdef COOKIE_SECRET=bench-secret-0123456789abcdef0123456789abcdef \
    "$BIN" serve --demo --db "$db" --synchronous full --port "$PORT" --quiet --webhooks-allow-loopback "$@" >/dev/null 2>&1 &
  SERVER=$!
  for _ in $(seq 1 200); do
    curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "server did not start" >&2; exit 1
}
stop_server() { kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""; }

token() {
  curl -sf "http://127.0.0.1:$PORT/auth/user/emailpass" -H 'content-type: application/json' \
    -d '{"email":"admin@example.com","password":"supersecret"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}

add_webhooks() { # n, token
  for _ in $(seq 1 "$1"); do
    curl -sf "http://127.0.0.1:$PORT/admin/webhooks" -H "authorization: Bearer $2" \
      -H 'content-type: application/json' \
      -d "{\"url\":\"http://127.0.0.1:$RPORT/hook\",\"events\":[\"*\"]}" >/dev/null
  done
}

checkout() { # label
  "$LOADGEN" --base "http://127.0.0.1:$PORT" --key "$KEY" --scenario checkout --clients 8 \
    --duration "${SECS}s" --region-currency usd --pid "$SERVER" --json |
    python3 -c "
import json,sys
r=json.load(sys.stdin)
print(json.dumps({'run': '$1', 'report': r}))"
}

python3 scripts/webhook_receiver.py "$RPORT" >"$DIR/receiver.json" &
RECEIVER=$!
sleep 0.3
for n in 0 3 0 3; do
  db="$DIR/c$n-$RANDOM.db"
  start_server "$db"
  add_webhooks "$n" "$(token)"
  checkout "webhooks=$n"
  deliveries=$(sqlite3 "$db" "SELECT count(*) || ' deliveries, ' || sum(status='succeeded') || ' succeeded' FROM event_webhook_delivery" 2>/dev/null || echo "n/a")
  echo "webhooks=$n: $deliveries at the end of the run"
  stop_server
done
kill "$RECEIVER" 2>/dev/null || true; wait "$RECEIVER" 2>/dev/null || true; RECEIVER=""

# Delivery throughput: the receiver is down, so each delivery dies after one attempt;
# then the receiver starts and the whole backlog is replayed at once.
db="$DIR/throughput.db"
start_server "$db" --webhook-max-attempts 1
add_webhooks 1 "$(token)"
checkout "backlog"
for _ in $(seq 1 600); do
  pending=$(sqlite3 "$db" "SELECT count(*) FROM event_webhook_delivery WHERE status = 'pending'")
  [ "$pending" = 0 ] && break
  sleep 0.1
done
dead=$(sqlite3 "$db" "SELECT count(*) FROM event_webhook_delivery WHERE status = 'dead'")
echo "backlog: $dead dead deliveries"
python3 scripts/webhook_receiver.py "$RPORT" "$dead" >"$DIR/receiver.json" &
RECEIVER=$!
sleep 0.3
"$BIN" events replay --db "$db"
wait "$RECEIVER" || true
RECEIVER=""
echo "delivery throughput: $(cat "$DIR/receiver.json")"
for _ in $(seq 1 100); do
  pending=$(sqlite3 "$db" "SELECT count(*) FROM event_webhook_delivery WHERE status != 'succeeded'")
  [ "$pending" = 0 ] && break
  sleep 0.1
done
echo "after the replay: $(sqlite3 "$db" "SELECT status, count(*) FROM event_webhook_delivery GROUP BY status")"
stop_server
