#!/usr/bin/env bash
# examples/inference and docs/inference.md, as a user follows them: Tubelet installed into a
# scratch prefix; the doc's C++ and CMake blocks are the example's files (checked equal); its
# bash blocks run in order, in a folder with a tiny trained recognizer under the names the doc
# uses (they build the example out of tree against the installed package); and the example
# prints what `tubelet infer` prints, on MMAction2's demo.mp4 when ../shared has it.
# Usage: example_inference.sh SOURCE_DIR BUILD_DIR [PREFIX_PATH]
# PREFIX_PATH: where the build found LibTorch (':'-separated), searched after the install.
set -euo pipefail
src=$1 build=$2 prefix_path=${3:-}
doc=$src/docs/inference.md
command -v ffmpeg >/dev/null || { echo "SKIP: ffmpeg is not installed"; exit 0; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
started=$SECONDS

# ---- the doc's blocks: those after a `<!-- file: PATH -->` marker into files/PATH, the bash
# ones into one script.
mkdir -p "$work/files"
awk -v files="$work/files" -v script="$work/doc.sh" '
  function die(msg) { printf "%s:%d: %s\n", FILENAME, NR, msg > "/dev/stderr"; bad = 1; exit 1 }
  !inblock && /^<!-- file: [^ ]+ -->$/ { name = $3; next }
  !inblock && /^```/ {
    lang = substr($0, 4); inblock = 1; out = ""
    if (name != "") { out = files "/" name; gsub("/", "_", name); out = files "/" name }
    else if (lang == "bash") { out = script; printf "\n# %s:%d\n", FILENAME, NR >> script }
    else if (lang != "text") die("a " lang " block that is neither a file nor bash nor text")
    name = ""; next
  }
  inblock && /^```[ \t]*$/ { inblock = 0; if (out != "" && out != script) close(out); next }
  inblock { if (out != "") print >> out; next }
  END { if (!bad && inblock) die("unterminated code block") }
' "$doc" || fail "could not extract the blocks of $doc"
for f in examples/inference/main.cpp examples/inference/CMakeLists.txt; do
  block="$work/files/${f//\//_}"
  [ -f "$block" ] || fail "$doc has no block marked <!-- file: $f -->"
  diff -u "$src/$f" "$block" || fail "the block of $f in $doc differs from $f"
done
[ -s "$work/doc.sh" ] || fail "no bash blocks in $doc"

# ---- the names the doc uses, in its run folder.
cmake --install "$build" --prefix "$work/prefix" >/dev/null
tubelet="$work/prefix/bin/tubelet"
"$src/tests/apis/make_tiny_recognizer.sh" "$src" "$tubelet" "$work/tiny"
run="$work/run"
mkdir -p "$run"
for f in config.py checkpoint.pth label_map.txt videos rawframes; do ln -s "$work/tiny/$f" "$run/$f"; done
ln -s "$src/examples" "$run/examples"
demo=$src/../shared/data/mmaction2-assets/demo.mp4
[ -f "$demo" ] || { echo "note: $demo is absent: a synthetic video stands in"; demo="$work/tiny/videos/video_00003.mp4"; }
ln -s "$demo" "$run/demo.mp4"
echo "installed and trained in $((SECONDS - started)) s"

# ---- the doc's bash blocks, in order (the example is built there).
(cd "$run" && PATH="$work/prefix/bin:$PATH" TUBELET_PREFIX="$work/prefix" \
  CMAKE_PREFIX_PATH="$prefix_path${CMAKE_PREFIX_PATH:+:$CMAKE_PREFIX_PATH}" \
  bash -euo pipefail "$work/doc.sh") >"$work/doc.out" 2>&1 ||
  { cat "$work/doc.out"; fail "a bash block of $doc failed (above)"; }
[ -x "$run/build-example/recognize" ] || fail "the doc's commands did not build the example"

# ---- the example prints what `tubelet infer` prints, and fails as it does.
cd "$run"
want=$("$tubelet" infer config.py checkpoint.pth demo.mp4 --label-map label_map.txt 2>"$work/err") ||
  { cat "$work/err"; fail "tubelet infer"; }
got=$(build-example/recognize config.py checkpoint.pth demo.mp4 label_map.txt 2>"$work/err") ||
  { cat "$work/err"; fail "the example failed"; }
[ "$got" = "$want" ] || fail "the example printed
$got
and tubelet infer
$want"
[ "$(grep -c ': ' <<<"$got")" -eq 5 ] || fail "not 5 classes: $got"
if build-example/recognize config.py checkpoint.pth missing.mp4 2>"$work/err"; then
  fail "the example succeeded on a missing video"
fi
grep -q "missing.mp4' does not exist" "$work/err" || { cat "$work/err"; fail "the error does not name the video"; }
echo "inference example and docs/inference.md: blocks equal, $(grep -c '^# ' "$work/doc.sh") bash blocks run, example = tubelet infer; $((SECONDS - started)) s"
