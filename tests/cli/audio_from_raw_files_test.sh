#!/usr/bin/env bash
# docs/getting_started.md's "Audio from raw files", as a user follows it: its bash blocks run
# in order, in a folder laid out as they expect (data/kinetics400/audios_{train,val}/CLASS/*.m4a
# made here with FFmpeg: two classes of tones, low and high; the annotation lists; configs/ of
# the source tree). Training keeps the doc's command but is cut to 2 epochs (a `tubelet` on
# PATH appends --cfg-options to `train`); everything else runs as written. Then: the
# spectrograms exist as [frames, 80] float32 .npy files, a checkpoint was written, validated
# and tested.
# Usage: audio_from_raw_files_test.sh SOURCE_DIR TUBELET
set -euo pipefail
source "$(dirname "$0")/doc_section.sh"
src=$1 tubelet=$(realpath "$2")
doc=$src/docs/getting_started.md
command -v ffmpeg >/dev/null || { echo "SKIP: ffmpeg is not installed"; exit 0; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# ---- the section's bash blocks into one script.
doc_section "$doc" "## Audio from raw files" >"$work/doc.sh"
[ "$(grep -c 'build-audio-features' "$work/doc.sh")" -ge 2 ] || fail "no build-audio-features in the section: $(cat "$work/doc.sh")"
grep -q 'tubelet train' "$work/doc.sh" || fail "no tubelet train in the section"

# ---- the layout the doc names: 2 classes x 3 videos for training, 2 x 2 for validation.
run=$work/run
mkdir -p "$run/bin"
ln -s "$src/configs" "$run/configs"
k=$run/data/kinetics400
for split in train val; do
  n=3; [ $split = val ] && n=2
  mkdir -p "$k"
  : >"$k/kinetics400_${split}_list_audio_feature.txt"
  for label in 0 1; do
    mkdir -p "$k/audios_$split/class$label"
    for i in $(seq 1 $n); do
      name=${split}_${label}_$i freq=$((label == 0 ? 200 + 20 * i : 3000 + 100 * i))
      ffmpeg -nostdin -v error -y -f lavfi -i "sine=frequency=$freq:sample_rate=44100:duration=3" \
        -c:a aac -b:a 64k "$k/audios_$split/class$label/$name.m4a"
      echo "$name 90 $label" >>"$k/kinetics400_${split}_list_audio_feature.txt"
    done
  done
done
# A quick `train`: 2 epochs, validated and saved each epoch; the rest as the doc writes it.
cat >"$run/bin/tubelet" <<SCRIPT
#!/usr/bin/env bash
if [ "\$1" = train ]; then
  exec "$tubelet" "\$@" --cfg-options total_epochs=2 evaluation.interval=1 \
    checkpoint_config.interval=1 data.workers_per_gpu=0 log_config.interval=1
fi
exec "$tubelet" "\$@"
SCRIPT
chmod +x "$run/bin/tubelet"

(cd "$run" && PATH="$run/bin:$PATH" bash -euo pipefail "$work/doc.sh") >"$work/doc.out" 2>&1 ||
  { cat "$work/doc.out"; fail "a bash block of the section failed (above)"; }

# ---- what the blocks made.
for split in train val; do
  count=$(ls "$k/audio_feature_$split"/*.npy | wc -l)
  want=$([ $split = train ] && echo 6 || echo 4)
  [ "$count" -eq "$want" ] || fail "$split: $count spectrograms, expected $want"
done
# 3 s at 16 kHz: lws frames of 256 samples, 80 bands, float32.
header=$(head -c 128 "$k/audio_feature_train/train_0_1.npy" | tr -d '\0')
grep -q "'descr': '<f4'" <<<"$header" || fail "not float32: $header"
grep -qE "'shape': \((18[89]|19[0-9]), 80\)" <<<"$header" || fail "shape: $header"
work_dir=$run/work_dirs/tsn_r18_64x1x1_100e_kinetics400_audio_feature
[ -f "$work_dir/epoch_2.pth" ] || { cat "$work/doc.out"; fail "training wrote no epoch_2.pth"; }
grep -q '"mode": "val"' "$work_dir"/*.log.json || fail "no validation in the log"
grep -q "^top1_acc: [0-9.]*$" "$work/doc.out" || { cat "$work/doc.out"; fail "test printed no top1_acc"; }

echo "doc section ran: $(grep -c '^# ' "$work/doc.sh") blocks; 10 spectrograms, 2 epochs trained, tested"
