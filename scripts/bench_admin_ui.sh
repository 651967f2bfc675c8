#!/usr/bin/env bash
# Server time of the admin UI's main pages (BENCHMARKS.md "Admin UI pages"): signs in through
# the form like a browser, requests each page N times one after another, and reads the
# server's own time per request from its access log (`GET /app/orders 200 1234us`: from
# the request taken to the answer written, without the client or the network). Prints p50 and
# p95 per page.
#
#   scripts/bench_admin_ui.sh                      # the demo store (in memory)
#   scripts/bench_admin_ui.sh --db /tmp/big.db     # a file store, e.g. from gen_orders
#   N=300 STOCKROOM_BIN=target/release/stockroom scripts/bench_admin_ui.sh
#
# The server listens on 127.0.0.1 and is stopped at the end; nothing is written elsewhere.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${STOCKROOM_BIN:-target/release/stockroom}
N=${N:-200}
PORT=${PORT:-9151}
OUT=$(mktemp -d /tmp/stockroom-ui-bench.XXXXXX)
BASE="http://127.0.0.1:$PORT"
export JWT_SECRET=${JWT_SECRET:-benchmark-jwt-secret-0123456789abcdef0123}
export COOKIE_SECRET=${COOKIE_SECRET:-benchmark-cookie-secret-0123456789abcdef}
EMAIL=${ADMIN_EMAIL:-admin@example.com}
PASSWORD=${ADMIN_PASSWORD:-supersecret}
SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true; rm -rf "$OUT"; }
trap cleanup EXIT

if [ "${1:-}" = "--db" ]; then
  ARGS=(serve --db "$2" --port "$PORT")
else
  ARGS=(serve --demo --port "$PORT")
fi
timeout 900 "$BIN" "${ARGS[@]}" > "$OUT/out.log" 2> "$OUT/access.log" &
SERVER_PID=$!
for _ in $(seq 600); do curl -fs "$BASE/health" >/dev/null 2>&1 && break; sleep 0.05; done

JAR="$OUT/cookies"
token=$(curl -fs -c "$JAR" -b "$JAR" "$BASE/app/sign-in" | grep -o 'name="_signin" value="[^"]*"' | cut -d'"' -f4)
status=$(curl -s -o /dev/null -w '%{http_code}' -c "$JAR" -b "$JAR" \
  --data-urlencode "_signin=$token" --data-urlencode "email=$EMAIL" \
  --data-urlencode "password=$PASSWORD" --data-urlencode "next=/app" "$BASE/app/sign-in")
[ "$status" = 303 ] || { echo "sign-in failed: $status" >&2; exit 1; }

ORDER=$(curl -fs -b "$JAR" "$BASE/app/orders" | grep -o '/app/orders/order_[A-Z0-9]*' | head -1 || true)
PRODUCT=$(curl -fs -b "$JAR" "$BASE/app/products" | grep -o '/app/products/prod_[A-Z0-9]*' | head -1 || true)
PAGES=(/app /app/orders "/app/orders?q=%2342" /app/products "/app/products?sort=title&page=3" /app/customers
  "/app/customers?order=email" /app/inventory "/app/inventory?order=-sku" "/app/promotions?order=code"
  "/app/campaigns?order=name" /app/customer-groups /app/draft-orders /app/settings)
[ -n "$ORDER" ] && PAGES+=("$ORDER")
[ -n "$PRODUCT" ] && PAGES+=("$PRODUCT")

for page in "${PAGES[@]}"; do
  curl -fs -o /dev/null -b "$JAR" "$BASE$page"   # warm-up, not counted
  before=$(wc -l < "$OUT/access.log")
  for _ in $(seq "$N"); do curl -fs -o /dev/null -b "$JAR" "$BASE$page"; done
  sleep 0.2
  path=${page%%\?*}
  tail -n +"$((before + 1))" "$OUT/access.log" | grep -E "^GET $path 200 [0-9]+us$" | awk '{print $4}' | tr -d 'us' | sort -n > "$OUT/times"
  count=$(wc -l < "$OUT/times")
  p50=$(awk -v n="$count" 'NR==int(n*0.50+0.5){printf "%.2f", $1/1000}' "$OUT/times")
  p95=$(awk -v n="$count" 'NR==int(n*0.95+0.5){printf "%.2f", $1/1000}' "$OUT/times")
  rows=$(curl -fs -b "$JAR" "$BASE$page" | tr '<' '\n' | grep -c '^tr>' || true)
  printf '%-40s n=%-4s p50 %6s ms  p95 %6s ms  (%s table rows)\n' "$page" "$count" "$p50" "$p95" "$rows"
done
