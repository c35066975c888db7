#!/usr/bin/env bash
# Runs the talk page and JavaScript client tests in a real headless Chromium against real gateway processes.
# Needs: Node 20+, Debian's chromium (/usr/bin/chromium or CHROMIUM_PATH), espeak-ng, sox, and the Release build
# (dotnet build Switchboard.slnx -c Release). Ends with one line: "browser: N passed, N failed, N skipped".
# A missing prerequisite or a crashed runner counts as a failure, never as a skip.
set -uo pipefail
cd "$(dirname "$0")"
root="$(cd ../.. && pwd)"
out="$root/artifacts/browser"
mkdir -p "$out"
rm -f "$out"/*.png "$out"/*.log "$out"/results.tap

fail() {
  echo "browser: $1"
  echo "browser: 0 passed, 1 failed, 0 skipped"
  exit 1
}

chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
[ -x "$chromium" ] || fail "Chromium not found at $chromium (apt-get install chromium, or set CHROMIUM_PATH)"
command -v node >/dev/null 2>&1 || fail "node is not on PATH (Node 20 or newer is required)"
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || fail "Node $(node --version) is too old: 20 or newer is required"
command -v espeak-ng >/dev/null 2>&1 || fail "espeak-ng is missing (apt-get install espeak-ng): it speaks the fake microphone's WAV"
command -v sox >/dev/null 2>&1 || fail "sox is missing (apt-get install sox)"
[ -f "$root/src/Switchboard.Cli/bin/Release/net10.0/Switchboard.Cli.dll" ] || fail "the Release build is missing: dotnet build Switchboard.slnx -c Release"

if ! npm ci --no-audit --no-fund --loglevel=error >"$out/npm-ci.log" 2>&1; then
  cat "$out/npm-ci.log"
  fail "npm ci failed (see artifacts/browser/npm-ci.log)"
fi

echo "browser: $("$chromium" --version 2>/dev/null | head -n 1), playwright-core $(node -p 'require("./node_modules/playwright-core/package.json").version')"
# Human-readable progress on stdout, TAP (for the counts) in a file.
node --test --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$out/results.tap" ./*.test.js
status=$?

count() { grep -E "^# $1 [0-9]+$" "$out/results.tap" | tail -n 1 | awk '{print $3}'; }
passed=$(count pass); failed=$(count fail); cancelled=$(count cancelled); skipped=$(count skipped); todo=$(count todo)
if [ -z "$passed" ] || [ -z "$failed" ]; then
  fail "the test runner ended without a summary (exit $status)"
fi
failed=$((failed + ${cancelled:-0}))
skipped=$((${skipped:-0} + ${todo:-0}))
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1 # the runner failed outside any test (a crashed file, an unhandled error)
fi

echo "screenshots and gateway logs: artifacts/browser/"
echo "browser: ${passed} passed, ${failed} failed, ${skipped} skipped"
[ "$failed" -eq 0 ]
