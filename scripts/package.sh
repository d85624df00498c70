#!/usr/bin/env bash
# Build Hoist's installable packages with Tauri's bundler: a .deb and an .rpm
# holding the desktop app, the `hoist` CLI, man pages, shell completions, the
# AppStream metainfo, a systemd user unit and the third-party licences.
#   scripts/package.sh           release build, then bundle (target/release/bundle/)
#   scripts/package.sh --debug   bundle the debug binaries the tests built (no
#                                second compile; tests/package/check.sh uses it)
#   BUNDLES=deb scripts/package.sh   only some formats (deb, rpm)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
profile=release
[ "${1:-}" = --debug ] && profile=debug
target=${CARGO_TARGET_DIR:-$root/target}
bin=$target/$profile
tauri=$root/ui/node_modules/.bin/tauri

if [ $profile = release ]; then
  scripts/setup.sh
  echo "==> building the UI and Hoist (release)" >&2
  (cd ui && npm run build --silent)
  cargo build --release -p hoist-app -p hoist-cli
else
  [ -x "$tauri" ] || { echo "package: the Tauri CLI is missing (run scripts/setup.sh)" >&2; exit 1; }
  for b in hoist hoist-app; do
    [ -x "$bin/$b" ] || { echo "package: $bin/$b is missing (cargo build --workspace first)" >&2; exit 1; }
  done
fi

# What the bundler copies besides the app: built here, then named in a
# config merged over src-tauri/tauri.conf.json.
stage=$bin/package-files
rm -rf "$stage"
mkdir -p "$stage/man1" "$stage/completions"
"$bin/hoist" manpages "$stage/man1"
gzip -9n "$stage"/man1/*.1
"$bin/hoist" completions bash >"$stage/completions/hoist"
"$bin/hoist" completions zsh >"$stage/completions/_hoist"
"$bin/hoist" completions fish >"$stage/completions/hoist.fish"
python3 scripts/licenses.py "$stage/licenses"

files=$(python3 - "$root" "$bin" "$stage" <<'PY'
import json, os, sys
root, bin_dir, stage = sys.argv[1:]
files = {
    "/usr/bin/hoist": f"{bin_dir}/hoist",
    "/usr/share/metainfo/app.hoist.desktop.metainfo.xml": f"{root}/packaging/app.hoist.desktop.metainfo.xml",
    "/usr/lib/systemd/user/hoist.service": f"{root}/packaging/hoist.service",
    "/usr/share/bash-completion/completions/hoist": f"{stage}/completions/hoist",
    "/usr/share/zsh/vendor-completions/_hoist": f"{stage}/completions/_hoist",
    "/usr/share/fish/vendor_completions.d/hoist.fish": f"{stage}/completions/hoist.fish",
    "/usr/share/hoist/licenses.json": f"{stage}/licenses/licenses.json",
    "/usr/share/doc/hoist/THIRD-PARTY-LICENSES": f"{stage}/licenses/THIRD-PARTY-LICENSES",
}
for page in sorted(os.listdir(f"{stage}/man1")):
    files[f"/usr/share/man/man1/{page}"] = f"{stage}/man1/{page}"
linux = {"files": files}
print(json.dumps({"bundle": {"linux": {"deb": linux, "rpm": linux}}}))
PY
)

flags=(--bundles "${BUNDLES:-deb,rpm}" --ci --config "$files")
[ $profile = debug ] && flags+=(--debug)
echo "==> bundling ($profile): ${BUNDLES:-deb,rpm}" >&2
(cd src-tauri && "$tauri" bundle "${flags[@]}")
ls -1 "$bin"/bundle/deb/*.deb "$bin"/bundle/rpm/*.rpm 2>/dev/null || true
