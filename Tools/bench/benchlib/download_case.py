"""Case 5: a download from `python3 -m http.server` on 127.0.0.1: `reel media fetch` (hashes and fsyncs) vs
`curl -o F && sha256sum F`, and vs bare curl; ReelVault's peak RSS must not grow with the file's size."""

import contextlib
import hashlib
import json
import os
import re
import shlex
import subprocess
import sys

from .measure import Side, alternate, ratio, run_once
from .report import Metric, Result


@contextlib.contextmanager
def http_server(directory):
    """`python3 -m http.server` bound to 127.0.0.1 on an ephemeral port; yields the base URL."""
    proc = subprocess.Popen([sys.executable, "-u", "-m", "http.server", "0", "--bind", "127.0.0.1",
                             "--directory", directory], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = proc.stdout.readline()
        m = re.search(r"port (\d+)", line)
        if not m:
            raise RuntimeError(f"http.server did not start: {line!r}")
        yield f"http://127.0.0.1:{m.group(1)}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def sha256_of(path):
    cached = path + ".sha256"
    if os.path.exists(cached) and os.path.getmtime(cached) >= os.path.getmtime(path):
        with open(cached) as f:
            return f.read().strip()
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    with open(cached, "w") as f:
        f.write(h.hexdigest())
    return h.hexdigest()


class DownloadCase:
    def __init__(self, reel, work, runs, log):
        self.reel = reel
        self.out = os.path.join(work, "out", "download")
        self.runs = runs
        self.log = log

    def _clean(self):
        os.makedirs(self.out, exist_ok=True)
        for name in os.listdir(self.out):
            os.unlink(os.path.join(self.out, name))

    def _reel_side(self, url, digest, name="reel media fetch"):
        target = os.path.join(self.out, "reel.bin")

        def check(stdout):
            if json.loads(stdout)["sha256"] != digest:
                raise AssertionError("reel media fetch: wrong SHA-256")
        return Side(name, [self.reel, "media", "fetch", url, "--out", target, "--json"], prepare=self._clean, check=check)

    def run(self, small, large):
        served = os.path.dirname(large)
        digest_large, digest_small = sha256_of(large), sha256_of(small)
        results = []
        with http_server(served) as base:
            url = f"{base}/{os.path.basename(large)}"
            target = os.path.join(self.out, "curl.bin")
            hashed = f"curl -sS -o {shlex.quote(target)} {url} && sha256sum {shlex.quote(target)}"
            bare = f"curl -sS -o {shlex.quote(target)} {url}"

            def check_hashed(stdout):
                if not stdout.startswith(digest_large):
                    raise AssertionError("curl + sha256sum: wrong SHA-256")
            reel = self._reel_side(url, digest_large)
            ref = Side("curl && sha256sum", hashed, prepare=self._clean, check=check_hashed)
            ref_bare = Side("bare curl", bare, prepare=self._clean)
            size = f"{os.path.getsize(large) >> 20} MiB"
            self.log(f"  case 5: download of {size} from {base}")
            run_once(["curl", "-sS", "-o", "/dev/null", url])  # warm the server's page cache for both sides
            alternate([reel, ref, ref_bare], self.runs, self.log)
            mbps = (os.path.getsize(large) >> 20) / reel.wall
            results.append(Result("5", "download (throughput = 1 ÷ wall ratio)", size, reel, ref,
                                  target="wall ≤ 1.0", passed=ratio(reel.wall, ref.wall) <= 1.0, reference=hashed,
                                  note=f"(ReelVault {mbps:.0f} MiB/s)"))
            results.append(Result("5", "download vs bare curl (reported)", size, reel, ref_bare,
                                  target="—", passed=None, reference=bare))

            small_url = f"{base}/{os.path.basename(small)}"
            reel_small = self._reel_side(small_url, digest_small, "reel media fetch (small)")
            self.log(f"  case 5: ReelVault peak RSS at {os.path.getsize(small) >> 20} MiB")
            alternate([reel_small], self.runs, self.log)
            growth = reel.rss_mib - reel_small.rss_mib
            results.append(Metric("5", f"ReelVault peak RSS, {os.path.getsize(small) >> 20} MiB vs {size}",
                                  f"{reel_small.rss_mib:.1f} → {reel.rss_mib:.1f} MiB (+{growth:.1f})",
                                  "growth < 8 MiB", growth < 8))
        self._clean()
        return results
