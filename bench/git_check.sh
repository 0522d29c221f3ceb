#!/usr/bin/env bash
# Benchmark: `infinity-sync run --only git` against a local bare remote, as a
# ratio of running `git fetch` + `git status --porcelain=v2 --branch` directly,
# measured in the same run with hyperfine. Target: at most 1.3x.
#
#   bench/git_check.sh [path/to/infinity-sync]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${1:-$root/build/infinity-sync}"
runs="${RUNS:-40}"
command -v hyperfine >/dev/null || { echo "hyperfine is needed (scripts/install-deps.sh)" >&2; exit 1; }
[ -x "$bin" ] || { echo "build first: $bin not found" >&2; exit 1; }
bin="$(realpath "$bin")"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 HOME="$work"
export GIT_AUTHOR_NAME=b GIT_AUTHOR_EMAIL=b@example.invalid GIT_COMMITTER_NAME=b GIT_COMMITTER_EMAIL=b@example.invalid
git init -q --bare --initial-branch=main "$work/remote.git"
git init -q --initial-branch=main "$work/clone"
cd "$work/clone"
for i in $(seq 1 200); do echo "$i" > "f$i.txt"; done
git add . && git commit -qm init && git remote add origin "$work/remote.git" && git push -q -u origin main
cat > "$work/cfg.yaml" <<YAML
git: { repo: $work/clone }
status_file: $work/status.json
YAML

hyperfine -N --warmup 5 --runs "$runs" --export-json "$work/h.json" \
  -n plain-git "sh -c 'git fetch --quiet --no-tags && git status --porcelain=v2 --branch -z >/dev/null'" \
  -n infinity-sync "sh -c '$bin run --only git --dry-run --json --config $work/cfg.yaml >/dev/null'" >/dev/null

python3 - "$work/h.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
ref, ours = r["plain-git"]["median"], r["infinity-sync"]["median"]
ratio = ours / ref
print(f"git check: infinity-sync {ours*1000:.1f} ms vs plain git {ref*1000:.1f} ms (median) "
      f"= {ratio:.2f}x  (target <= 1.3x: {'met' if ratio <= 1.3 else 'MISSED'})")
print(f"FIGURE|git check (`run --only git`)|{ours*1000:.1f} ms = {ratio:.2f}x|plain `git fetch` + "
      f"`git status` {ref*1000:.1f} ms|<= 1.3x|{'met' if ratio <= 1.3 else 'MISSED'}")
PY
