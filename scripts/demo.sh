#!/usr/bin/env bash
# The main job. For now (the foundation): set up and build, list the registered modules,
# and print an MMAction2 config after inheritance, as Python and as JSON.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
tubelet=build/bin/tubelet
config=${1:-configs/recognition/tsn/tsn_r50_1x1x3_100e_kinetics400_rgb.py}

echo "== tubelet list-modules"
"$tubelet" list-modules
echo
echo "== tubelet print-config $config --cfg-options model.backbone.depth=18"
"$tubelet" print-config "$config" --cfg-options model.backbone.depth=18
echo
echo "== tubelet print-config $config --format json (first 30 lines)"
"$tubelet" print-config "$config" --format json | head -30
