#!/usr/bin/env bash
# Installs the browser test's npm package (playwright-core, pinned in
# tests/browser/package-lock.json) with `npm ci`. The browser itself is
# Debian's chromium (scripts/install-deps.sh); playwright downloads nothing.
# Idempotent: skipped when node_modules already matches the lock file.
set -euo pipefail
dir="$(cd "$(dirname "$0")/../tests/browser" && pwd)"
stamp="$dir/node_modules/.installed-from-lock"
if [ -f "$stamp" ] && cmp -s "$stamp" "$dir/package-lock.json"; then
  exit 0
fi
if ! command -v npm >/dev/null || ! command -v node >/dev/null; then
  echo "install-browser-deps: node and npm are needed (apt-get install nodejs npm)" >&2
  exit 1
fi
major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$major" -lt 20 ]; then
  echo "install-browser-deps: playwright-core needs node 20 or newer, found $(node --version)" >&2
  exit 1
fi
echo "installing tests/browser npm packages (npm ci)" >&2
(cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >&2)
cp "$dir/package-lock.json" "$stamp"
