#!/usr/bin/env bash
# make test: every Go test (unit, envtest, e2e) against the control plane built by
# hack/control-plane.sh. The full verbose log goes to test-output.log; the terminal gets the
# package results and one closing line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

KUBEBUILDER_ASSETS=$(hack/control-plane.sh) || exit 1
export KUBEBUILDER_ASSETS
log=${TEST_LOG:-test-output.log}

go test -v -count=1 -timeout "${TEST_TIMEOUT:-25m}" ${GO_TEST_FLAGS:-} ./... >"$log" 2>&1
rc=$?

grep -E '^(ok|FAIL|---) |^(ok|FAIL)\s|no test files' "$log" | grep -v -- '--- PASS' | grep -v 'no test files'
grep -E 'Ran [0-9]+ of [0-9]+ Specs' "$log" | sed 's/\x1b\[[0-9;]*m//g; s/^/ginkgo: /'
passed=$(grep -cE '^\s*--- PASS' "$log")
failed=$(grep -cE '^\s*--- FAIL' "$log")
if [[ $rc -ne 0 ]]; then
  echo
  echo "Failures (full log in $log):"
  grep -nE -- '--- FAIL|\[FAIL\]|panic:' "$log" | head -40
  # What each failure said, so that a CI log without test-output.log still explains it.
  echo
  echo "Failure messages:"
  plain=$(sed 's/\x1b\[[0-9;]*m//g' "$log")
  {
    grep -E -B6 -- '^\s*--- FAIL' <<<"$plain" | grep -vE -- '^\s*--- FAIL|^=== |^--$'
    grep -E -m3 -A8 -- '^\s*\[FAILED\]|^panic:' <<<"$plain"
    grep -E -m5 -- '^\s*not Ready: ' <<<"$plain"
  } | cut -c1-400 | head -60
fi
echo "${passed} passed, ${failed} failed"
exit $rc
