#!/usr/bin/env bash
# The catalog index (issue 16): index.sqlite beside PostgreSQL's reel_tasks/reel_assets, the same 100 000 tasks and the
# same calls (rebuild, first page, a deep page, a filtered page, count, one upsert), in the order A B B A, against a
# throwaway PostgreSQL on 127.0.0.1 (Tools/postgres.sh, stopped on exit). Writes Tools/bench/index-results.md.
#
# Usage: Tools/bench/index.sh [--tasks N] [--out FILE]
# Environment: REEL_INDEX_BENCH_PORT  the throwaway server's port (default 55472)
set -euo pipefail
cd "$(dirname "$0")/../.."

tasks=100000 out=Tools/bench/index-results.md port=${REEL_INDEX_BENCH_PORT:-55472}
while [ $# -gt 0 ]; do
  case "$1" in
    --tasks) tasks=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "usage: $0 [--tasks N] [--out FILE]" >&2; exit 2 ;;
  esac
done

echo "index.sh: swift build -c release --product reel-queue-bench" >&2
swift build -c release --product reel-queue-bench >&2
bin="$(swift build -c release --show-bin-path)/reel-queue-bench"
work=$(mktemp -d /tmp/reel-index-bench.XXXXXX)
chmod 711 "$work" # the server runs as postgres
trap 'Tools/postgres.sh stop "$work/pg" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
started=$(Tools/postgres.sh start "$work/pg" "$port")
export REEL_DATABASE_URL=${started#REEL_TEST_DATABASE_URL=}
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
"$bin" index --tasks "$tasks" > "$work/report.md"
load_end=$(cut -d' ' -f1-3 /proc/loadavg)
{
  echo "# Catalog index: index.sqlite beside PostgreSQL"
  echo
  echo "Written by \`Tools/bench/index.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'), git $(git rev-parse --short HEAD)," \
       "$(nproc) cores, load average at the start $load_start (at the end $load_end); a throwaway PostgreSQL from" \
       "\`Tools/postgres.sh\` (fsync off, synchronous_commit off), index.sqlite in the temporary directory (WAL)."
  echo
  cat "$work/report.md"
  echo
  echo "Command: \`reel-queue-bench index --tasks $tasks\` with REEL_DATABASE_URL set to the throwaway server."
} > "$out"
echo "index.sh: wrote $out" >&2
