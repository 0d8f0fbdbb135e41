#!/usr/bin/env bash
# Kill-at-any-moment proof (long run, not CI): every failpoint, then random SIGKILLs during download, verify,
# thumbnails and renditions, for `reel archive` and for `reel serve` with queued jobs. After each kill a rerun must
# complete and `reel verify --all` must be clean. Prints the counts at the end.
# Usage: Tools/killloop.sh [RANDOM_KILLS (default 20)]
set -euo pipefail
cd "$(dirname "$0")/.."
kills=${1:-20}
swift build --product reel >/dev/null
swift build --product reel-sandbox >/dev/null
bin=$(swift build --show-bin-path)
work=$(mktemp -d /tmp/reel-killloop.XXXXXX)
storage="$work/storage"
"$bin/reel-sandbox" --port 0 --media-dir "${SANDBOX_MEDIA:-.build/sandbox-media}" >"$work/sandbox.out" 2>"$work/sandbox.log" &
sandbox=$!
serve=""
trap 'kill $sandbox $serve 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do grep -q '^SANDBOX_URL=' "$work/sandbox.out" && break; sleep 0.5; done
export TOPVIEW_BASE_URL=$(sed -n 's/^SANDBOX_URL=//p' "$work/sandbox.out") TOPVIEW_API_KEY=killloop TOPVIEW_RETRY_POLICY=fast
export REEL_STORAGE="$storage" REEL_LADDER=240p,144p
survived=0; failures=0

check() { # $1: label — hashes and layout after every kill (re-decoding every source each time would be quadratic)
  if ! "$bin/reel" verify --all --no-decode >"$work/verify.out" 2>&1; then
    echo "FAIL after $1:"; cat "$work/verify.out"; failures=$((failures + 1)); return
  fi
  survived=$((survived + 1))
}

rerun() { # $1: task, $2: label
  local rc=0
  "$bin/reel" archive "$1" --poll-interval 0.2 >/dev/null 2>"$work/rerun.err" || rc=$?
  if [ "$rc" -ne 0 ]; then echo "FAIL: rerun of $1 after $2 exited $rc"; tail -3 "$work/rerun.err"; failures=$((failures + 1)); return; fi
  check "$2"
}

echo "== failpoints"
points="archive.polled archive.downloaded archive.source.committed archive.checkpointed archive.processed archive.committed
catalog.manifest.written@1 catalog.manifest.written@2 catalog.manifest.written@3 catalog.manifest.synced@2
catalog.manifest.renamed@1 catalog.manifest.renamed@3 catalog.index.upserted@2 catalog.store.synced@1
catalog.store.synced@3 catalog.store.synced@6 catalog.store.synced@9"
n=0
for point in $points; do
  n=$((n + 1)); task="ready-fp$n-$$"
  rc=0; REEL_FAILPOINT="$point" "$bin/reel" archive "$task" >/dev/null 2>&1 || rc=$?
  [ "$rc" -eq 137 ] || echo "note: $point did not fire (exit $rc)"
  rerun "$task" "failpoint $point"
done

echo "== random SIGKILLs during reel archive"
for i in $(seq 1 "$kills"); do
  task="demo-k$i-$$"
  "$bin/reel" archive "$task" >/dev/null 2>&1 &
  pid=$!
  sleep "$(awk -v s=$RANDOM 'BEGIN { srand(s); printf "%.2f", 0.3 + rand() * 9 }')"
  kill -9 $pid 2>/dev/null || true
  wait $pid 2>/dev/null || true
  rerun "$task" "SIGKILL $i"
done

echo "== random SIGKILLs of reel serve with queued jobs"
export REEL_CALLBACK_SECRET=killloop-secret
for i in $(seq 1 5); do
  "$bin/reel" serve --callback-bind 127.0.0.1:0 --bind 127.0.0.1:0 --workers 2 >/dev/null 2>"$work/serve.log" &
  serve=$!
  for _ in $(seq 1 100); do grep -q "callbacks on" "$work/serve.log" && break; sleep 0.2; done
  port=$(grep -o 'callbacks on http://127.0.0.1:[0-9]*' "$work/serve.log" | grep -o '[0-9]*$')
  for t in a b c; do
    curl -s -o /dev/null -XPOST "http://127.0.0.1:$port/callbacks/topview/$REEL_CALLBACK_SECRET" \
      -d "{\"uuid\":\"$i$t\",\"bizType\":\"M2V_PREVIEW\",\"taskId\":\"demo-s$i$t-$$\",\"status\":\"success\"}"
  done
  sleep "$(awk -v s=$RANDOM 'BEGIN { srand(s); printf "%.2f", 1 + rand() * 8 }')"
  kill -9 $serve; wait $serve 2>/dev/null || true
  # Restart and let the recovered jobs finish.
  "$bin/reel" serve --callback-bind 127.0.0.1:0 --bind 127.0.0.1:0 --workers 2 >/dev/null 2>"$work/serve.log" &
  serve=$!
  for _ in $(seq 1 300); do
    left=$("$bin/reel" jobs ls --json | python3 -c 'import json,sys; print(sum(1 for j in json.load(sys.stdin) if j["state"] in ("pending","running")))')
    [ "$left" = "0" ] && break; sleep 1
  done
  kill -TERM $serve; wait $serve 2>/dev/null || true; serve=""
  check "serve SIGKILL $i"
done

echo "== final check, re-decoding every archived source"
"$bin/reel" verify --all >"$work/verify.out" 2>&1 || { echo "FAIL: final verify"; cat "$work/verify.out"; failures=$((failures + 1)); }

echo "== bytes lost"
lost=$(python3 - "$storage" "${SANDBOX_MEDIA:-.build/sandbox-media}" <<'PY'
import hashlib, json, os, sys
root, media = sys.argv[1], sys.argv[2]
def sha(p):
    h = hashlib.sha256()
    with open(p, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''): h.update(chunk)
    return h.hexdigest()
served = {sha(os.path.join(media, n)) for n in os.listdir(media) if n.endswith('.mp4')}
lost = 0
for dirpath, _, files in os.walk(os.path.join(root, 'tasks')):
    if 'manifest.json' in files:
        m = json.load(open(os.path.join(dirpath, 'manifest.json')))
        for a in m['assets']:
            if a['state'] == 'archived' and a['source'] and a['source']['sha256'] not in served:
                lost += a['source']['bytes']
print(lost)
PY
)
echo "kills survived: $survived, failures: $failures, bytes lost: $lost"
[ "$failures" -eq 0 ] && [ "$lost" = "0" ]
