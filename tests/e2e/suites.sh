#!/bin/sh
# Run the end-to-end suites one after another (each starts its own app, and
# Hoist is single instance). Called by run.sh inside Xvfb and D-Bus; pass
# suite files to run only those. Exits non-zero when any suite failed.
cd "$(dirname "$0")/../.."
[ $# -gt 0 ] || set -- tests/e2e/app.test.mjs tests/e2e/desktop.test.mjs tests/e2e/accounts.test.mjs tests/e2e/sync.test.mjs tests/e2e/library.test.mjs tests/e2e/diagnostics.test.mjs
failed=""
for suite in "$@"; do
  echo "==> $suite"
  node --test --test-reporter=spec "$suite" || failed="$failed $suite"
done
if [ -n "$failed" ]; then
  echo "e2e: failed:$failed"
  exit 1
fi
