"""Case 6: the catalog at 100 000 tasks — synthetic manifests written straight into the catalog layout,
the index built by `reel reindex`, then `reel show` and `reel ls --json` timed, and `GET /api/tasks/{id}`
under local load when `reel serve` exists."""

import hashlib
import json
import os
import random
import statistics
import subprocess

from .measure import percentile, run_once
from .report import Metric, Skipped
from .serve_load import serve_available, serve_load

SHA = "ab" * 32


def task_id(i):
    return f"bench-{i:06d}"


def manifest(i):
    """A realistic archived task: one export asset with source, cover, verification, poster, 5 thumbnails,
    storyboard and two renditions (about 2.5 KB of JSON, like the ones `reel archive` writes)."""
    tid = task_id(i)
    shard = hashlib.sha256(tid.encode()).hexdigest()[:2]
    base = f"tasks/{shard}/{tid}/1/export"
    day = 1 + i % 28
    stamp = f"2025-01-{day:02d}T08:{i % 60:02d}:{(i // 60) % 60:02d}.250Z"
    image = lambda path, t, w, h: {"path": f"{base}/{path}", "timeUs": t, "width": w, "height": h}
    asset = {
        "scriptId": 1, "role": "export", "state": "archived", "error": None,
        "source": {"path": f"{base}/source.mp4", "bytes": 9_500_000 + i, "sha256": SHA,
                   "url": f"https://bucket.s3.amazonaws.com/{tid}/export.mp4"},
        "cover": {"path": f"{base}/cover.jpg", "bytes": 81_000, "sha256": SHA, "url": None},
        "reportedDurationUs": 36_096_000,
        "verification": {"verdict": ["match", "match", "match", "mismatch", "unreported"][i % 5],
                         "measuredDurationUs": 36_100_000, "deltaUs": 4_000, "toleranceUs": 100_000,
                         "frames": 1083, "decodeErrors": 0},
        "poster": image("poster.jpg", 19_000_000, 720, 1280),
        "thumbnails": [image(f"thumbs/{k + 1:03d}.jpg", 3_609_600 * (2 * k + 1), 360, 640) for k in range(5)],
        "storyboard": {"sprite": f"{base}/storyboard/sprite.jpg", "vtt": f"{base}/storyboard/storyboard.vtt"},
        "renditions": [{"preset": p, "path": f"{base}/renditions/{p}.mp4", "width": w, "height": h,
                        "bytes": b, "sha256": SHA, "durationUs": 36_100_000}
                       for p, w, h, b in (("720p", 720, 1280, 4_200_000), ("480p", 480, 854, 2_100_000))],
        "skippedPresets": [],
    }
    return shard, tid, {"schemaVersion": 1, "taskId": tid, "kind": "m2v", "status": "success", "errorMsg": None,
                        "assets": [asset], "createdAt": stamp, "updatedAt": stamp}


def build_catalog(root, count, reel, log):
    """Writes `count` manifests (once; a marker file records completion) and builds the index."""
    marker = os.path.join(root, f".bench-complete-{count}")
    if os.path.exists(marker):
        return None
    log(f"  writing {count} synthetic manifests into {root} ...")
    subprocess.run(["rm", "-rf", root], check=True)
    for i in range(count):
        shard, tid, doc = manifest(i)
        directory = os.path.join(root, "tasks", shard, tid)
        os.makedirs(directory, exist_ok=True)
        with open(os.path.join(directory, "manifest.json"), "w") as f:
            json.dump(doc, f, indent=2, sort_keys=True)
    log("  building the index (reel reindex) ...")
    sample, _ = run_once([reel, "reindex", "--storage", root])
    open(marker, "w").close()
    return sample


class CatalogCase:
    def __init__(self, reel, work, runs, count, log):
        self.reel = reel
        self.root = os.path.join(work, "catalog")
        self.work = work
        self.runs = runs
        self.count = count
        self.log = log

    def run(self, requests):
        results = []
        built = build_catalog(self.root, self.count, self.reel, self.log)
        if built:
            results.append(Metric("6", f"index build, {self.count} manifests (reel reindex; informational)",
                                  f"{built.wall:.1f} s, {built.rss_kb / 1024:.0f} MiB", "—", None))
        rng = random.Random(5)
        n = max(20, self.runs * 10)
        self.log(f"  case 6: reel --version vs reel show, {n} alternated runs each")
        version, show = [], []
        for k in range(n):
            tid = task_id(rng.randrange(self.count))
            pair = [("v", [self.reel, "--version"]), ("s", [self.reel, "show", tid, "--json", "--storage", self.root])]
            for kind, argv in (pair if k % 2 == 0 else reversed(pair)):
                sample, _ = run_once(argv, stdout_path="/dev/null")
                (version if kind == "v" else show).append(sample.wall)
        v, s = statistics.median(version), statistics.median(show)
        results.append(Metric("6", "`reel show ID --json` vs `reel --version` (median wall)",
                              f"{s * 1000:.1f} ms vs {v * 1000:.1f} ms (+{(s - v) * 1000:.1f} ms; p90 show "
                              f"{percentile(show, 90) * 1000:.1f} ms)", "≤ version + 10 ms", s <= v + 0.010))

        listing = os.path.join(self.work, "out", "ls.json")
        os.makedirs(os.path.dirname(listing), exist_ok=True)
        walls, rss = [], []
        for k in range(self.runs):
            sample, _ = run_once([self.reel, "ls", "--json", "--storage", self.root], stdout_path=listing)
            walls.append(sample.wall)
            rss.append(sample.rss_kb)
            self.log(f"    run {k + 1}/{self.runs} reel ls --json  wall {sample.wall:.3f} s  rss {sample.rss_kb / 1024:.0f} MiB")
        with open(listing) as f:
            listed = len(json.load(f))
        if listed != self.count:
            raise AssertionError(f"reel ls --json listed {listed} of {self.count} tasks")
        wall = statistics.median(walls)
        results.append(Metric("6", f"`reel ls --json` of all {listed} tasks (median wall)",
                              f"{wall:.2f} s, {statistics.median(rss) / 1024:.0f} MiB, "
                              f"{os.path.getsize(listing) >> 20} MiB of JSON", "≤ 2 s", wall <= 2.0))
        os.unlink(listing)

        why = serve_available(self.reel)
        if why:
            results.append(Skipped("6", "GET /api/tasks/{id} p99 under load", why))
        else:
            try:
                results.append(serve_load(self.reel, self.root, [task_id(i) for i in range(self.count)], requests, self.log))
            except Exception as error:  # keep the show/ls figures
                results.append(Skipped("6", "GET /api/tasks/{id} p99 under load", f"reel serve failed: {error}"))
        return results
