#!/usr/bin/env bash
# End to end through the command: every config under configs/ loads, prints as Python that
# loads back to the same tree, and bad input fails with a located message and exit code 1.
# Usage: print_config_test.sh SOURCE_DIR TUBELET
set -euo pipefail
src=$1 tubelet=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=0
while IFS= read -r cfg; do
  "$tubelet" print-config "$cfg" --format json >"$work/a.json"
  "$tubelet" print-config "$cfg" --format py >"$work/round.py"
  "$tubelet" print-config "$work/round.py" --format json >"$work/b.json"
  cmp -s "$work/a.json" "$work/b.json" || { echo "py round trip differs for $cfg"; diff "$work/a.json" "$work/b.json" | head; exit 1; }
  n=$((n + 1))
done < <(find "$src/configs" -name '*.py' ! -path '*/_base_/*' | sort)
echo "print-config: $n configs load and round-trip through --format py"

# --cfg-options reach the printed tree.
"$tubelet" print-config "$src/configs/recognition/tsn/tsn_r50_1x1x3_100e_kinetics400_rgb.py" \
  --cfg-options model.backbone.depth=18 "optimizer.lr=0.5" --format json >"$work/o.json"
grep -q '"depth": 18' "$work/o.json" || { echo "cfg-options not applied"; exit 1; }
grep -q '"lr": 0.5' "$work/o.json" || { echo "cfg-options not applied"; exit 1; }

# Errors: exit code 1 and file:line:column.
printf 'model = dict(\n    type=ResNet)\n' >"$work/bad.py"
if "$tubelet" print-config "$work/bad.py" 2>"$work/err"; then echo "bad config accepted"; exit 1; fi
grep -q "bad.py:2:10: NameError: name 'ResNet' is not defined" "$work/err" || { cat "$work/err"; exit 1; }
if "$tubelet" print-config "$work/missing.py" 2>"$work/err"; then echo "missing config accepted"; exit 1; fi
grep -q "config file not found" "$work/err" || { cat "$work/err"; exit 1; }
if "$tubelet" list-modules NOPE 2>"$work/err"; then echo "unknown registry accepted"; exit 1; fi
grep -q "no registry named 'NOPE'" "$work/err" || { cat "$work/err"; exit 1; }
"$tubelet" list-modules OPTIMIZERS | grep -qx "  SGD" || { echo "SGD not listed"; exit 1; }
echo "print-config / list-modules: errors and options behave"
