#!/usr/bin/env bash
# Story slides from the built binary: tests/cli/slides_tests.py.
exec python3 "$2/tests/cli/slides_tests.py" "$@"
