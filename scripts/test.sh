#!/usr/bin/env bash
# All tests. Integration tests start their own pcscd (vpcd driver) and stop it
# by PID; in CI (CI=true) a missing tool fails the run instead of skipping.
set -euo pipefail
cd "$(dirname "$0")/.."
export KIOSK_REQUIRE_INTEGRATION=1

step() { printf '\n=== %s (%s)\n' "$1" "$(date +%T)"; }

step "vet"
go vet ./...

step "format"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then echo "not gofmt'ed:"; echo "$unformatted"; exit 1; fi

step "unit and integration tests"
go test -count=1 -timeout 30m ./...

step "race detector on the concurrent packages"
go test -count=1 -race -timeout 20m ./card/... ./store/... ./ui/flow/...

step "windows: signed installer, then installed and run under Wine 10 (scripts/test-windows.sh)"
shellcheck scripts/test-windows.sh scripts/windows/*.sh
scripts/test-windows.sh

step "done"
