#!/usr/bin/env bash
# One CPU training step (forward, loss, backward, SGD step) of TSN-R50 (1 video, 8 segments,
# 224x224) and I3D-R50 (1 clip of 8 frames, 224x224): Tubelet against PyTorch eager running
# the same network (bench/model_step_pytorch.py), in one run. Every measurement is its own
# process, so each peak RSS is that model's alone (library loading included on both sides).
# Both programs take more flags (--device, --batch, --frames, --size, --fp16); the GPU
# comparison is scripts/gpu-check.sh's.
# Usage: bench/model_step_vs_pytorch.sh [ITERATIONS=3] [WARMUP=1] [THREADS=0: default] [BUILD_DIR]
set -euo pipefail
iterations=${1:-3}
warmup=${2:-1}
threads=${3:-0}
here=$(cd "$(dirname "$0")/.." && pwd)
build=${4:-$here/build}
python=${PYTHON:-/usr/bin/python3}

results=$(mktemp)
trap 'rm -f "$results"' EXIT
for model in tsn i3d; do
  "$build/bin/model_step_bench" "$model" "$iterations" "$warmup" "$threads" >>"$results"
  "$python" "$here/bench/model_step_pytorch.py" "$model" "$iterations" "$warmup" "$threads" \
    >>"$results"
done
"$python" - "$results" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
for model in ('tsn', 'i3d'):
    cc = next(r for r in rows if r['model'] == model and r['side'] == 'tubelet')
    py = next(r for r in rows if r['model'] == model and r['side'] == 'pytorch')
    if cc['params'] != py['params']:
        print(f"warning: {model}: {cc['params']} parameters in tubelet, {py['params']} in pytorch")
    print(f"{model}-r50 step ({cc['threads']} threads, median of {cc['iterations']}): "
          f"tubelet {cc['median_ms']:.0f} ms, pytorch {py['median_ms']:.0f} ms, "
          f"tubelet/pytorch time {cc['median_ms'] / py['median_ms']:.2f}; "
          f"peak RSS tubelet {cc['peak_rss_mib']:.0f} MiB, pytorch {py['peak_rss_mib']:.0f} MiB")
PY
