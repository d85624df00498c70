#!/usr/bin/env bash
# Watched folders (issue 10), release build:
#  1. scanning a tree of N files (default 100,000) against
#     `find DIR -type f -printf '%s %T@\n'`, warm cache, same run: the walk a
#     first scan does before hashing, and a second scan with nothing changed
#     (index loaded, size/mtime/inode compared, nothing read);
#  2. stable-to-queued delay: last write to job in the queue, minus the window;
#  3. idle CPU and RSS of `hoist sync` watching those N files.
# Writes the figures between the sync markers of bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
# PROFILE=debug: a quick look without a release build (dependencies are
# optimised in debug builds too, Hoist's own crates are not).
PROFILE=${PROFILE:-release}
if [ "$PROFILE" = release ]; then
  cargo build --release -q -p hoist-cli --bin hoist -p hoist-core --example sync_bench
else
  cargo build -q -p hoist-cli --bin hoist -p hoist-core --example sync_bench
fi
HOIST=target/$PROFILE/hoist
BENCH=target/$PROFILE/examples/sync_bench
WORK=$(mktemp -d)
trap 'kill "${SYNC_PID:-}" 2>/dev/null || true; rm -rf "$WORK"' EXIT
TREE="$WORK/tree"

python3 - "$TREE" "$N" <<'EOF'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
per = 1000
for i in range(n):
    d = os.path.join(root, f"d{i // per:03}")
    if i % per == 0:
        os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"f{i:06}.jpg"), "wb") as f:
        f.write(f"file {i} ".encode() * 8)
EOF

secs() { python3 -c 'import time; print(time.monotonic())'; }
best_find() {
  local best=999999
  for _ in 1 2 3; do
    local t0 t1
    t0=$(secs); find "$TREE" -type f -printf '%s %T@\n' >/dev/null; t1=$(secs)
    best=$(python3 -c "print(min($best, $t1 - $t0))")
  done
  echo "$best"
}
find "$TREE" -type f >/dev/null  # warm the cache
FIND1=$(best_find)
SCAN=$("$BENCH" scan "$WORK/state" "$TREE")
FIND2=$(best_find)
FIND=$(python3 -c "print(min($FIND1, $FIND2))")
get() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" <<<"$SCAN"; }
WALK=$(get walk_s); HASH=$(get hash_s); SECOND=$(get second_scan_s); CHANGED=$(get changed)

mkdir -p "$WORK/delay"
DELAY=$("$BENCH" delay "$WORK/delay-state" "$WORK/delay" 20)

HOIST_STATE_DIR="$WORK/state" "$HOIST" sync "$TREE" --provider flora \
  --endpoint http://127.0.0.1:9/flora/api/v1 --workspace ws_bench 2>/dev/null &
SYNC_PID=$!
sleep 20   # start-up scan (nothing changed) and settle
ticks() { awk '{print $14 + $15}' "/proc/$SYNC_PID/stat"; }
T0=$(ticks); sleep 30; T1=$(ticks)
HZ=$(getconf CLK_TCK)
CPU=$(python3 -c "print(round(100 * ($T1 - $T0) / $HZ / 30, 2))")
RSS=$(awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$SYNC_PID/status")
kill -TERM "$SYNC_PID"; wait "$SYNC_PID" || true; SYNC_PID=

ratio() { python3 -c "print(f'{$1 / $2:.2f}x')"; }
REPORT=$(cat <<EOF
<!-- sync:start -->
## Watched folders

Run $(date -u +%Y-%m-%dT%H:%MZ) by \`bench/sync.sh $N\` on $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) (shared machine). Build: $PROFILE. $N files of 64 bytes in $((N / 1000)) folders, warm cache; times are best of 3 for find, one run for Hoist.

| Step | Time | vs find | Goal |
|---|---|---|---|
| \`find DIR -type f -printf '%s %T@\\n'\` | $(printf %.3f "$FIND") s | 1.00x | |
| First scan: walk with ignore rules, stat every file | $(printf %.3f "$WALK") s | $(ratio "$WALK" "$FIND") | at most 1.5x |
| First scan: hashing every file (BLAKE3) | $(printf %.3f "$HASH") s | | (reads the bytes; find does not) |
| Second scan, nothing changed (index loaded and compared; $CHANGED files to read) | $(printf %.3f "$SECOND") s | $(ratio "$SECOND" "$FIND") | about 1x |

**Stable to queued** (20 files, window 1 s, last write to job in the queue minus the window): $DELAY. Goal: under 200 ms.

**Idle \`hoist sync\` watching $N files** (30 s after a start-up scan that found nothing to do): CPU ${CPU}% of one core, RSS ${RSS} MB. Goals: about 0 CPU, at most 100 MB.
<!-- sync:end -->
EOF
)
python3 - "$REPORT" <<'EOF'
import re, sys
path = "bench/RESULTS.md"
text = open(path).read()
block = sys.argv[1]
if "<!-- sync:start -->" in text:
    text = re.sub(r"<!-- sync:start -->.*?<!-- sync:end -->", lambda m: block, text, flags=re.S)
else:
    text = text.rstrip("\n") + "\n\n" + block + "\n"
open(path, "w").write(text)
EOF
echo "$REPORT"
