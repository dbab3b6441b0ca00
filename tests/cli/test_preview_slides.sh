#!/usr/bin/env bash
# kabar preview --profile: an item's story slide per board profile, from the
# built binary: tests/cli/preview_slides_tests.py.
exec python3 "$2/tests/cli/preview_slides_tests.py" "$@"
