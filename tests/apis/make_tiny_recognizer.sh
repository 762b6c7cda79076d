#!/usr/bin/env bash
# A tiny trained recognizer for the inference tests, the cheapest real one: the 20-video
# synthetic motion set at 32x32 (8 frames each) and a TSN ResNet-18 trained on it for one
# epoch (3 iterations). Writes, under OUT:
#   config.py       the training's config dump (self-contained: no _base_ files)
#   checkpoint.pth  its weights
#   label_map.txt   the 10 class names
#   videos/         the 20 videos (video_00000.mp4 ...), rawframes/ one folder of frames each
# Usage: make_tiny_recognizer.sh SOURCE_DIR TUBELET OUT
set -euo pipefail
src=$1 tubelet=$2 out=$3
mkdir -p "$out"
"$tubelet" make-synthetic "$out/data" --videos 20 --size 32 --frames 8 --seed 1 --rawframes \
  >"$out/make-synthetic.log" 2>&1 || { cat "$out/make-synthetic.log"; exit 1; }
"$tubelet" train "$src/configs/recognition/tsn/tsn_r18_1x1x8_synthetic.py" --work-dir "$out/run" \
  --seed 1 --cfg-options total_epochs=1 data.videos_per_gpu=4 data.workers_per_gpu=1 \
  data.train.ann_file="$out/data/train_list.txt" data.train.data_prefix="$out/data/videos" \
  >"$out/train.log" 2>&1 || { cat "$out/train.log"; exit 1; }
cp "$out/run/tsn_r18_1x1x8_synthetic.py" "$out/config.py"
cp "$out/run/latest.pth" "$out/checkpoint.pth"
cp "$out/data/label_map.txt" "$out/label_map.txt"
ln -s "$out/data/videos" "$out/videos"
ln -s "$out/data/rawframes" "$out/rawframes"
