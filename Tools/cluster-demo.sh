#!/usr/bin/env bash
# A whole deployment on loopback: a throwaway PostgreSQL (Tools/postgres.sh) and SeaweedFS S3 server
# (Tools/seaweedfs.sh), the local TopView sandbox, one edge process (callbacks, admin, feeder) and three worker
# processes, all `reel serve`. Archives the demo tasks through callbacks, prints where every object is and `reel ls`,
# then stops everything. No API key, nothing outside 127.0.0.1.
#
# Usage: Tools/cluster-demo.sh [TASKS]   (default 6 tasks; environment: REEL_DEMO_PG_PORT, REEL_DEMO_S3_PORT)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-6}
Tools/setup.sh >&2
bin=$(swift build --show-bin-path)
work=$(mktemp -d /tmp/reel-cluster-demo.XXXXXX)
chmod 711 "$work" # PostgreSQL runs as postgres
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  Tools/seaweedfs.sh stop "$work/s3" >/dev/null 2>&1 || true
  Tools/postgres.sh stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "cluster-demo: starting PostgreSQL and SeaweedFS on 127.0.0.1" >&2
pg=$(Tools/postgres.sh start "$work/pg" "${REEL_DEMO_PG_PORT:-55490}")
export REEL_DATABASE_URL=${pg#REEL_TEST_DATABASE_URL=}
while IFS= read -r kv; do export "${kv?}"; done < <(Tools/seaweedfs.sh start "$work/s3" "${REEL_DEMO_S3_PORT:-58390}")
export REEL_STORE_URL="s3://$REEL_TEST_S3_BUCKET/demo" REEL_S3_ENDPOINT="$REEL_TEST_S3_ENDPOINT" REEL_S3_PATH_STYLE=1

"$bin/reel-sandbox" --host 127.0.0.1 --port 0 --media-dir "${SANDBOX_MEDIA:-.build/sandbox-media}" >"$work/sandbox.out" 2>"$work/sandbox.log" &
pids+=($!)
for _ in $(seq 1 600); do grep -q '^SANDBOX_URL=' "$work/sandbox.out" && break; sleep 0.5; done
export TOPVIEW_BASE_URL=$(sed -n 's/^SANDBOX_URL=//p' "$work/sandbox.out") TOPVIEW_API_KEY=sandbox TOPVIEW_UID=demo
[ -n "$TOPVIEW_BASE_URL" ] || { cat "$work/sandbox.log" >&2; exit 1; }
export REEL_CALLBACK_SECRET=cluster-demo-secret-0123 REEL_STORAGE="$work/storage" REEL_LADDER=240p REEL_LOG_LEVEL=notice

# One process per role set, each with its own scratch directory (as on separate machines).
start_node() { # name roles
  REEL_SCRATCH="$work/scratch-$1" "$bin/reel" serve --roles "$2" --callback-bind 127.0.0.1:0 --bind 127.0.0.1:0 \
    2>"$work/$1.log" &
  pids+=($!)
  for _ in $(seq 1 120); do grep -q 'admin on http://' "$work/$1.log" && return 0; sleep 0.5; done
  cat "$work/$1.log" >&2; exit 1
}
start_node edge callbacks,admin,feeder
callbacks=$(grep -o 'callbacks on http://[^/]*' "$work/edge.log" | head -1 | sed 's/callbacks on //')
admin=$(grep -o 'admin on http://[^/]*' "$work/edge.log" | head -1 | sed 's/admin on //')
for n in 1 2 3; do start_node "worker$n" workers; done
echo "cluster-demo: edge at $callbacks (callbacks) and $admin (admin); 3 workers" >&2

tasks=()
for i in $(seq 1 "$count"); do tasks+=("ready-demo$(printf '%03d' "$i")$(head -c 2 /dev/urandom | od -An -tx1 | tr -d ' \n')"); done
start=$(date +%s)
for task in "${tasks[@]}"; do
  body=$(printf '{"bizType":"M2V_EXPORT","errorMsg":"","result":{"taskId":"%s","status":"success","previewVideos":[],"exportVideos":[]},"status":"success","taskId":"%s","uuid":"%s"}' \
    "$task" "$task" "$(cat /proc/sys/kernel/random/uuid)")
  curl -fsS -X POST -H 'Content-Type: application/json' -H 'Topview-Uid: demo' --data "$body" \
    "$callbacks/callbacks/topview/$REEL_CALLBACK_SECRET" >/dev/null
done
echo "cluster-demo: $count callbacks sent; waiting for the workers" >&2
for _ in $(seq 1 600); do
  done_jobs=$("$bin/reel" jobs ls --json | python3 -c 'import json,sys; print(sum(1 for j in json.load(sys.stdin) if j["state"] == "done"))')
  [ "$done_jobs" -ge "$count" ] && break
  sleep 1
done
echo "cluster-demo: $done_jobs/$count jobs done in $(( $(date +%s) - start )) s" >&2

echo; echo "== who did what (reel workers ls)"; "$bin/reel" workers ls
echo; echo "== the catalog (reel ls)"; "$bin/reel" ls
echo; echo "== every object in $REEL_STORE_URL"
AWS_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID aws --endpoint-url "$REEL_S3_ENDPOINT" --region "$AWS_REGION" \
  s3 ls --recursive "$REEL_STORE_URL/" 2>/dev/null || python3 - <<'PY'
print("(awscli not installed: reel show TASK --json lists each task's objects)")
PY
echo; echo "== fixity, by HEAD (reel verify --all)"; "$bin/reel" verify --all || true
echo; echo "== under REEL_STORAGE ($REEL_STORAGE): $(find "$REEL_STORAGE" -type f 2>/dev/null | wc -l) files (the catalog is in the bucket)"
