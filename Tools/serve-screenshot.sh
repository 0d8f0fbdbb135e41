#!/usr/bin/env bash
# Screenshots the catalog page of `reel serve` in headless Chromium (Debian's package, installed if missing):
# starts the TopView sandbox and `reel serve` on 127.0.0.1 with a scratch storage, archives a few sandbox tasks
# through callbacks (ready, partial, wrongdur, demo), waits for them, screenshots http://127.0.0.1:PORT/ into
# .build/serve-screenshot.png (or $1), and stops everything. Not part of CI.
#
#   Tools/serve-screenshot.sh [OUT.png]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-.build/serve-screenshot.png}

browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  echo "serve-screenshot: installing chromium from Debian" >&2
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
  browser=$(command -v chromium)
fi

. Tools/lib/local-service.sh
start_sandbox

secret="screenshot-$(od -An -tx1 -N8 /dev/urandom | tr -d ' \n')"
TOPVIEW_BASE_URL="$sandbox_url" TOPVIEW_API_KEY=sandbox TOPVIEW_UID=screenshot REEL_CALLBACK_SECRET="$secret" \
  "$bin/reel" serve --storage "$work/storage" --callback-bind 127.0.0.1:0 --bind 127.0.0.1:0 --preset 240p,360p \
  >"$work/serve.out" 2>"$work/serve.log" &
serve_pid=$!
wait_for "$work/serve.log" '^reel serve: callbacks on' "$serve_pid"
callback_port=$(sed -n 's#^reel serve: callbacks on http://[^:]*:\([0-9]*\)/.*#\1#p' "$work/serve.log")
admin_port=$(sed -n 's#.*admin on http://[^:]*:\([0-9]*\)/.*#\1#p' "$work/serve.log")

run=$(od -An -tx1 -N3 /dev/urandom | tr -d ' \n')
tasks="ready-$run partial-$run wrongdur-$run demo-$run"
for task in $tasks; do
  curl -fsS -X POST "http://127.0.0.1:$callback_port/callbacks/topview/$secret" \
    -H 'Content-Type: application/json' -H 'Topview-Uid: screenshot' \
    -d "{\"uuid\":\"shot-$task\",\"bizType\":\"M2V_EXPORT\",\"taskId\":\"$task\",\"status\":\"success\",\"errorMsg\":\"\",\"result\":{}}" >/dev/null
done
echo "serve-screenshot: callbacks sent for $tasks; waiting for the jobs" >&2
for _ in $(seq 1 600); do
  busy=$("$bin/reel" jobs ls --storage "$work/storage" --json | grep -c '"state" : "\(pending\|running\)"' || true)
  [ "$busy" = 0 ] && break
  sleep 0.5
done
"$bin/reel" jobs ls --storage "$work/storage" >&2

mkdir -p "$(dirname "$out")"
profile="$work/chromium-profile"
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$profile" \
  --window-size=1280,1600 --virtual-time-budget=5000 --screenshot="$(realpath -m "$out")" \
  "http://127.0.0.1:$admin_port/" 2>"$work/chromium.log" >&2 || { cat "$work/chromium.log" >&2; exit 1; }
[ -s "$out" ] || { echo "serve-screenshot: no screenshot written" >&2; cat "$work/chromium.log" >&2; exit 1; }
echo "serve-screenshot: wrote $out" >&2
