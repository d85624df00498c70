#!/usr/bin/env bash
# The Library tab on a library of ASSETS (default 100,000) assets in the
# sandbox, in the app under Xvfb, driven through WebDriver (bench/library.mjs):
# cold first sync, first painted grid from the cache, frame times of a full
# scroll, and memory while browsing. PROFILE=debug uses the test build.
# Figures go to stdout and, with --write, into bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
target=${CARGO_TARGET_DIR:-$root/target}
profile=${PROFILE:-release}
write=0
[ "${1:-}" = "--write" ] && write=1
for tool in tauri-driver WebKitWebDriver xvfb-run dbus-run-session node; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (run scripts/setup.sh)" >&2; exit 1; }
done

echo "==> building the UI and the $profile app"
(cd ui && npm run build --silent)
if [ "$profile" = release ]; then
  cargo build --release --quiet -p hoist-app
else
  cargo test --workspace --no-run --quiet
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/hoist-bench-library.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/state" "$work/files" "$work/config" "$work/data" "$work/home"
export HOIST_APP_BIN="$target/$profile/hoist-app" HOIST_STATE_DIR="$work/state" HOIST_E2E=1
export HOIST_E2E_WORK="$work/files" HOIST_E2E_ARTIFACTS="$work"
export XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data" HOME="$work/home"

out=$(xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- node bench/library.mjs | tee /dev/stderr | grep HOIST_LIBRARY_BENCH)
json=${out#HOIST_LIBRARY_BENCH }
field() { node -e "console.log(JSON.parse(process.argv[1])[process.argv[2]])" "$json" "$1"; }
machine="$(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg), $(uname -sr)"
report=$(cat <<EOT
<!-- library-window:start -->
## Library window ($(date -u +%Y-%m-%d), $profile app, $machine)

\`bench/library.sh\`: $(field assets) assets seeded in the sandbox (FLORA dialect), the real window under Xvfb.

| Measure | Result | Goal |
|---|---|---|
| Cold first sync of the listing (tab opened to every asset in the grid) | $(field coldSyncMs) ms | report |
| First painted grid from the cache (new process, tab clicked) | $(field firstPaintMs) ms | < 300 ms |
| Full scroll, a screenful per frame: p50 / p95 / worst frame | $(field p50FrameMs) / $(field p95FrameMs) / $(field maxFrameMs) ms over $(field frames) frames | p95 < 20 ms |
| Memory while browsing (app + WebKit, PSS) | $(field pssMb) MB | ≤ 250 MB |
<!-- library-window:end -->
EOT
)
echo "$report"
if [ "$write" = 1 ]; then
  python3 - "$report" <<'PY'
import re, sys
path = "bench/RESULTS.md"
text = open(path).read()
block = sys.argv[1]
pat = re.compile(r"<!-- library-window:start -->.*?<!-- library-window:end -->", re.S)
text = pat.sub(lambda _: block, text) if pat.search(text) else text.rstrip() + "\n\n" + block + "\n"
open(path, "w").write(text)
PY
fi
