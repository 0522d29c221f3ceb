#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan+UBSan) and runs each for a bounded
# time, seeded from the test fixtures. A crash stops the script with the
# reproducer path; turn each one into a unit test.
#
#   bench/fuzz.sh [SECONDS_PER_TARGET]      (default 60; CI uses a few seconds)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
secs="${1:-60}"
build="$root/build-fuzz"
"$root/scripts/install-deps.sh"
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DINFINITY_SYNC_FUZZ=ON -DINFINITY_SYNC_TESTS=OFF -DINFINITY_SYNC_BENCH=OFF >/dev/null
cmake --build "$build"

corpus_for() {
  case "$1" in
    config) echo "$root/tests/fixtures" ;;  # any YAML found there
    compose) echo "$root/tests/fixtures/compose" ;;
    cloud_run) echo "$root/tests/fixtures/cloud_run" ;;
    docker_json) echo "$root/tests/fixtures/docker" ;;
    oauth) echo "$root/tests/fixtures/google" ;;
    status_doc) echo "$root/tests/fixtures/server" ;;
    http_request) echo "$root/tests/fixtures/server/http_requests" ;;
    *) echo "" ;;
  esac
}

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1" UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
for target in "$build"/fuzz/fuzz_*; do
  name="$(basename "$target")"; name="${name#fuzz_}"
  work="$build/corpus/$name"; mkdir -p "$work" "$build/crashes"
  seed="$(corpus_for "$name")"
  if [ -n "$seed" ] && [ -d "$seed" ]; then
    find "$seed" -type f -size -64k -exec cp -n {} "$work/" \; 2>/dev/null || true
  fi
  echo "== fuzz $name for ${secs}s"
  "$target" "$work" -max_total_time="$secs" -max_len=65536 -timeout=10 \
    -artifact_prefix="$build/crashes/$name-" -print_final_stats=1 2>&1 | grep -E "^(stat::number_of_executed_units|Done|==[0-9]+==ERROR|SUMMARY)" || true
  if ls "$build/crashes/$name-"* >/dev/null 2>&1; then
    echo "fuzz $name: crash found, reproducer in $build/crashes/" >&2
    exit 1
  fi
done
echo "fuzz: no crashes"
