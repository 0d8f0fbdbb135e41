#!/usr/bin/env python3
"""Runs ReelVault's media commands over a corpus of odd inputs (kinds.py) with ffmpeg/ffprobe as the oracle.

Usage: Tools/corpus/run.py [--reel PATH] [--only NAME,...] [--keep DIR] [--list]

For each kind: the file is made with the ffmpeg CLI, then `reel media probe`, `verify`, `thumbs` and `render` run on it
(`--json`), and what they say is checked against ffprobe/ffmpeg decoding the file from its start:
- probe: a video stream; the container's and each stream's start time and duration equal ffprobe's within 1 ms;
- verify (with ffprobe's measured duration as the reported one): the same frame count, the same measured duration
  within one frame, verdict `match`;
- thumbs --at MID --poster --storyboard: the still is the frame on screen at MID (ffprobe's last frame at or before it),
  the poster and the storyboard's sprite and WebVTT exist;
- render --preset 96p: an H.264 rendition with every source frame, as long as the source within one frame, with AAC
  audio when the source has audio.
A refused kind must be refused by every command with its exit code and media error code (a file without video still
probes: its streams are listed). Prints one line per kind,
then `N passed, M failed`; exits 1 when M > 0.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kinds import KINDS, OK  # noqa: E402

US = 1_000_000


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def reel_json(reel, *args):
    code, out, err = run([reel, "media", *args, "--json"])
    try:
        doc = json.loads(out) if out.strip() else None
    except json.JSONDecodeError:
        doc = None
    return code, doc, err.strip()


def us(text):
    try:
        return round(float(text) * US)
    except (TypeError, ValueError):
        return None


def ffprobe(path):
    code, out, _ = run(["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json", path])
    return json.loads(out) if code == 0 else None


def oracle_frames(path):
    """The video frames as ffmpeg decodes them from the start: [(time µs on the file's timeline, duration µs)]."""
    code, out, _ = run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                        "frame=best_effort_timestamp_time,pkt_duration_time,duration_time:stream=r_frame_rate",
                        "-of", "json", path])
    doc = json.loads(out)
    rate = doc.get("streams", [{}])[0].get("r_frame_rate", "25/1")
    num, den = (int(x) for x in rate.split("/"))
    nominal = round(US * den / num) if num else 40_000
    frames, last = [], None
    for f in doc.get("frames", []):
        t = us(f.get("best_effort_timestamp_time"))
        d = us(f.get("duration_time", f.get("pkt_duration_time"))) or nominal
        if t is None:  # no timestamp: the previous frame's time plus its duration, as ReelVault does
            t = 0 if last is None else last[0] + last[1]
        last = (t, d)
        frames.append(last)
    return frames, nominal


class Check:
    def __init__(self):
        self.problems = []

    def expect(self, ok, what):
        if not ok:
            self.problems.append(what)
        return ok


def check_ok(reel, path, work, c):
    probe_doc = ffprobe(path)
    origin = us(probe_doc["format"].get("start_time")) or 0
    video_streams = [s for s in probe_doc["streams"] if s.get("codec_type") == "video"
                     and not s.get("disposition", {}).get("attached_pic")]
    has_audio = any(s.get("codec_type") == "audio" for s in probe_doc["streams"])

    # probe
    code, mine, err = reel_json(reel, "probe", path)
    if not c.expect(code == 0 and isinstance(mine, dict) and "streams" in mine, f"probe exit {code}: {err or mine}"):
        return
    c.expect(any(s["type"] == "video" for s in mine["streams"]), "probe: no video stream")
    for key, theirs in (("startTimeUs", us(probe_doc["format"].get("start_time"))), ("durationUs", us(probe_doc["format"].get("duration")))):
        if theirs is not None:
            c.expect(mine.get(key) is not None and abs(mine[key] - theirs) <= 1000, f"probe {key} {mine.get(key)}, ffprobe {theirs}")
    for s in probe_doc["streams"]:
        m = next((x for x in mine["streams"] if x["index"] == s["index"]), None)
        if not c.expect(m is not None, f"probe: stream {s['index']} missing"):
            continue
        for key, field in (("startTimeUs", "start_time"), ("durationUs", "duration")):
            theirs = us(s.get(field))
            if theirs is not None:
                c.expect(m.get(key) is not None and abs(m[key] - theirs) <= 1000, f"probe stream {s['index']} {key} {m.get(key)}, ffprobe {theirs}")

    # verify
    frames, nominal = oracle_frames(path)
    if not c.expect(frames, "ffprobe decodes no frame"):
        return
    measured = max(t + d for t, d in frames) - min(t for t, _ in frames)
    longest = max(d for _, d in frames)
    code, v, err = reel_json(reel, "verify", path, "--reported-us", str(measured))
    if not c.expect(code == 0 and isinstance(v, dict), f"verify exit {code}: {err or v}"):
        return
    c.expect(v.get("frames") == len(frames), f"verify frames {v.get('frames')}, ffprobe {len(frames)}")
    c.expect(v.get("measuredDurationUs") is not None and abs(v["measuredDurationUs"] - measured) <= longest,
             f"verify measured {v.get('measuredDurationUs')} µs, ffprobe {measured} µs")
    c.expect(v.get("verdict") == "match", f"verify verdict {v.get('verdict')}")

    # thumbs
    end = max(t + d for t, d in frames) - origin
    mid = round((end // 2) / 1000) * 1000
    out = os.path.join(work, "thumbs")
    code, t, err = reel_json(reel, "thumbs", path, "--out", out, "--at", f"{mid / US:.3f}", "--poster", "--storyboard")
    if c.expect(code == 0 and isinstance(t, dict), f"thumbs exit {code}: {err or t}"):
        stills = t.get("thumbnails", [])
        if c.expect(len(stills) == 1 and os.path.exists(stills[0]["path"]), f"thumbs: {stills}"):
            shown = [ft - origin for ft, _ in frames if ft - origin <= mid]
            want = shown[-1] if shown else min(ft for ft, _ in frames) - origin
            c.expect(abs(stills[0]["timeUs"] - want) <= 1000, f"still at {mid} µs is the frame at {stills[0]['timeUs']} µs, ffmpeg shows {want} µs")
        c.expect(t.get("poster") and os.path.exists(t["poster"]["path"]), "no poster")
        sb = t.get("storyboard") or {}
        c.expect(sb and os.path.exists(sb.get("sprite", "")) and os.path.exists(sb.get("vtt", "")), "no storyboard")

    # render
    out = os.path.join(work, "render")
    code, r, err = reel_json(reel, "render", path, "--out", out, "--preset", "96p")
    if not c.expect(code == 0 and isinstance(r, dict), f"render exit {code}: {err or r}"):
        return
    renditions = r.get("renditions", [])
    if not c.expect(len(renditions) == 1, f"render: {renditions} skipped {r.get('skipped')}"):
        return
    written = ffprobe(renditions[0]["path"])
    wv = next((s for s in written["streams"] if s.get("codec_type") == "video"), {})
    c.expect(wv.get("codec_name") == "h264", f"rendition video {wv.get('codec_name')}")
    rendered, _ = oracle_frames(renditions[0]["path"])
    c.expect(len(rendered) == len(frames), f"rendition has {len(rendered)} frames, the source {len(frames)}")
    wd = us(wv.get("duration"))
    c.expect(wd is not None and abs(wd - measured) <= longest, f"rendition lasts {wd} µs, the source {measured} µs")
    wa = [s for s in written["streams"] if s.get("codec_type") == "audio"]
    c.expect(bool(wa) == has_audio and all(s.get("codec_name") == "aac" for s in wa),
             f"rendition audio {[s.get('codec_name') for s in wa]}, source has audio: {has_audio}")


def check_refused(reel, path, work, expect, c):
    kind, exit_code, error_code = expect
    if kind == "undecodable":
        code, v, err = reel_json(reel, "verify", path)
        c.expect(code == exit_code and isinstance(v, dict) and v.get("verdict") == "undecodable",
                 f"verify exit {code} verdict {v and v.get('verdict')}: {err}")
        code, r, err = reel_json(reel, "render", path, "--out", os.path.join(work, "render"), "--preset", "96p")
        c.expect(isinstance(r, dict) and not r.get("renditions"), f"render of an undecodable file kept {r and r.get('renditions')}")
        return
    for args in (["probe", path], ["verify", path], ["thumbs", path, "--out", os.path.join(work, "t"), "--at", "1"],
                 ["render", path, "--out", os.path.join(work, "r"), "--preset", "96p"]):
        code, doc, err = reel_json(reel, *args)
        if args[0] == "probe" and error_code == "noVideoStream":
            # A file without video still probes: its streams are listed, none of them video.
            streams = (doc or {}).get("streams", []) if isinstance(doc, dict) else []
            c.expect(code == 0 and streams and all(s["type"] != "video" for s in streams), f"probe: exit {code}, {doc}")
            continue
        got = (doc or {}).get("error", {}).get("code") if isinstance(doc, dict) else None
        c.expect(code == exit_code and got == error_code, f"{args[0]}: exit {code} code {got}, expected exit {exit_code} code {error_code}")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reel", default=os.path.join(here, "..", "..", ".build", "debug", "reel"))
    parser.add_argument("--only", help="comma-separated kind names")
    parser.add_argument("--keep", help="keep the corpus and outputs in this directory")
    parser.add_argument("--list", action="store_true", help="list the kinds and exit")
    args = parser.parse_args()
    kinds = KINDS
    if args.only:
        wanted = set(args.only.split(","))
        kinds = [k for k in KINDS if k[0] in wanted]
        unknown = wanted - {k[0] for k in kinds}
        if unknown:
            print(f"corpus: unknown kinds {sorted(unknown)}; --list names them", file=sys.stderr)
            return 2
    if args.list:
        for name, what, _, expect in kinds:
            print(f"{name:28} {what}" + ("" if expect == OK else f"  (refused: {expect})"))
        return 0
    if not os.access(args.reel, os.X_OK):
        print(f"corpus: no reel binary at {args.reel} (swift build --product reel, or --reel PATH)", file=sys.stderr)
        return 2
    root = args.keep or tempfile.mkdtemp(prefix="reel-corpus-")
    os.makedirs(root, exist_ok=True)
    passed, failed = 0, []
    started = time.monotonic()
    try:
        for name, what, make, expect in kinds:
            work = os.path.join(root, name)
            os.makedirs(work, exist_ok=True)
            c = Check()
            t0 = time.monotonic()
            try:
                path = make(os.path.join(work, "input"))
                if expect == OK:
                    check_ok(args.reel, path, work, c)
                else:
                    check_refused(args.reel, path, work, expect, c)
            except Exception as error:  # a kind that cannot even be made or checked is a failure, not a crash
                c.problems.append(f"{type(error).__name__}: {error}")
            mark = "ok  " if not c.problems else "FAIL"
            print(f"{mark} {name:28} {time.monotonic() - t0:5.1f} s  {what}")
            for problem in c.problems:
                print(f"       {problem}")
            if c.problems:
                failed.append(name)
            else:
                passed += 1
            if not args.keep:
                shutil.rmtree(work, ignore_errors=True)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    print(f"{passed} passed, {len(failed)} failed ({len(kinds)} kinds, {time.monotonic() - started:.0f} s)"
          + (f": {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
