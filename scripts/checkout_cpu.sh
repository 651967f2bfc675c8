#!/usr/bin/env bash
# Server cost of the 7-call checkout, one binary against another (issue 19): write jobs per
# request (`stockroom_writer_jobs_total` from /metrics around each request of one checkout),
# instructions per order under callgrind (N checkouts at one client after WARM unmeasured),
# fsync / pwrite64 per order (strace -c on every server thread, attached after the warm-up,
# the same N checkouts) and timed loadgen runs (8 clients, DURATION each, ROUNDS rounds,
# base and new alternated, server CPU per order split user / kernel, with the load average).
# Each server runs on its own fresh file store seeded from fixtures/demo.json, at the default
# synchronous=FULL; both binaries should be release builds made the same way.
#
#   BASE=/tmp/base/stockroom NEW=target/release/stockroom scripts/checkout_cpu.sh
#   PARTS="jobs callgrind strace timed" N=60 WARM=10 ROUNDS=2 DURATION=10s  (the defaults)
set -euo pipefail
cd "$(dirname "$0")/.."
BASE=${BASE:?BASE=path of the base stockroom binary}
NEW=${NEW:-target/release/stockroom}
LOADGEN=${LOADGEN:-target/release/loadgen}
PARTS=${PARTS:-jobs callgrind strace timed}
N=${N:-60}
WARM=${WARM:-10}
ROUNDS=${ROUNDS:-2}
DURATION=${DURATION:-10s}
PORT=${PORT:-9170}
KEY=pk_demo_0000000000000000000000000000000000000000000000000000000000000000
export JWT_SECRET=${JWT_SECRET:-benchmark-jwt-secret-0123456789abcdef0123}
export COOKIE_SECRET=${COOKIE_SECRET:-benchmark-cookie-secret-0123456789abcdef}
OUT=$(mktemp -d /tmp/stockroom-checkout-cpu.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$OUT"
}
trap cleanup EXIT

store() { # store BIN TAG → path of a fresh seeded store
  "$1" seed --db "$OUT/$2.db" fixtures/demo.json > /dev/null
  echo "$OUT/$2.db"
}

wait_up() { # wait_up PORT
  for _ in $(seq 600); do curl -fs "http://127.0.0.1:$1/health" > /dev/null 2>&1 && return; sleep 0.1; done
  echo "server on port $1 did not start" >&2
  exit 1
}

checkouts() { # checkouts PORT COUNT CLIENTS [LOADGEN OPTIONS…]
  local port=$1 n=$2 c=$3
  shift 3
  "$LOADGEN" --base "http://127.0.0.1:$port" --key "$KEY" --scenario checkout \
    --region-currency usd -c "$c" -n "$n" --warmup 0s "$@"
}

cpu_ticks() { # cpu_ticks PID → "utime stime" (clock ticks)
  awk '{ print $14, $15 }' "/proc/$1/stat"
}

jobs_per_request() { # jobs_per_request TAG BIN
  local tag=$1 bin=$2 port=$((PORT + 1))
  "$bin" serve --db "$(store "$bin" "jobs-$tag")" --port "$port" --quiet > /dev/null 2>&1 &
  local pid=$!
  PIDS+=("$pid")
  wait_up "$port"
  echo "== $tag: write jobs per request (one checkout after one unmeasured)"
  python3 - "http://127.0.0.1:$port" "$KEY" <<'EOF'
import json, sys, time, urllib.request
base, key = sys.argv[1], sys.argv[2]
def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    r = urllib.request.Request(base + path, data=data, method=method,
        headers={"x-publishable-api-key": key, "content-type": "application/json"})
    return json.load(urllib.request.urlopen(r))
def jobs():
    for line in urllib.request.urlopen(base + "/metrics").read().decode().splitlines():
        if line.startswith("stockroom_writer_jobs_total "):
            return int(float(line.split()[1]))
region = next(r for r in call("GET", "/store/regions")["regions"] if r["currency_code"] == "usd")["id"]
variant = call("GET", f"/store/products?limit=1&region_id={region}&fields=%2Avariants")["products"][0]["variants"][0]["id"]
address = {"address_1": "1 Main St", "city": "Austin", "country_code": "us", "postal_code": "78701"}
def quiet():
    # Waits until no write job has committed for 300 ms (the event dispatcher works after a
    # request's reply), and returns the count.
    last = jobs()
    while True:
        time.sleep(0.3)
        now = jobs()
        if now == last:
            return now
        last = now
def checkout(report):
    rows, state = [], {}
    def step(name, f):
        before = quiet()
        f()
        rows.append((name, jobs() - before, quiet() - before))
    def cart():
        state["cart"] = call("POST", "/store/carts", {"region_id": region})["cart"]["id"]
    step("create cart", cart)
    c = state["cart"]
    step("add item", lambda: call("POST", f"/store/carts/{c}/line-items", {"variant_id": variant, "quantity": 1}))
    step("update (email, address)", lambda: call("POST", f"/store/carts/{c}", {"email": "bench@example.com", "shipping_address": address}))
    def options():
        state["option"] = call("GET", f"/store/shipping-options?cart_id={c}")["shipping_options"][0]["id"]
    step("shipping options (GET)", options)
    step("shipping method", lambda: call("POST", f"/store/carts/{c}/shipping-methods", {"option_id": state["option"]}))
    def collection():
        state["pc"] = call("POST", "/store/payment-collections", {"cart_id": c})["payment_collection"]["id"]
    step("payment collection", collection)
    step("payment session", lambda: call("POST", f"/store/payment-collections/{state['pc']}/payment-sessions", {"provider_id": "pp_system_default"}))
    def complete():
        assert call("POST", f"/store/carts/{c}/complete", {})["type"] == "order"
    step("complete", complete)
    if report:
        print(f"  {'request':28} {'jobs by the reply':>18} {'jobs once quiet':>16}")
        for name, n, settled in rows:
            print(f"  {name:28} {n:>18} {settled:>16}")
        print(f"  {'per order':28} {sum(r[1] for r in rows):>18} {sum(r[2] for r in rows):>16}")
checkout(False)
checkout(True)
EOF
  kill -INT "$pid"
  wait "$pid" || true
}

callgrind() { # callgrind TAG BIN
  local tag=$1 bin=$2 port=$((PORT + 2))
  local db
  db=$(store "$bin" "cg-$tag")
  valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$OUT/cg-$tag.out" \
    "$bin" serve --db "$db" --port "$port" --quiet > /dev/null 2>&1 &
  local pid=$!
  PIDS+=("$pid")
  wait_up "$port"
  checkouts "$port" "$WARM" 1 > /dev/null
  callgrind_control -i on "$pid" > /dev/null 2>&1
  checkouts "$port" "$N" 1 > /dev/null
  callgrind_control -i off "$pid" > /dev/null 2>&1
  kill -INT "$pid"
  wait "$pid" || true
  local total
  total=$(callgrind_annotate "$OUT/cg-$tag.out" |
    awk '/PROGRAM TOTALS/ && !seen { gsub(",", "", $1); print $1; seen = 1 }')
  echo "== $tag: $((total / N)) instructions per order (callgrind, $N checkouts at one client)"
}

syscalls() { # syscalls TAG BIN
  local tag=$1 bin=$2 port=$((PORT + 3))
  "$bin" serve --db "$(store "$bin" "st-$tag")" --port "$port" --quiet > /dev/null 2>&1 &
  local pid=$!
  PIDS+=("$pid")
  wait_up "$port"
  checkouts "$port" "$WARM" 1 > /dev/null
  local attach=()
  for task in /proc/"$pid"/task/*; do attach+=(-p "${task##*/}"); done
  strace -c -f -o "$OUT/strace-$tag.txt" "${attach[@]}" 2> /dev/null &
  local tracer=$!
  sleep 1 # let strace attach to every thread
  checkouts "$port" "$N" 1 > /dev/null
  kill -INT "$tracer"
  wait "$tracer" || true
  kill -INT "$pid"
  wait "$pid" || true
  echo "== $tag: system calls per order (strace -c -f, $N checkouts at one client)"
  # Columns: % time, seconds, usecs/call, calls, [errors], syscall.
  awk -v n="$N" '$NF ~ /^(fsync|fdatasync|pwrite64|pread64|fcntl|futex|sched_yield)$/ {
      printf "  %-12s %8.1f\n", $NF, $4 / n }' "$OUT/strace-$tag.txt"
}

timed() { # timed TAG BIN ROUND
  local tag=$1 bin=$2 round=$3 port=$((PORT + 4))
  "$bin" serve --db "$(store "$bin" "t-$tag-$round")" --port "$port" --quiet > /dev/null 2>&1 &
  local pid=$!
  PIDS+=("$pid")
  wait_up "$port"
  checkouts "$port" "$WARM" 4 > /dev/null
  local load_before ticks_before ticks_after load_after
  load_before=$(cut -d' ' -f1 /proc/loadavg)
  ticks_before=$(cpu_ticks "$pid")
  "$LOADGEN" --base "http://127.0.0.1:$port" --key "$KEY" --scenario checkout \
    --region-currency usd -c 8 -d "$DURATION" --warmup 0s --json > "$OUT/t-$tag-$round.json"
  ticks_after=$(cpu_ticks "$pid")
  load_after=$(cut -d' ' -f1 /proc/loadavg)
  kill -INT "$pid"
  wait "$pid" || true
  python3 - "$OUT/t-$tag-$round.json" "$ticks_before" "$ticks_after" "$(getconf CLK_TCK)" \
    "$tag, $round" "$load_before" "$load_after" <<'EOF'
import json, sys
report = json.load(open(sys.argv[1]))
before, after = sys.argv[2].split(), sys.argv[3].split()
hz = float(sys.argv[4])
orders = report["checkout"]["ok"]
user = (int(after[0]) - int(before[0])) / hz
kernel = (int(after[1]) - int(before[1])) / hz
per = lambda s: s * 1000 / orders
print(f"| {sys.argv[5]} ({sys.argv[6]}–{sys.argv[7]}) | {report['throughput']['orders_per_s']} | "
      f"{per(user + kernel):.2f} ms | {per(user):.2f} / {per(kernel):.2f} ms |")
EOF
}

for part in $PARTS; do
  case $part in
    jobs) jobs_per_request base "$BASE"; jobs_per_request new "$NEW" ;;
    callgrind) callgrind base "$BASE"; callgrind new "$NEW" ;;
    strace) syscalls base "$BASE"; syscalls new "$NEW" ;;
    timed)
      echo "== timed: loadgen --scenario checkout -c 8 -d $DURATION (server CPU from /proc/<pid>/stat)"
      echo "| run (load average) | orders/s | server CPU per order | user / kernel |"
      echo "|---|---|---|---|"
      for round in $(seq "$ROUNDS"); do
        timed base "$BASE" "$round"
        timed new "$NEW" "$round"
      done
      ;;
    *) echo "unknown part $part" >&2; exit 2 ;;
  esac
done
