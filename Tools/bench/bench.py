#!/usr/bin/env python3
"""ReelVault beside ffmpeg and curl (issue 5). Run through Tools/bench/run.sh; see Tools/bench/README.md."""

import argparse
import os
import subprocess
import sys
import time
import traceback

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from benchlib import inputs, report  # noqa: E402
from benchlib.catalog_case import CatalogCase  # noqa: E402
from benchlib.download_case import DownloadCase  # noqa: E402
from benchlib.media_cases import MediaCases  # noqa: E402
from benchlib.report import Skipped  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def log(text):
    print(text, file=sys.stderr, flush=True)


def has_subcommand(reel, *words):
    return subprocess.run([reel, *words, "--help"], capture_output=True).returncode == 0


def label(clip):
    return f"{clip.duration:.3f} s {clip.width}×{clip.height} {clip.fps:g} fps"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="3 runs, 36 s clip only, fewer requests")
    parser.add_argument("--reel", required=True, help="the reel binary (a release build)")
    parser.add_argument("--cases", default="1,2,3,5,6", help="comma-separated: 1 2 3 (also 4 and 7) 5 6")
    parser.add_argument("--runs", type=int, help="alternated runs per side (default 3 quick, 5 full)")
    parser.add_argument("--tasks", type=int, default=100_000, help="catalog size for case 6")
    parser.add_argument("--out", default=os.path.join(HERE, "results.md"))
    args = parser.parse_args()

    quick = args.quick
    runs = args.runs or (3 if quick else 5)
    cases = set(args.cases.replace("4", "3").replace("7", "3").split(","))
    work = os.path.join(HERE, "work")
    os.makedirs(work, exist_ok=True)
    reel = os.path.abspath(args.reel)
    rep = report.Report(mode="quick" if quick else "full", runs=runs, reel=reel)
    rep.notes.append("Sides alternate within each round (A B C, then C B A, ...); outputs are deleted between runs, untimed.")
    started = time.monotonic()

    log("inputs:")
    clip = inputs.make_clip(os.path.join(work, "clip-36s.mp4"), 36.096, log=log)
    long_clip = None if quick else inputs.make_clip(os.path.join(work, "clip-5min.mp4"), 300, log=log)
    if quick:
        rep.notes.append("Quick mode: the 5-minute clip and the x264 `medium` runs are skipped (full mode runs them).")
    media = MediaCases(reel, work, runs, log)

    def attempt(name, body):
        try:
            rep.add(body())
        except Exception as error:  # one broken case must not hide the others
            traceback.print_exc()
            rep.add(Skipped(name, "error", f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"))
        report.write(rep, args.out)

    if "1" in cases:
        files = inputs.probe_copies(clip, os.path.join(work, "probe"), 100)
        attempt("1", lambda: media.probe(files))
    if "2" in cases:
        attempt("2", lambda: media.verify(clip, label(clip)))
        if long_clip:
            attempt("2", lambda: media.verify(long_clip, label(long_clip)))
    if "3" in cases:
        if has_subcommand(reel, "media", "pipeline"):
            attempt("3", lambda: media.pipeline(clip, label(clip), "veryfast"))
            if not quick:
                attempt("3", lambda: media.pipeline(clip, label(clip), "medium"))
        else:
            rep.add(media.pipeline_unavailable("`reel media pipeline` is not registered in this build (PipelineCommand)"))
    if "5" in cases:
        if has_subcommand(reel, "media", "fetch"):
            dl = os.path.join(work, "dl")
            os.makedirs(dl, exist_ok=True)
            small = inputs.random_file(os.path.join(dl, "file-100M.bin"), 100, log=log)
            large = inputs.random_file(os.path.join(dl, "file-1G.bin"), 1024, log=log)
            attempt("5", lambda: DownloadCase(reel, work, runs, log).run(small, large))
        else:
            rep.add(Skipped("5", "download", "`reel media fetch` is not registered in this build (FetchCommand)"))
    if "6" in cases:
        attempt("6", lambda: CatalogCase(reel, work, runs, args.tasks, log).run(requests=3000 if quick else 20000))

    rep.notes.append(f"Load average at the end: {open('/proc/loadavg').read().strip()} (other work on the machine inflates"
                     " both sides of a comparison, but not equally: see the ratios' spread in the log).")
    rep.notes.append(f"Suite wall time: {(time.monotonic() - started) / 60:.1f} min (input generation included on a first run).")
    text = report.write(rep, args.out)
    print(text)


if __name__ == "__main__":
    main()
