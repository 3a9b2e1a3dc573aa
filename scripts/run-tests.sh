#!/usr/bin/env bash
# Runs the whole bun test suite and ends with the one line CI reads: "N passed, N failed".
set -uo pipefail
BUN=${1:-bun}
out=$(mktemp)
# bunfig's [test] timeout is not applied by Bun 1.4.5, so the per-test limit is passed here.
"$BUN" test --timeout 120000 2>&1 | tee "$out"
status=${PIPESTATUS[0]}
passed=$(grep -E '^ *[0-9]+ pass$' "$out" | tail -1 | grep -oE '[0-9]+' || echo 0)
failed=$(grep -E '^ *[0-9]+ fail$' "$out" | tail -1 | grep -oE '[0-9]+' || echo 0)
rm -f "$out"
# A crash or an error outside any test counts as a failure even when no test was marked failed.
if [ "$status" -ne 0 ] && [ "${failed:-0}" -eq 0 ]; then failed=1; fi
echo "${passed:-0} passed, ${failed:-0} failed"
[ "$status" -eq 0 ]
