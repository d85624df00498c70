#!/usr/bin/env bash
# Scaling benchmark of `hoist upload` (release build) against `hoist sandbox`
# over loopback, FLORA dialect, 4 in flight:
#   * N small files (1 KiB) for each N given (default 1000 10000 100000):
#     enqueue time, time to the first file ready, steady files/s (between the
#     10th and the 90th percentile of completions), CPU per file, peak RSS;
#   * 2,000 x 64 KiB files vs the sandbox's own `examples/smallfiles` (the
#     same three calls with no queue and no durability, 4 in flight), in the
#     same run: the ratio is the figure to read on a shared machine.
# Writes the "Scale" section of bench/RESULTS.md. Not a test: no asserts.
#   bench/scale.sh [N[@S] ...]      e.g. bench/scale.sh 1000 10000 100000 1000000@240
# N@S stops that run S seconds after the enqueue finished and gives the rates
# of those S seconds (a million files take about an hour on 2 cores).
# HOIST_BIN=path uses that binary instead of building (e.g. an older build,
# for before/after figures); SCALE_LABEL names it in the table.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 100000)
out=bench/out/scale
rm -rf "$out"; mkdir -p "$out"
for tool in python3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "missing $tool: run scripts/setup.sh" >&2; exit 1; }
done

if [ -z "${HOIST_BIN:-}" ]; then
  echo "building release binaries..." >&2
  cargo build --release --quiet -p hoist-cli --bin hoist -p hoist-sandbox --example smallfiles
  HOIST_BIN=$PWD/target/release/hoist
fi
hoist=$HOIST_BIN
smallfiles=$PWD/target/release/examples/smallfiles
label=${SCALE_LABEL:-$(git rev-parse --short HEAD)}

port=$((20000 + RANDOM % 20000))
"$hoist" sandbox --listen 127.0.0.1:$port --data "$out/sandbox" >"$out/sandbox.log" 2>&1 &
sandbox_pid=$!
trap 'kill $sandbox_pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q listening "$out/sandbox.log" && break; sleep 0.1; done
api=http://127.0.0.1:$port/flora/api/v1

make_files() { # dir count bytes
  python3 - "$@" <<'PY'
import os, sys
d, n, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
os.makedirs(d, exist_ok=True)
for i in range(n):
    sub = os.path.join(d, f"d{i // 10000:03}")
    if i % 10000 == 0:
        os.makedirs(sub, exist_ok=True)
    with open(os.path.join(sub, f"s{i:07}.bin"), "wb") as f:
        f.write(os.urandom(size))
PY
}

# One `hoist upload --json` run, timed by a driver that stamps each line.
# With a window (seconds, > 0) the run is stopped (SIGINT) that long after the
# enqueue finished, and the rates are those of the window: a million files
# take about an hour here, and the cost per file is what must stay flat.
# Prints: files wall_s enqueue_ms first_ready_s steady_fps cpu_ms_per_file rss_mb done
run_upload() { # name dir count [window_s]
  local name=$1 dir=$2 n=$3 window=${4:-0}
  HOIST_STATE_DIR="$out/state-$name" RUST_LOG=warn,hoist=info python3 - "$out/$name" "$n" "$window" \
    /usr/bin/time -v "$hoist" upload --provider flora --endpoint "$api" --api-key bench-key \
    --workspace "ws_$name" --concurrency 4 --json "$dir" <<'PY'
import subprocess, sys, time, re, threading, signal, os
log, n, window, cmd = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4:]
t0 = time.monotonic()
p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
tick = os.sysconf("SC_CLK_TCK")
def child():  # `hoist`, under /usr/bin/time
    for _ in range(100):
        try:
            kids = open(f"/proc/{p.pid}/task/{p.pid}/children").read().split()
            if kids: return int(kids[0])
        except OSError: pass
        time.sleep(0.01)
def cpu_s(pid):  # user + system seconds so far
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / tick
hoist_pid = child()
err_lines, stamps, marks = [], [], {}
def read_err():
    for line in p.stderr:
        err_lines.append(line)
        if "queued" in line and "start" not in marks:
            marks["start"] = (time.monotonic() - t0, len(stamps), cpu_s(hoist_pid))
threading.Thread(target=read_err, daemon=True).start()
def stop_after_window():
    while "start" not in marks:
        if p.poll() is not None: return
        time.sleep(0.05)
    time.sleep(window)
    if p.poll() is None:
        marks["end"] = (time.monotonic() - t0, len(stamps), cpu_s(hoist_pid))
        os.kill(hoist_pid, signal.SIGINT)
if window > 0:
    threading.Thread(target=stop_after_window, daemon=True).start()
for line in p.stdout:
    if line.startswith("{"):
        stamps.append(time.monotonic() - t0)
p.wait()
wall = time.monotonic() - t0
time.sleep(0.2)
err = "".join(err_lines)
open(log + ".stderr", "w").write(err)
windowed = "end" in marks
if not windowed and (p.returncode != 0 or len(stamps) != n):
    sys.exit(f"{log}: exit {p.returncode}, {len(stamps)} of {n} files reported; see {log}.stderr")
enq = re.search(r"ms=(\d+).*queued|queued.*ms=(\d+)", err)
enq_ms = int(next(g for g in enq.groups() if g)) if enq else -1
user = float(re.search(r"User time \(seconds\): ([\d.]+)", err).group(1))
sys_ = float(re.search(r"System time \(seconds\): ([\d.]+)", err).group(1))
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", err).group(1))
if windowed:
    (t_a, k_a, c_a), (t_b, k_b, c_b) = marks["start"], marks["end"]
    done, steady, cpu_ms = k_b, (k_b - k_a) / (t_b - t_a), (c_b - c_a) * 1000 / max(k_b - k_a, 1)
    wall = t_b
else:
    a, b = stamps[n // 10], stamps[(9 * n) // 10]
    done, steady = n, ((9 * n) // 10 - n // 10) / (b - a) if b > a else float("nan")
    cpu_ms = (user + sys_) * 1000 / n
print(f"{n} {wall:.2f} {enq_ms} {stamps[0]:.3f} {steady:.0f} {cpu_ms:.2f} {rss / 1024:.0f} {done}")
PY
}

results=()
for size in "${sizes[@]}"; do
  n=${size%@*}; window=0
  [ "$size" = "$n" ] || window=${size#*@}
  if [ "$window" = 0 ]; then echo "== $n files of 1 KiB" >&2; else echo "== $n files of 1 KiB (stopped $window s after the enqueue)" >&2; fi
  make_files "$out/f$n" "$n" 1024
  results+=("$(run_upload "n$n" "$out/f$n" "$n" "$window")")
  rm -rf "$out/f$n" "$out/state-n$n"
done

echo "== 2000 files of 64 KiB vs examples/smallfiles" >&2
make_files "$out/small64" 2000 65536
small=$(run_upload small64 "$out/small64" 2000)
ceiling=$("$smallfiles" 2000 4 2>&1 | tail -1)
echo "smallfiles: $ceiling" >&2

section=$(python3 - "$label" "$small" "$ceiling" "${results[@]}" <<'PY'
import sys, datetime, os, platform, re
label, small, ceiling, rows = sys.argv[1], sys.argv[2].split(), sys.argv[3], sys.argv[4:]
cpu = next((l.split(":",1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
load = " ".join(open("/proc/loadavg").read().split()[:3])
m = re.search(r"([\d.]+)\s*files/s", ceiling)
ceil_fps = float(m.group(1)) if m else float("nan")
out = [
 f"### Scale: `{label}`",
 "",
 f"Run {datetime.datetime.utcnow():%Y-%m-%dT%H:%MZ} by `bench/scale.sh` on {os.cpu_count()} cores, {cpu}; load average at the end {load} (shared machine). "
 "`hoist upload --json --concurrency 4` (release) against `hoist sandbox` over loopback, FLORA dialect. "
 "Enqueue: the scan and its durable inserts, a chunk of 2,048 at a time (logged by the CLI; uploads start on the first chunk). First ready: from process start to the first file reported ready "
 "(an upper bound on time to first byte). Steady: completions between the 10th and 90th percentile. CPU and peak RSS from `/usr/bin/time -v`. "
 "A run marked *stopped* was ended by SIGINT a fixed time after its enqueue finished: its steady rate and CPU per file are those of that window "
 "(CPU read from `/proc` at both ends), its wall time is to the stop.",
 "",
 "| files (1 KiB) | wall | enqueue | first ready | steady files/s | CPU per file | peak RSS |",
 "|---|---|---|---|---|---|---|",
]
for r in rows:
    n, wall, enq, first, fps, cpu_ms, rss, done = r.split()
    files = f"{int(n):,}" if done == n else f"{int(n):,} (stopped after {int(done):,} ready)"
    out.append(f"| {files} | {float(wall):.1f} s | {int(enq)} ms | {float(first):.2f} s | {fps} | {cpu_ms} ms | {rss} MB |")
n, wall, enq, first, fps, cpu_ms, rss, done = small
ratio = (int(n) / float(wall)) / ceil_fps if ceil_fps == ceil_fps else float("nan")
out += [
 "",
 f"2,000 x 64 KiB: {int(n)/float(wall):.0f} files/s overall ({float(wall):.1f} s, steady {fps}), {cpu_ms} ms CPU per file, {rss} MB peak RSS; "
 f"`examples/smallfiles` in the same run: {ceiling.strip()} -> **{ratio:.2f}x the no-durability ceiling** (goal 0.5x).",
]
print("\n".join(out))
PY
)
python3 - "$section" "$label" <<'PY'
import sys, re, os
section, label = sys.argv[1], sys.argv[2]
path = "bench/RESULTS.md"
text = open(path).read() if os.path.exists(path) else "# Benchmark results\n"
tag = re.sub(r"[^A-Za-z0-9_-]", "", label)
block = f"<!-- scale-{tag}:start -->\n{section}\n<!-- scale-{tag}:end -->"
pat = re.compile(rf"<!-- scale-{re.escape(tag)}:start -->.*?<!-- scale-{re.escape(tag)}:end -->", re.S)
if pat.search(text):
    text = pat.sub(lambda m: block, text)
else:
    text = text.rstrip() + "\n\n" + block + "\n"
open(path, "w").write(text)
PY
echo "$section"
