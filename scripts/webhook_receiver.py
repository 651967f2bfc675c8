#!/usr/bin/env python3
"""A minimal webhook receiver for scripts/webhook_bench.sh: answers 200 to every POST on a
loopback port, counts them, and prints the count and the first/last arrival times (seconds,
monotonic) as JSON on SIGTERM or when the expected count is reached.

usage: webhook_receiver.py PORT [EXPECTED]
"""
import json
import os
import signal
import socket
import sys
import threading
import time

port = int(sys.argv[1])
expected = int(sys.argv[2]) if len(sys.argv) > 2 else 0
lock = threading.Lock()
stats = {"count": 0, "first": None, "last": None}
done = threading.Event()


def report(*_):
    with lock:
        span = (stats["last"] or 0) - (stats["first"] or 0)
        out = dict(stats, span_s=span, per_s=(stats["count"] - 1) / span if span > 0 else None)
    print(json.dumps(out), flush=True)
    os._exit(0)


def handle(conn):
    with conn:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        while len(body) < length:
            chunk = conn.recv(65536)
            if not chunk:
                return
            body += chunk
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        now = time.monotonic()
        with lock:
            stats["count"] += 1
            stats["first"] = stats["first"] or now
            stats["last"] = now
            if expected and stats["count"] >= expected:
                done.set()


signal.signal(signal.SIGTERM, report)
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", port))
server.listen(512)
threading.Thread(target=lambda: (done.wait(), report()), daemon=True).start()
while True:
    conn, _ = server.accept()
    threading.Thread(target=handle, args=(conn,), daemon=True).start()
