#!/usr/bin/env bash
# Which tables and indexes a checkout's commits write, counted from the WAL itself.
#
#   scripts/wal_pages.sh [BIN] [LOADGEN] [SECONDS]   # defaults: target/release/{stockroom,loadgen}, 4
#
# Serves the demo on a fresh file store, holds one read transaction open (so no checkpoint can
# restart the WAL and every frame of the run stays in it), runs the checkout scenario at one
# client, kills the server (-9: nothing is checkpointed on the way out), then reads each valid
# WAL frame's page number and names its b-tree through SQLite's `dbstat` (the sqlite3 CLI).
# Prints frames and commits per order and the b-trees by frames written.
set -euo pipefail
BIN=${1:-target/release/stockroom}; LOADGEN=${2:-target/release/loadgen}; SECS=${3:-4}
PORT=${PORT:-9187}; KEY=pk_demo_0000000000000000000000000000000000000000000000000000000000000000
export JWT_SECRET=${JWT_SECRET:-benchmark-jwt-secret-0123456789abcdef0123}
export COOKIE_SECRET=${COOKIE_SECRET:-benchmark-cookie-secret-0123456789abcdef}
DIR=$(mktemp -d /tmp/stockroom-wal.XXXXXX); trap 'rm -rf "$DIR"' EXIT
"$BIN" serve --demo --db "$DIR/s.db" --port "$PORT" --quiet > /dev/null 2>&1 & PID=$!
for _ in $(seq 200); do curl -fs "http://127.0.0.1:$PORT/health/ready" > /dev/null 2>&1 && break; sleep 0.05; done
(echo "BEGIN; SELECT count(*) FROM sqlite_schema;"; sleep $((SECS + 3)); echo "COMMIT;") | sqlite3 "$DIR/s.db" > /dev/null & READER=$!
sleep 0.5
"$LOADGEN" --base "http://127.0.0.1:$PORT" --key "$KEY" --scenario checkout -c 1 -d "${SECS}s" --warmup 0s --json > "$DIR/lg.json" 2> /dev/null || true
kill -9 "$PID"; wait "$PID" 2> /dev/null || true
# Copy before the reader ends: the last connection to close checkpoints and deletes the WAL.
cp "$DIR/s.db" "$DIR/c.db"; cp "$DIR/s.db-wal" "$DIR/c.db-wal"
wait "$READER" 2> /dev/null || true
python3 - "$DIR" <<'PY'
import collections, json, struct, subprocess, sys
d = sys.argv[1]
orders = json.load(open(f"{d}/lg.json"))["checkout"]["ok"]
wal = open(f"{d}/c.db-wal", "rb").read()
_, _, psz, _, salt1, salt2, _, _ = struct.unpack(">IIIIIIII", wal[:32])
frames, off = [], 32
while off + 24 + psz <= len(wal):
    page, commit, s1, s2 = struct.unpack(">IIII", wal[off:off + 16])
    if (s1, s2) != (salt1, salt2):
        break
    frames.append((page, commit))
    off += 24 + psz
out = subprocess.run(["sqlite3", f"{d}/c.db", "SELECT pageno, name FROM dbstat"],
                     capture_output=True, text=True, check=True).stdout
name = dict((int(p), n) for p, n in (l.split("|", 1) for l in out.splitlines() if "|" in l))
commits = sum(1 for _, c in frames if c)
print(f"{orders} orders, {len(frames)} frames ({len(frames) / max(orders, 1):.1f} per order), "
      f"{commits} commits ({commits / max(orders, 1):.2f} per order)")
by = collections.Counter(name.get(p, "(freelist or other)") for p, _ in frames)
for n, c in by.most_common(25):
    print(f"{c / max(orders, 1):7.2f} per order  {100 * c / len(frames):5.1f} %  {n}")
PY
