#!/usr/bin/env bash
# A deployment's throughput (issue 11, "Benchmarks"): N tasks archived by `reel serve` processes sharing a throwaway
# PostgreSQL (Tools/postgres.sh), a throwaway SeaweedFS (Tools/seaweedfs.sh) and the local TopView sandbox, with one
# edge process (callbacks, admin, feeder) and 1 worker process against 3 worker processes (each at its default
# concurrency), in the order A B B A. Wall time from the first callback until every job is done; CPU seconds of the
# reel processes over that time. Each sandbox scenario named runs the whole series: `ready` (small.mp4, 0.4 MB, a
# few seconds of video) and `demo` (demo.mp4, 27 MB, 36 s of video: the decode/encode dominates).
# Release builds; everything on 127.0.0.1, stopped on exit. Writes Tools/bench/cluster-results.md.
#
# Usage: Tools/bench/cluster.sh [--tasks N] [--workers "1 3 3 1"] [--scenarios "ready demo"] [--out FILE]
# Environment: REEL_CLUSTER_BENCH_PG_PORT (default 55491), REEL_CLUSTER_BENCH_S3_PORT (default 58391),
#              SANDBOX_MEDIA (the sandbox's media directory, default .build/sandbox-media)
set -euo pipefail
cd "$(dirname "$0")/../.."

tasks=12 configs="1 3 3 1" scenarios="ready demo" out=Tools/bench/cluster-results.md
while [ $# -gt 0 ]; do
  case "$1" in
    --tasks) tasks=$2; shift 2 ;;
    --workers) configs=$2; shift 2 ;;
    --scenarios) scenarios=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "usage: $0 [--tasks N] [--workers \"1 3 3 1\"] [--scenarios \"ready demo\"] [--out FILE]" >&2; exit 2 ;;
  esac
done

for product in reel reel-sandbox; do
  echo "cluster.sh: swift build -c release --product $product" >&2
  swift build -c release --product "$product" >&2
done
bin=$(swift build -c release --show-bin-path)
work=$(mktemp -d /tmp/reel-cluster-bench.XXXXXX)
chmod 711 "$work" # PostgreSQL runs as postgres
pids=()
stop_pids() { # stops the given processes: TERM, KILL after 30 s
  local pid i
  for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "$@"; do
    for i in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}
cleanup() {
  stop_pids "${pids[@]}"
  Tools/seaweedfs.sh stop "$work/s3" >/dev/null 2>&1 || true
  Tools/postgres.sh stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "cluster.sh: starting PostgreSQL and SeaweedFS on 127.0.0.1" >&2
pg=$(Tools/postgres.sh start "$work/pg" "${REEL_CLUSTER_BENCH_PG_PORT:-55491}")
export REEL_DATABASE_URL=${pg#REEL_TEST_DATABASE_URL=}
while IFS= read -r kv; do export "${kv?}"; done < <(Tools/seaweedfs.sh start "$work/s3" "${REEL_CLUSTER_BENCH_S3_PORT:-58391}")
export REEL_S3_ENDPOINT="$REEL_TEST_S3_ENDPOINT" REEL_S3_PATH_STYLE=1

"$bin/reel-sandbox" --host 127.0.0.1 --port 0 --media-dir "${SANDBOX_MEDIA:-.build/sandbox-media}" \
  >"$work/sandbox.out" 2>"$work/sandbox.log" &
sandbox=$!
pids+=($sandbox)
for _ in $(seq 1 600); do grep -q '^SANDBOX_URL=' "$work/sandbox.out" && break; sleep 0.5; done
export TOPVIEW_BASE_URL=$(sed -n 's/^SANDBOX_URL=//p' "$work/sandbox.out") TOPVIEW_API_KEY=sandbox TOPVIEW_UID=bench
[ -n "$TOPVIEW_BASE_URL" ] || { cat "$work/sandbox.log" >&2; exit 1; }
export REEL_CALLBACK_SECRET=cluster-bench-secret-0123 REEL_STORAGE="$work/storage" REEL_LADDER=240p REEL_LOG_LEVEL=notice

ticks=$(getconf CLK_TCK)
cpu_ticks() { # utime + stime of the given processes, in clock ticks
  local pid total=0 stat
  for pid in "$@"; do
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
    stat=${stat##*) } # the fields after the command name
    read -r -a fields <<<"$stat"
    total=$((total + fields[11] + fields[12]))
  done
  echo "$total"
}

machine_busy() { # busy and total jiffies of all CPUs since boot (/proc/stat: user nice system idle iowait irq softirq steal)
  local cpu user nice system idle iowait irq softirq steal rest
  read -r cpu user nice system idle iowait irq softirq steal rest < /proc/stat
  echo "$((user + nice + system + irq + softirq + steal)) $((user + nice + system + idle + iowait + irq + softirq + steal))"
}

run_config() { # scenario workers round → appends one line to $work/results.tsv
  local scenario=$1 workers=$2 round="$1-$3-w$2" node edge callbacks started ended done_jobs failed cpu0 cpu1 i busy0 all0 busy1 all1
  local nodes=() list
  export REEL_STORE_URL="s3://$REEL_TEST_S3_BUCKET/cluster-$round"
  start_node() { # name roles; each with its own scratch directory, as on separate machines
    REEL_SCRATCH="$work/scratch-$round-$1" "$bin/reel" serve --roles "$2" --callback-bind 127.0.0.1:0 \
      --bind 127.0.0.1:0 2>"$work/$round-$1.log" &
    nodes+=($!)
    pids+=($!)
    for _ in $(seq 1 240); do grep -q 'admin on http://' "$work/$round-$1.log" && return 0; sleep 0.5; done
    echo "cluster.sh: $round $1 did not start" >&2; cat "$work/$round-$1.log" >&2; exit 1
  }
  start_node edge callbacks,admin,feeder
  callbacks=$(grep -o 'callbacks on http://[^/ ]*' "$work/$round-edge.log" | head -1 | sed 's/callbacks on //')
  for i in $(seq 1 "$workers"); do start_node "worker$i" workers; done
  local ids=()
  for i in $(seq 1 "$tasks"); do ids+=("$scenario-$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')"); done
  list=$(IFS=,; echo "${ids[*]}")
  echo "cluster.sh: $scenario, $workers worker process(es): $tasks callbacks" >&2
  cpu0=$(cpu_ticks "${nodes[@]}")
  read -r busy0 all0 < <(machine_busy)
  started=$(date +%s.%N)
  for task in "${ids[@]}"; do
    body=$(printf '{"bizType":"M2V_EXPORT","errorMsg":"","result":{"errorMsg":null,"exportVideos":[],"previewVideos":[],"status":"success","taskId":"%s"},"status":"success","taskId":"%s","uuid":"%s"}' \
      "$task" "$task" "$(cat /proc/sys/kernel/random/uuid)")
    curl -fsS -X POST -H 'Content-Type: application/json' -H 'Topview-Uid: bench' --data "$body" \
      "$callbacks/callbacks/topview/$REEL_CALLBACK_SECRET" >/dev/null
  done
  done_jobs=0 failed=0
  for _ in $(seq 1 3000); do
    read -r done_jobs failed < <(psql "$REEL_DATABASE_URL" -Atq -F ' ' -c \
      "SELECT count(*) FILTER (WHERE state = 'done'), count(*) FILTER (WHERE state IN ('failed', 'cancelled'))
         FROM reel_jobs WHERE task_id = ANY (string_to_array('$list', ','))")
    [ $((done_jobs + failed)) -ge "$tasks" ] && break
    for pid in "$sandbox" "${nodes[@]}"; do
      kill -0 "$pid" 2>/dev/null || { echo "cluster.sh: $round: process $pid ($(
        [ "$pid" = "$sandbox" ] && echo the sandbox || echo a reel serve)) is gone; $done_jobs/$tasks done" >&2; exit 1; }
    done
    sleep 0.2
  done
  ended=$(date +%s.%N)
  cpu1=$(cpu_ticks "${nodes[@]}")
  read -r busy1 all1 < <(machine_busy)
  stop_pids "${nodes[@]}"
  [ "$done_jobs" -eq "$tasks" ] || {
    echo "cluster.sh: $workers worker(s): $done_jobs/$tasks done, $failed failed; worker log:" >&2
    tail -30 "$work/$round-worker1.log" >&2; exit 1; }
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$scenario" "$workers" "$(awk -v a="$started" -v b="$ended" 'BEGIN { printf "%.2f", b - a }')" "$(awk -v a="$cpu0" -v b="$cpu1" -v t="$ticks" 'BEGIN { printf "%.2f", (b - a) / t }')" \
    "$(awk -v b="$((busy1 - busy0))" -v a="$((all1 - all0))" 'BEGIN { printf "%.0f", (a > 0 ? 100 * b / a : 0) }')" \
    "$(cut -d' ' -f1-3 /proc/loadavg)" >> "$work/results.tsv"
  echo "cluster.sh: $scenario, $workers worker(s): $tasks jobs in $(tail -1 "$work/results.tsv" | cut -f3) s" >&2
}

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
: > "$work/results.tsv"
for scenario in $scenarios; do
  run=0
  for workers in $configs; do run=$((run + 1)); run_config "$scenario" "$workers" "$run"; done
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

python3 - "$work/results.tsv" "$tasks" "$(nproc)" > "$work/report.md" <<'EOF'
import statistics, sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1]) if line.strip()]
tasks, cores = int(sys.argv[2]), int(sys.argv[3])
for scenario in dict.fromkeys(r[0] for r in rows):
    mine = [r for r in rows if r[0] == scenario]
    print(f"## Scenario `{scenario}`\n")
    print("| run | worker processes | wall s (first callback → all done) | tasks/min | CPU s (reel processes) | reel CPU of all cores | machine CPU busy | load after |")
    print("|---:|---:|---:|---:|---:|---:|---:|---|")
    walls = {}
    for n, (_, workers, wall, cpu, machine, load) in enumerate(mine, 1):
        wall, cpu = float(wall), float(cpu)
        walls.setdefault(int(workers), []).append((wall, cpu))
        print(f"| {n} | {workers} | {wall:.1f} | {tasks / wall * 60:.1f} | {cpu:.1f} | {cpu / (wall * cores) * 100:.0f} % | {machine} % | {load} |")
    medians = {w: (statistics.median(v[0] for v in runs), statistics.median(v[1] for v in runs)) for w, runs in walls.items()}
    for w, (wall, cpu) in sorted(medians.items()):
        print(f"| median | {w} | {wall:.1f} | {tasks / wall * 60:.1f} | {cpu:.1f} | {cpu / (wall * cores) * 100:.0f} % | | |")
    print()
    for w, (wall, cpu) in sorted(medians.items()):
        print(f"- {w} worker process(es): the reel processes used {cpu:.1f} CPU s (median), at least {cpu / cores:.1f} s of wall"
              f" on {cores} cores; the wall was {wall:.1f} s.")
    if len(medians) > 1:
        first, last = min(medians), max(medians)
        ratio = medians[last][0] / medians[first][0]
        print(f"\nWall with {last} worker processes ÷ wall with {first} (medians): **{ratio:.2f}** (throughput × {1 / ratio:.2f}).")
    print()
EOF
{
  echo "# A deployment: $tasks tasks, 1 against 3 worker processes"
  echo
  echo "Written by \`Tools/bench/cluster.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'), git $(git rev-parse --short HEAD)" \
       "(with the working tree's uncommitted changes), $(nproc) cores, load average at the start $load_start (at the end" \
       "$load_end). Release builds of \`reel\` and \`reel-sandbox\`; a throwaway PostgreSQL (\`Tools/postgres.sh\`), a" \
       "throwaway SeaweedFS (\`Tools/seaweedfs.sh\`) and the sandbox, all on 127.0.0.1. One edge process" \
       "(\`reel serve --roles callbacks,admin,feeder\`) and the worker processes (\`reel serve --roles workers\`, each" \
       "at its defaults: REEL_MEDIA_CONCURRENCY and REEL_DOWNLOAD_CONCURRENCY = cores = $(nproc), REEL_WORKERS = their" \
       "sum), each with its own REEL_SCRATCH; REEL_STORE_URL a fresh prefix per configuration, REEL_LADDER=240p;" \
       "$tasks tasks (\`<scenario>-<8 hex>\`) by callbacks, the worker-process counts in the order $configs per scenario. Wall: from the first callback until every job is \`done\` in" \
       "\`reel_jobs\` (polled every 0.2 s); CPU: user + system seconds of the reel processes over that time."
  echo
  cat "$work/report.md"
  echo "## Reading it on a $(nproc)-core machine"
  echo
  echo "An archive job is CPU-bound: the source is decoded to verify it, the 240p rendition encoded (libx264), the stills" \
       "and storyboard decoded and scaled; downloads and uploads are loopback and short beside that. One worker process" \
       "already runs REEL_MEDIA_CONCURRENCY = cores decode/encode passes at once, and REEL_WORKERS = downloads + media" \
       "jobs in flight so the transfers overlap the media stage: it fills the cores by itself. Three worker processes on" \
       "the same cores run three times as many passes (3 × $(nproc)) and jobs for the same CPU work (the CPU s column" \
       "hardly moves): the passes time-slice the same cores, with more context switches, cache misses, memory (three" \
       "processes' decoders and encoders) and queue polling, so the wall stays where the CPU bound puts it (CPU s ÷" \
       "cores, plus SeaweedFS, PostgreSQL and the sandbox, which share the cores) or gets a little worse; a ratio near" \
       "1.0 (noise either way) is what to expect here, not a speed-up. Worker processes scale across machines, each" \
       "bringing its cores; on one machine, the media concurrency should match the cores (the default), not exceed it." \
       "The \`ready\` scenario (a 0.4 MB source) is dominated by each job's fixed costs (the TopView query, S3 round" \
       "trips, manifest writes, queue claims), which extra processes do not shorten either."
  echo
  echo "Command: \`Tools/bench/cluster.sh --tasks $tasks --workers \"$configs\" --scenarios \"$scenarios\"\`."
} > "$out"
echo "cluster.sh: wrote $out" >&2
