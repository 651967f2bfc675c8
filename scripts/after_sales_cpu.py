#!/usr/bin/env python3
"""Server CPU of a return and of an order edit (issue 15), and of the checkout before them.

    scripts/after_sales_cpu.py target/release/stockroom [ORDERS]

Seeds a store file from the demo fixture, starts the server, places ORDERS (default 200)
guest orders of 2 units through the 7-call store checkout and fulfills them, then runs on
each order in turn a whole return (begin, request-items, request, receive, receive-items,
receive/confirm: 6 calls) and a whole order edit (begin, items/item, request, confirm: 4 calls).
The server's CPU (utime + stime from /proc) is read around each phase; the client is one
sequential keep-alive connection, so the figures are the server's work per operation. A binary
without the after-sales routes (an older commit) measures the checkout only.
"""
import http.client
import json
import os
import subprocess
import sys
import time

BIN = sys.argv[1]
ORDERS = int(sys.argv[2]) if len(sys.argv) > 2 else 200
DB = "/tmp/after-sales-cpu.db"
PORT = 9193
KEY = "pk_demo_0000000000000000000000000000000000000000000000000000000000000000"
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
ENV = dict(os.environ, JWT_SECRET="benchmark-jwt-secret-0123456789abcdef0123",
           COOKIE_SECRET="benchmark-cookie-secret-0123456789abcdef")
TICK = os.sysconf("SC_CLK_TCK")


class Client:
    def __init__(self):
        self.conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        self.token = None

    def call(self, method, path, body=None, admin=False):
        headers = {"x-publishable-api-key": KEY, "content-type": "application/json"}
        if admin:
            headers["authorization"] = "Bearer " + self.token
        data = None if body is None else json.dumps(body)
        self.conn.request(method, path, body=data, headers=headers)
        reply = self.conn.getresponse()
        text = reply.read()
        if reply.status != 200:
            raise RuntimeError(f"{method} {path}: {reply.status} {text[:300]!r}")
        return json.loads(text)


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def checkout(c, region, variant):
    cart = c.call("POST", "/store/carts", {"region_id": region})["cart"]["id"]
    c.call("POST", f"/store/carts/{cart}/line-items", {"variant_id": variant, "quantity": 2})
    address = {"address_1": "1 Main St", "city": "Austin", "country_code": "us", "postal_code": "78701"}
    c.call("POST", f"/store/carts/{cart}", {"email": "bench@example.com", "shipping_address": address})
    option = c.call("GET", f"/store/shipping-options?cart_id={cart}")["shipping_options"][0]["id"]
    c.call("POST", f"/store/carts/{cart}/shipping-methods", {"option_id": option})
    pc = c.call("POST", "/store/payment-collections", {"cart_id": cart})["payment_collection"]["id"]
    c.call("POST", f"/store/payment-collections/{pc}/payment-sessions", {"provider_id": "pp_system_default"})
    return c.call("POST", f"/store/carts/{cart}/complete", {})["order"]


def a_return(c, order, line):
    ret = c.call("POST", "/admin/returns", {"order_id": order}, admin=True)["return"]["id"]
    base = f"/admin/returns/{ret}"
    c.call("POST", f"{base}/request-items", {"items": [{"id": line, "quantity": 1}]}, admin=True)
    c.call("POST", f"{base}/request", {}, admin=True)
    c.call("POST", f"{base}/receive", {}, admin=True)
    c.call("POST", f"{base}/receive-items", {"items": [{"id": line, "quantity": 1}]}, admin=True)
    c.call("POST", f"{base}/receive/confirm", {}, admin=True)


def an_edit(c, order, line):
    c.call("POST", "/admin/order-edits", {"order_id": order}, admin=True)
    c.call("POST", f"/admin/order-edits/{order}/items/item/{line}", {"quantity": 3}, admin=True)
    c.call("POST", f"/admin/order-edits/{order}/request", {}, admin=True)
    c.call("POST", f"/admin/order-edits/{order}/confirm", {}, admin=True)


def phase(pid, name, count, calls, work):
    before, t0 = cpu_seconds(pid), time.perf_counter()
    for i in range(count):
        work(i)
    cpu, wall = cpu_seconds(pid) - before, time.perf_counter() - t0
    print(f"{name}: {count} × {calls} calls, server CPU {cpu * 1000 / count:.2f} ms per operation "
          f"({cpu * 1000 / count / calls:.2f} ms per call), wall {wall * 1000 / count:.2f} ms")


def main():
    for suffix in ("", "-wal", "-shm"):
        try:
            os.remove(DB + suffix)
        except FileNotFoundError:
            pass
    subprocess.run([BIN, "seed", "--db", DB, os.path.join(ROOT, "fixtures", "demo.json")],
                   env=ENV, check=True, stdout=subprocess.DEVNULL)
    server = subprocess.Popen([BIN, "serve", "--db", DB, "--port", str(PORT), "--quiet"],
                              env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(500):
            try:
                http.client.HTTPConnection("127.0.0.1", PORT, timeout=1).request("GET", "/health")
                break
            except OSError:
                time.sleep(0.01)
        c = Client()
        login = {"email": "admin@example.com", "password": "supersecret"}
        c.token = c.call("POST", "/auth/user/emailpass", login)["token"]
        region = [r for r in c.call("GET", "/store/regions")["regions"] if r["currency_code"] == "usd"][0]["id"]
        product = c.call("GET", "/store/products?limit=1&fields=%2Avariants")["products"][0]
        variant = product["variants"][0]["id"]
        orders = []
        phase(server.pid, "checkout (7 calls)", ORDERS, 7,
              lambda i: orders.append(checkout(c, region, variant)))
        for o in orders:
            line = o["items"][0]["id"]
            c.call("POST", f"/admin/orders/{o['id']}/fulfillments",
                   {"items": [{"id": line, "quantity": 2}]}, admin=True)
        try:
            c.call("GET", "/admin/returns?limit=1", admin=True)
        except RuntimeError:
            print("no /admin/returns here: checkout only")
            return
        phase(server.pid, "return (6 calls)", ORDERS, 6,
              lambda i: a_return(c, orders[i]["id"], orders[i]["items"][0]["id"]))
        phase(server.pid, "order edit (4 calls)", ORDERS, 4,
              lambda i: an_edit(c, orders[i]["id"], orders[i]["items"][0]["id"]))
    finally:
        server.terminate()
        server.wait()


main()
