#!/usr/bin/env python3
# Holds 5,000 idle connections to a fresh server (release binary BIN, seeded demo store) and
# prints the server's threads and RSS before and after, and how long GET /health takes meanwhile.
#   scripts/idle_connections.py target/release/stockroom LABEL
import socket, sys, time, subprocess, os, urllib.request
bin_, label, cap = sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None
db = f"/tmp/conns-{label}.db"
for ext in ("", "-wal", "-shm"):
    try: os.remove(db + ext)
    except FileNotFoundError: pass
env = dict(os.environ, JWT_SECRET="benchmark-jwt-secret-0123456789abcdef0123", COOKIE_SECRET="benchmark-cookie-secret-0123456789abcdef")
subprocess.run([bin_, "seed", "--db", db, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "demo.json")], env=env, check=True, stdout=subprocess.DEVNULL)
args = [bin_, "serve", "--db", db, "--port", "9188", "--quiet"]
p = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
for _ in range(200):
    try:
        urllib.request.urlopen("http://127.0.0.1:9188/health", timeout=1); break
    except Exception: time.sleep(0.05)
def status():
    d = dict(l.split(":", 1) for l in open(f"/proc/{p.pid}/status"))
    return int(d["Threads"]), int(d["VmRSS"].split()[0]) // 1024
t0, r0 = status()
socks = []
deadline = time.time() + 15
pending = 0
for i in range(5000):
    s = socket.socket()
    if time.time() < deadline:
        s.settimeout(0.05)
        try: s.connect(("127.0.0.1", 9188))
        except OSError: pending += 1
    else:
        s.setblocking(False); s.connect_ex(("127.0.0.1", 9188)); pending += 1
    socks.append(s)
time.sleep(3)
t1, r1 = status()
start = time.time()
try:
    urllib.request.urlopen("http://127.0.0.1:9188/health", timeout=60); ok = "200"
except Exception as e: ok = repr(e)
lat = time.time() - start
print(f"{label}: {5000-pending} connected at once, {pending} left waiting; threads {t0} -> {t1} with 5,000 idle connections, RSS {r0} -> {r1} MiB; /health meanwhile: {ok} in {lat*1000:.0f} ms")
for s in socks: s.close()
p.terminate(); p.wait()
