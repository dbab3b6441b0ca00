#!/usr/bin/env bash
# Video walls: tiles stitched equal one wide screen, under the virtual clock
# and then live with real clocks (tests/cli/wall_tests.py, wall_live.py).
set -e
python3 "$2/tests/cli/wall_tests.py" "$@"
python3 "$2/tests/cli/wall_tests.py" "$@" live
