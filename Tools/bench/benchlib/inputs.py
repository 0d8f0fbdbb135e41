"""Inputs the suite generates (once, cached in Tools/bench/work/): clips with ffmpeg's CLI, probe copies,
random files for the download case."""

import json
import math
import os
import subprocess
from dataclasses import dataclass


@dataclass
class Clip:
    path: str
    width: int
    height: int
    fps: float
    duration: float  # container duration, seconds (ffprobe)
    video_duration: float

    @property
    def frames(self):
        return int(round(self.video_duration * self.fps))


def _ffmpeg(args):
    subprocess.run(["ffmpeg", "-nostdin", "-hide_banner", "-v", "error", "-y"] + args, check=True)


def make_clip(path, seconds, width=1080, height=1920, fps=30, log=print):
    """An H.264/AAC MP4 like a generated vertical video: moving test pattern with light temporal grain (about
    8 Mb/s, like a generated clip), 48 kHz stereo AAC, 2 s GOP, faststart. Written to a temporary name, then renamed."""
    if not os.path.exists(path):
        log(f"  generating {os.path.basename(path)} ({seconds} s, {width}x{height} @ {fps} fps) ...")
        tmp = path + ".part.mp4"
        _ffmpeg([
            "-f", "lavfi", "-i", f"testsrc2=size={width}x{height}:rate={fps},noise=alls=3:allf=t",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000,aformat=channel_layouts=stereo",
            "-t", str(seconds),
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "21", "-g", str(2 * fps), "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-b:a", "128k", "-movflags", "+faststart", tmp,
        ])
        os.replace(tmp, path)
    return describe(path)


def describe(path):
    out = subprocess.run(["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json", path],
                         check=True, capture_output=True, text=True).stdout
    info = json.loads(out)
    video = next(s for s in info["streams"] if s["codec_type"] == "video")
    num, den = video["avg_frame_rate"].split("/")
    return Clip(path=path, width=int(video["width"]), height=int(video["height"]), fps=float(num) / float(den),
                duration=float(info["format"]["duration"]), video_duration=float(video.get("duration", 0.0)))


def probe_copies(clip, directory, count=100):
    """`count` hard links to the clip (distinct paths, one inode: the page cache is warm for both sides)."""
    os.makedirs(directory, exist_ok=True)
    paths = []
    for i in range(count):
        p = os.path.join(directory, f"clip-{i:03d}.mp4")
        if not os.path.exists(p):
            try:
                os.link(clip.path, p)
            except OSError:
                os.symlink(os.path.abspath(clip.path), p)
        paths.append(p)
    return paths


def random_file(path, mib, log=print):
    """A file of `mib` MiB of random bytes (incompressible), made once."""
    size = mib << 20
    if not (os.path.exists(path) and os.path.getsize(path) == size):
        log(f"  generating {os.path.basename(path)} ({mib} MiB of random bytes) ...")
        subprocess.run(["bash", "-c", f"head -c {size} /dev/urandom > '{path}.part' && mv '{path}.part' '{path}'"],
                       check=True)
    return path


def even(v):
    """Nearest even integer, halves away from zero (as Swift's `rounded()`), at least 2."""
    return max(2, int(math.floor(v / 2.0 + 0.5)) * 2)


def fit_long_side(clip, long_side):
    """The size ReelVault gives a still whose longest side is `long_side` (never upscaled, even)."""
    factor = min(1.0, long_side / max(clip.width, clip.height))
    return even(clip.width * factor), even(clip.height * factor)


def rendition_size(clip, short_side):
    """The size of a `<short>p` rendition that keeps the aspect (ReelVault's RenditionLayout)."""
    factor = short_side / min(clip.width, clip.height)
    if clip.width <= clip.height:
        return short_side, even(clip.height * factor)
    return even(clip.width * factor), short_side
