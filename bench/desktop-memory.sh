#!/usr/bin/env bash
# Where the desktop app's idle memory is: one launch of the built app under
# Xvfb in bench mode (empty queue), then, while it idles, each process's PSS
# (anonymous and file-backed), its threads, and its largest mappings.
#   bench/desktop-memory.sh [path/to/hoist-app]   (default: target/release/hoist-app)
# Build first (bench/desktop.sh does). Extra environment is passed to the app,
# e.g. `JSC_useJIT=false bench/desktop-memory.sh` to try a WebKit knob.
set -euo pipefail
cd "$(dirname "$0")/.."
app=${1:-${CARGO_TARGET_DIR:-$PWD/target}/release/hoist-app}
[ -x "$app" ] || { echo "no app at $app (build it first)" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/hoist-bench-memory.XXXXXX")
xvfb_pid=
cleanup() { [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
display=:$((80 + RANDOM % 9))
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb_pid=$!
export DISPLAY=$display
sleep 1
HOIST_BENCH=1 HOIST_STATE_DIR="$work/state" XDG_CONFIG_HOME="$work/config" \
  dbus-run-session -- "$app" >"$work/out" 2>"$work/err" &
session=$!
for _ in $(seq 1 600); do grep -q "HOIST_BENCH interactive" "$work/out" 2>/dev/null && break; sleep 0.05; done
sleep 4 # the app reports its own total at 5 s and quits
root=$(pgrep -P "$session" -x "$(basename "$app" | cut -c1-15)" | head -1)
[ -n "$root" ] || { echo "the app is not running" >&2; tail "$work/err" >&2; exit 1; }
top_mappings() {
  awk '/^[0-9a-f]+-[0-9a-f]+ / {n=$6; if (n=="") n="[anon]"} /^Pss:/ {p[n]+=$2}
       END {for (n in p) printf "    %7d kB  %s\n", p[n], n}' "/proc/$1/smaps" | sort -rn | head -8
}
for p in "$root" $(pgrep -P "$root"); do
  printf "%s (pid %s, %s threads): " "$(tr '\0' ' ' <"/proc/$p/cmdline" | awk '{print $1}' | xargs basename)" "$p" "$(ls "/proc/$p/task" | wc -l)"
  awk '/^(Pss|Pss_Anon|Pss_File):/ {printf "%s %d MB  ", $1, $2/1024}' "/proc/$p/smaps_rollup"; echo
  top_mappings "$p"
done
echo "app threads:"; cat /proc/"$root"/task/*/comm | sort | uniq -c | sort -rn | sed 's/^/  /'
wait "$session" || true
grep HOIST_BENCH "$work/out"
echo "state folder after an idle launch: $(ls "$work/state" | tr '\n' ' ')"
