#!/usr/bin/env bash
# `tubelet infer` on one and on many inputs, with a tiny trained recognizer: the single-video
# text of demo.py; JSON lines; --out-file; several paths, a folder of videos, a quoted glob, --list and a
# rawframe folder in one process; a progress bar; inputs that fail reported by path while the
# rest go on, with a non-zero exit status; and MMAction2's real videos when ../shared has them.
# Usage: infer_test.sh SOURCE_DIR TUBELET
set -euo pipefail
src=$1 tubelet=$(realpath "$2")
command -v ffmpeg >/dev/null || { echo "SKIP: ffmpeg is not installed"; exit 0; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
"$src/tests/apis/make_tiny_recognizer.sh" "$src" "$tubelet" "$work/tiny"
cd "$work/tiny"
infer() { "$tubelet" infer config.py checkpoint.pth "$@"; }
labels='(moving_left|moving_right|moving_up|moving_down|rotating_clockwise|rotating_anticlockwise|growing|shrinking|blinking|static)'

# One video: demo.py's text, unchanged.
out=$(infer videos/video_00000.mp4 --label-map label_map.txt --topk 3 2>"$work/err") ||
  { cat "$work/err"; fail "one video"; }
[ "$(head -1 <<<"$out")" = "The top-3 labels with corresponding scores are:" ] || fail "text: $out"
[ "$(grep -cE "^$labels: [0-9.e-]+$" <<<"$out")" -eq 3 ] || fail "text lines: $out"
[ "$(wc -l <<<"$out")" -eq 4 ] || fail "text has more lines: $out"

# --json -: one object, the same classes as the text, labels null without a label map.
json=$(infer videos/video_00000.mp4 --label-map label_map.txt --topk 3 --json - 2>"$work/err") ||
  { cat "$work/err"; fail "--json -"; }
[ "$(wc -l <<<"$json")" -eq 1 ] || fail "--json - printed more than one line: $json"
grep -q '^{"input": "videos/video_00000.mp4", ' <<<"$json" || fail "JSON input: $json"
# "label: score" from the JSON's topk and from the text, side by side: same labels, same scores.
from_json=$(grep -o '"label": "[^"]*", "score": [0-9.e+-]*' <<<"$json" |
  sed 's/"label": "\([^"]*\)", "score": /\1 /')
from_text=$(tail -n +2 <<<"$out" | sed 's/: / /')
paste -d ' ' <(echo "$from_json") <(echo "$from_text") |
  awk 'NF != 4 || $1 != $3 { exit 1 }
       { d = $2 - $4; if (d < 0) d = -d; s = $2 < 0 ? -$2 : $2; if (d > 1e-5 * s + 1e-7) exit 1 }
       END { if (NR != 3) exit 1 }' || fail "JSON and text disagree: $json / $out"
infer videos/video_00000.mp4 --json "$work/one.json" >/dev/null 2>"$work/err" ||
  { cat "$work/err"; fail "--json FILE"; }
grep -q '"label": null' "$work/one.json" || fail "labels without a label map: $(cat "$work/one.json")"

# A folder of videos: each of them, one JSON line each, with a progress bar in videos/s.
infer videos --json "$work/folder.jsonl" >"$work/folder.out" 2>"$work/folder.err" ||
  { cat "$work/folder.err"; fail "a folder of videos"; }
[ "$(wc -l <"$work/folder.jsonl")" -eq 20 ] || fail "20 videos gave $(wc -l <"$work/folder.jsonl") lines"
grep -q "20/20, [0-9.]* task/s" "$work/folder.err" || { cat "$work/folder.err"; fail "no progress bar"; }
[ "$(grep -c '^videos/video_000[0-9][0-9].mp4:$' "$work/folder.out")" -eq 20 ] ||
  fail "text of several videos is not headed by their paths: $(head "$work/folder.out")"
head -1 "$work/folder.jsonl" | grep -q '"input": "videos/video_00000.mp4"' || fail "folder order"
# The same scores as one video alone.
single=$(infer videos/video_00000.mp4 --json - 2>"$work/err") || { cat "$work/err"; fail "one video"; }
[ "$(head -1 "$work/folder.jsonl")" = "$single" ] || fail "in a folder: $(head -1 "$work/folder.jsonl") alone: $single"

# Several paths, a quoted glob, --list and a rawframe folder (no video files in it) together.
printf '%s\n' videos/video_00001.mp4 '' '  videos/video_00002.mp4  ' >"$work/list.txt"
infer videos/video_00003.mp4 'videos/video_0001*.mp4' rawframes/video_00004 --list "$work/list.txt" \
  --json - 2>"$work/many.err" >"$work/many.jsonl" || { cat "$work/many.err"; fail "many inputs"; }
inputs=$(grep -o '^{"input": "[^"]*"' "$work/many.jsonl" | sed 's/^{"input": "//; s/"$//' | paste -sd ' ')
want="videos/video_00003.mp4 $(echo videos/video_0001*.mp4) rawframes/video_00004 videos/video_00001.mp4 videos/video_00002.mp4"
[ "$inputs" = "$want" ] || fail "inputs run: $inputs, expected: $want"

# --out-file: the video again, every frame, the top-k lines drawn, no audio; one input only.
infer videos/video_00000.mp4 --label-map label_map.txt --topk 3 --out-file "$work/annotated.mp4" \
  >/dev/null 2>"$work/err" || { cat "$work/err"; fail "--out-file"; }
frames() {
  ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames \
    -of csv=p=0 "$1"
}
[ "$(frames "$work/annotated.mp4")" = "$(frames videos/video_00000.mp4)" ] ||
  fail "--out-file has $(frames "$work/annotated.mp4") frames, the input $(frames videos/video_00000.mp4)"
if ffprobe -v error -show_entries stream=codec_type -of csv=p=0 "$work/annotated.mp4" | grep -q audio; then
  fail "--out-file kept an audio track"
fi
if infer videos/video_00000.mp4 videos/video_00001.mp4 --out-file "$work/two.mp4" 2>"$work/err" >/dev/null; then
  fail "--out-file with two inputs succeeded"
fi
grep -q "out-file takes one input video" "$work/err" || fail "--out-file, two inputs: $(cat "$work/err")"

# Failures: a missing file, a corrupt video, a glob without matches; the rest still run.
head -c 3000 /dev/urandom >"$work/corrupt.mp4"
set +e
infer videos/video_00005.mp4 "$work/missing.mp4" "$work/corrupt.mp4" 'nothing/*.mp4' videos/video_00006.mp4 \
  --json "$work/failed.jsonl" >/dev/null 2>"$work/failed.err"
status=$?
set -e
[ "$status" -ne 0 ] || fail "failed inputs gave exit status 0"
[ "$(wc -l <"$work/failed.jsonl")" -eq 5 ] || fail "not one line per input: $(cat "$work/failed.jsonl")"
[ "$(grep -c '"topk"' "$work/failed.jsonl")" -eq 2 ] || fail "the good videos: $(cat "$work/failed.jsonl")"
for bad in "$work/missing.mp4" "$work/corrupt.mp4" 'nothing/\*.mp4'; do
  grep -q "error: .*$bad" "$work/failed.err" || { cat "$work/failed.err"; fail "no error naming $bad"; }
  grep -q "\"input\": \"$bad\", \"error\": " "$work/failed.jsonl" || fail "no JSON error for $bad"
done
grep -q "3 of 5 inputs failed" "$work/failed.err" || { cat "$work/failed.err"; fail "no summary"; }

# One missing video: the error names it, exit status 1; no input at all is an error too.
if infer "$work/missing.mp4" 2>"$work/err" >/dev/null; then fail "a missing video succeeded"; fi
grep -q "missing.mp4' does not exist" "$work/err" || { cat "$work/err"; fail "missing video: $(cat "$work/err")"; }
if infer 2>"$work/err" >/dev/null; then fail "no input succeeded"; fi
grep -q "no input" "$work/err" || fail "no input: $(cat "$work/err")"
if infer --list "$work/nolist.txt" 2>"$work/err" >/dev/null; then fail "a missing list succeeded"; fi
grep -q "nolist.txt" "$work/err" || fail "missing list: $(cat "$work/err")"

# MMAction2's real videos (test.avi has packed B-frames) and rawframes, in one process.
assets=$src/../shared/data/mmaction2-assets
if [ -f "$assets/demo.mp4" ]; then
  infer "$assets/demo.mp4" "$assets/test.mp4" "$assets/test.avi" "$assets/imgs" --label-map label_map.txt \
    --json "$work/real.jsonl" >/dev/null 2>"$work/real.err" || { cat "$work/real.err"; fail "real videos"; }
  [ "$(grep -c '"topk"' "$work/real.jsonl")" -eq 4 ] || fail "real videos: $(cat "$work/real.jsonl")"
else
  echo "note: $assets is absent: MMAction2's videos not tried"
fi
echo "tubelet infer: one video, JSON, folders, globs, lists, rawframes, failures: ok"
