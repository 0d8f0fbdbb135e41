#!/usr/bin/env bash
# Sets up (system packages, build) and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
Tools/setup.sh --no-build
swift build --build-tests
swift test --skip-build "$@"
