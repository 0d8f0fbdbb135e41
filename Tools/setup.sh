#!/usr/bin/env bash
# Installs ReelVault's system packages when they are missing (idempotent), then builds.
# Usage: Tools/setup.sh [--no-build]
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(libavformat-dev libavcodec-dev libswscale-dev libswresample-dev libavutil-dev libavfilter-dev
          pkg-config ffmpeg libsqlite3-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y "${missing[@]}"
else
  echo "setup: system packages present" >&2
fi

if [ "${1:-}" != "--no-build" ]; then
  swift build --product reel
  swift build --product reel-sandbox
fi
