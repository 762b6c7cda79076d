#!/usr/bin/env bash
# Config loading: Tubelet against mmcv 1.7.0's Config.fromfile on the same files, in one run.
# Usage: bench/config_load_vs_mmcv.sh MMCV_CONFIG_PY [BUILD_DIR]
#   MMCV_CONFIG_PY: mmcv/utils/config.py of an mmcv v1.7.0 checkout (it is run with a small
#   stand-in for the `addict` package; yapf is not needed to load configs).
# Both sides load every .py under configs/ (with their _base_ files), 20 passes, in-process.
set -euo pipefail
mmcv_config=${1:?usage: $0 MMCV_CONFIG_PY [BUILD_DIR]}
here=$(cd "$(dirname "$0")/.." && pwd)
build=${2:-$here/build}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# mmcv's Config needs addict.Dict (a dict with attribute access) and two small helpers.
cat >"$work/addict.py" <<'PY'
class Dict(dict):
    def __init__(self, *args, **kwargs):
        super().__init__()
        for k, v in dict(*args, **kwargs).items():
            self[k] = self._hook(v)
    @classmethod
    def _hook(cls, item):
        if isinstance(item, dict) and not isinstance(item, Dict):
            return cls(item)
        if isinstance(item, (list, tuple)):
            return type(item)(cls._hook(e) for e in item)
        return item
    def __getattr__(self, k):
        return self[k]
PY
sed -e '/^from yapf/d' \
    -e 's/^from .misc import import_modules_from_strings$/def import_modules_from_strings(**kw): pass/' \
    -e 's/^from .path import check_file_exist$/def check_file_exist(f): pass/' \
    "$mmcv_config" >"$work/mmcv_config.py"

python_ms=$(cd "$here" && PYTHONPATH="$work" python3 - <<'PY'
import glob, time
from mmcv_config import Config
files = sorted(glob.glob('configs/**/*.py', recursive=True))
Config.fromfile(files[0])
t = time.perf_counter()
for _ in range(20):
    for f in files:
        Config.fromfile(f)
print((time.perf_counter() - t) / 20 * 1000)
PY
)
tubelet_ms=$("$build/bin/config_load_bench" --benchmark_filter=BM_LoadEveryConfig \
  --benchmark_min_time=2 --benchmark_format=json 2>/dev/null |
  python3 -c "import json,sys; b=json.load(sys.stdin)['benchmarks'][0]; print(b['real_time'])")
python3 - "$python_ms" "$tubelet_ms" <<'PY'
import sys
py, cc = float(sys.argv[1]), float(sys.argv[2])
print(f"load every config under configs/: mmcv {py:.1f} ms, tubelet {cc:.1f} ms, "
      f"tubelet is {py / cc:.1f}x faster")
PY
