"""The corpus: odd inputs of the kinds real users bring, each made with the ffmpeg CLI from lavfi sources.

Each kind is (name, what it is, how to make it, what ReelVault must do with it). `make(out_dir)` returns the path of
the file it wrote; `expect` is "ok" (probe, verify, thumbs and render succeed and agree with ffprobe/ffmpeg) or a
refusal: (exit code, media error code) that every command must give.
"""
import os
import subprocess

V = ["-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=2"]
A = ["-f", "lavfi", "-i", "sine=f=440:d=2"]
X264 = ["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p"]


def ffmpeg(*args):
    os.environ["SVT_LOG"] = "1"  # SVT-AV1's banner to errors only
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y", *args], check=True)


def simple(ext, *args):
    """A kind made by one ffmpeg command writing `<name>.<ext>`."""
    def make(path_stem):
        out = f"{path_stem}.{ext}"
        ffmpeg(*args, out)
        return out
    return make


def derived(ext, base, transform):
    """A kind made from another kind's file by a Python transform of its bytes."""
    def make(path_stem):
        source = base(path_stem + ".base")
        out = f"{path_stem}.{ext}"
        with open(source, "rb") as f:
            data = f.read()
        with open(out, "wb") as f:
            f.write(transform(data))
        os.unlink(source)
        return out
    return make


def flip_bytes(data):
    """Damaged slice data: every 97th byte of the second half inverted (headers and index intact)."""
    b = bytearray(data)
    for i in range(len(b) // 2, len(b) - 4096, 97):
        b[i] ^= 0xFF
    return bytes(b)


OK = "ok"
KINDS = [
    ("mp4-h264-aac", "MP4, H.264 + AAC, index at the end", simple("mp4", *V, *A, *X264, "-c:a", "aac"), OK),
    ("mp4-faststart", "MP4 with the index first", simple("mp4", *V, *A, *X264, "-c:a", "aac", "-movflags", "+faststart"), OK),
    ("mp4-bframes-10s-gop", "H.264 with B-frames and one keyframe", simple("mp4", *V, *X264, "-bf", "3", "-g", "250"), OK),
    ("mov-pcm-22222", "MOV, PCM s16 mono at 22 222 Hz (AAC cannot take it)",
     simple("mov", *V, "-f", "lavfi", "-i", "sine=f=440:d=2:sample_rate=22222", *X264, "-c:a", "pcm_s16le", "-ac", "1"), OK),
    ("mov-g711", "MOV, G.711 mu-law at 8 kHz",
     simple("mov", *V, "-f", "lavfi", "-i", "sine=f=440:d=2:sample_rate=8000", *X264, "-c:a", "pcm_mulaw", "-ac", "1"), OK),
    ("mkv-vp9-opus", "Matroska, VP9 + Opus (a browser recording)",
     simple("mkv", *V, *A, "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "300k", "-c:a", "libopus"), OK),
    ("webm-vp8-vorbis", "WebM, VP8 + Vorbis",
     simple("webm", *V, *A, "-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "300k", "-c:a", "libvorbis"), OK),
    ("mkv-av1", "Matroska, AV1 (SVT-AV1)", simple("mkv", *V, "-c:v", "libsvtav1", "-preset", "12", "-pix_fmt", "yuv420p"), OK),
    ("mp4-hevc-10bit", "MP4, HEVC Main 10",
     simple("mp4", *V, "-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error", "-pix_fmt", "yuv420p10le", "-tag:v", "hvc1"), OK),
    ("mp4-h264-444", "H.264 High 4:4:4", simple("mp4", *V, "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv444p"), OK),
    ("mov-prores-timecode", "MOV, ProRes 422 with a timecode track",
     simple("mov", *V, *A, "-c:v", "prores_ks", "-profile:v", "0", "-c:a", "pcm_s16le", "-timecode", "01:00:00:00"), OK),
    ("mov-dnxhr", "MOV, DNxHR LB", simple("mov", *V, "-c:v", "dnxhd", "-profile:v", "dnxhr_lb", "-pix_fmt", "yuv422p"), OK),
    ("dv-pal-anamorphic", "raw DV, PAL 720x576, 16:9 pixels",
     simple("dv", "-f", "lavfi", "-i", "testsrc2=s=720x576:r=25:d=2", "-f", "lavfi", "-i", "sine=f=440:d=2:sample_rate=48000",
            "-vf", "setsar=64/45,setdar=16/9", "-c:v", "dvvideo", "-pix_fmt", "yuv420p", "-c:a", "pcm_s16le", "-ac", "2", "-aspect", "16:9"), OK),
    ("ts-mpeg2-mp2", "MPEG-TS broadcast, MPEG-2 video + MP2",
     simple("ts", *V, *A, "-c:v", "mpeg2video", "-q:v", "5", "-c:a", "mp2", "-f", "mpegts"), OK),
    ("ts-one-keyframe-offset", "MPEG-TS, H.264 with one keyframe, timestamps from 11.4 s, a black leader",
     simple("ts", *V, *A, "-vf", "drawbox=c=black:t=fill:enable='lt(t,0.5)'", *X264, "-c:a", "aac", "-output_ts_offset", "10", "-f", "mpegts"), OK),
    ("mpg-mpeg1-ps", "MPEG program stream, MPEG-1 video + MP2", simple("mpg", *V, *A, "-c:v", "mpeg1video", "-q:v", "5", "-c:a", "mp2"), OK),
    ("avi-mpeg4-mp3", "AVI, MPEG-4 part 2 + MP3", simple("avi", *V, *A, "-c:v", "mpeg4", "-q:v", "5", "-c:a", "libmp3lame"), OK),
    ("avi-mjpeg-full-range", "AVI, Motion JPEG (full-range yuvj420p)", simple("avi", *V, "-c:v", "mjpeg", "-q:v", "5", "-pix_fmt", "yuvj420p"), OK),
    ("flv-h264-aac", "FLV, H.264 + AAC", simple("flv", *V, *A, *X264, "-c:a", "aac"), OK),
    ("3gp-h263-aac", "3GP, H.263 (176x144) + AAC mono",
     simple("3gp", "-f", "lavfi", "-i", "testsrc2=s=176x144:r=15:d=2", *A, "-c:v", "h263", "-c:a", "aac", "-ac", "1", "-ar", "8000"), OK),
    ("mkv-ffv1-odd-size", "Matroska, FFV1 lossless at an odd size (161x121)",
     simple("mkv", "-f", "lavfi", "-i", "testsrc2=s=161x121:r=25:d=2", "-c:v", "ffv1", "-pix_fmt", "yuv420p"), OK),
    ("mp4-rotated-90", "phone portrait: a display matrix turning the picture 90 degrees",
     simple("mp4", *V, *X264, "-metadata:s:v:0", "rotate=270"), OK),
    ("mp4-anamorphic-sar", "non-square pixels (SAR 4:3)", simple("mp4", "-f", "lavfi", "-i", "testsrc2=s=240x240:r=25:d=2,setsar=4/3", *X264), OK),
    ("mp4-vfr", "variable frame rate: 30 fps then 15 fps",
     simple("mp4", "-filter_complex", "testsrc2=s=320x240:r=30,trim=duration=1[a];testsrc2=s=320x240:r=15,trim=duration=1,setpts=PTS-STARTPTS[b];[a][b]concat=n=2:v=1:a=0",
            "-fps_mode", "vfr", "-video_track_timescale", "90000", *X264, "-bf", "0"), OK),
    ("mp4-start-offset", "timestamps starting at 5 s", simple("mp4", *V, *A, *X264, "-c:a", "aac", "-output_ts_offset", "5"), OK),
    ("mp4-late-video-no-editlist", "the video 0.08 s after the audio, no edit list",
     simple("mp4", *V, *A, "-filter_complex", "[0:v]setpts=PTS+0.08/TB[v]", "-map", "[v]", "-map", "1:a", *X264, "-c:a", "aac", "-use_editlist", "0"), OK),
    ("mp4-fragmented", "fragmented MP4 (empty moov, a fragment per second)",
     simple("mp4", *V, *A, *X264, "-g", "25", "-c:a", "aac", "-movflags", "frag_keyframe+empty_moov+default_base_moof"), OK),
    ("h264-annexb-no-pts", "raw H.264 Annex-B: no timestamps at all", simple("h264", *V, *X264, "-f", "h264"), OK),
    ("m4v-raw-mpeg4", "raw MPEG-4 part 2 elementary stream", simple("m4v", *V, "-c:v", "mpeg4", "-q:v", "5", "-f", "m4v"), OK),
    ("mp4-interlaced-tff", "interlaced PAL capture, top field first",
     simple("mp4", "-f", "lavfi", "-i", "testsrc2=s=720x576:r=50:d=2", "-vf", "tinterlace=mode=interleave_top,fieldorder=tff",
            *X264, "-flags", "+ildct+ilme", "-x264opts", "tff=1", "-field_order", "tt", "-r", "25"), OK),
    ("mp4-cover-art", "a video with cover art as a second, attached-picture stream",
     simple("mp4", *V, "-f", "lavfi", "-i", "color=red:s=64x64:d=1", "-map", "0", "-map", "1", *X264,
            "-c:v:1", "png", "-frames:v:1", "1", "-disposition:v:1", "attached_pic"), OK),
    ("mp4-subtitle-track", "a mov_text subtitle track beside the video",
     simple("mp4", *V, "-f", "lavfi", "-i", "anullsrc=d=2", "-f", "srt", "-i", "/dev/null", "-map", "0", "-map", "1", *X264, "-c:a", "aac", "-shortest"), OK),
    ("mp4-surround-51", "AAC 5.1", simple("mp4", *V, "-f", "lavfi", "-i", "sine=f=440:d=2", "-af", "pan=5.1|c0=c0|c1=c0|c2=c0|c3=c0|c4=c0|c5=c0",
                                          *X264, "-c:a", "aac"), OK),
    ("mp4-one-frame", "a one-frame clip", simple("mp4", "-f", "lavfi", "-i", "testsrc2=s=320x240:r=25", "-frames:v", "1", *X264), OK),
    ("mp4-audio-longer", "3 s of sound under 2 s of picture", simple("mp4", *V, "-f", "lavfi", "-i", "sine=f=440:d=3", *X264, "-c:a", "aac"), OK),
    ("gif-animated", "an animated GIF", simple("gif", "-f", "lavfi", "-i", "testsrc2=s=160x120:r=10:d=2"), OK),
    ("mp4-damaged", "H.264 with slice data damaged after the first half (headers intact)",
     derived("mp4", simple("mp4", *V, *X264, "-movflags", "+faststart"), flip_bytes), ("undecodable", 1, None)),
    ("mp4-truncated-no-index", "an MP4 cut at 60 % whose index was at the end",
     derived("mp4", simple("mp4", *V, *X264), lambda d: d[: len(d) * 6 // 10]), ("refused", 1, "notMedia")),
    ("m4a-audio-only", "audio only", simple("m4a", *A, "-c:a", "aac"), ("refused", 1, "noVideoStream")),
    ("txt-not-media", "a text file named .mp4", lambda stem: (open(stem + ".mp4", "w").write("not a video\n" * 40), stem + ".mp4")[1],
     ("refused", 1, "notMedia")),
]
