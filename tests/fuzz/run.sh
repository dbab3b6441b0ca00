#!/usr/bin/env bash
# Runs each libFuzzer harness for SECONDS with its corpus and fails on any
# crash, leak, timeout or sanitizer report (make fuzz SECONDS=N).
#
#   tests/fuzz/run.sh BUILD_DIR [SECONDS] [HARNESS...]
#
# The checked-in seeds (tests/fuzz/corpus/HARNESS) are copied into a
# working corpus, BUILD_DIR/fuzz-corpus/HARNESS, which grows from run to
# run; crashing inputs land in BUILD_DIR/fuzz-artifacts/. A crash is made
# into a regression test: tests/LAYER/test_regress_*.c replays the input.
# The last line of each run's stats goes to BUILD_DIR/fuzz-figures.txt.
set -uo pipefail
build=${1:?usage: run.sh BUILD_DIR [SECONDS] [HARNESS...]}
seconds=${2:-60}
shift $(($# >= 2 ? 2 : 1))
here=$(cd "$(dirname "$0")" && pwd)
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=(fuzz_spool fuzz_text fuzz_config)

export SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy
# Leaks are errors; a UB report stops the run (KABAR_SANITIZE builds with
# -fno-sanitize-recover=undefined); symbolized stacks for the report.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

mkdir -p "$build/fuzz-artifacts"
figures="$build/fuzz-figures.txt"
: >"$figures"
failed=0
for h in "${harnesses[@]}"; do
  bin="$build/fuzz/$h"
  if [ ! -x "$bin" ]; then
    echo "fuzz: $bin is not built" >&2
    exit 2
  fi
  work="$build/fuzz-corpus/$h"
  mkdir -p "$work"
  cp -n "$here/corpus/$h/"* "$work/" 2>/dev/null || true
  log="$build/fuzz-$h.log"
  echo "fuzz: $h for ${seconds}s ($(ls "$work" | wc -l) inputs in the corpus)"
  # -timeout: one input taking more than 10 s is a hang; -rss_limit_mb: a
  # runaway allocation is a bug too. -dict would help JSON; the seeds do.
  "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
    -print_final_stats=1 -artifact_prefix="$build/fuzz-artifacts/$h-" \
    "$work" >"$log" 2>&1
  rc=$?
  stats=$(grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE)' "$log" | tail -1)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  echo "$h: rc=$rc execs=${execs:-?} exec/s=${rate:-?} corpus=$(ls "$work" | wc -l) $stats" |
    tee -a "$figures"
  if [ $rc -ne 0 ] || grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:' "$log"; then
    echo "fuzz: $h FAILED; see $log and $build/fuzz-artifacts/" >&2
    grep -m 20 -E 'ERROR|runtime error|SUMMARY|#[0-9]+ 0x' "$log" >&2
    failed=1
  fi
done
exit $failed
