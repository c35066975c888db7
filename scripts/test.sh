#!/usr/bin/env bash
# Runs every test suite of the solution and ends with one line: "N passed, N failed, N skipped".
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

dotnet test Switchboard.slnx -c Release --no-build --logger "console;verbosity=normal" 2>&1 | tee -a "$log" \
  | grep -E "^\s*(Failed|Passed|Skipped) [A-Za-z]|Passed!|Failed!|error" || true

# One summary line per test assembly: "Passed!  - Failed: 0, Passed: 85, Skipped: 0, Total: 85, ..."
summary=$(grep -E "^(Passed|Failed)! +- Failed: +[0-9]+, Passed: +[0-9]+, Skipped: +[0-9]+" "$log" \
  | sed -E 's/.*Failed: +([0-9]+), Passed: +([0-9]+), Skipped: +([0-9]+).*/\1 \2 \3/' \
  | awk '{f+=$1; p+=$2; s+=$3; n++} END {printf "%d %d %d %d", p, f, s, n}')
read -r passed failed skipped assemblies <<<"${summary:-0 0 0 0}"

expected=$(grep -c "<IsTestProject>true</IsTestProject>" tests/*/*.csproj | awk -F: '{s+=$2} END {print s}')
if [ "${assemblies:-0}" -lt "$expected" ]; then
  # A test host that crashed prints no summary: count it as a failure rather than hide it.
  echo "only ${assemblies:-0} of $expected test assemblies reported results (see $log)"
  failed=$((failed + expected - assemblies))
fi

echo "${passed} passed, ${failed} failed, ${skipped} skipped"
[ "$failed" -eq 0 ]
