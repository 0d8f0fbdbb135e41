#!/usr/bin/env bash
# Runs the media engine (probe, verify, thumbnails, renditions incl. AAC re-encode, broken inputs) under
# AddressSanitizer + LeakSanitizer. Builds a throw-away package in a temp dir that links Sources/CFFmpeg and
# Sources/Media with what Media needs (DurableFiles, ReelBasics, swift-crypto), so none of the server dependencies are
# rebuilt with the sanitizer. The driver also injects a failure
# after each setup step of the AAC re-encoder (half-initialised objects must free what they made). Exits non-zero
# when the sanitizer reports an error or the driver does not reach its end. Not part of CI.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=${LEAKCHECK_DIR:-/tmp/reelvault-leakcheck}
mkdir -p "$work/pkg/Sources/leakcheck" "$work/fixtures"
ln -sfn "$repo/Sources/CFFmpeg" "$work/pkg/Sources/CFFmpeg"
ln -sfn "$repo/Sources/Media" "$work/pkg/Sources/Media"
ln -sfn "$repo/Sources/DurableFiles" "$work/pkg/Sources/DurableFiles"
ln -sfn "$repo/Sources/ReelBasics" "$work/pkg/Sources/ReelBasics"
cp "$repo/Tools/leakcheck/main.swift.txt" "$work/pkg/Sources/leakcheck/main.swift"
cat > "$work/pkg/Package.swift" <<'PKG'
// swift-tools-version:6.2
import PackageDescription
let package = Package(name: "leakpkg",
    dependencies: [.package(url: "https://github.com/apple/swift-crypto", from: "3.12.3")],
    targets: [
    .systemLibrary(name: "CFFmpeg", pkgConfig: "libavformat"),
    .target(name: "ReelBasics"),
    .target(name: "DurableFiles", dependencies: ["ReelBasics", .product(name: "Crypto", package: "swift-crypto")]),
    .target(name: "Media", dependencies: ["CFFmpeg", "DurableFiles"]),
    .executableTarget(name: "leakcheck", dependencies: ["Media"]),
])
PKG
f="$work/fixtures"
ffmpeg -v error -y -f lavfi -i testsrc2=size=320x240:rate=30 -f lavfi -i sine -t 2 -c:v libx264 -preset ultrafast -c:a aac "$f/s2.mp4"
ffmpeg -v error -y -f lavfi -i testsrc2=size=320x240:rate=30 -f lavfi -i sine -t 2 -c:v libx264 -preset ultrafast -c:a libmp3lame "$f/mp3clip.mp4"
head -c 200000 "$f/s2.mp4" > "$f/clip-trunc.mp4"
# Opus whose header says version 255: the container opens, the audio decoder refuses the stream.
ffmpeg -v error -y -f lavfi -i testsrc2=size=320x240:rate=30 -f lavfi -i sine -t 2 -c:v libx264 -preset ultrafast -c:a libopus "$f/opus.mkv"
python3 -c 'import sys; d = open(sys.argv[1], "rb").read(); i = d.index(b"OpusHead") + 8; open(sys.argv[2], "wb").write(d[:i] + b"\xff" + d[i + 1:])' "$f/opus.mkv" "$f/badaudio.mkv"
echo "not a video" > "$f/notmedia.mp4"
# -enable-testing: the driver uses `@testable import Media` to inject failures into internal types.
(cd "$work/pkg" && swift build --sanitize=address -Xswiftc -enable-testing)
rm -rf "$work/out"
REEL_QUIET=1 ASAN_OPTIONS=detect_leaks=1 "$work/pkg/.build/debug/leakcheck" "$f" "$work/out" 2>"$work/asan.log" || true
if grep -q "ERROR: \(Leak\|Address\)Sanitizer" "$work/asan.log"; then
  grep -A30 "ERROR:" "$work/asan.log"; exit 1
fi
if ! grep -q "leakcheck done" "$work/asan.log"; then
  echo "leakcheck: the driver stopped before its end:"; tail -20 "$work/asan.log"; exit 1
fi
echo "leakcheck: no leak and no memory error reported (log: $work/asan.log)"
