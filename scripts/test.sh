#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite twice: a normal build (gcc,
# -Wall -Wextra -Werror), then an AddressSanitizer + UndefinedBehaviorSanitizer
# build with clang (-Werror too) that also builds the libFuzzer targets and
# fuzzes each for a few seconds (ctest label "fuzz"). Exits non-zero on the
# first failure and prints how long each phase took.
#
# Debug info is cut to line tables (-g1 / -gline-tables-only): stack traces
# keep file:line, the builds are about a third faster. The setting stays in
# the trees' CMake cache; pass -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g -DNDEBUG"
# (or use another build folder) for full debug info.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
jobs="${TEST_JOBS:-2}"
summary=()

phase() {
  local name="$1"; shift
  local t0=$SECONDS
  "$@"
  summary+=("$(printf '%-12s %4d s' "$name" $((SECONDS - t0)))")
  echo "== $name: $((SECONDS - t0)) s"
}

build_and_test() {
  local dir="$1"; shift
  echo "== build $dir ($*)"
  phase "configure $dir" cmake -S "$root" -B "$root/$dir" -G Ninja -DINFINITY_SYNC_WERROR=ON "$@" >/dev/null
  phase "build $dir" cmake --build "$root/$dir"
  echo "== test $dir"
  # shellcheck disable=SC2086  # TSAN_CTEST_ARGS is a list of words
  phase "ctest $dir" bash -c "cd '$root/$dir' && ctest --output-on-failure -j '$jobs' --timeout 300 ${TSAN_CTEST_ARGS:-}"
}

phase "packages" "$root/scripts/install-deps.sh"
build_and_test build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG"
if [ "${SKIP_SANITIZERS:-0}" != 1 ]; then
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
  build_and_test build-asan -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_CXX_FLAGS_DEBUG=-gline-tables-only -DINFINITY_SYNC_SANITIZE=ON -DINFINITY_SYNC_FUZZ=ON \
    -DINFINITY_SYNC_BENCH=OFF
fi
if [ "${SKIP_TSAN:-0}" != 1 ]; then
  # ThreadSanitizer (clang) over the unit and integration tests and the fault
  # suite; the browser, soak, package, fuzz and real-daemon tests stay with the
  # other builds (they test programs, not threads, and are the slowest here).
  export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1"
  TSAN_CTEST_ARGS="-LE 'browser|soak|fuzz|docker' -E PackageDeb" \
    build_and_test build-tsan -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_CXX_FLAGS_DEBUG="-O1 -gline-tables-only" -DINFINITY_SYNC_TSAN=ON -DINFINITY_SYNC_BENCH=OFF
fi
echo "== time per phase"
printf '   %s\n' "${summary[@]}"
