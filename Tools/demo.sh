#!/usr/bin/env bash
# The main job on the embedded default: sets up, starts the local TopView sandbox on 127.0.0.1, archives the
# demo task into ./storage (or $REEL_STORAGE) with an image task and a voice-over task beside it, shows them, and stops
# the sandbox. No API key needed.
set -euo pipefail
cd "$(dirname "$0")/.."
Tools/setup.sh
bin=$(swift build --show-bin-path)
media=${SANDBOX_MEDIA:-.build/sandbox-media}
out=$(mktemp)
"$bin/reel-sandbox" --port 0 --media-dir "$media" >"$out" 2>.build/sandbox.log &
sandbox=$!
trap 'kill $sandbox 2>/dev/null || true; rm -f "$out"' EXIT
for _ in $(seq 1 600); do
  grep -q '^SANDBOX_URL=' "$out" && break
  kill -0 $sandbox 2>/dev/null || { cat .build/sandbox.log >&2; exit 1; }
  sleep 0.5
done
url=$(sed -n 's/^SANDBOX_URL=//p' "$out")
[ -n "$url" ] || { echo "demo: the sandbox did not start (see .build/sandbox.log)" >&2; exit 1; }
echo "demo: sandbox at $url" >&2
export TOPVIEW_BASE_URL="$url" TOPVIEW_API_KEY="${TOPVIEW_API_KEY:-sandbox}" TOPVIEW_UID="${TOPVIEW_UID:-demo}"
task=${DEMO_TASK:-demo-0d3a303bfc1f4f0e9a287ba47dbbefbc}
start=$(date +%s%N)
status=0
"$bin/reel" archive "$task" --poll-interval 1 || status=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
"$bin/reel" show "$task"
# Other task kinds go through the same archive path (README: Task kinds).
for kind_task in text2image:ready-demo-images text2voice:ready-demo-voice; do
  "$bin/reel" archive "${kind_task#*:}" --kind "${kind_task%%:*}" || status=$((status > 0 ? status : $?))
done
"$bin/reel" ls
printf 'demo: archived %s in %d.%03d s (exit %s). Look in %s, or run: %s/reel show %s --json\n' \
  "$task" $((ms / 1000)) $((ms % 1000)) "$status" "${REEL_STORAGE:-storage}" "$bin" "$task" >&2
exit $status
