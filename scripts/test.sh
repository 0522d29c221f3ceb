#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite twice: a normal build with
# -Wall -Wextra -Werror, then an AddressSanitizer + UndefinedBehaviorSanitizer
# build. Exits non-zero on the first failure.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/install-deps.sh"
jobs="${TEST_JOBS:-2}"

build_and_test() {
  local dir="$1"; shift
  echo "== build $dir ($*)"
  cmake -S "$root" -B "$root/$dir" -G Ninja -DINFINITY_SYNC_WERROR=ON "$@" >/dev/null
  cmake --build "$root/$dir"
  echo "== test $dir"
  (cd "$root/$dir" && ctest --output-on-failure -j "$jobs" --timeout 300)
}

build_and_test build -DCMAKE_BUILD_TYPE=RelWithDebInfo
if [ "${SKIP_SANITIZERS:-0}" != 1 ]; then
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
  build_and_test build-asan -DCMAKE_BUILD_TYPE=Debug -DINFINITY_SYNC_SANITIZE=ON -DINFINITY_SYNC_BENCH=OFF
fi
