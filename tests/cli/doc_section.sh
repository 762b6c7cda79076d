# Sourced by the tests that run a docs/ section as a user follows it.
# doc_section FILE "## Heading": prints the section's ```bash blocks as one script, each block
# preceded by a "# FILE:LINE" comment (so a failure points at the doc's line).
doc_section() {
  awk -v section="$2" '
    /^## / { insection = ($0 == section) }
    insection && !inblock && /^```bash$/ { inblock = 1; printf "\n# %s:%d\n", FILENAME, NR; next }
    inblock && /^```[ \t]*$/ { inblock = 0; next }
    inblock { print }
  ' "$1"
}
