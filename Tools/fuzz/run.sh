#!/usr/bin/env bash
# Long-run fuzzing (not CI). Usage: Tools/fuzz/run.sh [api|media|all] [RUNS]
#   api   — libFuzzer (+ASan) over the TopView decoders (callback bodies, query envelopes/results); RUNS inputs.
#   media — mutated MP4/MOV bytes (truncations, bit flips, huge box sizes) through probe + verify under ASan,
#           each input with a time bound; RUNS inputs.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
what=${1:-all}
runs=${2:-1000000}
work=${FUZZ_DIR:-/tmp/reelvault-fuzz}
mkdir -p "$work"

fuzz_api() {
  local files=()
  for f in "$repo"/Sources/TopView/*.swift; do
    case "$(basename "$f")" in TopViewClient*) ;; *) files+=("$f") ;; esac
  done
  cp "$repo/Tools/fuzz/ApiFuzz.swift.txt" "$work/ApiFuzz.swift"
  swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name TopViewFuzz \
    "${files[@]}" "$work/ApiFuzz.swift" -o "$work/api-fuzz"
  mkdir -p "$work/api-corpus"
  cp "$repo"/Tools/fuzz/corpus/api/* "$work/api-corpus/"
  # -rss_limit_mb bounds memory; -timeout flags any input slower than 2 s as a hang.
  "$work/api-fuzz" -runs="$runs" -max_len=65536 -rss_limit_mb=1024 -timeout=2 -print_final_stats=1 \
    "$work/api-corpus" 2>&1 | tee "$work/api.log" | grep -E "^#[0-9]+ +DONE|stat::number_of_executed_units|ERROR|crash" || true
  if grep -q "ERROR: \|deadly signal\|Timeout" "$work/api.log"; then echo "api fuzz: FAILURE (see $work/api.log)"; return 1; fi
  echo "api fuzz: $(grep -o 'stat::number_of_executed_units: [0-9]*' "$work/api.log" | awk '{print $2}') inputs, no crash, no hang"
}

fuzz_media() {
  LEAKCHECK_DIR="$work/media" "$repo/Tools/leakcheck/run.sh" >/dev/null  # builds the ASan media package + fixtures
  local pkg="$work/media/pkg"
  cp "$repo/Tools/fuzz/MediaFuzz.swift.txt" "$pkg/Sources/leakcheck/main.swift"
  (cd "$pkg" && swift build --sanitize=address 2>&1 | grep -E "error|Compiling|Build" | tail -3)
  ASAN_OPTIONS=detect_leaks=1 "$pkg/.build/debug/leakcheck" "$work/media/fixtures/s2.mp4" "$work/media-cases" "$runs" 2>"$work/media.log" || true
  if grep -q "ERROR: \(Address\|Leak\)Sanitizer\|HANG" "$work/media.log"; then
    grep -B2 -A20 "ERROR\|HANG" "$work/media.log" | head -60; echo "media fuzz: FAILURE (see $work/media.log)"; return 1
  fi
  tail -1 "$work/media.log"
}

case "$what" in
  api) fuzz_api ;;
  media) fuzz_media ;;
  all) fuzz_api; fuzz_media ;;
  *) echo "usage: $0 [api|media|all] [RUNS]" >&2; exit 2 ;;
esac
