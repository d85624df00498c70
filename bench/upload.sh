#!/usr/bin/env bash
# Upload benchmark: `hoist upload` against the same sandbox, in the same run, as
# curl performing the same reserve / form POST / complete calls.
#   (a) one large file (default 1 GiB): throughput and peak RSS;
#   (b) many small files (default 2,000 x 64 KiB): files per second, vs
#       `xargs -P4` running the curl sequence per file.
# Writes the "Upload" section of bench/RESULTS.md. Not a test: no asserts.
#   bench/upload.sh [BIG_MIB] [SMALL_COUNT]
set -euo pipefail
cd "$(dirname "$0")/.."
big_mib=${1:-1024}
small_n=${2:-2000}
out=bench/out/upload
rm -rf "$out"; mkdir -p "$out"
for tool in curl jq /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "missing $tool: run scripts/setup.sh" >&2; exit 1; }
done

echo "building release binaries..." >&2
cargo build --release --quiet -p hoist-cli
hoist=$PWD/target/release/hoist

port=$((20000 + RANDOM % 20000))
"$hoist" sandbox --listen 127.0.0.1:$port --data "$out/sandbox" >"$out/sandbox.log" 2>&1 &
sandbox_pid=$!
trap 'kill $sandbox_pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q listening "$out/sandbox.log" && break; sleep 0.1; done
api=http://127.0.0.1:$port/flora/api/v1
key=bench-key

echo "making fixtures..." >&2
head -c $((big_mib * 1024 * 1024)) /dev/urandom >"$out/big.bin"
mkdir -p "$out/small"
python3 - "$out/small" "$small_n" <<'PY'
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    with open(os.path.join(d, f"s{i:05}.bin"), "wb") as f:
        f.write(os.urandom(64 * 1024))
PY

# wall seconds and peak RSS (KB) of a command, from /usr/bin/time -v
measure() {
  local log=$1; shift
  /usr/bin/time -v "$@" >"$log.out" 2>"$log.time" || { cat "$log.time" >&2; exit 1; }
  local wall rss
  wall=$(grep 'Elapsed (wall clock)' "$log.time" | awk '{print $NF}' | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  rss=$(grep 'Maximum resident set size' "$log.time" | awk '{print $NF}')
  echo "$wall $rss"
}

best_of() { # best wall of N runs of a command producing "wall rss"; echoes "wall rss"
  local n=$1; shift
  local best="" best_rss=""
  for i in $(seq "$n"); do
    read -r w r < <("$@" "$i")
    if [ -z "$best" ] || awk "BEGIN{exit !($w < $best)}"; then best=$w; best_rss=$r; fi
  done
  echo "$best $best_rss"
}

run_hoist_big() { HOIST_STATE_DIR="$out/state-big-$1" measure "$out/hoist-big-$1" "$hoist" upload --provider flora --endpoint "$api" --api-key $key --workspace ws_big$1 "$out/big.bin"; }
run_curl_big() { measure "$out/curl-big-$1" bench/curl_flora_upload.sh "$api" $key ws_big "$out/big.bin"; }
run_hoist_small() { HOIST_STATE_DIR="$out/state-small-$1" measure "$out/hoist-small-$1" "$hoist" upload --provider flora --endpoint "$api" --api-key $key --workspace ws_small$1 --concurrency 4 "$out/small"; }
run_curl_small() {
  measure "$out/curl-small-$1" bash -c "ls -1 '$out/small'/*.bin | xargs -P4 -I{} bench/curl_flora_upload.sh '$api' $key ws_curl {}"
}

echo "(a) one ${big_mib} MiB file..." >&2
read -r hb_wall hb_rss < <(best_of 3 run_hoist_big)
read -r cb_wall cb_rss < <(best_of 3 run_curl_big)
echo "(b) ${small_n} files of 64 KiB..." >&2
read -r hs_wall hs_rss < <(best_of 2 run_hoist_small)
read -r cs_wall cs_rss < <(best_of 2 run_curl_small)

mib=$big_mib
section=$(python3 - "$mib" "$small_n" "$hb_wall" "$hb_rss" "$cb_wall" "$cb_rss" "$hs_wall" "$hs_rss" "$cs_wall" "$cs_rss" <<'PY'
import sys, datetime, os, platform, subprocess
mib, n = int(sys.argv[1]), int(sys.argv[2])
hb, hbr, cb, cbr, hs, hsr, cs, csr = map(float, sys.argv[3:])
cpu = next((l.split(":",1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
load = open("/proc/loadavg").read().split()[:3]
def mbps(sec): return mib * 1.048576 / sec
lines = [
 "## Upload",
 "",
 f"Run {datetime.datetime.utcnow():%Y-%m-%dT%H:%MZ} by `bench/upload.sh` on {os.cpu_count()} cores, {cpu}; load average at the end {' '.join(load)} (shared machine). "
 "Both clients talk to the same `hoist sandbox` (release build) over loopback, FLORA dialect: reserve, multipart form POST to the signed URL, complete. "
 "curl runs the same three calls (`bench/curl_flora_upload.sh`, JSON parsed with jq). Best of 3 (a) or 2 (b) runs; wall time and peak RSS from `/usr/bin/time -v`.",
 "",
 "| Case | Hoist | curl | Hoist / curl | Goal |",
 "|---|---|---|---|---|",
 f"| (a) one {mib} MiB file: throughput | {mbps(hb):.0f} MB/s ({hb:.2f} s) | {mbps(cb):.0f} MB/s ({cb:.2f} s) | {cb/hb:.2f}x | >= 0.9x |",
 f"| (a) peak RSS | {hbr/1024:.0f} MB | {cbr/1024:.0f} MB (curl process) | | <= 64 MB |",
 f"| (b) {n} files of 64 KiB: files/s | {n/hs:.0f} ({hs:.2f} s, 4 in flight) | {n/cs:.0f} ({cs:.2f} s, `xargs -P4`) | {cs/hs:.2f}x | >= 2x |",
 f"| (b) peak RSS | {hsr/1024:.0f} MB | {csr/1024:.0f} MB (largest single process) | | |",
 "",
 "Hoist's time includes what curl does not do: scanning, BLAKE3 hashing for dedupe, and committing every step to the SQLite queue before its side effect (crash safety).",
]
print("\n".join(lines))
PY
)
python3 - "$section" <<'PY'
import sys, re, os
section = sys.argv[1]
path = "bench/RESULTS.md"
text = open(path).read() if os.path.exists(path) else "# Benchmark results\n"
block = f"<!-- upload:start -->\n{section}\n<!-- upload:end -->"
if "<!-- upload:start -->" in text:
    text = re.sub(r"<!-- upload:start -->.*?<!-- upload:end -->", lambda m: block, text, flags=re.S)
else:
    text = text.rstrip() + "\n\n" + block + "\n"
open(path, "w").write(text)
PY
echo "$section"
