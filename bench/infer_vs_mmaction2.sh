#!/usr/bin/env bash
# `tubelet infer` against MMAction2's demo (init_recognizer + inference_recognizer) on the same
# config, checkpoint and video, each a cold process timed by /usr/bin/time -v: wall seconds,
# peak RSS, minor page faults, user and system CPU seconds (medians of RUNS runs), and the
# top-5 (class: score) of each. Prints a table and Tubelet's ratios to each reference.
#
# Usage: bench/infer_vs_mmaction2.sh [RUNS=3]
# Environment (all optional):
#   TUBELET     the tubelet command (default: build/bin/tubelet)
#   CONFIG      default: configs/recognition/tsn/tsn_r50_video_inference_1x1x3_100e_kinetics400_rgb.py
#               (MMAction2's file of that name: TSN-R50, 25 clips x TenCrop = 250 crops)
#   CHECKPOINT  default: a randomly initialised one of CONFIG's model, written by
#               build/bin/random_checkpoint into WORK
#   VIDEO       default: ../shared/data/mmaction2-assets/demo.mp4 (MMAction2's demo video)
#   WORK        scratch folder (default: work_dirs/infer_bench)
#   PYTHON      a Python with torch, mmcv-full 1.x and mmaction2 0.24.x (importable, or from
#               the source tree at MMACTION2): the MMAction2 row; skipped without one
#   MMACTION2   MMAction2's source tree, put on PYTHONPATH for PYTHON
#   TORCH_PYTHON  a Python with torch (default: /usr/bin/python3): the model half alone in
#               plain PyTorch (bench/infer_pytorch.py) on the views `tubelet dump-pipeline`
#               writes, all 250 at once and in chunks of 25 channels-last; skipped without one
#               or with TORCH_PYTHON=none (bench/infer_pytorch.py runs TSN ResNet-50 only)
#   INFER_ARGS  extra arguments for `tubelet infer` (e.g. "--view-chunk 0")
set -euo pipefail

runs=${1:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
tubelet=${TUBELET:-build/bin/tubelet}
config=${CONFIG:-configs/recognition/tsn/tsn_r50_video_inference_1x1x3_100e_kinetics400_rgb.py}
video=${VIDEO:-$root/../shared/data/mmaction2-assets/demo.mp4}
work=${WORK:-work_dirs/infer_bench}
torch_python=${TORCH_PYTHON:-/usr/bin/python3}
mkdir -p "$work"
skipped=()
notes=()

[ -x /usr/bin/time ] || { echo "needs GNU time at /usr/bin/time (apt-get install time)" >&2; exit 1; }
[ -x "$tubelet" ] || { echo "no $tubelet: build tubelet_cli first" >&2; exit 1; }
[ -f "$video" ] || { echo "no video at $video (set VIDEO)" >&2; exit 1; }

checkpoint=${CHECKPOINT:-}
if [ -z "$checkpoint" ]; then
  checkpoint=$work/$(basename "$config" .py)_random.pth
  if [ ! -f "$checkpoint" ]; then
    maker=$(dirname "$tubelet")/random_checkpoint
    [ -x "$maker" ] || { echo "no $maker: build the random_checkpoint target or set CHECKPOINT" >&2; exit 1; }
    "$maker" "$config" "$checkpoint" >/dev/null
  fi
fi

# timed NAME CMD...: runs CMD once under /usr/bin/time -v; appends
# "wall_s rss_mb minor_faults user_s sys_s" to $work/NAME.metrics and keeps its stdout.
# A run that hangs past RUN_TIMEOUT seconds (default 600) is killed, counted in
# $work/NAME.hangs and run again, up to three times: MMAction2's OpenCVDecode sometimes
# deadlocks when it releases its cv2.VideoCapture (Debian's python3-opencv 4.6).
timed() {
  local name=$1 attempt rc; shift
  for attempt in 1 2 3; do
    rc=0
    timeout -s KILL "${RUN_TIMEOUT:-600}" /usr/bin/time -v "$@" >"$work/$name.out" \
      2>"$work/$name.time" || rc=$?
    [ "$rc" = 137 ] || break
    echo "$name: hung for ${RUN_TIMEOUT:-600} s, killed; running it again" >&2
    echo hang >>"$work/$name.hangs"
  done
  [ "$rc" = 0 ] || { echo "$name failed:" >&2; tail -5 "$work/$name.time" >&2; return 1; }
  awk -F': ' '
    /Elapsed \(wall clock\)/ { n = split($2, p, ":"); w = 0; for (i = 1; i <= n; i++) w = w * 60 + p[i] }
    /Maximum resident set size/ { r = $2 / 1024 }
    /Minor \(reclaiming a frame\)/ { f = $2 }
    /User time/ { u = $2 } /System time/ { s = $2 }
    END { printf "%.2f %.0f %d %.2f %.2f\n", w, r, f, u, s }' "$work/$name.time" >>"$work/$name.metrics"
}

# median NAME: the median of each column of NAME's runs.
median() {
  python3 - "$work/$1.metrics" <<'PY'
import statistics, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
print(' '.join(f'{m:.0f}' if m == int(m) and m >= 1000 else f'{m:g}'
               for m in (statistics.median(c) for c in zip(*rows))))
PY
}

rows=()  # "name|wall rss faults user sys|top5"
bench() {
  local name=$1; shift
  rm -f "$work/$name.metrics" "$work/$name.hangs"
  for _ in $(seq "$runs"); do timed "$name" "$@" || return 1; done
  rows+=("$name|$(median "$name")|$(grep -E '^[0-9]+: ' "$work/$name.out" | head -5 | tr '\n' ' ')")
}

echo "config: $config" >&2
echo "checkpoint: $checkpoint" >&2
echo "video: $video ($runs cold runs each)" >&2
# shellcheck disable=SC2086
bench tubelet "$tubelet" infer "$config" "$checkpoint" "$video" ${INFER_ARGS:-}

# MMAction2's demo: init_recognizer + inference_recognizer, printing "class: score" lines.
if [ -n "${PYTHON:-}" ] &&
    PYTHONPATH=${MMACTION2:-}${PYTHONPATH:+:$PYTHONPATH} "$PYTHON" -c 'import torch, mmcv, mmaction' 2>/dev/null; then
  cat >"$work/mmaction2_infer.py" <<'PY'
import sys
import numpy as np
# MMAction2 0.24.1 still uses np.int, which NumPy 1.24 removed (Debian 12 has 1.24): the old
# alias of the builtin, as NumPy < 1.24 had it.
if not hasattr(np, 'int'):
    np.int = int
from mmaction.apis import inference_recognizer, init_recognizer
model = init_recognizer(sys.argv[1], sys.argv[2], device='cpu')
for label, score in inference_recognizer(model, sys.argv[3]):
    print(f'{label}: {score:g}')
PY
  PYTHONPATH=${MMACTION2:-}${PYTHONPATH:+:$PYTHONPATH} \
    bench mmaction2 "$PYTHON" "$work/mmaction2_infer.py" "$config" "$checkpoint" "$video"
else
  skipped+=("MMAction2: no PYTHON with torch, mmcv and mmaction (set PYTHON, and MMACTION2 to its source tree)")
fi

# Plain PyTorch on the same views: the model's half of the work without MMAction2's code.
if [ "$torch_python" = none ]; then
  skipped+=("plain PyTorch: TORCH_PYTHON=none")
elif "$torch_python" -c 'import torch' 2>/dev/null; then
  # The test pipeline as `tubelet infer` runs it (OpenCVInit without its arguments, which
  # MMAction2 hands to its file client), on a one-line list of the video.
  printf '%s 0\n' "$(basename "$video")" >"$work/video_list.txt"
  sed -e "s/dict(type='OpenCVInit'[^)]*)/dict(type='OpenCVInit')/" \
      -e "s#'\\.\\./\\.\\./_base_/#'$root/configs/_base_/#" "$config" >"$work/dump_config.py"
  "$tubelet" dump-pipeline "$work/dump_config.py" --split test --index 0 --out "$work/views.pth" \
    --cfg-options "data.test.ann_file=$work/video_list.txt" \
    "data.test.data_prefix=$(dirname "$video")" >/dev/null
  bench pytorch_250 "$torch_python" bench/infer_pytorch.py "$checkpoint" "$work/views.pth" || true
  bench pytorch_25cl "$torch_python" bench/infer_pytorch.py "$checkpoint" "$work/views.pth" \
    --chunk 25 --channels-last || true
  notes+=("the pytorch rows are the model alone, on views decoded beforehand: not a whole demo")
else
  skipped+=("plain PyTorch: $torch_python has no torch (apt-get install python3-torch)")
fi

printf '\n%-14s %9s %12s %13s %9s %9s  %s\n' run "wall s" "peak RSS MB" "minor faults" "user s" "sys s" "top-5"
for row in "${rows[@]}"; do
  IFS='|' read -r name metrics top <<<"$row"
  read -r w r f u s <<<"$metrics"
  if [[ $name == pytorch_* ]]; then
    top=$("$torch_python" -c 'import json, sys
print(" ".join(f"{c}: {s:.4f}" for c, s in json.loads(open(sys.argv[1]).read().splitlines()[-1])["top5"]))' "$work/$name.out")
  fi
  printf '%-14s %9s %12s %13s %9s %9s  %s\n' "$name" "$w" "$r" "$f" "$u" "$s" "$top"
done
tub=$(median tubelet)
for row in "${rows[@]}"; do
  IFS='|' read -r name metrics _ <<<"$row"
  [ "$name" = tubelet ] && continue
  python3 - "$name" "$tub" "$metrics" <<'PY'
import sys
name, t, o = sys.argv[1], list(map(float, sys.argv[2].split())), list(map(float, sys.argv[3].split()))
print(f'tubelet / {name}: wall {t[0] / o[0]:.2f}x, peak RSS {t[1] / o[1]:.2f}x, minor faults {t[2] / max(o[2], 1):.2f}x')
PY
done
for row in "${rows[@]}"; do
  name=${row%%|*}
  [ -f "$work/$name.hangs" ] &&
    notes+=("$name hung $(wc -l <"$work/$name.hangs") time(s) past ${RUN_TIMEOUT:-600} s; killed and rerun")
done
for s in "${notes[@]}"; do echo "note: $s"; done
for s in "${skipped[@]}"; do echo "skipped: $s"; done
