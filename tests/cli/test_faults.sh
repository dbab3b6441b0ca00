#!/usr/bin/env bash
# Faults a lobby screen meets (missing and corrupt fonts, a read-only or
# full disk, no file descriptors, signals, the spool folder replaced) and
# hostile spools (symlinks, a rejected/ that is a link, names and ids that
# point outside): tests/cli/faults_tests.py. Exits 77 (skipped) when no case
# could run, e.g. under an emulator.
exec python3 "$2/tests/cli/faults_tests.py" "$@"
