#!/usr/bin/env bash
# ReelVault beside ffmpeg and curl (issue 5): builds reel in release mode, generates the inputs (cached in
# Tools/bench/work/, git-ignored) and writes Tools/bench/results.md.
#
# Usage: Tools/bench/run.sh [--quick] [--cases 1,2,3,5,6] [--runs N] [--tasks N]
#   --quick   3 alternated runs per side, the 36 s clip only, veryfast only: a few minutes on 2 cores
#             (the first run also generates inputs: a clip, 1.1 GB of random files, 100 000 manifests).
# Environment: REEL_BIN=path  use this reel binary instead of building (it must be a release build).
set -euo pipefail
cd "$(dirname "$0")/../.."

need=()
command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null || need+=(ffmpeg)
command -v curl >/dev/null || need+=(curl)
command -v python3 >/dev/null || need+=(python3)
[ -x /usr/bin/time ] || need+=(time)
if [ ${#need[@]} -gt 0 ]; then
  echo "bench: installing ${need[*]}" >&2
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y "${need[@]}"
fi

if [ -n "${REEL_BIN:-}" ]; then
  reel="$REEL_BIN"
else
  echo "bench: swift build -c release --product reel" >&2
  swift build -c release --product reel >&2
  reel="$(swift build -c release --show-bin-path)/reel"
fi

exec python3 Tools/bench/bench.py --reel "$reel" "$@"
