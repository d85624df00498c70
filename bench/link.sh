#!/usr/bin/env bash
# Concurrency that fits the link (issue 12 part 2): `hoist upload` (release)
# against `hoist sandbox` with injected faults, 64 KiB files.
#   * a 50 ms link (sandbox fault `latency=50ms`: every request, API and
#     storage, answers 50 ms late): files/s with 4 files at a time
#     (`--concurrency 4`, what every upload did before) and adaptive (no
#     flag), FLORA and Runflow dialects;
#   * a rate-limited server (`rate_quota=Q`: Q API requests a second, the
#     rest answered 429 with Retry-After: 1): files/s and 429s served.
# Files/s counts every file reported, failed ones too.
# HOIST_BASE_BIN=path also runs an older build (the same cases; it has no
# adaptive mode, so its "adaptive" rows are left out) for before/after.
# Writes the "link" section of bench/RESULTS.md. Not a test: no asserts.
#   bench/link.sh [FILES]          (default 500)
set -euo pipefail
cd "$(dirname "$0")/.."
files=${1:-500}
quota=${QUOTA:-100}
out=bench/out/link
rm -rf "$out"; mkdir -p "$out"
command -v python3 >/dev/null || { echo "missing python3" >&2; exit 1; }

if [ -z "${HOIST_BIN:-}" ]; then
  echo "building the release binary..." >&2
  cargo build --release --quiet -p hoist-cli --bin hoist
  HOIST_BIN=$PWD/target/release/hoist
fi
hoist=$HOIST_BIN

port=$((20000 + RANDOM % 20000))
"$hoist" sandbox --listen 127.0.0.1:$port --data "$out/sandbox" >"$out/sandbox.log" 2>&1 &
sandbox_pid=$!
trap 'kill $sandbox_pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q listening "$out/sandbox.log" && break; sleep 0.1; done
base=http://127.0.0.1:$port

python3 - "$out/files" "$files" <<'PY'
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
os.makedirs(d, exist_ok=True)
for i in range(n):
    with open(os.path.join(d, f"f{i:05}.bin"), "wb") as f:
        f.write(os.urandom(65536))
PY

# One run: sandbox reset and faulted, `hoist upload --json`, each line stamped.
# Prints: label provider mode files wall_s overall_fps steady_fps 429s api_max
run() { # label bin provider mode faults
  local label=$1 bin=$2 provider=$3 mode=$4 faults=$5
  curl -fsS -X DELETE "$base/_sandbox/reset" >/dev/null
  curl -fsS -X PUT --data "$faults" "$base/_sandbox/faults" >/dev/null
  local flags=()
  [ "$mode" = fixed4 ] && flags=(--concurrency 4)
  local dest=()
  case $provider in
    flora) dest=(--endpoint "$base/flora/api/v1" --workspace "ws_$label$mode") ;;
    runflow) dest=(--endpoint "$base/runflow") ;;
  esac
  local state="$out/state-$label-$provider-$mode"
  HOIST_STATE_DIR="$state" python3 - "$out/$label-$provider-$mode" "$files" "$base" \
    "$label" "$provider" "$mode" \
    "$bin" upload --provider "$provider" "${dest[@]}" --api-key bench-key "${flags[@]}" \
    --json "$out/files" <<'PY'
import json, subprocess, sys, time, threading, urllib.request
log, n, base, label, provider, mode, cmd = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6], sys.argv[7:]
t0 = time.monotonic()
p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
err = []
threading.Thread(target=lambda: err.extend(p.stderr), daemon=True).start()
stamps, failed = [], 0
for line in p.stdout:
    if line.startswith("{"):
        stamps.append(time.monotonic() - t0)
        failed += json.loads(line).get("status") not in ("ready", "duplicate")
p.wait()
wall = time.monotonic() - t0
time.sleep(0.2)
open(log + ".stderr", "w").write("".join(err))
# Exit 1 with every file reported: some failed (counted, shown in the table).
if p.returncode not in (0, 1) or len(stamps) != n:
    sys.exit(f"{log}: exit {p.returncode}, {len(stamps)} of {n} files reported; see {log}.stderr")
stats = json.load(urllib.request.urlopen(base + "/_sandbox/stats"))
refused = sum(v for k, v in stats["faults"].items() if k in ("rate_quota", "rate_limit", "rate_limit_bare"))
a, b = stamps[n // 10], stamps[(9 * n) // 10]
steady = ((9 * n) // 10 - n // 10) / (b - a) if b > a else float("nan")
print(f"{label} {provider} {mode} {n} {wall:.2f} {n / wall:.1f} {steady:.1f} {refused} {stats.get('api_in_flight_max', '-')} {failed}")
PY
  rm -rf "$state"
}

rows=()
bins=("new:$hoist")
[ -n "${HOIST_BASE_BIN:-}" ] && bins+=("before:$HOIST_BASE_BIN")
for entry in "${bins[@]}"; do
  label=${entry%%:*} bin=${entry#*:}
  modes=(fixed4 adaptive)
  [ "$label" = before ] && modes=(fixed4)
  for provider in flora runflow; do
    for mode in "${modes[@]}"; do
      echo "== $label $provider $mode, 50 ms link" >&2
      rows+=("link $(run "$label" "$bin" "$provider" "$mode" "latency=50ms")")
    done
  done
  for mode in "${modes[@]}"; do
    echo "== $label flora $mode, quota $quota/s" >&2
    rows+=("quota $(run "$label" "$bin" flora "$mode" "rate_quota=$quota")")
  done
done

section=$(python3 - "$files" "$quota" "$(git rev-parse --short HEAD)" "${rows[@]}" <<'PY'
import sys, datetime, os
files, quota, rev, rows = sys.argv[1], sys.argv[2], sys.argv[3], [r.split() for r in sys.argv[4:]]
load = " ".join(open("/proc/loadavg").read().split()[:3])
mode_name = {"fixed4": "4 at a time (`--concurrency 4`)", "adaptive": "adaptive (no flag)"}
out = [
 "## Concurrency that fits the link (issue 12 part 2)",
 "",
 f"Run {datetime.datetime.utcnow():%Y-%m-%dT%H:%MZ} by `bench/link.sh {files}` at {rev} on {os.cpu_count()} cores, load average at the end {load} (shared machine). "
 f"{int(files):,} files of 64 KiB per run, `hoist upload --json` (release) against `hoist sandbox` on loopback, the sandbox reset between runs. "
 "Steady: completions between the 10th and the 90th percentile. API max: the most API requests the sandbox served at once.",
 "",
 "**50 ms link** (`latency=50ms`: every API and storage request answers 50 ms late)",
 "",
 "| build | provider | files in flight | wall | files/s | steady files/s | API max |",
 "|---|---|---|---|---|---|---|",
]
for r in rows:
    if r[0] == "link":
        _, label, prov, mode, n, wall, fps, steady, refused, api, failed = r
        out.append(f"| {label} | {prov} | {mode_name[mode]} | {float(wall):.1f} s | {fps} | {steady} | {api} |")
out += [
 "",
 f"**Rate-limited server** (`rate_quota={quota}`: {quota} API requests a second, the rest 429 with `Retry-After: 1`), FLORA",
 "",
 "| build | files in flight | wall | files/s | 429s served | 429s per file | files failed |",
 "|---|---|---|---|---|---|---|",
]
for r in rows:
    if r[0] == "quota":
        _, label, prov, mode, n, wall, fps, steady, refused, api, failed = r
        out.append(f"| {label} | {mode_name[mode]} | {float(wall):.1f} s | {fps} | {refused} | {int(refused) / int(n):.2f} | {failed} |")
print("\n".join(out))
PY
)
python3 - "$section" <<'PY'
import sys, re, os
section = sys.argv[1]
path = "bench/RESULTS.md"
text = open(path).read()
block = f"<!-- link:start -->\n{section}\n<!-- link:end -->"
pat = re.compile(r"<!-- link:start -->.*?<!-- link:end -->", re.S)
text = pat.sub(lambda m: block, text) if pat.search(text) else text.rstrip() + "\n\n" + block + "\n"
open(path, "w").write(text)
PY
echo "$section"
