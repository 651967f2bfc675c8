#!/usr/bin/env bash
# Server time of the till's hot paths (BENCHMARKS.md "Point of sale"), read from the server's
# own access log (request taken → answer written; no client, no network):
#   * lookup      GET  /admin/pos/lookup?code=<SKU>         (a scan's variant and price)
#   * scan-to-line POST /admin/pos/sessions/:id/basket add   (the line added, cart refreshed)
#   * sale        POST /admin/pos/sessions/:id/sale           (cash tender → order paid,
#                                                               fulfilled, delivered)
#
#   scripts/bench_pos.sh                     # the demo store (in memory)
#   scripts/bench_pos.sh --db /tmp/10k.db    # a file store (e.g. gen_catalog 10000 seeded);
#                                            # lookups only when its variants have no stock
#
# The server listens on 127.0.0.1 and is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${STOCKROOM_BIN:-target/release/stockroom}
N=${N:-200}
SALES=${SALES:-50}
PORT=${PORT:-38151}
OUT=$(mktemp -d /tmp/stockroom-pos-bench.XXXXXX)
BASE="http://127.0.0.1:$PORT"
export JWT_SECRET=${JWT_SECRET:-benchmark-jwt-secret-0123456789abcdef0123}
export COOKIE_SECRET=${COOKIE_SECRET:-benchmark-cookie-secret-0123456789abcdef}
EMAIL=${ADMIN_EMAIL:-admin@example.com}
PASSWORD=${ADMIN_PASSWORD:-supersecret}
SKU=${SKU:-CLASSIC-T-SHIRT-S-WHITE}
SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true; rm -rf "$OUT"; }
trap cleanup EXIT

if [ "${1:-}" = "--db" ]; then ARGS=(serve --db "$2" --port "$PORT"); else ARGS=(serve --demo --port "$PORT"); fi
timeout 900 "$BIN" "${ARGS[@]}" > "$OUT/out.log" 2>> "$OUT/access.log" &
SERVER_PID=$!
for _ in $(seq 600); do curl -fs "$BASE/health" >/dev/null 2>&1 && break; sleep 0.05; done

TOKEN=$(curl -fs -H 'content-type: application/json' -d "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}" \
  "$BASE/auth/user/emailpass" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
call() { curl -fs -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' "$@"; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

LOCATION=$(call "$BASE/admin/stock-locations" | json 'd["stock_locations"][0]["id"] if d["stock_locations"] else ""')
if [ -z "$LOCATION" ]; then
  LOCATION=$(call -d '{"name":"Shop","address":{"address_1":"1 Main St","country_code":"us"}}' \
    "$BASE/admin/stock-locations" | json 'd["stock_location"]["id"]')
fi
REGISTER=$(call -d "{\"code\":\"B1\",\"name\":\"Bench till\",\"stock_location_id\":\"$LOCATION\"}" \
  "$BASE/admin/pos/registers" | json 'd["register"]["id"]')
SESSION=$(call -d '{"opening_float": 100}' "$BASE/admin/pos/registers/$REGISTER/sessions" | json 'd["session"]["id"]')
VARIANT=$(call "$BASE/admin/pos/lookup?code=$SKU&register_id=$REGISTER" | json 'd["variant"]["variant_id"]')

# p50 / p95 of the server times (µs) of the access-log lines read on stdin.
report() {
  awk '{print $4}' | tr -d 'us' | sort -n > "$OUT/times"
  count=$(wc -l < "$OUT/times")
  p50=$(awk -v n="$count" 'NR==int(n*0.50+0.5){printf "%.2f", $1/1000}' "$OUT/times")
  p95=$(awk -v n="$count" 'NR==int(n*0.95+0.5){printf "%.2f", $1/1000}' "$OUT/times")
  printf '%-14s n=%-4s p50 %6s ms  p95 %6s ms\n' "$1" "$count" "$p50" "$p95"
}
settle() { sleep 0.2; }

call -o /dev/null "$BASE/admin/pos/lookup?code=$SKU&register_id=$REGISTER"   # warm-up
for _ in $(seq "$N"); do call -o /dev/null "$BASE/admin/pos/lookup?code=$SKU&register_id=$REGISTER"; done
settle
grep -aE "^GET /admin/pos/lookup 200 [0-9]+us$" "$OUT/access.log" | tail -n "$N" | report lookup

if [ "${LOOKUP_ONLY:-0}" = 1 ]; then exit 0; fi
ADD="{\"action\":\"add\",\"variant_id\":\"$VARIANT\",\"quantity\":1}"
for _ in $(seq "$N"); do
  call -o /dev/null -d "$ADD" "$BASE/admin/pos/sessions/$SESSION/basket"
  call -o /dev/null -d '{"action":"clear"}' "$BASE/admin/pos/sessions/$SESSION/basket"
done
settle
# Adds and clears answer on the same path, one after the other: every other line is an add.
grep -aE "^POST /admin/pos/sessions/[^ ]*/basket 200 [0-9]+us$" "$OUT/access.log" | awk 'NR % 2 == 1' | report scan-to-line

for _ in $(seq "$SALES"); do
  call -o /dev/null -d "$ADD" "$BASE/admin/pos/sessions/$SESSION/basket"
  call -o /dev/null -d '{"tenders":[{"kind":"cash","tendered":1000}]}' "$BASE/admin/pos/sessions/$SESSION/sale"
done
settle
grep -aE "^POST /admin/pos/sessions/[^ ]*/sale 200 [0-9]+us$" "$OUT/access.log" | report sale
