#!/usr/bin/env bash
# The reference programs the benchmarks compare against (not needed to build or
# test): nginx (static files, loopback HTTPS), wrk (HTTP load), curl, hyperfine, bc.
# Stops the system nginx service a fresh install may start: the benchmarks run
# their own nginx on free loopback ports.
set -euo pipefail
"$(dirname "$0")/../scripts/install-deps.sh"
missing=()
for p in nginx wrk curl hyperfine bc; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq >/dev/null
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  if command -v systemctl >/dev/null && systemctl is-active --quiet nginx 2>/dev/null; then
    $SUDO systemctl stop nginx || true
  fi
fi
