#!/usr/bin/env bash
# Builds the model of every config in MMAction2's configs/ folder with `tubelet inspect` and
# counts how many build: the measure of issue 20 ("227/227 configs build").
# Usage: scripts/inspect-mmaction2-configs.sh MMACTION2_CONFIGS_DIR [TUBELET]
#   MMACTION2_CONFIGS_DIR  MMAction2's configs/ (e.g. from `git archive v0.24.1 configs`)
#   TUBELET                the tubelet executable (default build/bin/tubelet)
# A config that names pretrained weights is retried with model.backbone.pretrained=None (no
# downloads here); one without a model (BSN's PGM stage: data processing only) is counted
# apart. Prints one line per config that fails, with tubelet's last error line, then "built N of
# M configs (K have no model)". Exit status 0 when all that have a model build, 1 otherwise.
set -uo pipefail
configs=${1:?usage: $0 MMACTION2_CONFIGS_DIR [TUBELET]}
tubelet=${2:-build/bin/tubelet}
[ -x "$tubelet" ] || { echo "no tubelet executable at $tubelet (build it first)" >&2; exit 2; }
[ -d "$configs" ] || { echo "no such folder: $configs" >&2; exit 2; }

log=$(mktemp)
trap 'rm -f "$log"' EXIT
built=0 total=0 no_model=0
while IFS= read -r config; do
  total=$((total + 1))
  if "$tubelet" inspect "$config" >"$log" 2>&1; then
    built=$((built + 1))
  elif grep -q "the config has no 'model'" "$log"; then
    no_model=$((no_model + 1))
  elif "$tubelet" inspect "$config" --cfg-options model.backbone.pretrained=None >"$log" 2>&1; then
    built=$((built + 1))
  else
    echo "FAILED ${config#"$configs"/}: $(grep -v '^[[:space:]]*$' "$log" | tail -n 1)"
  fi
done < <(find "$configs" -name '*.py' -not -path '*/_base_/*' | LC_ALL=C sort)
echo "built $built of $total configs ($no_model have no model)"
[ $((built + no_model)) -eq "$total" ]
