#!/usr/bin/env bash
# End to end through the command on the synthetic localization set, as a user would run
# MMAction2's localization workflow: make-synthetic-features; BMN: train --validate, test
# --eval AR@AN; BSN: train TEM, test TEM (CSV results), bsn-proposal-generation (train and
# test), train PEM, test PEM --eval AR@AN. The losses must fall and the evaluations print AR@AN.
# Usage: localization_test.sh SOURCE_DIR TUBELET
set -euo pipefail
src=$1 tubelet=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The configs' relative paths (data/synthetic_localization, work_dirs/...) resolve here.
cd "$work"
bmn=$src/configs/localization/bmn/bmn_16x32_synthetic_feature.py
tem=$src/configs/localization/bsn/bsn_tem_16x32_synthetic_feature.py
pgm=$src/configs/localization/bsn/bsn_pgm_16x32_synthetic_feature.py
pem=$src/configs/localization/bsn/bsn_pem_16x32_synthetic_feature.py
bsn_dir=work_dirs/bsn_16x32_synthetic_feature
fail() { echo "FAIL: $*"; exit 1; }
run() {  # run NAME CMD...: its output goes to NAME.out, shown on failure
  local name=$1
  shift
  "$@" >"$work/$name.out" 2>&1 || { cat "$work/$name.out"; fail "$name"; }
}
# The mean loss of the first and of the last 3 logged iterations of a .log.json.
check_loss_falls() {
  local json=$1
  grep '"mode": "train"' "$json" | grep -o '"loss": [-0-9.e]*' | awk '{print $2}' >"$work/losses"
  [ "$(wc -l <"$work/losses")" -ge 6 ] || fail "fewer than 6 losses in $json"
  read -r first last < <(awk '{v[NR]=$1} END {print (v[1]+v[2]+v[3])/3, (v[NR-2]+v[NR-1]+v[NR])/3}' \
    "$work/losses")
  echo "$(basename "$(dirname "$json")"): loss $first -> $last"
  awk -v a="$first" -v b="$last" 'BEGIN {exit !(b < 0.9 * a)}' ||
    fail "loss did not fall by 10% in $json: $first -> $last"
}
check_ar() {  # check_ar NAME OUTPUT: AR@1..AR@100 and auc printed, AR@100 in (0, 1]
  grep -q "^auc: [0-9.]*$" <<<"$2" || fail "$1 printed no auc: $2"
  for k in 1 5 10 100; do grep -q "^AR@$k: [0-9.]*$" <<<"$2" || fail "$1 printed no AR@$k: $2"; done
  local ar100
  ar100=$(sed -n 's/^AR@100: //p' <<<"$2")
  awk -v x="$ar100" 'BEGIN {exit !(x > 0 && x <= 1)}' || fail "$1: AR@100 = $ar100"
  echo "$1: AR@100 $ar100, $(grep '^auc' <<<"$2")"
}

run make "$tubelet" make-synthetic-features data/synthetic_localization --videos 40 --seed 0
[ "$(ls data/synthetic_localization/features | wc -l)" -eq 40 ] || fail "not 40 feature files"

# ---- BMN
# --validate: AR@AN on the val videos after epoch 5 (evaluation.interval), in the log
run bmn_train "$tubelet" train "$bmn" --seed 0 --validate --cfg-options total_epochs=8
json=$(ls work_dirs/bmn_16x32_synthetic_feature/*.log.json)
check_loss_falls "$json"
grep '"mode": "val"' "$json" | grep -q '"AR@100": [0-9.]*' || fail "no AR@100 of validation in $json"
out=$("$tubelet" test "$bmn" work_dirs/bmn_16x32_synthetic_feature/latest.pth --eval AR@AN \
  2>"$work/bmn_test.err") || { cat "$work/bmn_test.err"; fail "bmn test"; }
check_ar BMN "$out"
[ -s work_dirs/bmn_16x32_synthetic_feature/results.json ] || fail "BMN wrote no results.json"

# ---- BSN stage 1: TEM, then its per-video CSVs for every video (anet_anno_full.json)
run tem_train "$tubelet" train "$tem" --seed 0 --cfg-options total_epochs=8
check_loss_falls "$(ls $bsn_dir/*.log.json)"
run tem_test "$tubelet" test "$tem" $bsn_dir/latest.pth
[ "$(ls $bsn_dir/tem_results/*.csv | wc -l)" -eq 40 ] || fail "not 40 TEM result CSVs"
[ "$(head -1 $bsn_dir/tem_results/v_00000.csv)" = "action,start,end,tmin,tmax" ] ||
  fail "TEM CSV header: $(head -1 $bsn_dir/tem_results/v_00000.csv)"
[ "$(wc -l <$bsn_dir/tem_results/v_00000.csv)" -eq 33 ] || fail "TEM CSV is not 32 rows"

# ---- BSN stage 2: proposals and BSP features of the train videos, then of the val videos
run pgm_train "$tubelet" bsn-proposal-generation "$pgm" --mode train
run pgm_test "$tubelet" bsn-proposal-generation "$pgm" --mode test
[ "$(ls $bsn_dir/pgm_proposals/*.csv | wc -l)" -eq 32 ] || fail "not 24 + 8 proposal files"
[ "$(ls $bsn_dir/pgm_features/*.npy | wc -l)" -eq 32 ] || fail "not 24 + 8 feature files"
[ "$(head -1 $bsn_dir/pgm_proposals/v_00000.csv)" = \
  "tmin,tmax,tmin_score,tmax_score,score,match_iou,match_ioa" ] || fail "proposal CSV header"

# ---- BSN stage 3: PEM on them
run pem_train "$tubelet" train "$pem" --seed 0 --work-dir work_dirs/pem --cfg-options total_epochs=4
grep -q '"temporal_iou_loss"' work_dirs/pem/*.log.json || fail "PEM logged no temporal_iou_loss"
out=$("$tubelet" test "$pem" work_dirs/pem/latest.pth --eval AR@AN 2>"$work/pem_test.err") ||
  { cat "$work/pem_test.err"; fail "pem test"; }
check_ar PEM "$out"

# Bad input: a PGM run without TEM results names the file and the video.
rm $bsn_dir/tem_results/v_00030.csv
if "$tubelet" bsn-proposal-generation "$pgm" --mode test 2>"$work/err" >/dev/null; then
  fail "proposal generation without TEM results succeeded"
fi
grep -q "v_00030.csv" "$work/err" || { cat "$work/err"; fail "error does not name the file"; }
echo "localization (BMN, BSN TEM -> PGM -> PEM): ok"
