#!/usr/bin/env bash
# Compares `tubelet print-config --format json` with mmcv's own result for every MMAction2
# config that has a golden file. Run by hand (CI has no MMAction2 checkout):
#   tools/check_golden_configs.sh MMACTION2_CONFIGS_DIR [GOLDEN_DIR] [TUBELET]
# MMACTION2_CONFIGS_DIR is the configs/ folder of MMAction2 v0.24.1; GOLDEN_DIR defaults to
# ../shared/golden/config. Prints each mismatch and a summary; exits 1 on any mismatch.
set -uo pipefail
configs=${1:?usage: $0 MMACTION2_CONFIGS_DIR [GOLDEN_DIR] [TUBELET]}
here=$(cd "$(dirname "$0")/.." && pwd)
golden=${2:-$here/../shared/golden/config}
tubelet=${3:-$here/build/bin/tubelet}
pass=0 fail=0
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
for g in "$golden"/*.json; do
  name=$(basename "$g" .json)
  case $name in  # recognition__tsn__x -> recognition/tsn/x.py; _base___models__y -> _base_/models/y.py
    _base___*) rest=${name#_base___}; rel=_base_/${rest//__//}.py ;;
    *) rel=${name//__//}.py ;;
  esac
  if ! "$tubelet" print-config "$configs/$rel" --format json >"$tmp" 2>&1; then
    echo "FAIL $rel: $(head -3 "$tmp")"; fail=$((fail + 1)); continue
  fi
  if cmp -s "$tmp" "$g" || diff -q <(cat "$tmp") <(cat "$g"; echo) >/dev/null; then
    pass=$((pass + 1))
  else
    echo "DIFF $rel"; diff "$tmp" "$g" | head -10; fail=$((fail + 1))
  fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
