#!/usr/bin/env bash
# The whole test suite: formatting, lints, every Rust test (unit, integration
# against the real sandbox, moto S3, killed processes), UI tests and the
# end-to-end suite of the real app when present. CI runs exactly this.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh || exit 1

export CARGO_TERM_COLOR=never RUST_BACKTRACE=1
# A clean CI build gains nothing from incremental caches, and they are the
# biggest thing in target/.
if [ "${CI:-}" = true ]; then export CARGO_INCREMENTAL=0; fi
log_dir=${HOIST_TEST_LOGS:-target/test-logs}
mkdir -p "$log_dir"
failed_steps=()
step() {
  local name=$1; shift
  printf '\n\033[1m==> %s\033[0m\n' "$name"
  local start=$SECONDS
  if "$@"; then
    printf '==> %s: ok (%ss)\n' "$name" $((SECONDS - start))
  else
    printf '==> %s: FAILED (%ss)\n' "$name" $((SECONDS - start))
    failed_steps+=("$name")
  fi
}

# The keychain tests need a Secret Service: run a private D-Bus session with an
# unlocked gnome-keyring, headless.
in_keyring_session() {
  if command -v dbus-run-session >/dev/null && command -v gnome-keyring-daemon >/dev/null; then
    dbus-run-session -- sh -c 'echo -n hoist-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; exec "$@"' sh "$@"
  else
    "$@"
  fi
}

rust_tests() {
  in_keyring_session cargo test --workspace --no-fail-fast 2>&1 | tee "$log_dir/cargo-test.log"
  return "${PIPESTATUS[0]}"
}

step "format" cargo fmt --all -- --check
step "lint" cargo clippy --workspace --all-targets --quiet -- -D warnings
step "rust tests" rust_tests
if [ -f ui/package.json ]; then
  # Types first: the window's code is checked against the bindings Rust generates.
  step "ui types" bash -c 'cd ui && npm run check --silent'
  step "ui tests" bash -c 'cd ui && npm test --silent'
fi
if [ -x tests/e2e/run.sh ]; then
  step "end-to-end (real app under Xvfb)" tests/e2e/run.sh
fi
# The .deb from the binaries built above (no second compile): contents,
# validators, and the packaged hoist uploading to a packaged sandbox.
if [ -x tests/package/check.sh ]; then
  step "package (.deb of the test build)" tests/package/check.sh
fi

# How much disk the build took (CI machines have a finite disk).
du -sh "${CARGO_TARGET_DIR:-target}" 2>/dev/null | awk '{print "build dir: " $1}'
passed=$(grep -hoE 'test result: [A-Za-z]+\. [0-9]+ passed' "$log_dir/cargo-test.log" 2>/dev/null | awk '{s+=$4} END {print s+0}')
failed=$(grep -hoE '[0-9]+ failed;' "$log_dir/cargo-test.log" 2>/dev/null | awk '{s+=$1} END {print s+0}')
echo
# The closing line counts Rust tests plus one failure per other failed step
# (format, lint, UI, end-to-end), so a red run never ends on "0 failed".
other=0
for st in "${failed_steps[@]}"; do
  # A Rust step that failed before any test ran (a build error) still counts.
  if [ "$st" != "rust tests" ] || [ "$failed" = 0 ]; then other=$((other + 1)); fi
done
if [ ${#failed_steps[@]} -gt 0 ]; then
  echo "failed steps: ${failed_steps[*]}"
  echo "total: $passed passed, $((failed + other)) failed"
  exit 1
fi
echo "total: $passed passed, $failed failed"
