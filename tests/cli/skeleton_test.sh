#!/usr/bin/env bash
# docs/getting_started.md's "Skeleton-based recognition", as a user follows it: its bash blocks
# run in order in an empty folder with configs/ of the source tree. Training keeps the doc's
# commands but is cut to 2 epochs (a `tubelet` on PATH appends --cfg-options to `train`);
# everything else runs as written. Then: the pickles exist and are PoseDataset's, each model
# wrote and validated checkpoints, and each test printed its accuracy.
# Usage: skeleton_test.sh SOURCE_DIR TUBELET
set -euo pipefail
source "$(dirname "$0")/doc_section.sh"
src=$1 tubelet=$(realpath "$2")
doc=$src/docs/getting_started.md
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# ---- the section's bash blocks into one script.
section="## Skeleton-based recognition (ST-GCN, 2s-AGCN, PoseC3D)"
doc_section "$doc" "$section" >"$work/doc.sh"
grep -q 'make-synthetic --pose' "$work/doc.sh" || fail "no make-synthetic --pose in the section"
[ "$(grep -c 'tubelet train' "$work/doc.sh")" -eq 2 ] || fail "expected two trainings: $(cat "$work/doc.sh")"

run=$work/run
mkdir -p "$run/bin"
ln -s "$src/configs" "$run/configs"
cat >"$run/bin/tubelet" <<SCRIPT
#!/usr/bin/env bash
if [ "\$1" = train ]; then
  exec "$tubelet" "\$@" --cfg-options total_epochs=2 evaluation.interval=1 \
    checkpoint_config.interval=1 log_config.interval=5
fi
exec "$tubelet" "\$@"
SCRIPT
chmod +x "$run/bin/tubelet"

(cd "$run" && PATH="$run/bin:$PATH" bash -euo pipefail "$work/doc.sh") >"$work/doc.out" 2>&1 ||
  { cat "$work/doc.out"; fail "a bash block of the section failed (above)"; }

# ---- what the blocks made.
for f in train.pkl val.pkl label_map.txt; do
  [ -s "$run/data/synthetic_pose/$f" ] || fail "make-synthetic --pose wrote no $f"
done
grep -q "wrote 300 skeleton clips (240 train, 60 val; 8 classes" "$work/doc.out" ||
  { cat "$work/doc.out"; fail "make-synthetic --pose did not report 300 clips"; }
for name in stgcn_synthetic_pose slowonly_r18_u16_synthetic_pose_keypoint; do
  work_dir=$run/work_dirs/$name
  [ -f "$work_dir/epoch_2.pth" ] || { cat "$work/doc.out"; fail "$name: no epoch_2.pth"; }
  grep -q '"mode": "val"' "$work_dir"/*.log.json || fail "$name: no validation in the log"
done
[ "$(grep -c "^top1_acc: [0-9.]*$" "$work/doc.out")" -eq 2 ] ||
  { cat "$work/doc.out"; fail "the two tests did not print top1_acc"; }
grep -q "^mean_class_accuracy: [0-9.]*$" "$work/doc.out" || fail "no mean_class_accuracy"

echo "doc section ran: $(grep -c '^# ' "$work/doc.sh") blocks; ST-GCN and PoseC3D trained 2 epochs and tested"
