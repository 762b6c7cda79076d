#!/usr/bin/env bash
# End to end through the command, as a user would: make a small synthetic dataset, train a
# TSM for one epoch with --validate (and --test-last/--test-best), test the checkpoint, resume it, run inference on one
# video, benchmark, and plot the log. Checks the files and outputs each step promises.
# Usage: train_test_infer_test.sh SOURCE_DIR TUBELET
set -euo pipefail
src=$1 tubelet=$2
command -v ffmpeg >/dev/null || { echo "SKIP: ffmpeg is not installed"; exit 0; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
config=$src/configs/recognition/tsm/tsm_r18_1x1x8_synthetic.py
fail() { echo "FAIL: $*"; exit 1; }

"$tubelet" make-synthetic "$work/data" --videos 20 --seed 3 >/dev/null 2>&1
[ "$(wc -l <"$work/data/train_list.txt")" -gt 0 ] || fail "no train list"
opts=(data.videos_per_gpu=4 data.workers_per_gpu=1 log_config.interval=1
  data.train.ann_file="$work/data/train_list.txt" data.train.data_prefix="$work/data/videos"
  data.val.ann_file="$work/data/val_list.txt" data.val.data_prefix="$work/data/videos"
  data.test.ann_file="$work/data/val_list.txt" data.test.data_prefix="$work/data/videos")

"$tubelet" train "$config" --work-dir "$work/run" --seed 1 --validate --test-last --test-best \
  --cfg-options total_epochs=1 "${opts[@]}" >"$work/train.out" 2>&1 || { cat "$work/train.out"; fail train; }
[ -L "$work/run/latest.pth" ] || fail "no latest.pth"
[ -f "$work/run/epoch_1.pth" ] || fail "no epoch_1.pth"
[ -f "$work/run/tsm_r18_1x1x8_synthetic.py" ] || fail "no config dump"
json=$(ls "$work"/run/*.log.json)
grep -q '"mode": "train"' "$json" || fail "no train entry in $json"
grep -q '"mode": "val"' "$json" || fail "no val entry in $json"
ls "$work"/run/*.log >/dev/null || fail "no text log"
# --test-last / --test-best: data.test with the final weights and with the best checkpoint
# the EvalHook kept (none when every evaluation scored 0, which MMAction2 also reports).
grep -q "Testing results of the last checkpoint" "$work/train.out" || fail "no --test-last results"
grep -q "top1_acc: [0-9.]*$" "$work/train.out" || fail "no --test-last metrics"
[ -s "$work/run/last_pred.json" ] || fail "no last_pred.json"
if ls "$work"/run/best_*.pth >/dev/null 2>&1; then
  grep -q "Testing results of the best checkpoint" "$work/train.out" || fail "no --test-best results"
  [ -s "$work/run/best_pred.json" ] || fail "no best_pred.json"
else
  grep -q "test_best set, but no ckpt found" "$work/train.out" || fail "no --test-best warning"
fi

out=$("$tubelet" test "$config" "$work/run/latest.pth" --eval top_k_accuracy \
  --out "$work/results.json" --cfg-options "${opts[@]}" 2>/dev/null)
grep -q "^top1_acc: [0-9.]*$" <<<"$out" || fail "test printed: $out"
[ -s "$work/results.json" ] || fail "no results file"

# MMAction2's test options: --eval-options holds dataset.evaluate's arguments (--options is
# its deprecated name); --local_rank (torch.distributed.launch), --gpu-collect and --tmpdir
# are accepted.
out=$("$tubelet" test "$config" "$work/run/latest.pth" --eval top_k_accuracy --eval-options 'topk=(1,3)' \
  --local_rank 0 --gpu-collect --tmpdir "$work/tmp" --cfg-options "${opts[@]}" 2>/dev/null)
grep -q "^top3_acc: [0-9.]*$" <<<"$out" || fail "--eval-options topk=(1,3) printed: $out"
if grep -q "^top5_acc" <<<"$out"; then fail "--eval-options did not replace topk: $out"; fi
out=$("$tubelet" test "$config" "$work/run/latest.pth" --options 'topk=2' --cfg-options "${opts[@]}" \
  2>"$work/err")
grep -q "^top2_acc: [0-9.]*$" <<<"$out" || fail "--options topk=2 printed: $out"
grep -q "deprecated" "$work/err" || fail "--options gave no deprecation warning"
if "$tubelet" test "$config" "$work/run/latest.pth" --eval-options 'nosuch=1' \
  --cfg-options "${opts[@]}" >/dev/null 2>"$work/err"; then fail "an unknown evaluate argument ran"; fi
grep -q "nosuch" "$work/err" || { cat "$work/err"; fail "the error does not name nosuch"; }

# Resuming the finished epoch-1 run to 2 epochs writes epoch_2.pth.
"$tubelet" train "$config" --work-dir "$work/run" --seed 1 --auto-resume \
  --cfg-options total_epochs=2 "${opts[@]}" >"$work/resume.out" 2>&1 || { cat "$work/resume.out"; fail resume; }
grep -q "resumed epoch 1, iter" "$work/resume.out" || fail "did not resume"
[ -f "$work/run/epoch_2.pth" ] || fail "no epoch_2.pth after resuming"

video=$(head -1 "$work/data/val_list.txt" | cut -d' ' -f1)
out=$("$tubelet" infer "$config" "$work/run/latest.pth" "$work/data/videos/$video" \
  --label-map "$work/data/label_map.txt" --topk 3 2>/dev/null)
[ "$(grep -c ': ' <<<"$out")" -eq 3 ] || fail "infer printed: $out"

out=$("$tubelet" benchmark "$config" --iters 2 --warmup 0 --cfg-options "${opts[@]}" 2>/dev/null)
grep -q "iters/s" <<<"$out" || fail "benchmark printed: $out"

"$tubelet" analyze-logs plot_curve "$json" --keys loss --out "$work/loss.png" >/dev/null
[ -s "$work/loss.png" ] || fail "no plot"

# Bad input: a checkpoint that does not exist is a clear error, exit code 1.
if "$tubelet" test "$config" "$work/missing.pth" --cfg-options "${opts[@]}" 2>"$work/err"; then
  fail "testing a missing checkpoint succeeded"
fi
grep -q "missing.pth" "$work/err" || { cat "$work/err"; fail "error does not name the file"; }

# A recognizer with a neck: TPN's auxiliary loss is logged beside loss_cls and summed into
# loss; testing goes through TPNHead's fcn test.
tpn=$src/configs/recognition/tpn/tpn_tsm_r18_1x1x8_synthetic.py
"$tubelet" train "$tpn" --work-dir "$work/tpn" --seed 1 \
  --cfg-options total_epochs=1 "${opts[@]}" >"$work/tpn.out" 2>&1 || { cat "$work/tpn.out"; fail "train TPN"; }
grep -q '"loss_aux": ' "$work"/tpn/*.log.json || fail "no loss_aux in the TPN log"
out=$("$tubelet" test "$tpn" "$work/tpn/latest.pth" --eval top_k_accuracy --cfg-options "${opts[@]}" 2>/dev/null)
grep -q "^top1_acc: [0-9.]*$" <<<"$out" || fail "TPN test printed: $out"
echo "train/test/resume/infer/benchmark/plot: ok"
