#!/usr/bin/env python3
# First requests after a fresh start on a seeded store file, 3 starts (release build):
#   * start → /health (liveness) and start → /health/ready (readiness: migrated, recovered
#     and, unless --no-warm, warmed);
#   * one sequential client: the first listing, the first 100 vs the next 1000 listings
#     (p50/p99), with the first listing asked right after /health/ready (as a balancer
#     sends traffic) and, in the "eager" row, right after /health without waiting;
#   * CLIENTS concurrent clients (threads, one request at a time each): the first 100
#     listings by start time vs the next 1000.
#   scripts/first_requests.py target/release/stockroom [CLIENTS=4] [extra serve flags...]
import subprocess, os, time, json, urllib.request, urllib.error, sys, threading
bin_ = sys.argv[1]
clients = int(sys.argv[2]) if len(sys.argv) > 2 else 4
extra = sys.argv[3:]
db = '/tmp/firstreq.db'
for e in ('', '-wal', '-shm'):
    try: os.remove(db + e)
    except FileNotFoundError: pass
env = dict(os.environ, JWT_SECRET='benchmark-jwt-secret-0123456789abcdef0123', COOKIE_SECRET='benchmark-cookie-secret-0123456789abcdef')
subprocess.run([bin_, 'seed', '--db', db, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures', 'demo.json')], env=env, check=True, stdout=subprocess.DEVNULL)
KEY = 'pk_demo_0000000000000000000000000000000000000000000000000000000000000000'
BASE = 'http://127.0.0.1:9191'

def wait_for(path):
    while True:
        try: urllib.request.urlopen(BASE + path, timeout=1); return
        except Exception: time.sleep(0.001)

def get(url):
    t = time.perf_counter()
    urllib.request.urlopen(urllib.request.Request(url, headers={'x-publishable-api-key': KEY})).read()
    return t, (time.perf_counter() - t) * 1000

q = lambda a, x: a[min(len(a) - 1, int(len(a) * x))]

def start(ready):
    t0 = time.perf_counter()
    p = subprocess.Popen([bin_, 'serve', '--db', db, '--port', '9191', '--quiet', *extra], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for('/health'); up = time.perf_counter() - t0
    if ready: wait_for('/health/ready')
    rdy = time.perf_counter() - t0
    regions = json.load(urllib.request.urlopen(urllib.request.Request(BASE + '/store/regions', headers={'x-publishable-api-key': KEY})))
    region = [r for r in regions['regions'] if r['currency_code'] == 'usd'][0]['id']
    return p, up * 1000, rdy * 1000, f'{BASE}/store/products?limit=20&region_id={region}'

def sequential(ready):
    p, up, rdy, url = start(ready)
    lat = [get(url)[1] for _ in range(1100)]
    p.terminate(); p.wait()
    f, s = sorted(lat[:100]), sorted(lat[100:])
    return up, rdy, lat[0], q(f, .5), q(f, .99), q(s, .5), q(s, .99)

def concurrent():
    p, up, rdy, url = start(True)
    done, lock = [], threading.Lock()
    def client():
        mine = [get(url) for _ in range(1100 // clients + 1)]
        with lock: done.extend(mine)
    ts = [threading.Thread(target=client) for _ in range(clients)]
    [t.start() for t in ts]; [t.join() for t in ts]
    p.terminate(); p.wait()
    lat = [ms for _, ms in sorted(done)]
    f, s = sorted(lat[:100]), sorted(lat[100:1100])
    return up, rdy, max(lat[:clients]), q(f, .5), q(f, .99), q(s, .5), q(s, .99)

ROW = "start-to-health %.1f ms, start-to-ready %.1f ms, first listing %.2f ms, first 100: p50 %.2f p99 %.2f ms, steady (next 1000): p50 %.2f p99 %.2f ms"
for _ in range(3): print("sequential after ready:", ROW % sequential(True))
for _ in range(3): print("sequential eager (after /health):", ROW % sequential(False))
for _ in range(3): print(f"{clients} concurrent clients after ready (first listing = slowest of the first {clients}):", ROW % concurrent())
