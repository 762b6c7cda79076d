#!/usr/bin/env bash
# Installs Tubelet into a scratch prefix, builds examples/plugin against the installed CMake
# package, and checks that the command loads it and builds its module from a config.
# Usage: out_of_tree_plugin.sh SOURCE_DIR BUILD_DIR [PREFIX_PATH]
# PREFIX_PATH: where the build found LibTorch (':'-separated), searched after the install.
set -euo pipefail
src=$1 build=$2 prefix_path=${3:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
CMAKE_PREFIX_PATH="$prefix_path${CMAKE_PREFIX_PATH:+:$CMAKE_PREFIX_PATH}" \
  cmake -S "$src/examples/plugin" -B "$work/plugin" -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/plugin" >/dev/null
tubelet="$work/prefix/bin/tubelet"

out=$("$tubelet" --plugin "$work/plugin/libmy_plugin.so" list-modules BACKBONES)
grep -q "MyBackbone" <<<"$out" || { echo "MyBackbone not listed:"; echo "$out"; exit 1; }

out=$(TUBELET_PLUGIN_PATH="$work/plugin" "$tubelet" inspect "$src/examples/plugin/my_backbone_config.py")
# inspect prints JSON; one entry per line pair: ["backbone.conv.weight", [8, 3, 3, 3]]. The
# plugin's backbone sits inside MMAction2's Recognizer2D, next to a built-in head.
flat=$(tr -d ' \n' <<<"$out")
for entry in '["backbone.conv.weight",[8,3,3,3]]' '["backbone.conv.bias",[8]]' \
  '["cls_head.fc_cls.weight",[4,8]]'; do
  grep -qF "$entry" <<<"$flat" || { echo "no $entry in the inspect output:"; echo "$out"; exit 1; }
done
out=$("$tubelet" --plugin "$work/plugin/libmy_plugin.so" list-modules OPTIMIZERS)
grep -q "MyOptimizer" <<<"$out" || { echo "MyOptimizer not listed:"; echo "$out"; exit 1; }
out=$(TUBELET_PLUGIN_PATH="$work/plugin" "$tubelet" param-groups "$src/examples/plugin/my_optimizer_config.py")
grep -q '"a": 0.01' <<<"$out" || { echo "unexpected param-groups output:"; echo "$out"; exit 1; }

if "$tubelet" inspect "$src/examples/plugin/my_backbone_config.py" 2>"$work/err"; then
  echo "expected a failure without the plugin path"; exit 1
fi
grep -q "plugin 'my_plugin' not found on the plugin path" "$work/err" || { cat "$work/err"; exit 1; }
echo "out-of-tree plugin: built, loaded by --plugin and by custom_imports, module built"
