#!/usr/bin/env bash
# The include-direction check (cmake/check_layers.cmake) must fail on an
# upward include, naming file:line and both folders, and pass on a tree whose
# includes all go down. Usage: layer_check_test.sh CMAKE CHECK_SCRIPT
set -euo pipefail
cmake_bin="$1"
script="$2"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/src/core" "$dir/src/ports" "$dir/src/server"
printf '#pragma once\n#include <string>\n#include "core/b.h"\n' >"$dir/src/core/a.h"
printf '#pragma once\n' >"$dir/src/core/b.h"
printf '#include "core/a.h"\n#include "ports/p.h"\n' >"$dir/src/server/s.cpp"
printf '#pragma once\n#include "core/a.h"\n' >"$dir/src/ports/p.h"
layers="core;ports;cloud;checks;store;notify;engine;server;cli"

# Downward only: passes.
"$cmake_bin" -DSRC="$dir/src" "-DLAYERS=$layers" -P "$script"

# A deliberately wrong include: core reaches up into server.
printf '#pragma once\n\n#include "server/routes.h"\n' >"$dir/src/core/c.h"
if out="$("$cmake_bin" -DSRC="$dir/src" "-DLAYERS=$layers" -P "$script" 2>&1)"; then
  echo "FAIL: the check passed an upward include"; exit 1
fi
grep -q 'src/core/c.h:3: core/ may not include server/' <<<"$out" ||
  { echo "FAIL: the error does not name the place:"; echo "$out"; exit 1; }

# The same file named as an exception passes (the mechanism for files still
# to be moved down); any other upward include still fails.
"$cmake_bin" -DSRC="$dir/src" "-DLAYERS=$layers" -DALLOW=core/c.h -P "$script"
printf '#include "cli/app.h"\n' >"$dir/src/ports/q.cpp"
if "$cmake_bin" -DSRC="$dir/src" "-DLAYERS=$layers" -DALLOW=core/c.h -P "$script" 2>/dev/null; then
  echo "FAIL: an exception let another upward include through"; exit 1
fi
echo "layer check: ok"
