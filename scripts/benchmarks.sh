#!/usr/bin/env bash
# Regenerates the measured tables of BENCHMARKS.md (between the `generated` markers) in one
# command: the SQLite ceiling, the journal overhead, cold start and reset, the load generator's
# own ceiling, product listing at 1k and 10k products (100k with FULL=1), the 7-call checkout
# with 1 and 8 clients, order history growth (0, 10k and 100k orders; 1M with FULL=1) — and
# the same requests against the real Medusa when its peer is up (shared/peers/medusa:
# ./setup.sh && ./start.sh), with the ratios.
#
#   scripts/benchmarks.sh                 # ~7 minutes
#   FULL=1 scripts/benchmarks.sh          # adds the 100k-product catalog and the 1M-order
#                                         # history (~20 minutes more, 15 GB of /tmp for a while)
#   HISTORY_ONLY=1 scripts/benchmarks.sh  # only the order history growth; prints its table
#                                         # instead of rewriting BENCHMARKS.md
#   HISTORY_SIZES="0 1000000" HISTORY_ONLY=1 scripts/benchmarks.sh   # chosen history sizes
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

token() { # token BASE ACTOR EMAIL → a bearer token (password: supersecret)
  curl -fs -X POST "$1/auth/$2/emailpass" -H 'content-type: application/json' \
    -d "{\"email\":\"$3\",\"password\":\"supersecret\"}" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])'
}

field() { # field FILE KEY → a top-level value of a JSON file
  python3 -c 'import json, sys; v = json.load(open(sys.argv[1])).get(sys.argv[2]); print("" if v is None else v)' "$1" "$2"
}

reads() { # reads TAG BASE PID PATH [LOADGEN OPTIONS…] → TAG-c1.json, TAG-c8.json
  local tag=$1 base=$2 pid=$3 path=$4; shift 4
  "$LOADGEN" --base "$base" --key "$KEY" --path "$path" "$@" -c 1 -d 5s --warmup 1s --pid "$pid" --json > "$OUT/$tag-c1.json" || true
  "$LOADGEN" --base "$base" --key "$KEY" --path "$path" "$@" -c 8 -d 5s --warmup 1s --pid "$pid" --json > "$OUT/$tag-c8.json" || true
}

history_size() { # history_size N → a file store with N historical orders, measured
  local n=$1 db="$OUT/history-$1.db" base="http://127.0.0.1:$PORT" admin customer
  target/release/examples/gen_orders --db "$db" --orders "$n" > "$OUT/hist-$n-gen.json"
  serve_db "$db"
  admin=$(token "$base" user admin@example.com)
  customer=$(token "$base" customer "$(field "$OUT/hist-$n-gen.json" top_customer)")
  reads "hist-$n-admin-list" "$base" "$SERVER_PID" '/admin/orders?limit=20' -H "authorization: Bearer $admin"
  reads "hist-$n-store-orders" "$base" "$SERVER_PID" '/store/orders?limit=10' -H "authorization: Bearer $customer"
  local order
  order=$(python3 -c 'import json, sys; ids = json.load(open(sys.argv[1]))["real_order_ids"]; print(ids[0][1] if ids else "")' "$OUT/hist-$n-gen.json")
  [ -n "$order" ] && reads "hist-$n-order" "$base" "$SERVER_PID" "/admin/orders/$order" -H "authorization: Bearer $admin"
  checkout "hist-$n" "$base" "$KEY" "$SERVER_PID"
  grep VmRSS "/proc/$SERVER_PID/status" | awk '{print $2}' > "$OUT/hist-$n-rss-end.txt"
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
  stat -c %s "$db" > "$OUT/hist-$n-db-bytes-end.txt"
  rm -f "$db" "$db-wal" "$db-shm"
}

HISTORY_SIZES=${HISTORY_SIZES:-0 10000 100000}
[ "${FULL:-0}" = 1 ] && HISTORY_SIZES="$HISTORY_SIZES 1000000"
if [ "${HISTORY_ONLY:-0}" = 1 ]; then
  for n in $HISTORY_SIZES; do echo "== order history $n"; history_size "$n"; done
  python3 scripts/benchmarks_report.py --history "$OUT"
  echo "raw results in $OUT"
  exit 0
fi

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

for n in $HISTORY_SIZES; do
  echo "== order history $n (file, synchronous=FULL)"
  history_size "$n"
done

READY=/tmp/medusa-peer/READY
if [ -f "$READY" ]; then
  echo "== medusa"
  set -a; . "$READY"; set +a
  MPID=$(cat /tmp/medusa-peer/medusa.pid)
  listing md "$MEDUSA_URL" "$PUBLISHABLE_KEY" "$MPID"
  checkout md "$MEDUSA_URL" "$PUBLISHABLE_KEY" "$MPID"
fi

# Printed, not tabulated (BENCHMARKS.md, "First requests after a start" and "Password
# hashing memory"): fresh starts with sequential and concurrent clients; RSS around logins.
echo "== first requests after a start"
python3 scripts/first_requests.py "$STOCKROOM" 4 | tee "$OUT/first-requests.txt"
echo "== password hashing memory"
python3 scripts/hash_memory.py "$STOCKROOM" | tee "$OUT/hash-memory.txt"

python3 scripts/benchmarks_report.py "$OUT" BENCHMARKS.md
echo "raw results in $OUT"
