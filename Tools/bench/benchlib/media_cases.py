"""Cases 1-4 and 7: probe, verify and the full per-video pipeline, ReelVault beside FFmpeg's CLI."""

import json
import os
import shlex
import shutil

from . import references
from .measure import Side, alternate, ratio
from .report import Result, Skipped


def _fresh(directory):
    def prepare():
        shutil.rmtree(directory, ignore_errors=True)
        os.makedirs(directory)
    return prepare


def _files_exist(out, files):
    def check(_stdout):
        missing = [f for f in files
                   if not os.path.exists(os.path.join(out, f)) or os.path.getsize(os.path.join(out, f)) == 0]
        if missing:
            raise AssertionError(f"missing outputs in {out}: {missing}")
    return check


class MediaCases:
    def __init__(self, reel, work, runs, log):
        self.reel = reel
        self.work = work
        self.runs = runs
        self.log = log

    def probe(self, files):
        """Case 1: one `reel media probe` of every file vs one ffprobe process per file."""
        directory = os.path.dirname(files[0])
        script = (f"for f in {shlex.quote(directory)}/clip-*.mp4; do\n"
                  f"  ffprobe -v error -show_format -show_streams -of json \"$f\" > /dev/null\ndone")
        reel = Side("reel media probe ×1", [self.reel, "media", "probe", "--json"] + files,
                    check=lambda out: _expect_count(out, len(files)),
                    display=f"reel media probe --json {directory}/clip-*.mp4 ({len(files)} paths)")
        ref = Side(f"ffprobe ×{len(files)}", script)
        self.log(f"  case 1: header probe of {len(files)} files")
        alternate([reel, ref], self.runs, self.log)
        return Result("1", f"header probe, {len(files)} files", os.path.basename(files[0]), reel, ref,
                      target="wall ≤ 0.05", passed=ratio(reel.wall, ref.wall) <= 0.05, reference=script)

    def verify(self, clip, label):
        """Case 2: full-decode verification vs `ffmpeg -f null`."""
        command = f"ffmpeg -nostdin -hide_banner -v error -i {shlex.quote(clip.path)} -f null -"
        reel = Side("reel media verify", [self.reel, "media", "verify", "--json", clip.path],
                    check=_expect_verdict)
        ref = Side("ffmpeg -f null", command)
        self.log(f"  case 2: verify {label}")
        alternate([reel, ref], self.runs, self.log)
        return Result("2", "full-decode verification", label, reel, ref,
                      target="wall ≤ 1.0", passed=ratio(reel.wall, ref.wall) <= 1.0, reference=command)

    def pipeline(self, clip, label, x264_preset):
        """Cases 3, 4 and 7 from one set of alternated runs: ReelVault's one-pass pipeline, the naive
        sequence of commands, and the best single ffmpeg command."""
        plan = references.Plan(clip)
        base = os.path.join(self.work, "out", f"pipeline-{x264_preset}")
        outs = {k: os.path.join(base, k) for k in ("reel", "naive", "single")}
        naive = references.naive_script(plan, clip.path, outs["naive"], x264_preset)
        single = references.single_command(plan, clip.path, outs["single"], x264_preset)
        expected = references.expected_outputs(plan)
        reel = Side("reel media pipeline",
                    [self.reel, "media", "pipeline", clip.path, "--out", outs["reel"], "--json",
                     "--x264-preset", x264_preset, "--crf", "23"],
                    prepare=_fresh(outs["reel"]), check=_pipeline_check(outs["reel"], expected))
        ref_naive = Side("naive ffmpeg sequence", naive, prepare=_fresh(outs["naive"]),
                         check=_files_exist(outs["naive"], expected))
        ref_single = Side("single ffmpeg (split)", single, prepare=_fresh(outs["single"]),
                          check=_files_exist(outs["single"], expected))
        self.log(f"  cases 3/4/7: pipeline on {label}, x264 {x264_preset}")
        alternate([reel, ref_naive, ref_single], self.runs, self.log)
        suffix = f", x264 {x264_preset}"
        r3 = Result("3", "pipeline vs naive sequence" + suffix, label, reel, ref_naive,
                    target="wall ≤ 0.55", passed=ratio(reel.wall, ref_naive.wall) <= 0.55, reference=naive)
        if x264_preset != "veryfast":
            # The issue sets the targets with veryfast and asks for medium to be reported: with a slower preset the two
            # rendition encodes dominate both sides, and the single ffmpeg command shows the floor any one-decode
            # pipeline can reach against the naive sequence.
            r3.target = "— (reported; targets are for veryfast)"
            r3.passed = None
            r3.note = f"(floor, single ffmpeg ÷ naive: {ratio(ref_single.wall, ref_naive.wall):.3f})"
        r4 = Result("4", "pipeline vs single ffmpeg" + suffix, label, reel, ref_single,
                    target="wall ≤ 1.05", passed=ratio(reel.wall, ref_single.wall) <= 1.05, reference=single)
        r7 = Result("7", "pipeline peak memory" + suffix, label, reel, ref_single,
                    target="RSS ≤ 1.2", passed=ratio(reel.rss_mib, ref_single.rss_mib) <= 1.2, reference="(case 4's command)")
        return [r3, r4, r7]

    def pipeline_unavailable(self, why):
        return [Skipped(c, t, why) for c, t in (("3", "pipeline vs naive sequence"), ("4", "pipeline vs single ffmpeg"),
                                                ("7", "pipeline peak memory"))]


def _expect_count(stdout, count):
    data = json.loads(stdout)
    if not isinstance(data, list) or len(data) != count or any("error" in d for d in data):
        raise AssertionError("reel media probe did not probe every file")


def _expect_verdict(stdout):
    verdict = json.loads(stdout).get("verdict")
    if verdict not in ("match", "unreported"):
        raise AssertionError(f"reel media verify said {verdict}")


def _pipeline_check(out, expected):
    exists = _files_exist(out, expected)

    def check(stdout):
        report = json.loads(stdout)
        thumbs = report["thumbnails"]
        if len(thumbs["thumbnails"]) != references.THUMBS or not thumbs.get("poster") or not thumbs.get("storyboard"):
            raise AssertionError("reel media pipeline did not write every still")
        if len(report["renditions"]) != 2 or report["verification"]["verdict"] not in ("match", "unreported"):
            raise AssertionError(f"reel media pipeline: {report['renditions']} {report['verification']}")
        exists(stdout)
    return check
