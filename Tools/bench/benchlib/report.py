"""Results and the Markdown report (Tools/bench/results.md)."""

import datetime
import os
import platform
import subprocess
from dataclasses import dataclass, field

from .measure import ratio


@dataclass
class Result:
    """A ReelVault side beside a reference side, with the target and whether it was met."""

    case: str
    title: str
    input: str
    reel: object
    ref: object
    target: str
    passed: "bool | None"  # None: reported, no target
    reference: str  # the exact reference command(s)
    note: str = ""


@dataclass
class Metric:
    """A measured figure with an absolute target (case 6, the download memory check)."""

    case: str
    title: str
    value: str
    target: str
    passed: object  # True, False or None (not measured)
    note: str = ""


@dataclass
class Skipped:
    case: str
    title: str
    why: str


@dataclass
class Report:
    mode: str
    runs: int
    reel: str
    results: list = field(default_factory=list)
    started: datetime.datetime = field(default_factory=lambda: datetime.datetime.now(datetime.timezone.utc))
    notes: list = field(default_factory=list)
    load_at_start: str = field(default_factory=lambda: open("/proc/loadavg").read().strip())

    def add(self, items):
        self.results.extend(items if isinstance(items, list) else [items])


def _verdict(passed):
    return "—" if passed is None else ("**met**" if passed else "**missed**")


def machine():
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            model = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), model)
    except OSError:
        pass
    with open("/proc/meminfo") as f:
        mem = int(next(l.split()[1] for l in f if l.startswith("MemTotal"))) / 1024 / 1024
    return f"{os.cpu_count()} CPUs (nproc {_out(['nproc'])}), {model}, {mem:.0f} GiB RAM, {platform.platform()}"


def _out(argv):
    try:
        return subprocess.run(argv, capture_output=True, text=True).stdout.strip()
    except OSError:
        return "?"


def versions(reel):
    ff = _out(["ffmpeg", "-version"]).splitlines()
    curl = _out(["curl", "--version"]).splitlines()
    commit = _out(["git", "-C", os.path.dirname(os.path.abspath(__file__)), "rev-parse", "--short", "HEAD"])
    dirty = _out(["git", "-C", os.path.dirname(os.path.abspath(__file__)), "status", "--porcelain", "--", "Sources"])
    repo = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
    origin = (f"built here from git {commit}{' + uncommitted changes in Sources' if dirty else ''}"
              if os.path.abspath(reel).startswith(repo + "/") else f"given by REEL_BIN; this checkout is at git {commit}")
    return [f"reel {_out([reel, '--version'])} at {reel} (release build, {origin})",
            ff[0] if ff else "ffmpeg ?", curl[0] if curl else "curl ?"]


def markdown(report):
    lines = ["# ReelVault benchmarks", "",
             f"- date: {report.started.strftime('%Y-%m-%d %H:%M UTC')}",
             f"- machine: {machine()}",
             f"- mode: {report.mode} ({report.runs} alternated runs per side; medians)",
             f"- load average at start: {report.load_at_start}"]
    lines += [f"- {v}" for v in versions(report.reel)]
    lines += ["", "Ratios are ReelVault ÷ reference (below 1 = ReelVault uses less). Each cell: median wall / CPU (user+sys)"
              " / peak RSS.", "",
              "| case | what | input | ReelVault | reference | ÷ wall | ÷ CPU | ÷ RSS | target | result |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    for r in report.results:
        if isinstance(r, Result):
            lines.append(f"| {r.case} | {r.title} | {r.input} | {r.reel.summary()} | {r.ref.name}: {r.ref.summary()} | "
                         f"{ratio(r.reel.wall, r.ref.wall):.3f} | {ratio(r.reel.cpu, r.ref.cpu):.3f} | "
                         f"{ratio(r.reel.rss_mib, r.ref.rss_mib):.3f} | {r.target} | {_verdict(r.passed)}{(' ' + r.note) if r.note else ''} |")
    metrics = [r for r in report.results if isinstance(r, Metric)]
    if metrics:
        lines += ["", "| case | measure | value | target | result |", "|---|---|---|---|---|"]
        for m in metrics:
            lines.append(f"| {m.case} | {m.title} | {m.value} | {m.target} | {_verdict(m.passed)}{(' ' + m.note) if m.note else ''} |")
    skipped = [r for r in report.results if isinstance(r, Skipped)]
    if skipped:
        lines += ["", "Not measured:", ""]
        lines += [f"- case {s.case} ({s.title}): {s.why}" for s in skipped]
    if report.notes:
        lines += ["", "Notes:", ""] + [f"- {n}" for n in report.notes]
    lines += ["", "## Reference commands (exactly as run, each under `/usr/bin/time -v`, bash `set -euo pipefail`)", ""]
    seen = set()
    for r in report.results:
        if isinstance(r, Result) and r.reference not in seen and not r.reference.startswith("("):
            seen.add(r.reference)
            lines += [f"Case {r.case}, {r.title} ({r.input}), ReelVault side: `{_reel_side(r)}`", "", "```sh", r.reference, "```", ""]
    return "\n".join(lines) + "\n"


def _reel_side(r):
    if r.reel.display:
        return r.reel.display
    command = r.reel.command
    return command if isinstance(command, str) else " ".join(_short(a) for a in command[:12]) + (" …" if len(command) > 12 else "")


def _short(arg):
    return "reel" if arg.endswith("/reel") else arg


def write(report, path):
    text = markdown(report)
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.replace(path + ".tmp", path)
    return text
