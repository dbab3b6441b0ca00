#!/usr/bin/env bash
# No glyph cut by the bar or the panel, read back from kabar's pictures:
# tests/cli/fit_tests.py.
exec python3 "$2/tests/cli/fit_tests.py" "$@"
