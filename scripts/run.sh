#!/usr/bin/env bash
# Sets up, builds, and runs a dry-run sync of the repository this script
# stands in, with the embedded defaults (or its infinity-sync.yaml).
# Extra arguments go to `infinity-sync run`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/install-deps.sh"
cmake -S "$root" -B "$root/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$root/build" --target infinity-sync
cd "$root"
exec "$root/build/infinity-sync" run --dry-run "$@"
