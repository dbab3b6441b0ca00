#!/bin/bash
# The layering rule of docs/design.md, checked on the sources:
#   - an include names its layer ("layer/file.h") and points only to a layer
#     the including one may use; never "../";
#   - no function longer than 120 lines (from its opening brace to its
#     closing one), no file in src/ longer than 700 lines.
# The build enforces the includes too (one include root per layer,
# CMakeLists.txt); this check also covers what the build cannot see: a
# header included by nobody, a test, and the sizes.
# Usage: tests/layering.sh [SOURCE_DIR]. Prints FILE:LINE: why, one line per
# breach, and exits 1 if there is any.
set -u
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root" || exit 2

# Each layer and the layers it may use (itself included).
declare -A uses=(
  [core]="core"
  [spool]="core spool"
  [text]="core text"
  [render]="core text render"
  [feed]="core spool feed"
  [fleet]="core spool fleet"
  [app]="core spool text render app"
  [cli]="core spool text render feed fleet app cli"
)
FUNC_MAX=120
FILE_MAX=700

status=0
for layer in "${!uses[@]}"; do
  for dir in "src/$layer" "tests/$layer"; do
    [ -d "$dir" ] || continue
    files=$(find "$dir" -maxdepth 1 -type f \( -name '*.c' -o -name '*.h' \) | sort)
    [ -n "$files" ] || continue
    # shellcheck disable=SC2086
    awk -v layer="$layer" -v allowed=" ${uses[$layer]} " -v insrc="${dir%%/*}" \
        -v func_max="$FUNC_MAX" -v file_max="$FILE_MAX" '
      function report(msg) { printf "%s:%d: %s\n", FILENAME, FNR, msg; bad = 1 }
      FNR == 1 {
        if (prev != "" && insrc == "src" && prevlines > file_max)
          printf "%s:%d: %d lines; a source file may have %d\n", prev, prevlines, prevlines, file_max
        if (prev != "" && insrc == "src" && prevlines > file_max) bad = 1
        prev = FILENAME; open = 0; sig = ""
      }
      { prevlines = FNR }
      /^[ \t]*#[ \t]*include[ \t]*"/ {
        inc = $0
        sub(/^[^"]*"/, "", inc); sub(/".*$/, "", inc)
        if (inc ~ /\.\.\//) {
          report("#include \"" inc "\" climbs with ../; name the layer: \"layer/file.h\"")
        } else if (inc ~ /\//) {
          dep = inc; sub(/\/.*$/, "", dep)
          if (index(allowed, " " dep " ") == 0)
            report(layer " may not include " inc " (" layer " uses" allowed "only)")
        } else if (insrc == "src" && inc != "kabar_build.h") {
          report("#include \"" inc "\" does not name its layer: \"" layer "/" inc "\"")
        }
      }
      # Functions: Linux braces, the opening one alone at the start of a line.
      /^[A-Za-z_].*\(/ && !open { sig = $0; sub(/\(.*/, "", sig); n = split(sig, w, /[ \t*]+/); sig = w[n] }
      /^\{/ { open = FNR; name = sig }
      /^\}/ && open {
        len = FNR - open + 1
        if (len > func_max) {
          printf "%s:%d: function %s is %d lines; a function may have %d\n", FILENAME, open, name, len, func_max
          bad = 1
        }
        open = 0
      }
      END {
        if (prev != "" && insrc == "src" && prevlines > file_max) {
          printf "%s:%d: %d lines; a source file may have %d\n", prev, prevlines, prevlines, file_max
          bad = 1
        }
        exit bad
      }
    ' $files || status=1
  done
done

# A folder of src/ that is not a layer has no rule: say so rather than pass it.
for dir in src/*/; do
  layer=$(basename "$dir")
  if [ -z "${uses[$layer]+x}" ]; then
    echo "$dir: not a layer of tests/layering.sh; give it a rule"
    status=1
  fi
done
exit $status
