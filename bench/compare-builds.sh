#!/usr/bin/env bash
# Before/after in one run: builds <commit> in a temporary worktree, then runs the same load generator (this
# checkout's) against that build and this checkout's, alternating, for N rounds. Figures go to artifacts/compare/.
#   bash bench/compare-builds.sh <commit> [rounds=2] [load generator options…]
set -euo pipefail
cd "$(dirname "$0")/.."
base="${1:?usage: bench/compare-builds.sh <commit> [rounds] [loadgen options]}"; shift
rounds="${1:-2}"; [ $# -gt 0 ] && shift
options=("$@"); [ ${#options[@]} -eq 0 ] && options=(--ramp 200 --seconds 15 --fresh-gateway --max-p99-ms 100000 --max-lag-ms 100000)

old="$(mktemp -d)/switchboard-$base"
trap 'git worktree remove --force "$old" >/dev/null 2>&1 || true' EXIT
echo "building $base in $old…"
git worktree add -q --detach "$old" "$base"
dotnet build "$old/src/Switchboard.Cli" -c Release -v quiet --nologo >/dev/null
echo "building this checkout…"
dotnet build bench/Switchboard.LoadGen -c Release -v quiet --nologo >/dev/null

mkdir -p artifacts/compare
for round in $(seq 1 "$rounds"); do
  for which in before after; do
    dll="src/Switchboard.Cli/bin/Release/net10.0/Switchboard.Cli.dll"
    [ "$which" = before ] && dll="$old/$dll"
    dotnet bench/Switchboard.LoadGen/bin/Release/net10.0/Switchboard.LoadGen.dll "${options[@]}" \
      --gateway-dll "$dll" --json "artifacts/compare/$which-$round.json" > "artifacts/compare/$which-$round.txt" 2>&1
    echo "$which, round $round:"
    grep -E '^\| [0-9]+ \| [0-9.]+ / ' "artifacts/compare/$which-$round.txt" | sed 's/^/  /'
  done
done
