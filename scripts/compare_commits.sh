#!/usr/bin/env bash
# Same-run comparison of two commits: product listing (16 clients) and the 7-call checkout
# (8 clients) against a file store seeded from the demo fixture, with each commit's release
# binary, interleaved (base, head, base, head) so that machine drift hits both alike. Prints a
# Markdown table for BENCHMARKS.md.
#
#   scripts/compare_commits.sh [BASE [HEAD]]     # defaults: HEAD~1 and HEAD; ~6 minutes
#
# Both commits are built from detached worktrees under /tmp (release, one shared target dir);
# the head's load generator drives both servers. Servers listen on 127.0.0.1 and are stopped.
set -euo pipefail
cd "$(dirname "$0")/.."
BASE=$(git rev-parse --short "${1:-HEAD~1}")
HEAD_REV=$(git rev-parse --short "${2:-HEAD}")
ROUNDS=${ROUNDS:-2}
PORT=${PORT:-9150}
KEY=pk_demo_0000000000000000000000000000000000000000000000000000000000000000
OUT=$(mktemp -d /tmp/stockroom-compare.XXXXXX)
TARGET=${COMPARE_TARGET:-/tmp/stockroom-compare-target}
export JWT_SECRET=${JWT_SECRET:-benchmark-jwt-secret-0123456789abcdef0123}
export COOKIE_SECRET=${COOKIE_SECRET:-benchmark-cookie-secret-0123456789abcdef}
SERVER_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
  for rev in "$BASE" "$HEAD_REV"; do git worktree remove --force "$OUT/src-$rev" 2>/dev/null || true; done
}
trap cleanup EXIT

build() { # build REV → $OUT/REV-stockroom, $OUT/REV-loadgen
  git worktree add --detach -q "$OUT/src-$1" "$1"
  (cd "$OUT/src-$1" && CARGO_TARGET_DIR=$TARGET cargo build -q --release --bins)
  cp "$TARGET/release/stockroom" "$OUT/$1-stockroom"
  cp "$TARGET/release/loadgen" "$OUT/$1-loadgen"
}

serve() { # serve REV DB → starts REV's server on DB, sets SERVER_PID
  "$OUT/$1-stockroom" serve --db "$2" --port "$PORT" --quiet > "$OUT/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 200); do curl -fs "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && return; sleep 0.05; done
  echo "server of $1 did not start" >&2; exit 1
}

measure() { # measure REV ROUND
  local db="$OUT/$1-$2.db" base="http://127.0.0.1:$PORT" lg="$OUT/$HEAD_REV-loadgen"
  # Each commit seeds its own demo fixture (the fixture format grows with the code).
  "$OUT/$1-stockroom" seed --db "$db" "$OUT/src-$1/fixtures/demo.json" > /dev/null
  serve "$1" "$db"
  "$lg" --base "$base" --key "$KEY" --path '/store/products?limit=20&region_id={region}' \
    -c 16 -d 10s --warmup 2s --pid "$SERVER_PID" --json > "$OUT/$1-$2-list.json"
  "$lg" --base "$base" --key "$KEY" --scenario checkout \
    -c 8 -d 15s --warmup 3s --pid "$SERVER_PID" --json > "$OUT/$1-$2-checkout.json"
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
}

build "$BASE"
build "$HEAD_REV"
for round in $(seq "$ROUNDS"); do
  measure "$BASE" "$round"
  measure "$HEAD_REV" "$round"
done
python3 - "$OUT" "$BASE" "$HEAD_REV" "$ROUNDS" <<'EOF'
import json, sys
out, base, head, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
def load(rev, r, kind):
    return json.load(open(f"{out}/{rev}-{r}-{kind}.json"))
def row(rev):
    cells = []
    for r in range(1, rounds + 1):
        l, c = load(rev, r, "list"), load(rev, r, "checkout")
        cpu = c["server"]["cpu_s"]; orders = c["checkout"]["ok"]
        cells.append((l["throughput"]["ok_requests_per_s"], l["requests"]["latency_us"]["p99"] / 1000,
                      c["throughput"]["orders_per_s"], c["checkout"]["latency_us"]["p99"] / 1000,
                      1000 * cpu / orders if orders else float("nan")))
    return cells
print(f"| commit | round | listing req/s (c16) | listing p99 ms | checkout orders/s (c8) | checkout p99 ms | server CPU ms/order |")
print("|---|---|---|---|---|---|---|")
for rev in (base, head):
    for r, (lr, lp, co, cp, cpu) in enumerate(row(rev), 1):
        print(f"| {rev} | {r} | {lr:.0f} | {lp:.2f} | {co:.1f} | {cp:.1f} | {cpu:.2f} |")
def mean(rev, i):
    v = [c[i] for c in row(rev)]; return sum(v) / len(v)
print()
print(f"head/base: listing {mean(head,0)/mean(base,0):.3f}, checkout {mean(head,2)/mean(base,2):.3f}, "
      f"CPU per order {mean(head,4)/mean(base,4):.3f}")
EOF
