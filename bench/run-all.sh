#!/usr/bin/env bash
# Runs every benchmark in one go on this machine and writes the figures, each
# beside its reference and target, to build/bench-report.txt (and stdout).
# Figures that miss their target say MISSED; nothing is hidden.
#
#   bench/run-all.sh            (builds build/ first; about 35 minutes, 22 of them the soak)
#   SOAK_ARGS=--short bench/run-all.sh   (the one-minute soak instead; about 15 minutes)
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/bench/install-bench-deps.sh"
cmake -S "$root" -B "$root/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$root/build" >/dev/null
bin="$root/build/infinity-sync"
report="$root/build/bench-report.txt"
{
  echo "infinity-sync benchmarks, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "## run wall time vs the slowest check (target <= 1.2x)"; python3 "$root/bench/parallel_checks.py" "$bin" 7
  echo; echo "## git check vs plain git (target <= 1.3x)"; "$root/bench/git_check.sh" "$bin"
  echo; echo "## docker check, 200 services / 400 containers (target < 50 ms)"; "$root/bench/docker_check.sh" "$root/build" 15
  echo; echo "## gcp check warm (target < 30 ms) vs gcloud"; "$root/bench/gcp_check.sh" "$bin" 7
  echo; echo "## default dry run with a gcloud configuration vs git fetch + status (target <= 2x)"; "$root/bench/dry_run_gcloud.sh" "$bin" 7
  echo; echo "## HTTP probe vs curl"; "$root/bench/probe.sh" "$root/build"
  echo; echo "## server: req/s vs nginx static (target >= 0.5x, p99 < 10 ms), RSS (target < 30 MB)"; "$root/bench/serve_bench.sh" "$bin"
  echo; echo "## server load (64 and 512 connections, every GET route) and soak (no RSS/fd growth)"; "$root/bench/soak.sh" ${SOAK_ARGS:-} --bin "$bin"
  echo; echo "## history: 10,000 runs into SQLite (query target < 5 ms)"
  db="$(mktemp -d)/history.db"; "$root/build/bench/history_bench" 10000 "$db"; rm -rf "$(dirname "$db")"
  echo; echo "## fleet: 100 projects x 3 environments x 10,000 runs in PostgreSQL (GET /api/fleet target < 20 ms)"; "$root/bench/fleet_bench.sh" "$bin"
} 2>&1 | tee "$report.log"
# The table: every script prints its figures as FIGURE|name|ours|reference|target|verdict.
{
  head -1 "$report.log"
  echo
  echo "| figure | measured | reference (same run) | target | verdict |"
  echo "|---|---|---|---|---|"
  grep '^FIGURE|' "$report.log" | sed 's/^FIGURE|/| /; s/|/ | /g; s/$/ |/; s/  */ /g; s/^ //'
  missed=$(grep -c '^FIGURE|.*|MISSED$' "$report.log")
  echo
  echo "$missed figure(s) MISSED their target. The full output of every script follows."
  echo
  grep -v '^FIGURE|' "$report.log"
} > "$report"
rm -f "$report.log"
sed -n '1,/MISSED their target/p' "$report"
echo "written: $report"
