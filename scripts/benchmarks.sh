#!/usr/bin/env bash
# Regenerates the measured tables of BENCHMARKS.md (between the `generated` markers) in one
# command: the SQLite ceiling, the journal overhead, cold start and reset, the load generator's
# own ceiling, product listing at 1k and 10k products (100k with FULL=1), the 7-call checkout
# with 1 and 8 clients — and the same requests against the real Medusa when its peer is up
# (shared/peers/medusa: ./setup.sh && ./start.sh), with the ratios.
#
#   scripts/benchmarks.sh            # ~4 minutes
#   FULL=1 scripts/benchmarks.sh     # adds the 100k-product catalog (~10 minutes more)
#
# Every server listens on 127.0.0.1 and is stopped at the end. Nothing else is written.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=$(mktemp -d /tmp/stockroom-bench.XXXXXX)
PORT=${PORT:-9140}
KEY=pk_demo_0000000000000000000000000000000000000000000000000000000000000000
export JWT_SECRET=${JWT_SECRET:-benchmark-jwt-secret-0123456789abcdef0123}
export COOKIE_SECRET=${COOKIE_SECRET:-benchmark-cookie-secret-0123456789abcdef}
SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true; }
trap cleanup EXIT

cargo build --release --bins --examples 2>&1 | tail -1
LOADGEN=target/release/loadgen
STOCKROOM=target/release/stockroom

serve_db() { # serve_db DB → starts the server, sets SERVER_PID
  cleanup
  "$STOCKROOM" serve --db "$1" --port "$PORT" --quiet > "$OUT/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 200); do curl -fs "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && return; sleep 0.05; done
  echo "server did not start" >&2; exit 1
}

seeded_db() { # seeded_db NAME FIXTURE → path of a fresh file store seeded from FIXTURE
  local db="$OUT/$1.db"
  "$STOCKROOM" seed --db "$db" "$2" > /dev/null
  echo "$db"
}

listing() { # listing TAG BASE KEY PID
  "$LOADGEN" --base "$2" --key "$3" --path '/store/products?limit=20&region_id={region}' -c 1 -d 5s --warmup 1s --pid "$4" --json > "$OUT/$1-list-c1.json"
  "$LOADGEN" --base "$2" --key "$3" --path '/store/products?limit=20&region_id={region}' -c 16 -d 10s --warmup 2s --pid "$4" --json > "$OUT/$1-list-c16.json"
}

checkout() { # checkout TAG BASE KEY PID
  "$LOADGEN" --base "$2" --key "$3" --scenario checkout -c 1 -d 10s --warmup 2s --pid "$4" --json > "$OUT/$1-checkout-c1.json" || true
  "$LOADGEN" --base "$2" --key "$3" --scenario checkout -c 8 -d 15s --warmup 3s --pid "$4" --json > "$OUT/$1-checkout-c8.json" || true
}

echo "== benches"
cargo bench --bench ceiling 2>/dev/null | grep -E "tx/s" > "$OUT/ceiling.txt"
cargo bench --bench journal -- --runs 1000 2>/dev/null | grep -E "µs" > "$OUT/journal.txt"
cargo bench --bench cold_start 2>/dev/null | grep -E "ms" > "$OUT/cold_start.txt"
"$LOADGEN" --self-test --clients 1 --duration 3s --json > "$OUT/selftest-c1.json"
"$LOADGEN" --self-test --clients 4 --duration 3s --json > "$OUT/selftest-c4.json"

SIZES="1000 10000"
[ "${FULL:-0}" = 1 ] && SIZES="$SIZES 100000"
for n in $SIZES; do
  echo "== catalog $n"
  target/release/examples/gen_catalog "$n" > "$OUT/catalog-$n.json"
  db=$(seeded_db "catalog-$n" "$OUT/catalog-$n.json")
  serve_db "$db"
  listing "sr-$n" "http://127.0.0.1:$PORT" "$KEY" "$SERVER_PID"
done

echo "== checkout (demo store, file, synchronous=FULL)"
db=$(seeded_db demo fixtures/demo.json)
serve_db "$db"
checkout sr "http://127.0.0.1:$PORT" "$KEY" "$SERVER_PID"
cleanup; SERVER_PID=""

READY=/tmp/medusa-peer/READY
if [ -f "$READY" ]; then
  echo "== medusa"
  set -a; . "$READY"; set +a
  MPID=$(cat /tmp/medusa-peer/medusa.pid)
  listing md "$MEDUSA_URL" "$PUBLISHABLE_KEY" "$MPID"
  checkout md "$MEDUSA_URL" "$PUBLISHABLE_KEY" "$MPID"
fi

python3 scripts/benchmarks_report.py "$OUT" BENCHMARKS.md
echo "raw results in $OUT"
