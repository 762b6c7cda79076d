#!/usr/bin/env bash
# Spatio-temporal action detection end to end, as a user runs it: make-synthetic --ava (a small
# set), train configs/detection/ava/slowonly_r18_synthetic_ava.py for 2 epochs with --validate,
# then test the last checkpoint with --out x.csv and --eval mAP. Checks: the dataset's files,
# the checkpoints and the validation in the log, the CSV's rows (video_id, timestamp, x1, y1,
# x2, y2 relative, action id, score) and the printed mAP; and an option --ava refuses.
# Usage: ava_detection_test.sh SOURCE_DIR TUBELET
set -euo pipefail
src=$1 tubelet=$(realpath "$2")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cd "$work"
ln -s "$src/configs" configs

"$tubelet" make-synthetic --ava data/synthetic_ava --videos 6 --val-ratio 0.34 --seed 1 >make.out 2>&1 ||
  { cat make.out; fail "make-synthetic --ava failed"; }
grep -q "^wrote 6 AVA-format videos (4 train, 2 val; " make.out || { cat make.out; fail "summary"; }
ann=data/synthetic_ava/annotations
for f in ava_train.csv ava_val.csv ava_action_list.pbtxt ava_proposals_train.pkl \
  ava_proposals_val.pkl; do
  [ -s "$ann/$f" ] || fail "make-synthetic --ava wrote no $f"
done
[ -f "$ann/ava_train_excluded_timestamps.csv" ] || fail "no exclude file"
[ "$(ls data/synthetic_ava/rawframes/synava_0005 | wc -l)" -eq 240 ] || fail "not 240 frames"
if "$tubelet" make-synthetic --ava x --frames 8 >refused.out 2>&1; then
  fail "--ava --frames was accepted"
fi
grep -q -- "--frames" refused.out || { cat refused.out; fail "the refusal does not name --frames"; }

cfg=configs/detection/ava/slowonly_r18_synthetic_ava.py
"$tubelet" train "$cfg" --validate --work-dir wd --cfg-options total_epochs=2 \
  evaluation.interval=1 checkpoint_config.interval=1 log_config.interval=1 >train.out 2>&1 ||
  { cat train.out; fail "train failed"; }
[ -f wd/epoch_2.pth ] || { cat train.out; fail "no epoch_2.pth"; }
grep -q '"mode": "val"' wd/*.log.json || fail "no validation in the log"
grep -q 'mAP@0.5IOU' wd/*.log.json || fail "no mAP@0.5IOU in the log"
grep -q 'loss_action_cls' wd/*.log.json || fail "no loss_action_cls in the log"

"$tubelet" test "$cfg" wd/epoch_2.pth --out x.csv --eval mAP >test.out 2>&1 ||
  { cat test.out; fail "test failed"; }
grep -Eq "^mAP@0.5IOU: [0-9.]+$" test.out || { cat test.out; fail "no mAP printed"; }
[ -s x.csv ] || fail "no x.csv"
awk -F, 'NF != 8 || $1 !~ /^synava_000[45]$/ || $2 !~ /^90[2-7]$/ || $3 < 0 || $5 > 1 ||
         $7 < 1 || $7 > 4 || $8 < 0 || $8 > 1 { bad = 1; print "bad row: " $0 }
         END { exit bad }' x.csv || fail "x.csv has rows that are not AVA results"
# Every val keyframe has detections.
[ "$(cut -d, -f1,2 x.csv | sort -u | wc -l)" -eq 12 ] || fail "not 12 keyframes in x.csv"
echo "ava detection: $(wc -l <x.csv) result rows, $(grep '^mAP' test.out)"
