#!/usr/bin/env bash
# Installs every Debian 12 package that building, running and testing
# infinity-sync needs. Idempotent and quiet: packages already present are
# skipped without touching the network.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config git clang clang-format
  libclang-rt-14-dev  # clang's ASan/UBSan/libFuzzer runtimes (only recommended by clang)
  lld  # fast linker, used when present
  # libraries
  libcurl4-openssl-dev libc-ares-dev libyaml-cpp-dev nlohmann-json3-dev
  libcli11-dev libspdlog-dev libfmt-dev libssl-dev
  libboost1.81-dev libboost-system1.81-dev  # Beast/Asio for the HTTP server
  libsqlite3-dev libpq-dev  # the history store: SQLite, PostgreSQL
  docker.io docker-compose busybox-static  # the docker check against a real Engine (ctest -L docker)
  libhowardhinnant-date-dev tzdata  # maintenance windows' time zones (the system tz database)
  # tests and benchmarks
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  dnsmasq-base openssl python3 hyperfine
  lintian man-db  # the package test (packaging/test-package.sh): lint the .deb, render the man page
  fish zsh bash-completion  # the completion tests: fish, zsh, bash with and without bash-completion
  wrk  # bench/soak.sh, run by ctest (label soak)
  postgresql  # the store tests start their own server (initdb, pg_ctl)
  prometheus  # promtool: the alert rules in packaging/prometheus and the /metrics exposition
  chromium  # the dashboard's browser test (tests/browser), headless
  # the tests never need the network, but the CA bundle keeps TLS honest
  ca-certificates
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    missing+=("$p")
  fi
done
# node and npm drive the browser test; any install of them will do (Debian's
# nodejs + npm, or a nodejs that bundles npm).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi

if [ ${#missing[@]} -ne 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "installing: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq >/dev/null
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Only promtool is used; a fresh install may start the Prometheus server.
  if command -v systemctl >/dev/null && systemctl is-active --quiet prometheus 2>/dev/null; then
    $SUDO systemctl disable --now prometheus >/dev/null 2>&1 || true
  fi
fi

# The browser test's npm package (playwright-core), from its lock file.
"$(dirname "$0")/install-browser-deps.sh"
