#!/usr/bin/env bash
# Benchmarks of the PostgreSQL job queue (issue 16): a throwaway PostgreSQL on 127.0.0.1 (Tools/postgres.sh, stopped
# on exit), reel-queue-bench built in release mode, pgbench with the same claim+complete SQL beside it, and
# Tools/bench/queue-results.md written from the JSON line every run prints.
#
# Usage: Tools/bench/queue.sh [--jobs N] [--backlog N] [--out FILE]
#   --jobs N     jobs per throughput run, a multiple of 4 (default 10000)
#   --backlog N  done jobs inserted before the backlog runs (default 100000)
# Environment: REEL_QUEUE_BENCH_PORT  the throwaway server's port (default 55471)
# The database password stays in the environment (REEL_DATABASE_URL, PGPASSWORD): nothing here prints it.
set -euo pipefail
cd "$(dirname "$0")/../.."

jobs=10000 backlog=100000 latency_jobs=200 lease=2 connections=4
out=Tools/bench/queue-results.md
port=${REEL_QUEUE_BENCH_PORT:-55471}
while [ $# -gt 0 ]; do
  case "$1" in
    --jobs) jobs=$2; shift 2 ;;
    --backlog) backlog=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "usage: $0 [--jobs N] [--backlog N] [--out FILE]" >&2; exit 2 ;;
  esac
done
[ $((jobs % connections)) -eq 0 ] || { echo "queue.sh: --jobs must be a multiple of $connections" >&2; exit 2; }

echo "queue.sh: swift build -c release --product reel-queue-bench" >&2
swift build -c release --product reel-queue-bench >&2
bin="$(swift build -c release --show-bin-path)/reel-queue-bench"
pgbench=$(ls /usr/lib/postgresql/*/bin/pgbench 2>/dev/null | sort -V | tail -1 || true)

work=$(mktemp -d /tmp/reel-queue-bench.XXXXXX)
chmod 711 "$work" # the server runs as postgres
trap 'Tools/postgres.sh stop "$work/pg" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
started=$(Tools/postgres.sh start "$work/pg" "$port") # installs postgresql when missing
export REEL_DATABASE_URL=${started#REEL_TEST_DATABASE_URL=}
[ -n "$pgbench" ] || pgbench=$(ls /usr/lib/postgresql/*/bin/pgbench | sort -V | tail -1)
credentials=${REEL_DATABASE_URL#*://}; credentials=${credentials%%@*}
pg_user=${credentials%%:*}
export PGPASSWORD=${credentials#*:}
postmaster=$(head -1 "$work/pg/data/postmaster.pid")
server_version=$("$pgbench" --version)

# The claim and the complete of PostgresJobQueue, as single statements (the queue wraps each in a transaction with a
# SELECT of the row and of the clock; this is the floor of the same work).
cat > "$work/claim.sql" <<'SQL'
UPDATE reel_jobs SET state = 'running', attempts = attempts + 1, owner = 'pgbench:' || :client_id, token = token + 1,
       updated_at = date_trunc('milliseconds', now()), lease_expires_at = now() + make_interval(secs => 30)
WHERE id = (SELECT id FROM reel_jobs WHERE state = 'pending' AND not_before <= now()
            ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
RETURNING id, token \gset
UPDATE reel_jobs SET state = 'done', owner = NULL, lease_expires_at = NULL,
       updated_at = date_trunc('milliseconds', clock_timestamp())
WHERE id = :id AND state = 'running' AND token = :token;
SQL

results="$work/results.jsonl"
: > "$results"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

reel_run() { # BACKLOG
  echo "queue.sh: reel throughput, backlog $1" >&2
  "$bin" throughput --jobs "$jobs" --connections "$connections" --backlog-done "$1" --postmaster-pid "$postmaster" >> "$results"
}
pgbench_run() { # BACKLOG
  echo "queue.sh: pgbench, backlog $1" >&2
  "$bin" prepare --jobs "$jobs" --backlog-done "$1" --postmaster-pid "$postmaster" > "$work/prepare.json"
  before=$(sed -n 's/.*"serverCpuSeconds":\([0-9.]*\).*/\1/p' "$work/prepare.json")
  "$pgbench" -h 127.0.0.1 -p "$port" -U "$pg_user" -n -M extended -c "$connections" -j 2 -t $((jobs / connections)) \
    -f "$work/claim.sql" postgres > "$work/pgbench.out" 2> "$work/pgbench.err" || { cat "$work/pgbench.err" >&2; exit 1; }
  "$bin" check --jobs "$jobs" --backlog-done "$1" --connections "$connections" --pgbench-output "$work/pgbench.out" \
    ${before:+--server-cpu-before "$before"} --postmaster-pid "$postmaster" >> "$results"
}

reel_run 0; pgbench_run 0; pgbench_run 0; reel_run 0          # alternated: A B B A
reel_run "$backlog"; pgbench_run "$backlog"
echo "queue.sh: latency" >&2
"$bin" latency --jobs "$latency_jobs" >> "$results"
echo "queue.sh: rescue" >&2
"$bin" rescue --lease "$lease" --runs 3 >> "$results"
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

{
  echo "# PostgreSQL job queue: ReelVault beside pgbench"
  echo
  echo "Written by \`Tools/bench/queue.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'), git $(git rev-parse --short HEAD)," \
       "$(nproc) cores, load average at the start $load_start (at the end $load_end); $server_version, a throwaway" \
       "server from \`Tools/postgres.sh\` (fsync off, synchronous_commit off, loopback TCP for both sides)."
  echo
  "$bin" report "$results"
  echo
  echo "## Commands"
  echo
  echo '```sh'
  echo "Tools/postgres.sh start DIR $port   # prints REEL_TEST_DATABASE_URL=postgres://postgres:…@127.0.0.1:$port/postgres?sslmode=disable"
  echo "export REEL_DATABASE_URL=…          # and PGPASSWORD for pgbench"
  echo "reel-queue-bench throughput --jobs $jobs --connections $connections --backlog-done 0 --postmaster-pid PID"
  echo "reel-queue-bench prepare --jobs $jobs --backlog-done 0 --postmaster-pid PID"
  echo "pgbench -h 127.0.0.1 -p $port -U $pg_user -n -M extended -c $connections -j 2 -t $((jobs / connections)) -f claim.sql postgres"
  echo "reel-queue-bench check --jobs $jobs --backlog-done 0 --pgbench-output pgbench.out --server-cpu-before S --postmaster-pid PID"
  echo "# order: reel, pgbench, pgbench, reel; then reel and pgbench with --backlog-done $backlog"
  echo "reel-queue-bench latency --jobs $latency_jobs"
  echo "reel-queue-bench rescue --lease $lease --runs 3"
  echo '```'
  echo
  echo "\`claim.sql\` (pgbench):"
  echo
  echo '```sql'
  cat "$work/claim.sql"
  echo '```'
  echo
  echo "## Raw results (one JSON line per run, in order)"
  echo
  echo '```json'
  cat "$results"
  echo '```'
} > "$out"
echo "queue.sh: wrote $out" >&2
