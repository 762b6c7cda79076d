#!/usr/bin/env bash
# The main job: set up and build, make the synthetic motion dataset, train a TSN and a TSM
# (ResNet-18, 8 segments, from scratch) with the configs in configs/recognition/, test
# both, and print top-1/top-5 accuracy, the accuracy on the classes that need temporal
# order (left/right, up/down, clockwise/anticlockwise, growing/shrinking) and the time.
# TSM should clearly beat TSN on those: that is the check that temporal modelling works.
# Usage: scripts/demo.sh [VIDEOS] (default 400)
set -euo pipefail
cd "$(dirname "$0")/.."
echo "demo: set-up and build first (~4-6 min on a fresh 2-core machine with the packages, ~3 min more"
echo "demo: without them, seconds when done), then the dataset (~10 s), TSN and TSM training side by"
echo "demo: side (25 epochs, ~10-14 min on 2 cores), tests, a plot and one inference: ~15-22 min in all"
scripts/bootstrap.sh tubelet_cli  # the tests and benchmarks are scripts/test.sh's
tubelet=build/bin/tubelet
videos=${1:-400}
data=data/synthetic
work=work_dirs/demo

if [ ! -f "$data/train_list.txt" ] || [ "$(cat "$data/.videos" 2>/dev/null)" != "$videos" ]; then
  echo "== tubelet make-synthetic $data --videos $videos --seed 0"
  rm -rf "$data"
  "$tubelet" make-synthetic "$data" --videos "$videos" --seed 0
  echo "$videos" >"$data/.videos"
fi

# TSN and TSM train side by side, each on half the cores: one process scales from one thread to
# two by ~1.6x only, so two one-thread runs finish sooner than two two-thread runs in a row. The
# thread count is part of what a run's numbers depend on (see the README).
threads=$(($(nproc) / 2))
[ "$threads" -ge 1 ] || threads=1
config_of() { echo "configs/recognition/$1/${1}_r18_1x1x8_synthetic.py"; }
train() {
  local start
  start=$(date +%s)
  OMP_NUM_THREADS=$threads "$tubelet" train "$(config_of "$1")" --work-dir "$work/$1" \
    --seed 0 --deterministic || return 1
  echo $(($(date +%s) - start)) >"$work/$1.seconds"
}
mkdir -p "$work"
echo
echo "== tubelet train $(config_of tsn) and $(config_of tsm), $threads thread(s) each"
echo "   TSN's log goes to $work/tsn.out; TSM's is printed here"
train tsn >"$work/tsn.out" 2>&1 &
tsn_pid=$!
if ! train tsm; then
  kill "$tsn_pid" 2>/dev/null || true
  exit 1
fi
if ! wait "$tsn_pid"; then
  echo "TSN training failed; the end of its log:" >&2
  tail -n 20 "$work/tsn.out" >&2
  exit 1
fi

declare -A top1 top5 ordered seconds
for model in tsn tsm; do
  config=$(config_of $model)
  seconds[$model]=$(cat "$work/$model.seconds")
  echo "== tubelet test $config $work/$model/latest.pth"
  out=$("$tubelet" test "$config" "$work/$model/latest.pth" \
    --eval top_k_accuracy --per-class-accuracy | tee /dev/stderr)
  top1[$model]=$(awk '/^top1_acc:/ {print $2}' <<<"$out")
  top5[$model]=$(awk '/^top5_acc:/ {print $2}' <<<"$out")
  # classes 0-7 come in pairs that differ only by the direction of time
  ordered[$model]=$(awk '/^class [0-7]:/ {s += $3; n++} END {printf "%.4f", s / n}' <<<"$out")
done

echo
echo "== results on $data/val_list.txt ($(wc -l <"$data/val_list.txt") videos)"
printf '%-6s %10s %10s %22s %12s\n' model top1_acc top5_acc order_dependent_acc train_time
for model in tsn tsm; do
  printf '%-6s %10s %10s %22s %11ss\n' "$model" "${top1[$model]}" "${top5[$model]}" \
    "${ordered[$model]}" "${seconds[$model]}"
done

# The newest .log.json of a run (a rerun into the same folder adds one).
latest_log() { ls -t "$work/$1"/*.log.json | head -n 1; }
echo
echo "== curves: training loss and validation top-1 of both models"
"$tubelet" analyze-logs plot_curve "$(latest_log tsn)" "$(latest_log tsm)" \
  --keys loss top1_acc --legend tsn_loss tsn_top1_acc tsm_loss tsm_top1_acc \
  --title "TSN vs TSM on $data" --out "$work/curves.png"
echo "curves: $work/curves.png"

# One validation video through the TSM checkpoint, as MMAction2's demo/demo.py does.
read -r video label < <(head -n 1 "$data/val_list.txt")
echo
echo "== tubelet infer (TSM) on $data/videos/$video, true class $(sed -n "$((label + 1))p" "$data/label_map.txt")"
"$tubelet" infer configs/recognition/tsm/tsm_r18_1x1x8_synthetic.py "$work/tsm/latest.pth" \
  "$data/videos/$video" --label-map "$data/label_map.txt" --topk 3

echo
echo "Logs, checkpoints and the .log.json files are in $work/. To train TSM for 10 more epochs"
echo "from where it stopped:"
echo "  $tubelet train configs/recognition/tsm/tsm_r18_1x1x8_synthetic.py --work-dir $work/tsm \\"
echo "    --resume-from $work/tsm/latest.pth --cfg-options total_epochs=35 --seed 0 --deterministic"
