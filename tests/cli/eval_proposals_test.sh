#!/usr/bin/env bash
# `tubelet eval-proposals` end to end: MMAction2's own AR@AN test case (test_accuracy.py:
# AUC 25.5, recall reaching 1 only at the last point) written as files, MMAction2's
# eval_localization assets when ../shared is there (numbers from MMAction2's
# ActivityNetDataset.evaluate and the mAP its test asserts), errors naming file and video, and
# the result file `tubelet test` dumps for a BMN (output_config, --out) read back.
# Usage: eval_proposals_test.sh SOURCE_DIR TUBELET
set -euo pipefail
src=$1 tubelet=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
expect() {  # expect WANT GOT
  [ "$1" = "$2" ] || { echo "expected: $1"; echo "got:      $2"; exit 1; }
}

cat >"$work/gt.json" <<'JSON'
{"v_test1": {"annotations": [{"segment": [0, 1], "label": "a"}, {"segment": [1, 2], "label": "a"}]},
 "v_test2": {"annotations": [{"segment": [0, 1], "label": "a"}, {"segment": [1, 2], "label": "a"}]}}
JSON
cat >"$work/result.json" <<'JSON'
{"version": "VERSION 1.3", "external_data": {},
 "results": {"test1": [{"segment": [0, 1], "score": 1}, {"segment": [1, 2], "score": 1}],
             "test2": [{"segment": [0, 1], "score": 1}, {"segment": [1, 2], "score": 1}]}}
JSON
# max_avg_proposals=None in MMAction2's test: 0 here.
expect '{"AR@1": 0.0, "AR@5": 0.0, "AR@10": 0.0, "AR@100": 1.0, "AUC": 25.5}' \
  "$("$tubelet" eval-proposals "$work/gt.json" "$work/result.json" --max-avg-proposals 0)"
echo "eval-proposals: MMAction2's test case gives AUC 25.5"

assets=$src/../shared/data/mmaction2-assets/eval_localization
if [ -d "$assets" ]; then
  expect '{"AR@1": 0.0, "AR@5": 0.6, "AR@10": 0.75, "AR@100": 0.75, "AUC": 72.52499999999999}' \
    "$("$tubelet" eval-proposals "$assets/gt.json" "$assets/result.json")"
  "$tubelet" eval-proposals "$assets/gt.json" "$assets/result.json" --mAP |
    grep -q '"average_mAP": 0.6177579365079365}' || { echo "mAP differs from MMAction2's"; exit 1; }
  echo "eval-proposals: MMAction2's eval_localization assets give its AR@AN, AUC and mAP"
else
  echo "eval-proposals: ../shared absent, assets skipped"
fi

fails() {  # fails PATTERN ARGS...: exit code 1 and PATTERN in stderr
  local pattern=$1
  shift
  if "$tubelet" eval-proposals "$@" >/dev/null 2>"$work/err"; then echo "accepted: $*"; exit 1; fi
  grep -qF "$pattern" "$work/err" || { echo "want: $pattern"; cat "$work/err"; exit 1; }
}
printf '{"results": {"test1": [}\n' >"$work/bad.json"
fails "bad.json:1:" "$work/gt.json" "$work/bad.json"
printf '{"results": {"test1": [], "test2": [], "test3": [{"segment": [0, 1], "score": 1}]}}' >"$work/extra.json"
fails "proposals for video 'test3', which the ground truth does not have" "$work/gt.json" "$work/extra.json"
printf '{"v_test1": {"duration": 3}}' >"$work/noann.json"
fails "noann.json: video 'v_test1' has no 'annotations'" "$work/noann.json" "$work/result.json"
fails "cannot open" "$work/missing.json" "$work/result.json"
echo "eval-proposals: errors name the file and the video"

# `tubelet test` on a localizer: output_config's dump (its 'out' replaced by --out) is a result
# file eval-proposals reads, giving the numbers the test's --eval AR@AN printed.
cd "$work"
"$tubelet" make-synthetic-features data/synthetic_localization --videos 12 --seed 1 >/dev/null
bmn=$src/configs/localization/bmn/bmn_16x32_synthetic_feature.py
"$tubelet" train "$bmn" --seed 0 --cfg-options total_epochs=1 data.workers_per_gpu=0 >/dev/null 2>&1 ||
  { echo "BMN train failed"; exit 1; }
# As mmcv.dump, the file's extension picks the format: .json here, and an unknown one is an error.
"$tubelet" test "$bmn" work_dirs/bmn_16x32_synthetic_feature/latest.pth \
  --out "$work/bmn.results" >/dev/null 2>"$work/err" && { echo "--out bmn.results accepted"; exit 1; }
grep -qF "bmn.results: unsupported results format 'results'" "$work/err" ||
  { echo "unexpected error: $(cat "$work/err")"; exit 1; }
out=$("$tubelet" test "$bmn" work_dirs/bmn_16x32_synthetic_feature/latest.pth --eval AR@AN \
  --out "$work/bmn.json" 2>/dev/null)
[ ! -e work_dirs/bmn_16x32_synthetic_feature/results.json ] || { echo "--out did not replace out"; exit 1; }
grep -q '^{"version": "VERSION 1.3", "results": {"' "$work/bmn.json" ||
  { echo "not proposals2json's layout: $(head -c 200 "$work/bmn.json")"; exit 1; }
json=$("$tubelet" eval-proposals data/synthetic_localization/anet_anno_test.json "$work/bmn.json")
for k in AR@1 AR@5 AR@10 AR@100; do
  want=$(sed -n "s/^$k: //p" <<<"$out")
  got=$(grep -o "\"$k\": [-0-9.e]*" <<<"$json" | awk '{printf "%.4f", $2}')
  expect "$k $want" "$k $got"
done
expect "$(sed -n 's/^auc: //p' <<<"$out")" "$(grep -o '"AUC": [-0-9.e]*' <<<"$json" | awk '{printf "%.4f", $2}')"
echo "eval-proposals: tubelet test's dump gives the AR@AN it printed ($(tr '\n' ' ' <<<"$out"))"
