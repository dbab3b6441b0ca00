#!/usr/bin/env bash
# What the screen shows, checked from outside through --stats and
# screenshots: tests/cli/screen_tests.py.
exec python3 "$2/tests/cli/screen_tests.py" "$@"
