#!/usr/bin/env bash
# Listing with customer-group prices against the guest listing (issue 14's target: within 10%).
# Serves the demo from a file store, signs in the demo's VIP member (vera@example.com, whose
# group has the "VIP prices" list), then alternates guest and member runs of
# `/store/products?limit=20&region_id={region}&fields=*variants.calculated_price` (ROUNDS
# rounds, 8 clients, 5 s each) and prints requests/s and server CPU per request for both, and
# the member/guest ratios. Alternating keeps the two in the same conditions.
#
#   scripts/group_listing.sh            # ~1 minute after the release build
#   CALLGRIND=1 scripts/group_listing.sh   # also instructions per request under callgrind
#                                          # (repeatable whatever else the machine does)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=$(mktemp -d /tmp/stockroom-groups.XXXXXX)
PORT=${PORT:-9150}
ROUNDS=${ROUNDS:-3}
KEY=pk_demo_0000000000000000000000000000000000000000000000000000000000000000
BASE="http://127.0.0.1:$PORT"
export JWT_SECRET=${JWT_SECRET:-benchmark-jwt-secret-0123456789abcdef0123}
export COOKIE_SECRET=${COOKIE_SECRET:-benchmark-cookie-secret-0123456789abcdef}
SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true; rm -rf "$OUT"; }
trap cleanup EXIT

cargo build --release --bins 2>&1 | tail -1
target/release/stockroom seed --db "$OUT/demo.db" fixtures/demo.json > /dev/null
target/release/stockroom serve --db "$OUT/demo.db" --port "$PORT" --quiet > "$OUT/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 200); do curl -fs "$BASE/health" > /dev/null 2>&1 && break; sleep 0.05; done

TOKEN=$(curl -fs -X POST "$BASE/auth/customer/emailpass" -H 'content-type: application/json' \
  -d '{"email":"vera@example.com","password":"vipsecret"}' |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')
LISTING='/store/products?limit=20&region_id={region}&fields=*variants.calculated_price'

run() { # run TAG [LOADGEN OPTIONS…]
  local tag=$1; shift
  target/release/loadgen --base "$BASE" --key "$KEY" --path "$LISTING" "$@" -c 8 -d 5s \
    --warmup 1s --pid "$SERVER_PID" --json > "$OUT/$tag.json"
}

for round in $(seq "$ROUNDS"); do
  run "guest-$round"
  run "member-$round" -H "authorization: Bearer $TOKEN"
done

# Instructions per request: the server under callgrind, instrumentation on only while N
# requests (no warm-up) run; the same binary and store for both.
callgrind() { # callgrind TAG PORT [LOADGEN OPTIONS…] → prints instructions per request
  local tag=$1 port=$2 n=${N:-300}; shift 2
  valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$OUT/cg-$tag.out" \
    target/release/stockroom serve --db "$OUT/demo.db" --port "$port" --quiet > /dev/null 2>&1 &
  local pid=$!
  for _ in $(seq 300); do curl -fs "http://127.0.0.1:$port/health" > /dev/null 2>&1 && break; sleep 0.1; done
  target/release/loadgen --base "http://127.0.0.1:$port" --key "$KEY" --path "$LISTING" "$@" \
    -c 1 -n 20 --warmup 0s > /dev/null
  callgrind_control -i on "$pid" > /dev/null 2>&1
  target/release/loadgen --base "http://127.0.0.1:$port" --key "$KEY" --path "$LISTING" "$@" \
    -c 1 -n "$n" --warmup 0s > /dev/null
  callgrind_control -i off "$pid" > /dev/null 2>&1
  kill -INT "$pid"; wait "$pid" || true
  local total
  total=$(callgrind_annotate "$OUT/cg-$tag.out" |
    awk '/PROGRAM TOTALS/ && !seen { gsub(",", "", $1); print $1; seen = 1 }')
  echo "$tag: $((total / n)) instructions per request"
}
if [ -n "${CALLGRIND:-}" ]; then
  callgrind guest $((PORT + 1))
  callgrind member $((PORT + 2)) -H "authorization: Bearer $TOKEN"
fi

python3 - "$OUT" "$ROUNDS" <<'EOF'
import json, sys
out, rounds = sys.argv[1], int(sys.argv[2])
def load(tag):
    runs = [json.load(open(f"{out}/{tag}-{r}.json")) for r in range(1, rounds + 1)]
    rps = sum(r["throughput"]["ok_requests_per_s"] for r in runs) / rounds
    cpu = sum(r["server"]["cpu_s"] for r in runs)
    reqs = sum(r["requests"]["ok"] for r in runs)
    return rps, cpu * 1e6 / reqs
g, m = load("guest"), load("member")
print(f"guest:  {g[0]:8.1f} req/s  {g[1]:6.1f} µs server CPU per request")
print(f"member: {m[0]:8.1f} req/s  {m[1]:6.1f} µs server CPU per request")
print(f"member/guest: throughput {m[0] / g[0]:.3f}, CPU per request {m[1] / g[1]:.3f}")
EOF
