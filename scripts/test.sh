#!/usr/bin/env bash
# Runs every test suite of the solution (.NET unit and integration tests, the load smoke, the browser suite) and ends with one line: "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."

mkdir -p artifacts
log=artifacts/test.log
: > "$log"

if ! dotnet build Switchboard.slnx -c Release 2>&1 | tee -a "$log" | tail -n 3; then
  echo "build failed (see $log)"
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi
if grep -qE "[1-9][0-9]* Error\(s\)" "$log"; then
  echo "build failed (see $log)"
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi

# The README's first command without bash (`dotnet run --project src/Switchboard.Cli -- serve`) builds Debug, where the
# compiler keeps every local alive across awaits; a ref struct that only Release tolerates must fail here.
debug_log=artifacts/build-debug.log
if ! dotnet build src/Switchboard.Cli -c Debug > "$debug_log" 2>&1 || grep -qE "[1-9][0-9]* Error\(s\)" "$debug_log"; then
  grep -E "error" "$debug_log" | head -n 5
  echo "debug build of the gateway failed (see $debug_log)"
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi

results=artifacts/test-results
rm -rf "$results"
dotnet test Switchboard.slnx -c Release --no-build --logger "trx" --logger "console;verbosity=minimal" --results-directory "$results" 2>&1 | tee -a "$log" \
  | grep -vE "^\s*$" | grep -E "Failed |Passed!|Failed!|error|Total" || true

# One TRX file per test assembly; its <Counters> give the numbers.
passed=0; failed=0; skipped=0; assemblies=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { echo "$counters" | sed -E "s/.* $1=\"([0-9]+)\".*/\1/"; }
  total=$(get total); executed=$(get executed); p=$(get passed); f=$(get failed); e=$(get error)
  passed=$((passed + p)); failed=$((failed + f + e)); skipped=$((skipped + total - executed)); assemblies=$((assemblies + 1))
done

# Load smoke: 20 concurrent simulated Twilio calls for 10 s through a real gateway process; passes only with
# zero frames lost or reordered, a clear for every barge-in and p99 latency under 200 ms each way.
echo "load smoke: dotnet run -c Release --project bench/Switchboard.LoadGen -- --smoke"
if timeout 300 dotnet run -c Release --no-build --project bench/Switchboard.LoadGen -- --smoke --json artifacts/loadgen-smoke.json >>"$log" 2>&1; then
  passed=$((passed + 1)); echo "load smoke: PASS"
else
  failed=$((failed + 1)); echo "load smoke: FAIL (see $log)"
fi

# Browser suite: the talk page and the JavaScript client in a real headless Chromium against real gateway processes
# (tests/browser, node:test + playwright-core). A missing chromium or a crashed runner counts as a failure.
echo "browser: bash tests/browser/run.sh"
browser_out=artifacts/browser-run.log
timeout 600 bash tests/browser/run.sh >"$browser_out" 2>&1
cat "$browser_out" >>"$log"
grep -E "^\s*✖|^browser:" "$browser_out" | grep -vE "^\s*✖ failing tests" || true
summary=$(grep -E "^browser: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$" "$browser_out" | tail -n 1)
if [ -n "$summary" ]; then
  read -r bp bf bs < <(echo "$summary" | sed -E 's/^browser: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped$/\1 \2 \3/')
  passed=$((passed + bp)); failed=$((failed + bf)); skipped=$((skipped + bs))
else
  echo "browser: the suite printed no summary (see $browser_out)"
  failed=$((failed + 1))
fi

expected=$(grep -l "<IsTestProject>true</IsTestProject>" tests/*/*.csproj | wc -l)
if [ "$assemblies" -lt "$expected" ]; then
  # A test host that crashed writes no results: count it as a failure rather than hide it.
  echo "only $assemblies of $expected test assemblies reported results (see $log)"
  failed=$((failed + expected - assemblies))
fi

# What failed and why, last (a CI page may show only the end of this output): each failed test's name and the first lines
# of its message.
if [ "$failed" -gt 0 ]; then
  awk '/^  Failed / { print; n = 0; next } /^  Error Message:/ { n = 3; next } /^  Stack Trace:/ { n = 0 } n > 0 { print "    " substr($0, 1, 300); n-- }' "$log" | head -n 40
fi

echo "${passed} passed, ${failed} failed, ${skipped} skipped"
[ "$failed" -eq 0 ]
