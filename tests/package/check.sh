#!/usr/bin/env bash
# The installable package, built from the test build (scripts/package.sh
# --debug bundles the binaries `cargo test --workspace` made): its contents
# and metadata, the desktop entry and AppStream validators, then the packaged
# `hoist` uploads a folder to a packaged `hoist sandbox` and the packaged
# `hoist-app --version` answers. Exits non-zero on the first problem.
set -euo pipefail
cd "$(dirname "$0")/../.."
target=${CARGO_TARGET_DIR:-$PWD/target}
fail() { echo "package check: $*" >&2; exit 1; }

BUNDLES=deb scripts/package.sh --debug >/dev/null
deb=$(ls -t "$target"/debug/bundle/deb/*.deb | head -1)
echo "checking $deb"

# 1. Contents.
contents=$(dpkg-deb -c "$deb" | awk '{sub(/^\.\//, "", $6); print $6}')
for f in usr/bin/hoist usr/bin/hoist-app \
  usr/share/applications/Hoist.desktop \
  usr/share/icons/hicolor/{16x16,24x24,32x32,48x48,64x64,128x128,256x256,512x512}/apps/hoist-app.png \
  usr/share/metainfo/app.hoist.desktop.metainfo.xml \
  usr/share/man/man1/{hoist,hoist-upload,hoist-queue,hoist-queue-run,hoist-sandbox}.1.gz \
  usr/share/bash-completion/completions/hoist usr/share/zsh/vendor-completions/_hoist \
  usr/share/fish/vendor_completions.d/hoist.fish \
  usr/lib/systemd/user/hoist.service \
  usr/share/hoist/licenses.json usr/share/doc/hoist/THIRD-PARTY-LICENSES; do
  grep -qx "$f" <<<"$contents" || fail "$f is not in the package"
done

# 2. Metadata: the package runs on a system with none of Hoist's build tools.
[ "$(dpkg-deb -f "$deb" Package)" = hoist ] || fail "package name"
depends=$(dpkg-deb -f "$deb" Depends)
for d in libwebkit2gtk-4.1-0 libgtk-3-0 libayatana-appindicator3-1 libheif1 libjpeg62-turbo libwebp7 libsoup-3.0-0; do
  grep -qE "(^|, )$d(,|$| )" <<<"$depends" || fail "Depends lacks $d: $depends"
done
dpkg-deb -I "$deb" >/dev/null

# 3. Unpacked into a root of its own.
root=$(mktemp -d "${TMPDIR:-/tmp}/hoist-pkg.XXXXXX")
sandbox_pid=""
cleanup() { [ -n "$sandbox_pid" ] && kill "$sandbox_pid" 2>/dev/null; rm -rf "$root"; }
trap cleanup EXIT
dpkg-deb -x "$deb" "$root/fs"

desktop=$root/fs/usr/share/applications/Hoist.desktop
desktop-file-validate "$desktop"
grep -qx 'Exec=hoist-app %F' "$desktop" || fail "the desktop entry does not pass files (%F)"
for m in image/jpeg image/heif image/x-canon-cr2 video/mp4 application/pdf; do
  grep -q "^MimeType=.*$m;" "$desktop" || fail "the desktop entry does not take $m"
done
appstreamcli validate --no-net "$root/fs/usr/share/metainfo/app.hoist.desktop.metainfo.xml"
grep -qx 'ExecStart=/usr/bin/hoist sync' "$root/fs/usr/lib/systemd/user/hoist.service" \
  || fail "the systemd unit does not run the watched folders and the queue"
zcat "$root/fs/usr/share/man/man1/hoist-upload.1.gz" | grep -q -- 'bwlimit' || fail "man page"
grep -q 'complete -F' "$root/fs/usr/share/bash-completion/completions/hoist" || fail "bash completion"
python3 - "$root/fs/usr/share/hoist/licenses.json" <<'PY' || fail "licence listing"
import json, sys
listing = {c["name"]: c for c in json.load(open(sys.argv[1]))}
assert listing["tauri"]["license"] and listing["hoist-core"]["license"] == "MIT", listing.get("tauri")
assert all(c["license"] for c in listing.values())
PY

# 4. The packaged binaries work.
"$root/fs/usr/bin/hoist-app" --version | grep -q '^Hoist [0-9]' || fail "hoist-app --version"
"$root/fs/usr/bin/hoist" --version | grep -q '^hoist [0-9]' || fail "hoist --version"
export HOIST_STATE_DIR=$root/state
"$root/fs/usr/bin/hoist" sandbox --listen 127.0.0.1:0 >"$root/sandbox.out" 2>"$root/sandbox.err" &
sandbox_pid=$!
for _ in $(seq 200); do grep -q '^listening on ' "$root/sandbox.out" && break; sleep 0.1; done
base=$(sed -n 's/^listening on //p' "$root/sandbox.out")
[ -n "$base" ] || fail "the packaged sandbox did not start: $(cat "$root/sandbox.err")"
mkdir -p "$root/shoot/day 1"
for i in 1 2 3; do head -c $((i * 50000)) /dev/urandom >"$root/shoot/day 1/take-$i.bin"; done
"$root/fs/usr/bin/hoist" upload --provider flora --endpoint "$base/flora/api/v1" \
  --workspace ws_pkg --json "$root/shoot" >"$root/upload.json" || fail "the packaged hoist upload failed"
[ "$(grep -c '"status":"ready"' "$root/upload.json")" = 3 ] || fail "not every file is ready: $(cat "$root/upload.json")"
curl -fsS "$base/_sandbox/assets" | python3 -c '
import json, sys
assets = json.load(sys.stdin)
sizes = sorted(a["size"] for a in assets)
assert sizes == [50000, 100000, 150000], sizes
' || fail "the sandbox does not hold the three files"
echo "package ok: $(basename "$deb")"
