#!/usr/bin/env bash
# Desktop benchmarks of the release app under Xvfb:
#   * launch to interactive (process start -> first queue render on screen),
#   * the queue view with 100,000 items (time to first render, memory),
#   * idle memory (the app plus its WebKit processes, 5 s after start),
#   * release binary size.
# The app reports through bench mode (HOIST_BENCH=1, see src-tauri/src/bench.rs).
# Figures go to stdout and, with --write, into bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
target=${CARGO_TARGET_DIR:-$root/target}
runs=${RUNS:-5}
rows=${ROWS:-100000}
write=0
[ "${1:-}" = "--write" ] && write=1

for tool in Xvfb dbus-run-session; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (run scripts/setup.sh)" >&2; exit 1; }
done

# PROFILE=debug: a quick look with the test build (WebKit's processes are the
# same either way; the app's own process is larger and slower than release).
profile=${PROFILE:-release}
echo "==> building the UI and the $profile app (first time: several minutes)"
(cd ui && npm run build --silent)
if [ "$profile" = release ]; then
  cargo build --release --quiet -p hoist-app -p hoist-cli
else
  cargo test --workspace --no-run --quiet
fi
app="$target/$profile/hoist-app"
cli="$target/$profile/hoist"

work=$(mktemp -d "${TMPDIR:-/tmp}/hoist-bench-desktop.XXXXXX")
xvfb_pid=
cleanup() {
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

display=:$((90 + RANDOM % 9))
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb_pid=$!
export DISPLAY=$display
sleep 1

# One launch: prints "<interactive ms> <first render ms> <rows> <idle pss kB> <list render ms> <idle rss kB>".
launch() {
  local state=$1 out="$work/launch.out"
  local start end
  start=$(date +%s%N)
  HOIST_BENCH=1 HOIST_STATE_DIR="$state" XDG_CONFIG_HOME="$work/config" \
    dbus-run-session -- "$app" >"$out" 2>"$work/launch.err" &
  local pid=$!
  end=
  for _ in $(seq 1 600); do
    if [ -z "$end" ] && grep -q "HOIST_BENCH interactive" "$out" 2>/dev/null; then
      end=$(date +%s%N)
    fi
    grep -q "HOIST_BENCH idle_rss_kb" "$out" 2>/dev/null && break
    sleep 0.05
  done
  wait "$pid" || true
  if [ -z "$end" ]; then
    echo "bench: the app never reported (stderr follows)" >&2
    tail -20 "$work/launch.err" >&2
    exit 1
  fi
  local line rss pss
  line=$(grep "HOIST_BENCH interactive" "$out")
  rss=$(sed -n 's/.*idle_rss_kb=\([0-9]*\).*/\1/p' "$out")
  pss=$(sed -n 's/.*idle_pss_kb=\([0-9]*\).*/\1/p' "$out")
  echo "$(( (end - start) / 1000000 )) $(sed -n 's/.*first_render_ms=\([0-9.]*\).*/\1/p' <<<"$line") $(sed -n 's/.*rows=\([0-9]*\).*/\1/p' <<<"$line") ${pss:-0} $(sed -n 's/.*list_render_ms=\([0-9.]*\).*/\1/p' <<<"$line") ${rss:-0}"
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2))}'; }

series() {
  local name=$1 state=$2
  : >"$work/$name.txt"
  for i in $(seq 1 "$runs"); do
    launch "$state" | tee -a "$work/$name.txt" | awk -v n="$name" -v i="$i" '{printf "  %s run %d: interactive %d ms, first render %.1f ms from page start, %.1f ms from list request (%d rows), idle %d MB PSS (%d MB RSS summed)\n", n, i, $1, $2, $5, $3, $4/1024, $6/1024}'
  done
}

echo "==> empty queue: $runs launches"
mkdir -p "$work/empty"
series empty "$work/empty"

echo "==> queue of $rows items (queued paused, so nothing uploads)"
mkdir -p "$work/big" "$work/files"
for d in $(seq 0 $(( (rows - 1) / 1000 ))); do
  mkdir -p "$work/files/d$d"
  (cd "$work/files/d$d" && seq -f "shot-%06g.jpg" $((d * 1000)) $((d * 1000 + 999)) | head -n $(( rows - d * 1000 < 1000 ? rows - d * 1000 : 1000 )) | xargs touch)
done
HOIST_STATE_DIR="$work/big" "$cli" queue pause --all >/dev/null
HOIST_STATE_DIR="$work/big" "$cli" upload --provider flora --endpoint http://127.0.0.1:9/flora/api/v1 \
  --workspace ws_bench "$work/files" >/dev/null 2>&1 || true
queued=$(HOIST_STATE_DIR="$work/big" "$cli" queue list --json | wc -l)
echo "  queued: $queued"
series big "$work/big"

size=$(stat -c %s "$app")
e_int=$(awk '{print $1}' "$work/empty.txt" | median)
e_rss=$(awk '{print int($4/1024)}' "$work/empty.txt" | median)
b_int=$(awk '{print $1}' "$work/big.txt" | median)
b_first=$(awk '{print int($2)}' "$work/big.txt" | median)
b_list=$(awk '{print int($5)}' "$work/big.txt" | median)
e_first=$(awk '{print int($2)}' "$work/empty.txt" | median)
e_rss_sum=$(awk '{print int($6/1024)}' "$work/empty.txt" | median)
b_rss=$(awk '{print int($4/1024)}' "$work/big.txt" | median)
b_rows=$(awk '{print $3}' "$work/big.txt" | head -1)

machine="$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1 /proc/loadavg), $(uname -sr)"
report=$(cat <<EOT
<!-- desktop:start -->
## Desktop app ($(date -u +%Y-%m-%d), $machine)

\`bench/desktop.sh\`: the $profile app under Xvfb, medians of $runs launches each. "Interactive" is
process start to the first queue render on screen (the window reports it in bench mode);
memory is the proportional set size (shared pages split between users) of the app and its
WebKit processes, idle 5 s after that.

| | goal | measured |
|---|---|---|
| launch to interactive, empty queue | ≤ 500 ms | ${e_int} ms |
| idle memory, empty queue (PSS of the app and its WebKit processes) | ≤ 150 MB | ${e_rss} MB (${e_rss_sum} MB if each process's RSS is summed) |
| queue of ${b_rows} items: first render, from the first request to the painted rows | ≤ 150 ms | ${b_list} ms |
| queue of ${b_rows} items: first render, from page start (empty queue: ${e_first} ms) | | ${b_first} ms |
| queue of ${b_rows} items: launch to interactive | | ${b_int} ms |
| queue of ${b_rows} items: idle memory (PSS; the window holds only the rows on screen) | ≤ 250 MB | ${b_rss} MB |
| binary size (\`hoist-app\`, $profile) | | $((size / 1048576)) MB |
<!-- desktop:end -->
EOT
)
echo
echo "$report"
if [ "$write" = 1 ]; then
  python3 - "$root/bench/RESULTS.md" "$report" <<'PY'
import re, sys
path, block = sys.argv[1], sys.argv[2]
text = open(path).read()
if "<!-- desktop:start -->" in text:
    text = re.sub(r"<!-- desktop:start -->.*?<!-- desktop:end -->", lambda m: block, text, flags=re.S)
else:
    text = text.rstrip() + "\n\n" + block + "\n"
open(path, "w").write(text)
PY
  echo "written to bench/RESULTS.md"
fi
