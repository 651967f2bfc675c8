#!/usr/bin/env python3
# Time from process start to /health, the first listing, and the first 100 vs the next 1000
# listings (one client, sequential) after a fresh start on a seeded store file; 3 starts.
#   scripts/first_requests.py target/release/stockroom
import subprocess, os, time, json, urllib.request, sys, statistics
bin_=sys.argv[1]; db='/tmp/firstreq.db'
for e in ('','-wal','-shm'):
    try: os.remove(db+e)
    except FileNotFoundError: pass
env=dict(os.environ, JWT_SECRET='benchmark-jwt-secret-0123456789abcdef0123', COOKIE_SECRET='benchmark-cookie-secret-0123456789abcdef')
subprocess.run([bin_,'seed','--db',db,os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures', 'demo.json')],env=env,check=True,stdout=subprocess.DEVNULL)
KEY='pk_demo_0000000000000000000000000000000000000000000000000000000000000000'
def run_once():
    t0=time.perf_counter()
    p=subprocess.Popen([bin_,'serve','--db',db,'--port','9191','--quiet'],env=env,stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL)
    while True:
        try: urllib.request.urlopen('http://127.0.0.1:9191/health',timeout=1); break
        except Exception: time.sleep(0.002)
    up=time.perf_counter()-t0
    regions=json.load(urllib.request.urlopen(urllib.request.Request('http://127.0.0.1:9191/store/regions',headers={'x-publishable-api-key':KEY})))
    region=[r for r in regions['regions'] if r['currency_code']=='usd'][0]['id']
    url=f'http://127.0.0.1:9191/store/products?limit=20&region_id={region}'
    lat=[]
    for i in range(1100):
        t=time.perf_counter(); urllib.request.urlopen(urllib.request.Request(url,headers={'x-publishable-api-key':KEY})).read(); lat.append((time.perf_counter()-t)*1000)
    p.terminate(); p.wait()
    first=lat[0]; first100=sorted(lat[:100]); steady=sorted(lat[100:])
    q=lambda a,x: a[min(len(a)-1,int(len(a)*x))]
    return up*1000, first, q(first100,0.99), q(first100,0.5), q(steady,0.99), q(steady,0.5)
rows=[run_once() for _ in range(3)]
for r in rows:
    print("start-to-health %.1f ms, first listing %.2f ms, first 100: p50 %.2f p99 %.2f ms, steady (next 1000): p50 %.2f p99 %.2f ms" % (r[0], r[1], r[3], r[2], r[5], r[4]))
