"""Turns the raw results of scripts/benchmarks.sh into the generated section of BENCHMARKS.md.

usage: benchmarks_report.py RESULTS_DIR BENCHMARKS.md
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
    if not os.path.exists(path):
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
    out += ["", "### SQLite ceiling, journal, start and reset", "", "```", text(d, "ceiling.txt"), text(d, "journal.txt"),
            text(d, "cold_start.txt"), "```", ""]
    for c in (1, 4):
        s = load(d, f"selftest-c{c}.json")
        if s:
            out.append(f"Load generator's own ceiling ({c} client{'s' if c > 1 else ''}, 2 KB keep-alive responses): "
                       f"{s['throughput']['requests_per_s']:,.0f} req/s.")
    out += ["", END]
    return "\n".join(out)


def main():
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
