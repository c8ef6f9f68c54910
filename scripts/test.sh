#!/usr/bin/env bash
# Every test, in the order a failure is cheapest to read. Run through
# `pnpm test` after `pnpm install` (see README).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .tmp

bash scripts/ensure-python-jsonschema.sh
bash scripts/ensure-databases.sh
pnpm run build:package
pnpm run check
pnpm run check:package

status=0
vitest run --reporter=default --reporter=json --outputFile=.tmp/vitest-report.json || status=$?
# One plain closing line that any CI log reader understands.
node -e '
  const r = JSON.parse(require("fs").readFileSync(".tmp/vitest-report.json", "utf8"));
  console.log(`vitest: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
'
exit "$status"
