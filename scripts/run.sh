#!/usr/bin/env bash
# Build and open Hoist, installing what it needs on Debian/Ubuntu first.
#   scripts/run.sh [FILE|FOLDER]...     open the desktop app
#   HOIST_RELEASE=1 scripts/run.sh      optimised release build (slower to build)
# On first run the app starts a local sandbox in-process and uploads to it, so
# nothing needs configuring to try it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
echo "==> building the UI" >&2
(cd ui && npm run build --silent)
profile=debug
flags=()
if [ "${HOIST_RELEASE:-0}" = 1 ]; then profile=release; flags=(--release); fi
echo "==> building Hoist ($profile)" >&2
cargo build -p hoist-app "${flags[@]}"
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  echo "No display: Hoist is a desktop app. Run it in a graphical session, or under Xvfb:" >&2
  echo "  xvfb-run -a target/$profile/hoist-app" >&2
  exit 1
fi
exec "target/$profile/hoist-app" "$@"
