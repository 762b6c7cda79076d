#!/usr/bin/env bash
# Data-parallel scaling on this machine: a TSN-R18 (the synthetic config: 8 segments of
# 56x56, 4 videos per process) trained by 1 process (all cores) and by 2 processes
# (`tubelet dist-train --nproc 2`, the cores shared out), reporting iterations/s, videos/s
# and the time the training thread spent in the gradient all-reduce per iteration, with the
# all-reduce overlapping backward (the default) and run after backward (ddp.overlap=False).
# Usage: bench/dist_scaling.sh [BUILD_DIR] [VIDEOS] [EPOCHS]
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$src/build}
videos=${2:-60}
epochs=${3:-2}
tubelet=$build/bin/tubelet
config=$src/configs/recognition/tsn/tsn_r18_1x1x8_synthetic.py
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cores=$(nproc)
"$tubelet" make-synthetic "$work/data" --videos "$videos" --seed 1 >/dev/null 2>&1
opts=(data.videos_per_gpu=4 data.workers_per_gpu=1 log_config.interval=1 total_epochs="$epochs"
  checkpoint_config.interval=1000 dist_params.backend=gloo
  data.train.ann_file="$work/data/train_list.txt" data.train.data_prefix="$work/data/videos")

# Mean seconds per iteration from a run's .log.json, leaving out each epoch's first
# iteration (loader start-up).
seconds_per_iter() {
  grep '"mode": "train"' "$1"/*.log.json | grep -v '"iter": 1,' |
    sed 's/.*"time": \([0-9.e-]*\).*/\1/' | awk '{s += $1; n++} END {printf "%.4f", s / n}'
}
allreduce_ms() { sed -n 's/.*gradient all-reduce: .*iterations, \([0-9.]*\) ms per.*/\1/p' "$1" | tail -1; }

run() {
  local name=$1
  shift
  "$@" --work-dir "$work/$name" --seed 0 --cfg-options "${opts[@]}" "${extra[@]}" >"$work/$name.out" 2>&1 ||
    { cat "$work/$name.out"; exit 1; }
}
extra=()
OMP_NUM_THREADS=$cores run one "$tubelet" train "$config"
run two "$tubelet" dist-train "$config" --nproc 2
extra=(ddp.overlap=False)
run two_after "$tubelet" dist-train "$config" --nproc 2

one=$(seconds_per_iter "$work/one")
two=$(seconds_per_iter "$work/two")
two_after=$(seconds_per_iter "$work/two_after")
echo "machine: $cores cores; TSN-R18, 8x56x56 per video, 4 videos per process, $videos synthetic videos"
awk -v n="$cores" -v a="$one" -v b="$two" -v c="$two_after" -v o="$(allreduce_ms "$work/two.out")" \
  -v p="$(allreduce_ms "$work/two_after.out")" 'BEGIN {
  printf "1 process (%d threads)  : %.3f s/iter  %.2f iters/s  %.1f videos/s\n", n, a, 1 / a, 4 / a
  printf "2 processes (overlap)   : %.3f s/iter  %.2f iters/s  %.1f videos/s  (x%.2f)  all-reduce wait %.1f ms/iter\n", b, 1 / b, 8 / b, (8 / b) / (4 / a), o
  printf "2 processes (after bwd) : %.3f s/iter  %.2f iters/s  %.1f videos/s  (x%.2f)  all-reduce %.1f ms/iter\n", c, 1 / c, 8 / c, (8 / c) / (4 / a), p
}'
