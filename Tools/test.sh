#!/usr/bin/env bash
# Sets up (system packages, build) and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
Tools/setup.sh --no-build
swift build --build-tests
if [ $# -gt 0 ]; then
  exec swift test --skip-build "$@"
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
