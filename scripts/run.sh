#!/usr/bin/env bash
# Build Hoist and start it against the built-in local sandbox.
# (Until the desktop app lands this starts the sandbox and shows how to upload
# with the CLI.)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo build --release --quiet -p hoist-cli
echo
echo "Hoist is built: target/release/hoist"
echo "Starting the local sandbox (Ctrl-C stops it). In another terminal:"
echo "  target/release/hoist upload --provider flora --endpoint http://127.0.0.1:8787/flora/api/v1 --workspace ws_local ~/Pictures"
echo
exec target/release/hoist sandbox --listen 127.0.0.1:8787
