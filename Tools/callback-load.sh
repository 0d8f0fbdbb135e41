#!/usr/bin/env bash
# Load test of the callback listener: starts the TopView sandbox and `reel serve` on 127.0.0.1 with a scratch
# storage, sends N callbacks (concurrent threads, python3 standard library: Tools/callback_load.py), reports how many
# per second were acknowledged, and checks that none was lost: every answer is the documented acknowledgement with
# its uuid, and every distinct task id is queued exactly once. Not part of CI.
#
#   Tools/callback-load.sh N            (e.g. 2000)
#   LOAD_THREADS=64 LOAD_COPIES=4 LOAD_SCENARIO=ready Tools/callback-load.sh 500
#
# The task ids use the sandbox's `html` scenario by default (the upstream answers 502): their jobs keep retrying
# during the run, so that "queued exactly once" is exact; with LOAD_SCENARIO=ready the jobs archive for real, and a
# duplicate that arrives after its job finished legitimately queues the task again.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:?usage: Tools/callback-load.sh N}

. Tools/lib/local-service.sh
start_sandbox

secret="load-$(od -An -tx1 -N8 /dev/urandom | tr -d ' \n')"
TOPVIEW_BASE_URL="$sandbox_url" TOPVIEW_API_KEY=sandbox REEL_CALLBACK_SECRET="$secret" REEL_LOG_LEVEL=info \
  "$bin/reel" serve --storage "$work/storage" --callback-bind 127.0.0.1:0 --bind 127.0.0.1:0 --preset 240p \
  >"$work/serve.out" 2>"$work/serve.log" &
serve_pid=$!
wait_for "$work/serve.log" '^reel serve: callbacks on' "$serve_pid"
callback_port=$(sed -n 's#^reel serve: callbacks on http://[^:]*:\([0-9]*\)/.*#\1#p' "$work/serve.log")
admin_port=$(sed -n 's#.*admin on http://[^:]*:\([0-9]*\)/.*#\1#p' "$work/serve.log")

status=0
python3 Tools/callback_load.py --count "$count" --copies "${LOAD_COPIES:-2}" --threads "${LOAD_THREADS:-32}" \
  --scenario "${LOAD_SCENARIO:-html}" --callback-port "$callback_port" --admin-port "$admin_port" --secret "$secret" \
  --reel "$bin/reel" --storage "$work/storage" --serve-log "$work/serve.log" || status=$?
if grep -q "$secret" "$work/serve.log"; then
  echo "callback-load: the callback secret is in the service's log" >&2
  status=1
fi
exit $status
