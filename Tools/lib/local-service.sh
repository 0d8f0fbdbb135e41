# Shared by the Tools scripts that drive a local `reel serve`: builds the binaries, makes a scratch directory, starts
# the TopView sandbox on 127.0.0.1 and cleans everything up on exit. Source it from the repository root:
#   . Tools/lib/local-service.sh; start_sandbox; …start reel serve, set serve_pid…; wait_for FILE PATTERN PID
swift build --product reel >&2
swift build --product reel-sandbox >&2
bin=$(swift build --show-bin-path)
work=$(mktemp -d)
sandbox_pid="" serve_pid=""
cleanup() {
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null || true
  [ -n "$sandbox_pid" ] && kill "$sandbox_pid" 2>/dev/null && wait "$sandbox_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# wait_for FILE PATTERN PID: waits (up to 5 min) for a line matching PATTERN in FILE while PID lives.
wait_for() {
  for _ in $(seq 1 3000); do
    grep -q "$2" "$1" && return 0
    kill -0 "$3" 2>/dev/null || { cat "$1" >&2; return 1; }
    sleep 0.1
  done
  echo "$(basename "$0"): timed out waiting for '$2' in $1" >&2
  return 1
}

# start_sandbox: the local TopView API; sets sandbox_pid and sandbox_url.
start_sandbox() {
  "$bin/reel-sandbox" --host 127.0.0.1 --port 0 --media-dir "${SANDBOX_MEDIA:-.build/sandbox-media}" \
    >"$work/sandbox.out" 2>"$work/sandbox.log" &
  sandbox_pid=$!
  wait_for "$work/sandbox.out" '^SANDBOX_URL=' "$sandbox_pid"
  sandbox_url=$(sed -n 's/^SANDBOX_URL=//p' "$work/sandbox.out")
}
