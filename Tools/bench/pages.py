#!/usr/bin/env python3
"""The catalog pages at 100 000 tasks (issue 14): `reel serve` (release build) over a catalog of synthetic manifests
(the ones of case 6), each page URL asked for sequentially on a keep-alive connection, every request timed from send
to last byte. Target: the first page and page 1000 of every filter and of a search, p99 ≤ 50 ms.

Usage: Tools/bench/pages.py [--reel PATH] [--work DIR] [--count 100000] [--requests 200] [--out FILE]
"""
import argparse
import http.client
import os
import platform
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib.catalog_case import build_catalog  # noqa: E402
from benchlib.measure import percentile  # noqa: E402
from benchlib.serve_load import _free_port, _wait_healthy  # noqa: E402

# The synthetic catalog: every task archived, verdicts cycling match, match, match, mismatch, unreported, ids
# bench-000000…; so each filter below has at least 20 000 matches and page 1000 of 20 per page exists.
CASES = [
    ("first page", "/"),
    ("page 1000", "/?page=1000&per_page=20"),
    ("verdict=match", "/?verdict=match"),
    ("verdict=match, page 1000", "/?verdict=match&page=1000&per_page=20"),
    ("verdict=mismatch, page 1000", "/?verdict=mismatch&page=1000&per_page=20"),
    ("state=attention", "/?state=attention"),
    ("state=attention, page 1000", "/?state=attention&page=1000&per_page=20"),
    ("state=archived, page 1000", "/?state=archived&page=1000&per_page=20"),
    ("kind=m2v, page 1000", "/?kind=m2v&page=1000&per_page=20"),
    ("sort=-archived, page 1000", "/?sort=-archived&page=1000&per_page=20"),
    ("search q=bench-0", "/?q=bench-0"),
    ("search q=bench-0, page 1000", "/?q=bench-0&page=1000&per_page=20"),
    ("search q=bench-09 + verdict=match, page 100", "/?q=bench-09&verdict=match&page=100&per_page=20"),
    # The worst cases of a scan in order: filters that match one task or none read the whole index to fill the page.
    ("search for one task q=bench-099999", "/?q=bench-099999"),
    ("search for none q=zzz", "/?q=zzz"),
    ("verdict=undecodable (none)", "/?verdict=undecodable"),
    ("state=pending (none), page 1000", "/?state=pending&page=1000&per_page=20"),
    ("API: first page", "/api/tasks"),
    ("API: verdict=match, page 1000", "/api/tasks?verdict=match&page=1000&per_page=20"),
    ("API: q, verdict, page 1000", "/api/tasks?q=bench-0&verdict=match&page=1000&per_page=20"),
]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.abspath(os.path.join(here, "..", ".."))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reel", default=None)
    parser.add_argument("--work", default="/tmp/reel-pages-bench")
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--out", default=os.path.join(here, "pages-results.md"))
    args = parser.parse_args()
    reel = args.reel
    if reel is None:
        subprocess.run(["swift", "build", "-c", "release", "--product", "reel"], cwd=root, check=True, stdout=sys.stderr)
        reel = os.path.join(subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=root, check=True,
                                           capture_output=True, text=True).stdout.strip(), "reel")
    catalog = os.path.join(args.work, "catalog")
    os.makedirs(args.work, exist_ok=True)
    log = lambda text: print(text, file=sys.stderr)
    build_catalog(catalog, args.count, reel, log)
    port = _free_port()
    env = dict(os.environ, REEL_STORAGE=catalog, REEL_BIND=f"127.0.0.1:{port}", REEL_CALLBACK_BIND=f"127.0.0.1:{_free_port()}",
               REEL_CALLBACK_SECRET="pages-bench-secret", TOPVIEW_API_KEY="bench", TOPVIEW_BASE_URL="http://127.0.0.1:9")
    env.pop("REEL_ADMIN_TOKEN", None)
    serve = subprocess.Popen([reel, "serve"], env=env, stdout=subprocess.DEVNULL,
                             stderr=open(os.path.join(args.work, "serve.log"), "w"))
    rows = []
    load_start = open("/proc/loadavg").read().split()[:3]
    try:
        _wait_healthy(port, serve)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for name, path in CASES:
            times = []
            for k in range(args.requests + 5):
                started = time.perf_counter()
                conn.request("GET", path)
                response = conn.getresponse()
                body = response.read()
                elapsed = time.perf_counter() - started
                if response.status != 200:
                    raise SystemExit(f"pages: {path} answered {response.status}: {body[:300]!r}")
                if k >= 5:  # the first few warm the caches
                    times.append(elapsed)
            p50, p99 = percentile(times, 50) * 1000, percentile(times, 99) * 1000
            rows.append((name, path, p50, p99, len(body)))
            log(f"  {name:45} p50 {p50:6.1f} ms  p99 {p99:6.1f} ms  {len(body) >> 10} KiB")
    finally:
        serve.terminate()
        serve.wait(30)
    worst = max(r[3] for r in rows)
    with open(args.out, "w") as f:
        f.write("# The catalog pages at 100 000 tasks\n\n")
        f.write(f"Written by `Tools/bench/pages.py` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores "
                f"({platform.machine()}), load average at the start {' '.join(load_start)}; `reel serve` (release build) over "
                f"{args.count} synthetic manifests (index.sqlite built by `reel reindex`); {args.requests} sequential requests per "
                f"URL on one keep-alive connection after 5 warm-up ones, each timed from send to last byte.\n\n")
        f.write("| case | URL | p50 ms | p99 ms | page KiB |\n|---|---|---:|---:|---:|\n")
        for name, path, p50, p99, size in rows:
            f.write(f"| {name} | `{path}` | {p50:.1f} | {p99:.1f} | {size >> 10} |\n")
        f.write(f"\nWorst p99: **{worst:.1f} ms** ({'meets' if worst <= 50 else 'misses'} ≤ 50 ms).\n")
    log(f"pages: wrote {args.out}; worst p99 {worst:.1f} ms")
    return 0 if worst <= 50 else 1


if __name__ == "__main__":
    sys.exit(main())
