#!/usr/bin/env bash
# Sets up (system packages, build) and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
Tools/setup.sh --no-build
# A throwaway PostgreSQL on loopback for the shared-state tests (installed if missing), stopped on exit. Outside CI a
# machine that cannot start it skips those tests with a message; in CI they must run.
pgdir=$(mktemp -d /tmp/reel-pg-XXXXXX)
trap 'Tools/postgres.sh stop "$pgdir"' EXIT
if pgenv=$(Tools/postgres.sh start "$pgdir" "${REEL_TEST_PG_PORT:-55432}"); then
  export "${pgenv?}"
elif [ "${CI:-}" = true ]; then
  echo "test.sh: PostgreSQL did not start (see $pgdir/server.log)" >&2
  exit 1
else
  echo "test.sh: PostgreSQL did not start; its tests will be skipped" >&2
fi
swift build --build-tests
if [ $# -gt 0 ]; then
  swift test --skip-build "$@"
  exit
fi
# Tests that measure silence and waits on the wall clock (read timeouts, retry budgets, lock waits, cancellation, watch
# horizons, SIGTERM/SIGINT) run on their own, after the parallel run: with every other suite decoding and encoding video on
# 2 cores, their clocks are not theirs.
timed="DownloadStallTests|ServeWatchTests|sigtermStopsPromptly|anIdleServiceStopsAtOnceOnSigint|CancellationTests"
timed+="|ServeConnectionLimitTests|ServeFloodTests"
timed+="|totalBudgetBoundsTheWaits|noAnswerTimesOut|stalledBodyTimesOut|cancellationStopsTheRetries|weWaitForALockHeldByAnotherProcess"
# The media engine under AddressSanitizer + LeakSanitizer (a small package of its own: ~1 min).
Tools/leakcheck/run.sh
swift test --skip-build --skip "$timed"
swift test --skip-build --filter "$timed"
