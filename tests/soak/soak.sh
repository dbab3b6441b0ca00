#!/usr/bin/env bash
# The soak (make soak HOURS=N; CI: the default week, about 3 minutes).
#
#   tests/soak/soak.sh RELEASE_KABAR SANITIZED_KABAR [HOURS]
#
# 1. HOURS simulated hours (default 168, a week) on the Release build, one
#    frame per simulated quarter second, while tests/soak/soak.py churns the
#    spool: resident memory and atlas bytes flat after warm-up (within 5 %),
#    every headline shown within its rotation bound, nothing shown after it
#    goes, no valid file rejected, every settled bad file rejected.
# 2. Two simulated days (or HOURS, if less) of the same on the AddressSanitizer
#    build: the same checks but flatness, and LeakSanitizer must report nothing
#    at exit (a leak makes the exit status non-zero).
# Figures go to soak-release.json and soak-asan.json beside the Release binary.
set -euo pipefail
release=${1:?usage: soak.sh RELEASE_KABAR SANITIZED_KABAR [HOURS]}
asan=${2:?usage: soak.sh RELEASE_KABAR SANITIZED_KABAR [HOURS]}
hours=${3:-168}
here=$(cd "$(dirname "$0")" && pwd)
asan_hours=$(python3 -c "print(min(48.0, float('$hours')))")
out=$(dirname "$release")
python3 "$here/soak.py" "$release" --hours "$hours" --hz 4 --size 640x180 --report "$out/soak-release.json"
python3 "$here/soak.py" "$asan" --hours "$asan_hours" --hz 4 --size 640x180 --no-flat \
  --report "$out/soak-asan.json"
