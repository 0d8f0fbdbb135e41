"""The reference commands: what a user would run with FFmpeg's own CLI for the same outputs as ReelVault.

Every size, time and quality below is derived from the clip the way ReelVault derives its own (see
Sources/Media/Thumbnails and Sources/Media/Renditions), so both sides write the same pictures:
poster longest side 1280, thumbnails 640, storyboard tiles 160 (at most 60 tiles, 10 columns),
JPEG qscale 3, renditions libx264 CRF 23, audio copied, +faststart.
"""

import math
import shlex

from .inputs import fit_long_side, rendition_size

FF = "ffmpeg -nostdin -hide_banner -v error -y"
POSTER_CANDIDATES = 16
THUMBS = 5


def q(path):
    return shlex.quote(path)


class Plan:
    """Sizes and times of every output for one clip."""

    def __init__(self, clip, presets=(720, 480)):
        self.clip = clip
        self.duration_us = int(round((clip.video_duration or clip.duration) * 1e6))
        self.poster = fit_long_side(clip, 1280)
        self.thumb = fit_long_side(clip, 640)
        self.tile = fit_long_side(clip, 160)
        minimum = -(-self.duration_us // 60)
        self.interval_us = max(minimum, 100_000)
        self.tiles = max(1, -(-self.duration_us // self.interval_us))
        self.columns = min(10, self.tiles)
        self.rows = -(-self.tiles // self.columns)
        self.renditions = [(p, rendition_size(clip, p)) for p in presets]
        self.thumb_times = [self.duration_us * (2 * i + 1) // (2 * THUMBS) / 1e6 for i in range(THUMBS)]
        self.poster_times = [self.duration_us * (2 * i + 1) // (2 * POSTER_CANDIDATES) / 1e6
                             for i in range(POSTER_CANDIDATES)]

    def frame_at(self, t):
        """Index of the frame ReelVault takes for time t: the first one whose midpoint is at or after t."""
        return max(0, math.ceil(t * self.clip.fps - 0.5))

    def select(self, times):
        return "select='" + "+".join(f"eq(n,{self.frame_at(t)})" for t in times) + "'"


def naive_script(plan, src, out, x264_preset):
    """Case 3: the sequence of separate commands a user would script (each decodes the file again)."""
    pw, ph = plan.poster
    tw, th = plan.thumb
    sw, sh = plan.tile
    x264 = f"-c:v libx264 -preset {x264_preset} -crf 23 -c:a copy -movflags +faststart"
    lines = [
        f"mkdir -p {q(out)}/thumbs {q(out)}/storyboard {q(out)}/renditions",
        f"ffprobe -v error -show_format -show_streams -of json {q(src)} > {q(out)}/probe.json",
        f"{FF} -i {q(src)} -f null -",
        f"{FF} -i {q(src)} -vf thumbnail,scale={pw}:{ph} -frames:v 1 -q:v 3 {q(out)}/poster.jpg",
    ]
    for i, t in enumerate(plan.thumb_times):
        lines.append(f"{FF} -ss {t:.3f} -i {q(src)} -vf scale={tw}:{th} -frames:v 1 -q:v 3 {q(out)}/thumbs/{i + 1:02d}.jpg")
    lines.append(f"{FF} -i {q(src)} -vf fps=1/{plan.interval_us / 1e6:.6f},scale={sw}:{sh},tile={plan.columns}x{plan.rows}"
                 f" -frames:v 1 -q:v 3 {q(out)}/storyboard/sprite.jpg")
    for name, (w, h) in plan.renditions:
        lines.append(f"{FF} -i {q(src)} -map 0:v:0 -map 0:a:0? -vf scale={w}:{h} {x264} {q(out)}/renditions/{name}p.mp4")
    return "\n".join(lines)


def single_command(plan, src, out, x264_preset):
    """Case 4: one decode, a `split` filtergraph to every output (the encode-bound best case).
    The poster branch looks at the same 16 evenly spaced candidates as ReelVault (select + thumbnail=16)."""
    pw, ph = plan.poster
    tw, th = plan.thumb
    sw, sh = plan.tile
    n = 3 + len(plan.renditions)
    labels = [f"s{i}" for i in range(n)]
    graph = [f"[0:v:0]split={n}" + "".join(f"[{l}]" for l in labels)]
    for (name, (w, h)), label in zip(plan.renditions, labels):
        graph.append(f"[{label}]scale={w}:{h}[r{name}]")
    rest = labels[len(plan.renditions):]
    graph.append(f"[{rest[0]}]{plan.select(plan.poster_times)},scale={pw}:{ph},thumbnail={POSTER_CANDIDATES}[poster]")
    graph.append(f"[{rest[1]}]{plan.select(plan.thumb_times)},scale={tw}:{th}[thumbs]")
    graph.append(f"[{rest[2]}]fps=1/{plan.interval_us / 1e6:.6f},scale={sw}:{sh},tile={plan.columns}x{plan.rows}[sprite]")
    parts = [f"mkdir -p {q(out)}/thumbs {q(out)}/storyboard {q(out)}/renditions",
             f"{FF} -i {q(src)} -filter_complex {q(';'.join(graph))} \\"]
    for name, _ in plan.renditions:
        parts.append(f"  -map [r{name}] -map 0:a:0? -c:v libx264 -preset {x264_preset} -crf 23 -c:a copy"
                     f" -movflags +faststart {q(out)}/renditions/{name}p.mp4 \\")
    parts.append(f"  -map [poster] -frames:v 1 -q:v 3 {q(out)}/poster.jpg \\")
    parts.append(f"  -map [thumbs] -fps_mode passthrough -q:v 3 {q(out)}/thumbs/%02d.jpg \\")
    parts.append(f"  -map [sprite] -frames:v 1 -q:v 3 {q(out)}/storyboard/sprite.jpg")
    return "\n".join(parts)


def expected_outputs(plan):
    """Files both sides must have written, relative to their output directory."""
    files = ["poster.jpg", "storyboard/sprite.jpg"] + [f"thumbs/{i + 1:02d}.jpg" for i in range(THUMBS)]
    return files + [f"renditions/{name}p.mp4" for name, _ in plan.renditions]
