#!/usr/bin/env bash
# Runtime settings before/after in one run: copies this checkout's gateway build once per variant, writes the
# variant's settings into that copy's Switchboard.Cli.runtimeconfig.json (exactly what a RuntimeHostConfigurationOption
# in the csproj ships), and runs the load generator against the variants in turn, alternating, for N rounds.
#   bash bench/compare-runtimeconfig.sh [rounds=2] 'name:Key=Value[,Key=Value…]' … [-- load generator options…]
# A variant without settings ('base:') is the build as it is. Values are JSON (numbers, true/false) or strings.
# Figures go to artifacts/runtimeconfig/<name>-<round>.txt|json.
#   bash bench/compare-runtimeconfig.sh 2 base: budget4m:System.GC.Gen0MaxBudget=4194304 -- --ramp 200 --seconds 20
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:?usage: bench/compare-runtimeconfig.sh <rounds> 'name:Key=Value,…' … [-- loadgen options]}"; shift
variants=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do variants+=("$1"); shift; done
[ $# -gt 0 ] && shift
options=("$@"); [ ${#options[@]} -eq 0 ] && options=(--ramp 200 --seconds 20 --fresh-gateway --max-p99-ms 100000 --max-lag-ms 100000)

build="src/Switchboard.Cli/bin/Release/net10.0"
dotnet build bench/Switchboard.LoadGen -c Release -v quiet --nologo >/dev/null
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for variant in "${variants[@]}"; do
  name="${variant%%:*}"; settings="${variant#*:}"
  cp -r "$build" "$work/$name"
  python3 - "$work/$name/Switchboard.Cli.runtimeconfig.json" "$settings" <<'PY'
import json, sys
path, settings = sys.argv[1], sys.argv[2]
doc = json.load(open(path))
props = doc["runtimeOptions"].setdefault("configProperties", {})
for pair in filter(None, settings.split(",")):
    key, value = pair.split("=", 1)
    try:
        props[key] = json.loads(value)
    except ValueError:
        props[key] = value
json.dump(doc, open(path, "w"), indent=2)
PY
  echo "$name: ${settings:-as built}"
done

mkdir -p artifacts/runtimeconfig
for round in $(seq 1 "$rounds"); do
  for variant in "${variants[@]}"; do
    name="${variant%%:*}"
    dotnet bench/Switchboard.LoadGen/bin/Release/net10.0/Switchboard.LoadGen.dll "${options[@]}" \
      --gateway-dll "$work/$name/Switchboard.Cli.dll" --json "artifacts/runtimeconfig/$name-$round.json" > "artifacts/runtimeconfig/$name-$round.txt" 2>&1
    echo "$name, round $round:"
    grep -E '^\| [0-9]+ \| ' "artifacts/runtimeconfig/$name-$round.txt" | sed 's/^/  /'
  done
done
