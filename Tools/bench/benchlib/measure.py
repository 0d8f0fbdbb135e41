"""Runs commands under /usr/bin/time -v and turns the samples into medians and ratios.

Wall time is taken here (perf_counter around the child); CPU (user + sys) and peak RSS come from
/usr/bin/time -v, i.e. from the kernel's rusage of the child and every descendant it waited for. For a
shell script of several commands, peak RSS is therefore the largest single process, which is the peak of a
sequence that runs one command at a time.
"""

import os
import re
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass, field

TIME = "/usr/bin/time"


@dataclass
class Sample:
    wall: float  # seconds
    cpu: float  # user + sys, seconds
    rss_kb: int  # peak resident set size, KiB


@dataclass
class Side:
    """One side of a comparison: a command (argv list, or a bash script string) and its samples."""

    name: str
    command: object
    prepare: object = None  # callable run before each sample, untimed (e.g. empty the output directory)
    check: object = None  # callable(stdout) run after each sample, untimed; raises when the output is wrong
    env: dict = None
    display: str = None  # how the command is shown in the report, when the argv is too long to print
    samples: list = field(default_factory=list)

    def argv(self):
        if isinstance(self.command, str):
            return ["bash", "-c", "set -euo pipefail\n" + self.command]
        return list(self.command)

    @property
    def wall(self):
        return statistics.median(s.wall for s in self.samples)

    @property
    def cpu(self):
        return statistics.median(s.cpu for s in self.samples)

    @property
    def rss_mib(self):
        return statistics.median(s.rss_kb for s in self.samples) / 1024.0

    def summary(self):
        return f"{self.wall:.3f} s / {self.cpu:.3f} s / {self.rss_mib:.1f} MiB"


class CommandFailed(RuntimeError):
    pass


def run_once(argv, env=None, cwd=None, stdout_path=None):
    """Runs argv once under /usr/bin/time -v; returns (Sample, stdout text)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time", delete=False) as t:
        time_path = t.name
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    out = open(stdout_path, "wb") if stdout_path else subprocess.PIPE
    try:
        started = time.perf_counter()
        proc = subprocess.run([TIME, "-v", "-o", time_path] + list(argv), env=full_env, cwd=cwd,
                              stdout=out, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        wall = time.perf_counter() - started
        with open(time_path) as f:
            report = f.read()
    finally:
        if stdout_path:
            out.close()
        os.unlink(time_path)
    if proc.returncode != 0:
        tail = proc.stderr.decode(errors="replace")[-2000:]
        raise CommandFailed(f"exit {proc.returncode}: {' '.join(map(str, argv))[:300]}\n{tail}")
    stdout = "" if stdout_path else proc.stdout.decode(errors="replace")
    return parse_time_report(report, wall), stdout


def parse_time_report(report, wall):
    def number(label):
        m = re.search(re.escape(label) + r":\s*([0-9.]+)", report)
        if not m:
            raise CommandFailed(f"/usr/bin/time -v gave no '{label}':\n{report}")
        return float(m.group(1))

    cpu = number("User time (seconds)") + number("System time (seconds)")
    return Sample(wall=wall, cpu=cpu, rss_kb=int(number("Maximum resident set size (kbytes)")))


def alternate(sides, runs, log):
    """Runs every side `runs` times, interleaved; the order flips each round (A B, B A, ...)."""
    for i in range(runs):
        order = sides if i % 2 == 0 else list(reversed(sides))
        for side in order:
            if side.prepare:
                side.prepare()
            sample, stdout = run_once(side.argv(), env=side.env)
            if side.check:
                side.check(stdout)
            side.samples.append(sample)
            log(f"    run {i + 1}/{runs} {side.name:<28} wall {sample.wall:8.3f} s  cpu {sample.cpu:8.3f} s"
                f"  rss {sample.rss_kb / 1024:7.1f} MiB")
    return sides


def ratio(a, b):
    return a / b if b else float("nan")


def percentile(values, p):
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, int(-(-p * len(ordered) // 100)))
    return ordered[min(rank, len(ordered)) - 1]
