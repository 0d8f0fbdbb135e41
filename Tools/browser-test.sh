#!/usr/bin/env bash
# The catalog pages in a real browser (issue 14): installs Debian's chromium and chromium-driver when missing, starts
# the TopView sandbox and `reel serve` (with an admin token) on 127.0.0.1 over a scratch storage root, archives a few
# sandbox tasks through callbacks (two ready, one with a wrong reported duration, one partial), then drives headless
# Chromium over WebDriver (Tools/browser/catalog_test.py): sign in, list, search, filter, page, a task page, play,
# storyboard scrubbing, a clean console. Screenshots go to $1 (default .build/browser-shots). Part of the test command.
#
#   Tools/browser-test.sh [SHOTS_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
shots=$(realpath -m "${1:-.build/browser-shots}")

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  echo "browser-test: installing chromium and chromium-driver from Debian" >&2
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver >/dev/null
fi

. Tools/lib/local-service.sh
start_sandbox

secret="browser-$(od -An -tx1 -N8 /dev/urandom | tr -d ' \n')"
token="admin-$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')"
TOPVIEW_BASE_URL="$sandbox_url" TOPVIEW_API_KEY=sandbox TOPVIEW_UID=browser REEL_CALLBACK_SECRET="$secret" REEL_ADMIN_TOKEN="$token" \
  "$bin/reel" serve --storage "$work/storage" --callback-bind 127.0.0.1:0 --bind 127.0.0.1:0 --preset 240p \
  >"$work/serve.out" 2>"$work/serve.log" &
serve_pid=$!
wait_for "$work/serve.log" '^reel serve: callbacks on' "$serve_pid"
callback_port=$(sed -n 's#^reel serve: callbacks on http://[^:]*:\([0-9]*\)/.*#\1#p' "$work/serve.log")
admin_port=$(sed -n 's#.*admin on http://[^:]*:\([0-9]*\)/.*#\1#p' "$work/serve.log")

run=$(od -An -tx1 -N3 /dev/urandom | tr -d ' \n')
tasks="ready-$run-a ready-$run-b wrongdur-$run partial-$run"
for task in $tasks; do
  curl -fsS -X POST "http://127.0.0.1:$callback_port/callbacks/topview/$secret" \
    -H 'Content-Type: application/json' -H 'Topview-Uid: browser' \
    -d "{\"uuid\":\"browser-$task\",\"bizType\":\"M2V_EXPORT\",\"taskId\":\"$task\",\"status\":\"success\",\"errorMsg\":\"\",\"result\":{}}" >/dev/null
done
echo "browser-test: callbacks sent for $tasks; waiting for the jobs" >&2
for _ in $(seq 1 1200); do
  busy=$("$bin/reel" jobs ls --storage "$work/storage" --json | grep -c '"state" : "\(pending\|running\)"' || true)
  [ "$busy" = 0 ] && break
  sleep 0.5
done
"$bin/reel" ls --storage "$work/storage" >&2

python3 Tools/browser/catalog_test.py --url "http://127.0.0.1:$admin_port" --token "$token" --shots "$shots" \
  --chromedriver "$(command -v chromedriver)" --chromium "$(command -v chromium)"
