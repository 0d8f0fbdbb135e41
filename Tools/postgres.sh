#!/usr/bin/env bash
# A throwaway PostgreSQL (Debian's `postgresql`) for the tests: its own data directory, loopback only, its own port.
#   Tools/postgres.sh start DIR [PORT]   initdb + start as the `postgres` user; prints REEL_TEST_DATABASE_URL=…
#   Tools/postgres.sh stop DIR           stops it and removes DIR
# Installs the package when it is missing (apt-get, as root or with sudo).
set -euo pipefail
cmd=${1:?start|stop}
dir=${2:?data directory}
port=${3:-55432}
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
as_postgres() { if [ "$(id -un)" = postgres ]; then "$@"; elif [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi; }

case "$cmd" in
  start)
    if [ -z "$bindir" ]; then
      echo "postgres: installing postgresql" >&2
      $SUDO apt-get update >&2
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y postgresql >&2
      bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    fi
    mkdir -p "$dir"
    chown postgres "$dir" 2>/dev/null || $SUDO chown postgres "$dir"
    chmod 700 "$dir"
    password=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
    printf '%s\n' "$password" > "$dir.pw"
    chown postgres "$dir.pw" 2>/dev/null || true
    as_postgres "$bindir/initdb" -D "$dir/data" -U postgres --pwfile="$dir.pw" -A scram-sha-256 --auth-local=trust >/dev/null
    # One retry: a start can fail on a busy machine (a port or shared memory a stopping server still holds); the
    # server's log goes to stderr either way, since the caller removes the directory.
    for attempt in 1 2; do
      if as_postgres "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null; then
        break
      fi
      echo "postgres: start $attempt failed; server log:" >&2
      tail -20 "$dir/server.log" >&2 || true
      [ "$attempt" = 2 ] && { rm -f "$dir.pw"; exit 1; }
      sleep 3
    done
    rm -f "$dir.pw"
    echo "REEL_TEST_DATABASE_URL=postgres://postgres:$password@127.0.0.1:$port/postgres?sslmode=disable"
    ;;
  stop)
    if [ -n "$bindir" ] && [ -d "$dir/data" ]; then
      as_postgres "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *) echo "usage: $0 start|stop DIR [PORT]" >&2; exit 2 ;;
esac
