#!/usr/bin/env python3
# Server RSS around 3 rounds of 10 concurrent wrong-password logins with 1,000-byte passwords
# against a seeded store file (production argon2 parameters).  scripts/hash_memory.py BIN
import subprocess, os, time, json, threading, urllib.request, sys
bin_=sys.argv[1]; db='/tmp/hashmem.db'
for e in ('','-wal','-shm'):
    try: os.remove(db+e)
    except FileNotFoundError: pass
env=dict(os.environ, JWT_SECRET='benchmark-jwt-secret-0123456789abcdef0123', COOKIE_SECRET='benchmark-cookie-secret-0123456789abcdef')
subprocess.run([bin_,'seed','--db',db,os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures', 'demo.json')],env=env,check=True,stdout=subprocess.DEVNULL)
p=subprocess.Popen([bin_,'serve','--db',db,'--port','9189','--quiet'],env=env,stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL)
for _ in range(100):
    try: urllib.request.urlopen('http://127.0.0.1:9189/health',timeout=1); break
    except Exception: time.sleep(0.05)
def rss(): 
    d=dict(l.split(':',1) for l in open(f'/proc/{p.pid}/status')); return int(d['VmRSS'].split()[0])//1024
r0=rss(); statuses=[]
def login(i):
    body=json.dumps({'email':'admin@example.com','password':'x'*1000+str(i)}).encode()
    req=urllib.request.Request('http://127.0.0.1:9189/auth/user/emailpass',data=body,headers={'content-type':'application/json'})
    try: urllib.request.urlopen(req,timeout=30); statuses.append(200)
    except urllib.error.HTTPError as e: statuses.append(e.code)
peak=0
for round_ in range(3):
    ts=[threading.Thread(target=login,args=(round_*10+i,)) for i in range(10)]
    [t.start() for t in ts]
    while any(t.is_alive() for t in ts): peak=max(peak,rss()); time.sleep(0.005)
time.sleep(0.5); r1=rss()
from collections import Counter
print(f"RSS {r0} MiB before, peak {peak} MiB during 3x10 concurrent 1,000-byte wrong-password logins, {r1} MiB after; answers {dict(Counter(statuses))}")
p.terminate(); p.wait()
