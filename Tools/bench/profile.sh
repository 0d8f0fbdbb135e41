#!/usr/bin/env bash
# Profiles ReelVault's one-pass pipeline and the single ffmpeg command on a short cut of the bench clip, to
# see where a missed target goes: by library (libx264, libavcodec, libswscale, reel), by thread, by symbol.
# Uses `perf record -e cpu-clock` (a software event: works in VMs without hardware counters); with --callgrind,
# valgrind's instruction counts instead (slow: keep --seconds small).
#
# Usage: Tools/bench/profile.sh [--seconds N] [--callgrind]    (run Tools/bench/run.sh --quick first: it makes the clip)
# Environment: REEL_BIN=path (default .build/release/reel). Output: Tools/bench/work/profile/.
set -euo pipefail
cd "$(dirname "$0")"
seconds=6
tool=perf
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --callgrind) tool=callgrind; shift ;;
    *) echo "usage: $0 [--seconds N] [--callgrind]" >&2; exit 2 ;;
  esac
done
reel="${REEL_BIN:-../../.build/release/reel}"
out=work/profile
[ -x "$reel" ] || { echo "profile: no $reel; build with: swift build -c release --product reel (or set REEL_BIN)" >&2; exit 2; }
rm -rf "$out" && mkdir -p "$out"
[ -f work/clip-36s.mp4 ] || { echo "profile: run Tools/bench/run.sh --quick first (it generates work/clip-36s.mp4)" >&2; exit 2; }
clip="$out/clip-${seconds}s.mp4"
ffmpeg -nostdin -v error -y -i work/clip-36s.mp4 -t "$seconds" -c copy "$clip"

single=$(python3 - "$clip" "$out/single" <<'PY'
import sys
sys.path.insert(0, ".")
from benchlib import inputs, references
clip = inputs.describe(sys.argv[1])
print(references.single_command(references.Plan(clip), clip.path, sys.argv[2], "veryfast"))
PY
)
run() {  # name, command...
  local name="$1"; shift
  if [ "$tool" = perf ]; then
    perf record -q -e cpu-clock -F 1999 -g -o "$out/$name.perf" -- "$@" >/dev/null
    for key in dso comm "comm,dso" "dso,sym"; do
      perf report -i "$out/$name.perf" --stdio --no-children --sort "$key" 2>/dev/null | grep -v '^#' | grep -v '^$' \
        | grep -E '^ +[0-9]' | head -25 > "$out/$name.by-${key/,/-}.txt" || true
    done
    echo "== $name: by library"; head -12 "$out/$name.by-dso.txt"
    echo "== $name: by thread"; head -12 "$out/$name.by-comm.txt"
    echo "== $name: by thread and library"; head -16 "$out/$name.by-comm-dso.txt"
    echo "== $name: top symbols"; head -20 "$out/$name.by-dso-sym.txt"
  else
    valgrind --tool=callgrind --callgrind-out-file="$out/$name.callgrind" "$@" >/dev/null 2>"$out/$name.valgrind.log"
    callgrind_annotate --inclusive=no "$out/$name.callgrind" 2>/dev/null | head -40 | tee "$out/$name.callgrind.txt"
  fi
}
run reel "$reel" media pipeline "$clip" --out "$out/reel" --json
run single bash -c "set -euo pipefail; $single"
echo "profile: reports in Tools/bench/$out" >&2
