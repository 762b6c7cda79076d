#!/usr/bin/env bash
# docs/adding_new_modules.md, followed literally: every ```cpp block and every block marked
# `<!-- file: NAME -->` is extracted to NAME; the C++ files and the doc's CMakeLists.txt are
# built out of tree, as one plugin, against an installed Tubelet; the plugin is loaded with
# --plugin and through the configs' custom_imports; and each of the doc's configs (the
# *_config.py files) trains a few iterations on a tiny synthetic set and is tested.
# Usage: doc_snippets_test.sh SOURCE_DIR BUILD_DIR [PREFIX_PATH]
# PREFIX_PATH: where the build found LibTorch (':'-separated), searched after the install.
set -euo pipefail
src=$1 build=$2 prefix_path=${3:-}
doc=$src/docs/adding_new_modules.md
command -v ffmpeg >/dev/null || { echo "SKIP: ffmpeg is not installed"; exit 0; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
started=$SECONDS

# ---- extract: C++ and CMake files into plugin/, configs into run/. A marker must be followed
# by its block; a cpp block must have a marker (each one is a file of the plugin).
mkdir -p "$work/plugin" "$work/run"
awk -v plugin="$work/plugin" -v run="$work/run" '
  function die(msg) { printf "%s:%d: %s\n", FILENAME, NR, msg > "/dev/stderr"; bad = 1; exit 1 }
  !inblock && /^<!-- file: [^ ]+ -->$/ { if (name != "") die("two file markers in a row"); name = $3; next }
  !inblock && /^```/ {
    lang = substr($0, 4); inblock = 1
    if (lang == "cpp" && name == "") die("a cpp block without a <!-- file: NAME.cpp --> marker")
    out = ""
    if (name != "") {
      if (lang == "cpp" && name !~ /\.cpp$/) die("cpp block named " name)
      if (lang == "python" && name !~ /\.py$/) die("python block named " name)
      out = (name ~ /\.py$/ ? run : plugin) "/" name
      if (seen[out]++) die("two blocks named " name)
      printf "" > out
      print name
    }
    name = ""; next
  }
  inblock && /^```[ \t]*$/ { inblock = 0; if (out != "") close(out); next }
  inblock { if (out != "") print > out; next }
  name != "" { die("the marker for " name " is not followed by a code block") }
  END { if (!bad && inblock) die("unterminated code block"); if (!bad && name != "") die("a marker at the end") }
' "$doc" >"$work/extracted" || fail "could not extract the blocks of $doc"
sources=$(cd "$work/plugin" && ls -- *.cpp 2>/dev/null || true)
configs=$(cd "$work/run" && ls -- *_config.py 2>/dev/null || true)
[ -n "$sources" ] || fail "no C++ blocks found in $doc"
[ "$(wc -w <<<"$sources")" -ge 8 ] || fail "only these C++ blocks found in $doc: $sources"
[ -f "$work/plugin/CMakeLists.txt" ] || fail "no CMakeLists.txt block found in $doc"
[ "$(wc -w <<<"$configs")" -ge 8 ] || fail "only these *_config.py blocks found in $doc: $configs"
# Every snippet is part of the plugin the doc's CMakeLists.txt builds.
for f in $sources; do
  grep -qw "$f" "$work/plugin/CMakeLists.txt" || fail "$f is not in the doc's CMakeLists.txt"
done
# What the snippets register, as "REGISTRY NAME" lines.
registered=$(cat "$work"/plugin/*.cpp | tr -d '\n' |
  grep -oE 'TUBELET_REGISTER(_FORCE)?\([A-Z_]+, *[A-Za-z0-9_]+' | sed -E 's/.*\(([A-Z_]+), *(.*)/\1 \2/')
[ "$(wc -l <<<"$registered")" -ge 8 ] || fail "only these registrations found: $registered"

# ---- build the plugin against the installed package, warnings as errors. Parsing LibTorch's
# headers is most of the time (minutes for 11 files on 2 busy cores, even with the doc's
# precompiled header), so the files compile in two unity batches: each snippet is still its
# own file, and one that defines a name another defines fails there as it would at link time.
cmake --install "$build" --prefix "$work/prefix" >/dev/null
CMAKE_PREFIX_PATH="$prefix_path${CMAKE_PREFIX_PATH:+:$CMAKE_PREFIX_PATH}" \
  cmake -S "$work/plugin" -B "$work/plugin/build" -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DCMAKE_CXX_FLAGS="-Wall -Wextra -Werror" -DCMAKE_UNITY_BUILD=ON \
  -DCMAKE_UNITY_BUILD_BATCH_SIZE=6 -DCMAKE_DISABLE_PRECOMPILE_HEADERS=ON >"$work/cmake.out" 2>&1 ||
  { cat "$work/cmake.out"; fail "configuring the doc's plugin"; }
cmake --build "$work/plugin/build" --parallel "$(nproc)" >"$work/build.out" 2>&1 ||
  { cat "$work/build.out"; fail "building the doc's snippets"; }
lib="$work/plugin/build/libmy_modules.so"
[ -f "$lib" ] || fail "the doc's CMakeLists.txt did not make libmy_modules.so"
tubelet="$work/prefix/bin/tubelet"
echo "built $(wc -w <<<"$sources") snippets in $((SECONDS - started)) s"

# ---- --plugin: every module the snippets register is listed in its registry.
while read -r registry name; do
  "$tubelet" --plugin "$lib" list-modules "$registry" | grep -qx "  $name" ||
    fail "$name is not listed in $registry with --plugin"
done <<<"$registered"

# ---- the configs, through custom_imports, on the data the doc describes.
cd "$work/run"
"$tubelet" make-synthetic data/synthetic --videos 20 --size 32 --frames 8 --seed 1 >/dev/null 2>&1
for list in train_list val_list; do sed 's/ /,/' "data/synthetic/$list.txt" >"data/synthetic/$list.csv"; done
export TUBELET_PLUGIN_PATH="$work/plugin/build"

out=$("$tubelet" inspect my_backbone_config.py)
grep -qF '["backbone.conv1.weight",[16,3,3,3]]' <<<"$(tr -d ' \n' <<<"$out")" ||
  { echo "$out"; fail "inspect does not list MyBackbone's weights under backbone."; }
out=$("$tubelet" param-groups my_optimizer_config.py)
grep -q '"a": 0.01' <<<"$out" || { echo "$out"; fail "param-groups of MyOptimizer"; }
# head_lr_mult=10 on top of bias_lr_mult=2: the classifier's bias gets 0.01 * 2 * 10.
out=$("$tubelet" param-groups my_optimizer_constructor_config.py)
tr -d ' \n' <<<"$out" | grep -qF '"params":["cls_head.fc_cls.bias"],"lr":0.2' ||
  { echo "$out"; fail "param-groups of MyOptimizerConstructor"; }

for config in $configs; do
  name=${config%.py}
  "$tubelet" train "$config" --work-dir "work_dirs/$name" --seed 1 >"$name.train.out" 2>&1 ||
    { cat "$name.train.out"; fail "train $config"; }
  [ -f "work_dirs/$name/epoch_1.pth" ] || { cat "$name.train.out"; fail "$config: no epoch_1.pth"; }
  grep -q '"mode": "train"' "work_dirs/$name"/*.log.json || fail "$config: no train entry in the log"
  out=$("$tubelet" test "$config" "work_dirs/$name/latest.pth" --eval top_k_accuracy 2>"$name.test.err") ||
    { cat "$name.test.err"; fail "test $config"; }
  grep -q "^top1_acc: [0-9.]*$" <<<"$out" || { echo "$out"; cat "$name.test.err"; fail "test $config printed no top1_acc"; }
done
grep -q "MyHook: iter 1, lr" my_hook_config.train.out || { cat my_hook_config.train.out; fail "MyHook logged nothing"; }
# RelativeStep by iteration, steps [2, 4]: iterations 3 and 4 run at 0.001.
grep -q '"lr": 0.001' work_dirs/my_lr_updater_config/*.log.json || fail "RelativeStep did not set lr 0.001"
echo "doc snippets: $(wc -w <<<"$sources") C++ files built as one plugin, $(wc -w <<<"$configs") configs trained and tested in $((SECONDS - started)) s"
