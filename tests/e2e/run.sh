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
# The same build as `cargo test --workspace` (its integration test needs the
# binary): one set of features, so CI compiles the app and its deps once.
cargo test --workspace --no-run --quiet
target_dir=${CARGO_TARGET_DIR:-$root/target}
bin="$target_dir/debug/hoist-app"

work=$(mktemp -d "${TMPDIR:-/tmp}/hoist-e2e.XXXXXX")
cleanup() { rm -rf "$work"; }
trap cleanup EXIT
mkdir -p "$root/tests/artifacts" "$work/state" "$work/files"

export HOIST_APP_BIN="$bin"
export HOIST_CLI_BIN="$target_dir/debug/hoist"
export HOIST_STATE_DIR="$work/state"
export HOIST_E2E=1
export HOIST_E2E_WORK="$work/files"
export HOIST_E2E_ARTIFACTS="$root/tests/artifacts"
# The app's window state, login item and keyring live here, not in the
# tester's own profile.
export XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data"
mkdir -p "$XDG_CONFIG_HOME" "$XDG_DATA_HOME"

# Xvfb outside; inside it a private D-Bus session (so portals see the display)
# with an unlocked gnome-keyring, where the app keeps accounts' API keys.
# The login item goes to $HOME/.config/autostart (the autostart crate ignores
# XDG_CONFIG_HOME): give the suites a home of their own. Cargo ran above.
export HOME="$work/home"
mkdir -p "$HOME"
suites="tests/e2e/suites.sh $*"
if command -v dbus-run-session >/dev/null && command -v gnome-keyring-daemon >/dev/null; then
  # shellcheck disable=SC2086
  xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- sh -c \
    'echo -n hoist-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; exec "$@"' sh $suites
else
  # shellcheck disable=SC2086
  xvfb-run -a -s "-screen 0 1280x800x24" $suites
fi
