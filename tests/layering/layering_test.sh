#!/usr/bin/env bash
# The include graph against the layer order of tests/layering/layers.txt: every
# #include "..." in include/, src/ and tools/ must name a header of the including file's own
# folder or of a folder on a lower level. Fails listing each FILE:LINE with both layers; also
# fails on a folder layers.txt does not place, a header that cannot be found, a public
# header (include/) that includes a private one (src/), and a private header of another folder.
# Usage: layering_test.sh SOURCE_DIR
set -euo pipefail
src=${1:?usage: layering_test.sh SOURCE_DIR}
cd "$src"
layers=tests/layering/layers.txt

# The folders the tree has: each must have a level.
folders=$( { ls -d include/tubelet/*/ src/*/ 2>/dev/null | xargs -n1 basename; echo core; echo tools; } | sort -u)
headers=$( { find include src tools -type f \( -name '*.h' -o -name '*.hpp' -o -name '*.cpp' \) ; } | sort)

grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' include src tools |
awk -v layers="$layers" -v folders="$folders" -v headers="$headers" '
  BEGIN {
    while ((getline line < layers) > 0) {
      sub(/#.*/, "", line)
      n = split(line, f, /[[:space:]]+/)
      if (n == 0 || (n == 1 && f[1] == "")) continue
      if (f[1] == "") { for (i = 1; i < n; i++) f[i] = f[i + 1]; n-- }
      if (f[1] == "allow") { allowed[f[2] " " f[3]] = 1; continue }
      if (f[1] == "generated") { generated[f[2]] = 1; continue }
      if (f[1] !~ /^[0-9]+$/) { printf "%s: bad line: %s\n", layers, line; bad = 1; continue }
      level[f[2]] = f[1] + 0
    }
    split(folders, fl, "\n")
    for (i in fl) if (fl[i] != "" && !(fl[i] in level)) {
      printf "%s: folder %s has no layer\n", layers, fl[i]; bad = 1
    }
    split(headers, hl, "\n")
    for (i in hl) exists[hl[i]] = 1
  }
  # The layer of a path under include/, src/ or tools/.
  function folder_of(path,   p) {
    if (path ~ /^tools\//) return "tools"
    if (path ~ /^include\/tubelet\//) {
      p = substr(path, 17)
      return index(p, "/") ? substr(p, 1, index(p, "/") - 1) : "core"
    }
    if (path ~ /^src\//) {
      p = substr(path, 5)
      return index(p, "/") ? substr(p, 1, index(p, "/") - 1) : "core"
    }
    return ""
  }
  # a/b/../c -> a/c
  function normalize(path,   n, parts, out, k, i) {
    n = split(path, parts, "/"); k = 0
    for (i = 1; i <= n; i++) {
      if (parts[i] == "." || parts[i] == "") continue
      if (parts[i] == "..") { if (k > 0) k--; continue }
      out[++k] = parts[i]
    }
    path = ""
    for (i = 1; i <= k; i++) path = path (i > 1 ? "/" : "") out[i]
    return path
  }
  {
    # FILE:LINE:text
    file = $0; sub(/:.*/, "", file)
    rest = substr($0, length(file) + 2); lineno = rest; sub(/:.*/, "", lineno)
    inc = rest; sub(/^[^"]*"/, "", inc); sub(/".*/, "", inc)
    dir = file; sub(/\/[^\/]*$/, "", dir)
    # Resolved as the compiler does for "...": beside the file, then include/, then src/
    # (the library'"'"'s private include directory), then tools/ for the command.
    target = ""
    if (normalize(dir "/" inc) in exists) target = normalize(dir "/" inc)
    else if (("include/" inc) in exists) target = "include/" inc
    else if (("src/" inc) in exists) target = "src/" inc
    else if (file ~ /^tools\// && (("tools/" inc) in exists)) target = "tools/" inc
    if (target == "" && (inc in generated)) next
    if (target == "") { printf "%s:%s: cannot find \"%s\"\n", file, lineno, inc; bad = 1; next }
    from = folder_of(file); to = folder_of(target)
    if ((file " " target) in allowed) next
    if (file ~ /^include\// && target ~ /^src\//) {
      printf "%s:%s: public header includes private %s\n", file, lineno, target; bad = 1
    }
    if (from != to && target ~ /^src\//) {
      printf "%s:%s: %s includes %s, a private header of %s\n", file, lineno, from, target, to
      bad = 1; count++
    }
    if (from == to) next
    if (!(from in level) || !(to in level)) next  # reported above
    if (level[to] < level[from]) next
    kind = level[to] > level[from] ? "upward" : "sideways"
    printf "%s:%s: %s (level %d) includes %s (%s, level %d): %s\n", file, lineno, from,
           level[from], target, to, level[to], kind
    bad = 1; count++
  }
  END {
    if (count) printf "%d include(s) against the layer order of %s\n", count, layers
    exit bad
  }'
echo "layering: every include follows $layers"
