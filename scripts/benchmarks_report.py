"""Turns the raw results of scripts/benchmarks.sh into the generated section of BENCHMARKS.md.

usage: benchmarks_report.py RESULTS_DIR BENCHMARKS.md
       benchmarks_report.py --history RESULTS_DIR   (prints the order history table only)
Only the text between the `generated` markers is replaced (appended if the markers are absent).
"""
import datetime
import json
import os
import platform
import sys

START = "<!-- generated:start (scripts/benchmarks.sh rewrites this section) -->"
END = "<!-- generated:end -->"


def load(d, name):
    path = os.path.join(d, name)
    if not os.path.isfile(path):
        return None
    try:
        with open(path) as f:
            return json.load(f)
    except ValueError:
        return None


def ms(us):
    return "—" if us is None else f"{us / 1000:.2f} ms"


def lat(block, key):
    return ms((block or {}).get("latency_us", {}).get(key))


def listing_rows(d, tags):
    rows = []
    for tag, label in tags:
        for c in (1, 16):
            r = load(d, f"{tag}-list-c{c}.json")
            if not r:
                continue
            srv = r.get("server") or {}
            rss = srv.get("rss_peak_kb")
            rows.append(
                f"| {label} | {c} | {r['throughput']['requests_per_s']:,.0f} | {lat(r['requests'], 'p50')} | "
                f"{lat(r['requests'], 'p99')} | {r['requests']['errors']} | {srv.get('cpu_percent_of_one_core', '—')} % | "
                f"{'—' if rss is None else f'{rss / 1024:.1f} MiB'} |"
            )
    return rows


def checkout_rows(d, tags):
    rows, steps = [], []
    for tag, label in tags:
        for c in (1, 8):
            r = load(d, f"{tag}-checkout-c{c}.json")
            if not r or "checkout" not in r:
                continue
            ck = r["checkout"]
            rows.append(
                f"| {label} | {c} | {r['throughput'].get('orders_per_s', 0):,.1f} | {lat(ck, 'p50')} | {lat(ck, 'p99')} | "
                f"{ck['errors']} |"
            )
            if c == 8:
                steps.append((label, r.get("steps", [])))
    return rows, steps


def mib(kb):
    return "—" if kb is None else f"{kb / 1024:.1f} MiB"


def size(b):
    return "—" if b is None else (f"{b / 2**30:.2f} GiB" if b >= 2**30 else f"{b / 2**20:.0f} MiB")


def number(d, name):
    path = os.path.join(d, name)
    try:
        return int(open(path).read().strip())
    except (OSError, ValueError):
        return None


def history_sizes(d):
    found = [int(f[len("hist-"):-len("-gen.json")]) for f in os.listdir(d)
             if f.startswith("hist-") and f.endswith("-gen.json")]
    return sorted(found)


def history_rows(d):
    """One row per history size: checkout, admin list, a customer's orders, one order."""
    rows = []
    for n in history_sizes(d):
        gen = load(d, f"hist-{n}-gen.json") or {}
        runs = {k: load(d, f"hist-{n}-{k}.json") for k in (
            "checkout-c1", "checkout-c8", "admin-list-c1", "admin-list-c8", "store-orders-c1",
            "store-orders-c8", "order-c1", "order-c8")}

        def orders(k):
            r = runs[k]
            if not r or "checkout" not in r:
                return "—"
            return f"{r['throughput'].get('orders_per_s', 0):,.1f} ({lat(r['checkout'], 'p99')})"

        def read(k):
            r = runs[k]
            return "—" if not r else f"{lat(r['requests'], 'p50')} / {lat(r['requests'], 'p99')}"

        def rate(k):
            r = runs[k]
            return "—" if not r else f"{r['throughput']['requests_per_s']:,.0f}"

        peaks = [((r or {}).get("server") or {}).get("rss_peak_kb") for r in runs.values()]
        peaks = [p for p in peaks if p is not None]
        rows.append(
            f"| {n:,} | {size(gen.get('db_bytes'))} | {gen.get('seconds', '—')} s | "
            f"{gen.get('top_customer_orders') or 0:,} | {orders('checkout-c1')} | {orders('checkout-c8')} | "
            f"{read('admin-list-c1')} | {rate('admin-list-c8')} | {read('store-orders-c1')} | "
            f"{rate('store-orders-c8')} | {read('order-c1')} | {mib(max(peaks) if peaks else None)} |"
        )
    return rows


def history_table(d):
    rows = history_rows(d)
    if not rows:
        return []
    return ["### Order history growth (file store, synchronous=FULL)", "",
            "History made by `gen_orders` (synthetic: 8 real checkouts, the rest copies of their rows; "
            "see \"Order history growth\" above). Reads are measured before the checkouts. "
            "Checkout: orders/s (p99 per checkout). Reads: p50 / p99 at 1 client; req/s at 8 clients.", "",
            "| orders in history | DB file | generated in | top customer's orders | checkout, 1 client | "
            "checkout, 8 clients | `GET /admin/orders?limit=20` | same, req/s c8 | "
            "`GET /store/orders?limit=10` (top customer) | same, req/s c8 | `GET /admin/orders/:id` | "
            "server RSS peak |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|"] + rows + [""]


def ratio(d, a, b, path, field):
    ra, rb = load(d, a), load(d, b)
    if not ra or not rb:
        return None
    va, vb = field(ra), field(rb)
    return None if not vb else va / vb


def text(d, name):
    path = os.path.join(d, name)
    return open(path).read().strip() if os.path.exists(path) else "(not measured)"


def section(d):
    sizes = [n for n in ("1000", "10000", "100000") if load(d, f"sr-{n}-list-c1.json")]
    out = [START, "", f"## Measured by `scripts/benchmarks.sh` ({datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC)", ""]
    out += [f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, load average before the run "
            f"{os.getloadavg()[0]:.2f}. Medians unless said otherwise.", ""]
    out += ["### Product listing (`GET /store/products?limit=20&region_id=…`)", "",
            "| server and catalog | clients | req/s | p50 | p99 | errors | server CPU | peak RSS |",
            "|---|---|---|---|---|---|---|---|"]
    tags = [(f"sr-{n}", f"Stockroom, {int(n):,} products") for n in sizes] + [("md", "Medusa 2.21.2 (peer seed)")]
    out += listing_rows(d, tags)
    r = ratio(d, f"sr-{sizes[0]}-list-c16.json" if sizes else "", "md-list-c16.json", None,
              lambda x: x["throughput"]["requests_per_s"])
    if r:
        out += ["", f"Stockroom / Medusa throughput at 16 clients: **{r:,.0f}×**."]
    out += ["", "### Checkout (7 calls: cart → item → address → shipping → payment collection → session → complete)", "",
            "| server | clients | orders/s | p50 per checkout | p99 per checkout | failed checkouts |",
            "|---|---|---|---|---|---|"]
    rows, steps = checkout_rows(d, [("sr", "Stockroom (file, synchronous=FULL)"), ("md", "Medusa 2.21.2")])
    out += rows or ["| (no checkout measured) | | | | | |"]
    for label, st in steps:
        if st:
            out += ["", f"Per step, 8 clients, {label}: " + ", ".join(
                f"{s.get('name')} {lat(s, 'p50')} / {lat(s, 'p99')}" for s in st) + " (p50 / p99)."]
    r = ratio(d, "sr-checkout-c8.json", "md-checkout-c8.json", None, lambda x: x["throughput"].get("orders_per_s", 0))
    if r:
        out += ["", f"Stockroom / Medusa orders per second at 8 clients: **{r:,.0f}×**."]
    out += [""] + history_table(d)
    out += ["### SQLite ceiling, journal, start and reset", "", "```", text(d, "ceiling.txt"), text(d, "journal.txt"),
            text(d, "cold_start.txt"), "```", ""]
    for c in (1, 4):
        s = load(d, f"selftest-c{c}.json")
        if s:
            out.append(f"Load generator's own ceiling ({c} client{'s' if c > 1 else ''}, 2 KB keep-alive responses): "
                       f"{s['throughput']['requests_per_s']:,.0f} req/s.")
    out += ["", END]
    return "\n".join(out)


def main():
    if sys.argv[1] == "--history":
        print("\n".join(history_table(sys.argv[2])))
        return
    d, target = sys.argv[1], sys.argv[2]
    doc = open(target).read() if os.path.exists(target) else "# Benchmarks\n"
    new = section(d)
    if START in doc and END in doc:
        doc = doc[: doc.index(START)] + new + doc[doc.index(END) + len(END):]
    else:
        doc = doc.rstrip("\n") + "\n\n" + new + "\n"
    with open(target, "w") as f:
        f.write(doc)
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
