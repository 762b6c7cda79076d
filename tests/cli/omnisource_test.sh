#!/usr/bin/env bash
# docs/getting_started.md's "Training on several sources (OmniSource)", as a user follows it:
# its bash blocks run in order in an empty folder with configs/ of the source tree. Training
# keeps the doc's command but is cut to 2 epochs. Then: both sources were trained on (the
# log has the main and the "/aux0" entries), validation ran and checkpoints were written.
# Usage: omnisource_test.sh SOURCE_DIR TUBELET
set -euo pipefail
source "$(dirname "$0")/doc_section.sh"
src=$1 tubelet=$(realpath "$2")
doc=$src/docs/getting_started.md
command -v ffmpeg >/dev/null || { echo "SKIP: ffmpeg is not installed"; exit 0; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

section="## Training on several sources (OmniSource)"
doc_section "$doc" "$section" >"$work/doc.sh"
grep -q 'omnisource' "$work/doc.sh" || fail "no omnisource config in the section: $(cat "$work/doc.sh")"

run=$work/run
mkdir -p "$run/bin"
ln -s "$src/configs" "$run/configs"
cat >"$run/bin/tubelet" <<SCRIPT
#!/usr/bin/env bash
if [ "\$1" = train ]; then
  exec "$tubelet" "\$@" --cfg-options total_epochs=2 checkpoint_config.interval=1 \
    log_config.interval=1
fi
exec "$tubelet" "\$@"
SCRIPT
chmod +x "$run/bin/tubelet"

(cd "$run" && PATH="$run/bin:$PATH" bash -euo pipefail "$work/doc.sh") >"$work/doc.out" 2>&1 ||
  { cat "$work/doc.out"; fail "a bash block of the section failed (above)"; }

work_dir=$run/work_dirs/tsn_r18_1x1x8_synthetic_omnisource
[ -f "$work_dir/epoch_2.pth" ] || { cat "$work/doc.out"; fail "no epoch_2.pth"; }
log=$(ls "$work_dir"/*.log.json)
grep -q '"loss_cls/aux0"' "$log" || fail "no auxiliary-source losses in $log"
grep -q '"loss_cls"' "$log" || fail "no main-source losses in $log"
grep -q '"mode": "val"' "$log" || fail "no validation in $log"
# 30 training videos in batches of 8: 4 main iterations an epoch, so 8 in all.
[ "$(grep -c '"mode": "train"' "$log")" -ge 8 ] || fail "fewer train log lines than iterations"
grep -q 'Epoch \[2\]\[4/4\]' "$work/doc.out" || { cat "$work/doc.out"; fail "epoch 2 did not have 4 iterations"; }
# dump-pipeline takes one source of the list: the second is the image set.
(cd "$run" && "$tubelet" dump-pipeline configs/recognition/omnisource/tsn_r18_1x1x8_synthetic_omnisource.py \
  --split train --source 1 --index 0 --out "$work/image.pth") || fail "dump-pipeline --source 1 failed"
[ -s "$work/image.pth" ] || fail "dump-pipeline --source 1 wrote nothing"
if (cd "$run" && "$tubelet" dump-pipeline configs/recognition/omnisource/tsn_r18_1x1x8_synthetic_omnisource.py \
  --split train --source 2 --index 0 --out "$work/none.pth") 2>"$work/err.txt"; then
  fail "dump-pipeline --source 2 of 2 sources succeeded"
fi
grep -q "data.train lists 2 datasets" "$work/err.txt" || fail "unclear error: $(cat "$work/err.txt")"
echo "doc section ran: OmniSource training on videos and images, 2 epochs"
