#!/usr/bin/env bash
# Replays the hardening list (issue 9) against fresh `reel serve` processes on 127.0.0.1: file escapes, ranges,
# timeouts, connection floods under ulimit -n 1024, restarts, settings, logs, read-only roots. Bounded (~2 min),
# loopback only. Prints one line per check, the load figures, then `N passed, M failed`; exits 1 when M > 0.
set -euo pipefail
cd "$(dirname "$0")/.."
Tools/setup.sh --no-build >/dev/null
swift build --product reel >/dev/null
swift build --product reel-sandbox >/dev/null
exec timeout 600 python3 Tools/attack/attack.py "$(swift build --show-bin-path)"
