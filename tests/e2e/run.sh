#!/usr/bin/env bash
# End-to-end tests of the real Hoist app: build the UI and the app, then drive
# the built window under Xvfb through tauri-driver + WebKitWebDriver.
# Screenshots go to tests/artifacts/. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

for tool in tauri-driver WebKitWebDriver xvfb-run node npm; do
  command -v "$tool" >/dev/null || { echo "e2e: $tool is missing (run scripts/setup.sh)" >&2; exit 1; }
done

echo "==> building the UI"
(cd ui && npm run build --silent)
echo "==> building the app"
cargo build -p hoist-app --quiet
target_dir=${CARGO_TARGET_DIR:-$root/target}
bin="$target_dir/debug/hoist-app"

work=$(mktemp -d "${TMPDIR:-/tmp}/hoist-e2e.XXXXXX")
cleanup() { rm -rf "$work"; }
trap cleanup EXIT
mkdir -p "$root/tests/artifacts" "$work/state" "$work/files"

export HOIST_APP_BIN="$bin"
export HOIST_STATE_DIR="$work/state"
export HOIST_E2E=1
export HOIST_E2E_WORK="$work/files"
export HOIST_E2E_ARTIFACTS="$root/tests/artifacts"

# Xvfb outside, a private D-Bus session inside it (so portals see the display).
inner="node --test --test-concurrency=1 --test-reporter=spec tests/e2e/app.test.mjs"
if command -v dbus-run-session >/dev/null; then
  inner="dbus-run-session -- $inner"
fi
# shellcheck disable=SC2086
xvfb-run -a -s "-screen 0 1280x800x24" $inner
