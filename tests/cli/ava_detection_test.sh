#!/usr/bin/env bash
# docs/getting_started.md's "Spatio-temporal action detection (AVA)", as a user follows it:
# its bash blocks run in order in an empty folder with configs/ of the source tree; a `tubelet`
# on PATH makes the set small (6 videos) and cuts training to 2 epochs, everything else runs as
# written (train --validate, test --eval mAP --out results.csv). Checks: the dataset's files,
# the checkpoints and the validation in the log, the CSV's rows (video_id, timestamp, x1, y1,
# x2, y2 relative, action id, score) and the printed mAP; and an option --ava refuses.
# Usage: ava_detection_test.sh SOURCE_DIR TUBELET
set -euo pipefail
source "$(dirname "$0")/doc_section.sh"
src=$1 tubelet=$(realpath "$2")
doc=$src/docs/getting_started.md
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cd "$work"
ln -s "$src/configs" configs

section="## Spatio-temporal action detection (AVA)"
doc_section "$doc" "$section" >doc.sh
grep -q 'make-synthetic --ava' doc.sh || fail "no make-synthetic --ava in the section"
mkdir bin
cat >bin/tubelet <<SCRIPT
#!/usr/bin/env bash
case "\$1" in
  make-synthetic) exec "$tubelet" "\$@" --videos 6 --val-ratio 0.34 --seed 1 ;;
  train) exec "$tubelet" "\$@" --cfg-options total_epochs=2 evaluation.interval=1 \
    checkpoint_config.interval=1 log_config.interval=1 ;;
esac
exec "$tubelet" "\$@"
SCRIPT
chmod +x bin/tubelet
PATH="$work/bin:$PATH" bash -euo pipefail doc.sh >doc.out 2>&1 ||
  { cat doc.out; fail "a bash block of the section failed (above)"; }
grep -q "^wrote 6 AVA-format videos (4 train, 2 val; " doc.out || { cat doc.out; fail "summary"; }
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

wd=work_dirs/ava/slowonly_r18_synthetic_ava
[ -f $wd/epoch_2.pth ] || { cat doc.out; fail "no epoch_2.pth"; }
grep -q '"mode": "val"' $wd/*.log.json || fail "no validation in the log"
grep -q 'mAP@0.5IOU' $wd/*.log.json || fail "no mAP@0.5IOU in the log"
grep -q 'loss_action_cls' $wd/*.log.json || fail "no loss_action_cls in the log"
grep -Eq "^mAP@0.5IOU: [0-9.]+$" doc.out || { cat doc.out; fail "no mAP printed"; }
[ -s results.csv ] || fail "no results.csv"
awk -F, 'NF != 8 || $1 !~ /^synava_000[45]$/ || $2 !~ /^90[2-7]$/ || $3 < 0 || $5 > 1 ||
         $7 < 1 || $7 > 4 || $8 < 0 || $8 > 1 { bad = 1; print "bad row: " $0 }
         END { exit bad }' results.csv || fail "results.csv has rows that are not AVA results"
# Every val keyframe has detections.
[ "$(cut -d, -f1,2 results.csv | sort -u | wc -l)" -eq 12 ] || fail "not 12 keyframes in results.csv"
echo "doc section ran: $(wc -l <results.csv) result rows, $(grep '^mAP' doc.out)"
