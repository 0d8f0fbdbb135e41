#!/usr/bin/env bash
# The S3 object store (issue 11, "Benchmarks"): upload and download of a random file to a throwaway SeaweedFS on
# 127.0.0.1 (Tools/seaweedfs.sh, stopped on exit) by ReelVault's client (`reel-s3-bench`, release build) and by awscli
# (`aws s3 cp`), side by side in one run, in the order A B B A (ReelVault, awscli, awscli, ReelVault) for each size.
# Each run's wall time and peak RSS come from `/usr/bin/time -f "%e %M"`; every download is checked against the original's
# SHA-256. Writes Tools/bench/s3-results.md.
#
# Usage: Tools/bench/s3.sh [--sizes "100 1024"] [--rounds N] [--out FILE]   sizes in MiB, the smallest first; N rounds
#        of A B B A per size (default 2: four runs of each tool; the loopback server's speed varies run to run)
# Environment: REEL_S3_BENCH_PORT  the throwaway server's S3 port (default 58433)
#
# Equal work on both sides: an upload is the archive's commit (the SHA-256 of the whole file, then a multipart upload
# with a checksum per part) against `aws s3 cp FILE s3://…` (awscli's defaults: 8 MiB parts, 10 at a time, its own
# per-part checksum); a download is `S3Client.download` (hashed on the way, fsynced) against `aws s3 cp s3://… FILE`
# followed by `sync FILE` (awscli does not fsync). Every download reads the same object (uploaded once by awscli).
set -euo pipefail
cd "$(dirname "$0")/../.."

sizes="100 1024" rounds=2 out=Tools/bench/s3-results.md port=${REEL_S3_BENCH_PORT:-58433}
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) sizes=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "usage: $0 [--sizes \"100 1024\"] [--rounds N] [--out FILE]" >&2; exit 2 ;;
  esac
done

if [ ! -x /usr/bin/time ]; then
  echo "s3.sh: installing time" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update >&2 && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y time >&2
fi
command -v aws >/dev/null || { echo "s3.sh: awscli (aws) is not installed" >&2; exit 1; }

echo "s3.sh: swift build -c release --product reel-s3-bench" >&2
swift build -c release --product reel-s3-bench >&2
bin="$(swift build -c release --show-bin-path)/reel-s3-bench"
work=$(mktemp -d /tmp/reel-s3-bench.XXXXXX)
trap 'Tools/seaweedfs.sh stop "$work/weed" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
started=$(Tools/seaweedfs.sh start "$work/weed" "$port")
while IFS='=' read -r name value; do
  case "$name" in
    REEL_TEST_S3_ENDPOINT) endpoint=$value ;;
    REEL_TEST_S3_BUCKET) bucket=$value ;;
    AWS_ACCESS_KEY_ID | AWS_SECRET_ACCESS_KEY | AWS_REGION) export "$name=$value" ;;
  esac
done <<<"$started"
export REEL_S3_ENDPOINT=$endpoint REEL_TEST_S3_BUCKET=$bucket
# awscli with these credentials only (no profile from ~/.aws), path-style addressing, its default transfer settings.
printf '[default]\ns3 =\n    addressing_style = path\n' > "$work/aws-config"
export AWS_CONFIG_FILE="$work/aws-config" AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_PAGER=""
awscli() { aws --endpoint-url "$endpoint" "$@"; }

# One timed command: appends "seconds peak-KiB" to the results line.
timed() { /usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/cmd.out" 2>"$work/cmd.err" || {
  echo "s3.sh: failed: $*" >&2; cat "$work/cmd.err" >&2; exit 1; }; cat "$work/time"; }

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
results="$work/results.tsv"
: > "$results"
for size in $sizes; do
  file="$work/data-$size.bin"
  echo "s3.sh: $size MiB: a random file" >&2
  head -c "$((size << 20))" /dev/urandom > "$file"
  want=$(sha256sum "$file" | cut -d' ' -f1)
  # The object every download reads.
  awscli s3 cp --no-progress "$file" "s3://$bucket/bench/$size/source.bin" >/dev/null
  run=0
  order=""
  for _ in $(seq "$rounds"); do order="$order reelvault awscli awscli reelvault"; done
  for tool in $order; do
    run=$((run + 1))
    key="bench/$size/upload-$run-$tool.bin"
    echo "s3.sh: $size MiB run $run: $tool" >&2
    if [ "$tool" = reelvault ]; then
      # As the archive commits a source: its SHA-256 is known from the download (here: from sha256sum, untimed).
      up=$(timed "$bin" put "$file" "$key" "$want")
    else
      up=$(timed aws --endpoint-url "$endpoint" s3 cp --no-progress "$file" "s3://$bucket/$key")
    fi
    awscli s3 rm "s3://$bucket/$key" >/dev/null
    got="$work/got-$size.bin"
    rm -f "$got"
    if [ "$tool" = reelvault ]; then
      down=$(timed "$bin" get "bench/$size/source.bin" "$got")
    else
      down=$(timed bash -c 'aws --endpoint-url "$1" s3 cp --no-progress "$2" "$3" && sync "$3"' _ \
        "$endpoint" "s3://$bucket/bench/$size/source.bin" "$got")
    fi
    have=$(sha256sum "$got" | cut -d' ' -f1)
    rm -f "$got"
    [ "$have" = "$want" ] || { echo "s3.sh: $tool's download of $size MiB differs: $have, not $want" >&2; exit 1; }
    printf '%s\t%s\t%s\t%s\t%s\n' "$size" "$run" "$tool" "$up" "$down" >> "$results"
  done
  awscli s3 rm "s3://$bucket/bench/$size/source.bin" >/dev/null
  rm -f "$file"
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)
weed_version=$( (weed version 2>/dev/null || true) | head -1)
[ -n "$weed_version" ] || weed_version="version not recorded"

python3 - "$results" > "$work/report.md" <<'EOF'
import statistics, sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1]) if line.strip()]
by_size = {}
for size, run, tool, up, down in rows:
    (up_s, up_kib), (down_s, down_kib) = up.split(), down.split()
    by_size.setdefault(int(size), []).append((int(run), tool, float(up_s), int(up_kib), float(down_s), int(down_kib)))
mib = lambda kib: kib / 1024
peaks = {}
for size, runs in sorted(by_size.items()):
    print(f"## {size} MiB\n")
    print("| run | tool | upload s | upload MiB/s | upload peak RSS MiB | download s | download MiB/s | download peak RSS MiB |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|")
    for run, tool, up_s, up_kib, down_s, down_kib in runs:
        print(f"| {run} | {tool} | {up_s:.2f} | {size / up_s:.0f} | {mib(up_kib):.1f} | {down_s:.2f} | {size / down_s:.0f} | {mib(down_kib):.1f} |")
    med = {}
    for tool in ("reelvault", "awscli"):
        mine = [r for r in runs if r[1] == tool]
        med[tool] = (statistics.median(r[2] for r in mine), statistics.median(r[4] for r in mine))
        peaks[(size, tool)] = (max(r[3] for r in mine), max(r[5] for r in mine))
        print(f"| median | {tool} | {med[tool][0]:.2f} | {size / med[tool][0]:.0f} | {mib(peaks[(size, tool)][0]):.1f} (max) "
              f"| {med[tool][1]:.2f} | {size / med[tool][1]:.0f} | {mib(peaks[(size, tool)][1]):.1f} (max) |")
    up_ratio, down_ratio = med["reelvault"][0] / med["awscli"][0], med["reelvault"][1] / med["awscli"][1]
    ok = lambda r: "meets" if r <= 1.0 else "misses"
    print(f"\nReelVault ÷ awscli wall (medians): upload **{up_ratio:.2f}** ({ok(up_ratio)} ≤ 1.0), "
          f"download **{down_ratio:.2f}** ({ok(down_ratio)} ≤ 1.0).\n")
sizes = sorted(by_size)
if len(sizes) > 1:
    small, large = sizes[0], sizes[-1]
    print(f"## Peak RSS: {large} MiB against {small} MiB (target: at most the {small} MiB peak + 16 MiB)\n")
    print(f"| tool | direction | peak at {small} MiB | peak at {large} MiB | growth | target |")
    print("|---|---|---:|---:|---:|---|")
    for tool in ("reelvault", "awscli"):
        for index, direction in enumerate(("upload", "download")):
            a, b = mib(peaks[(small, tool)][index]), mib(peaks[(large, tool)][index])
            verdict = ("meets" if b <= a + 16 else "misses") if tool == "reelvault" else "(reference)"
            print(f"| {tool} | {direction} | {a:.1f} MiB | {b:.1f} MiB | {b - a:+.1f} MiB | {verdict} |")
    print()
EOF
{
  echo "# S3 object store: ReelVault's client against awscli"
  echo
  echo "Written by \`Tools/bench/s3.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'), git $(git rev-parse --short HEAD)" \
       "(with the working tree's uncommitted changes), $(nproc) cores, load average at the start $load_start (at the end" \
       "$load_end); a throwaway SeaweedFS (\`weed mini\`, $weed_version)" \
       "on 127.0.0.1 from \`Tools/seaweedfs.sh\`; $(aws --version 2>&1)."
  echo
  echo "Runs in $rounds round(s) of A B B A per size (A = ReelVault, B = awscli), so that drift of the shared machine" \
       "falls on both alike; medians over each tool's runs (of an even count: the mean of the middle two). Wall and peak RSS are \`/usr/bin/time -f \"%e %M\"\` of the whole process (start-up included). An upload" \
       "is ReelVault's archive commit of a file whose SHA-256 is known (as a source's is from its download): a multipart" \
       "upload, 16 MiB parts, 6 in flight, each hashed as it goes with its checksum, the whole file hashed beside them and" \
       "checked before completion; a download is ranged GETs of 16 MiB, 6 in flight, each written at its place; against" \
       "awscli's defaults (8 MiB parts, 10 in flight); each download reads the same object and is" \
       "checked against the original's SHA-256; ReelVault's fsyncs the file, so awscli's is followed by \`sync FILE\`."
  echo
  cat "$work/report.md"
  echo "Commands: \`reel-s3-bench put FILE KEY\` / \`reel-s3-bench get KEY FILE\` (REEL_S3_ENDPOINT, REEL_TEST_S3_BUCKET," \
       "AWS_* set to the throwaway server's) and \`aws --endpoint-url $endpoint s3 cp --no-progress …\` (path-style," \
       "no profile), each under \`/usr/bin/time -f \"%e %M\"\`; the script: \`Tools/bench/s3.sh --sizes \"$sizes\" --rounds $rounds\`."
} > "$out"
echo "s3.sh: wrote $out" >&2
