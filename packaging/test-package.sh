#!/usr/bin/env bash
# Builds the .deb with CPack, unpacks it into a temporary root with dpkg -x and
# checks what it holds: the program runs (--version), the man page and its
# sections, the completions (bash loads and completes subcommands), the
# Depends line, the conffile and the maintainer scripts, the configuration in
# /etc puts the state in /var/lib/infinity-sync, copyright and changelog,
# lintian finds no error, and the systemd units pass `systemd-analyze verify`
# and the serve unit's `systemd-analyze security` exposure is below 4.0 (where
# those programs exist; otherwise it says why that part is skipped).
# Usage: test-package.sh BUILD_DIR
set -euo pipefail
build=${1:?usage: test-package.sh BUILD_DIR}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

(cd "$build" && cpack -G DEB -B "$work/out" >"$work/cpack.log" 2>&1) ||
  { cat "$work/cpack.log" >&2; fail "cpack -G DEB"; }
deb=$(ls "$work"/out/*.deb)
[ -f "$deb" ] || fail "no .deb in $work/out"
echo "package: $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB)"

depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
# (Boost.System is header-only in 1.81: the program links no libboost_system.)
for lib in adduser libcurl4 libc-ares2 libyaml-cpp0.7 libfmt9 libssl3 libstdc++6; do
  [[ "$depends" == *"$lib"* ]] || fail "Depends lacks $lib"
done

# The configuration is a conffile (dpkg keeps local edits); the maintainer
# scripts create the system user and are executable.
control="$work/control"
dpkg-deb -e "$deb" "$control"
conffile=/etc/infinity-sync/infinity-sync.yaml
grep -qx "$conffile" "$control/conffiles" || fail "conffiles lacks $conffile: $(cat "$control/conffiles" 2>&1)"
for script in postinst prerm postrm; do
  [ -x "$control/$script" ] || fail "no executable $script"
  sh -n "$control/$script" || fail "$script: syntax"
done
# postinst configure, with stand-ins for the commands it runs: it creates the
# user when getent does not know it, and leaves an existing one alone.
stubs="$work/stubs"
mkdir "$stubs"
for cmd in adduser systemctl chown chmod; do
  printf '#!/bin/sh\necho "%s $*" >>"%s"\n' "$cmd" "$work/calls" >"$stubs/$cmd"
done
printf '#!/bin/sh\nexit %s\n' 2 >"$stubs/getent"
chmod +x "$stubs"/*
PATH="$stubs:$PATH" sh "$control/postinst" configure || fail "postinst configure exited $?"
grep -qx "adduser --quiet --system --group --home /var/lib/infinity-sync --gecos infinity-sync service infinity-sync" \
  "$work/calls" || fail "postinst did not create the system user: $(cat "$work/calls")"
printf '#!/bin/sh\nexit 0\n' >"$stubs/getent"
: >"$work/calls"
PATH="$stubs:$PATH" sh "$control/postinst" configure || fail "postinst configure (user exists) exited $?"
! grep -q "^adduser" "$work/calls" || fail "postinst ran adduser for an existing user"

root="$work/root"
dpkg -x "$deb" "$root"
version=$("$root/usr/bin/infinity-sync" --version)
[[ "$version" == "infinity-sync "* ]] || fail "--version printed '$version'"
echo "installed: $version"

# The configuration in /etc parses and keeps the state in /var/lib/infinity-sync
# (not next to itself: the units' ProtectSystem=strict makes /etc read-only).
config="$root$conffile"
[ -f "$config" ] || fail "no $conffile"
checks=$("$root/usr/bin/infinity-sync" --config "$config" run --list-checks) ||
  fail "$conffile: run --list-checks exited $?"
[[ "$checks" == *"git "*"GitSync"* ]] || fail "run --list-checks printed: $checks"
grep -qx "status_file: /var/lib/infinity-sync/infinity-sync-status.json" "$config" ||
  fail "the status file of $conffile is not in /var/lib/infinity-sync"
# The program resolves it there (on a machine where the package runs, the file exists).
if [ ! -e /var/lib/infinity-sync/infinity-sync-status.json ]; then
  set +e
  status=$("$root/usr/bin/infinity-sync" --config "$config" status 2>&1)
  set -e
  [[ "$status" == *"/var/lib/infinity-sync/infinity-sync-status.json does not exist"* ]] ||
    fail "status with $conffile: $status"
fi
grep -qx "store: sqlite:/var/lib/infinity-sync/infinity-sync.db" "$config" ||
  fail "the history of $conffile is not in /var/lib/infinity-sync"

doc="$root/usr/share/doc/infinity-sync"
[ -f "$doc/copyright" ] || fail "no copyright"
grep -q "^Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/" "$doc/copyright" ||
  fail "copyright is not in the machine-readable format"
[ -f "$doc/changelog.gz" ] || fail "no changelog.gz"
package_version=$(dpkg-deb -f "$deb" Version)
changelog_version=$(gzip -dc "$doc/changelog.gz" | head -1 | sed -n 's/^infinity-sync (\([^)]*\)).*/\1/p')
[ "$changelog_version" = "$package_version" ] ||
  fail "changelog's last entry is '$changelog_version', the package is $package_version"

man="$root/usr/share/man/man1/infinity-sync.1.gz"
[ -f "$man" ] || fail "no man page (gzip-compressed, as Debian ships them)"
man_text=$(gzip -dc "$man")
for part in ".TH INFINITY-SYNC 1" ".SS run" ".SS init" "--dry-run" "--watch" "--force" \
  ".SH DESCRIPTION" ".SH EXAMPLES" ".SH EXIT STATUS" ".SH FILES" ".SH ENVIRONMENT" \
  "/etc/infinity\\-sync/infinity\\-sync.yaml" "/var/lib/infinity\\-sync" \
  "INFINITY_SYNC_TOKEN" "GH_TOKEN" "GITHUB_TOKEN" "GOOGLE_APPLICATION_CREDENTIALS" \
  "CLOUDSDK_CONFIG" "NO_COLOR" "DOCKER_HOST" ".B 78" ".B 75"; do
  [[ "$man_text" == *"$part"* ]] || fail "man page lacks '$part'"
done
if command -v man >/dev/null; then
  # man renders it without a troff warning (LC_ALL=C.UTF-8: same output everywhere).
  rendered=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$man" 2>"$work/man.log") ||
    { cat "$work/man.log" >&2; fail "man -l"; }
  [ ! -s "$work/man.log" ] || { cat "$work/man.log" >&2; fail "man page: troff warnings"; }
  [[ "$rendered" == *"EXIT STATUS"* ]] || fail "rendered man page lacks EXIT STATUS"
fi

if command -v lintian >/dev/null; then
  # Errors fail the test (lintian exits 1); warnings are shown.
  rc=0
  lintian --tag-display-limit 0 "$deb" >"$work/lintian.log" 2>&1 || rc=$?
  cat "$work/lintian.log"
  ! grep -q "^E: " "$work/lintian.log" || fail "lintian found errors"
  [ "$rc" -eq 0 ] || fail "lintian exited $rc"
  echo "lintian: no errors"
else
  echo "lintian not found: the package was not linted (scripts/install-deps.sh installs it)"
fi

bash_completion="$root/usr/share/bash-completion/completions/infinity-sync"
out=$(bash -c "source '$bash_completion'; complete -p infinity-sync;
  COMP_WORDS=(infinity-sync s); COMP_CWORD=1; _infinity_sync; echo \"\${COMPREPLY[*]}\"")
[[ "$out" == *"complete -F _infinity_sync infinity-sync"* ]] || fail "bash completion not registered"
[[ "$out" == *"status serve"* ]] || fail "bash completion of 's': $out"
[ -f "$root/usr/share/zsh/vendor-completions/_infinity-sync" ] || fail "no zsh completion"
[ -f "$root/usr/share/fish/vendor_completions.d/infinity-sync.fish" ] || fail "no fish completion"
[ -f "$root/usr/share/doc/infinity-sync/cron.example" ] || fail "no cron.example"
[ -f "$root/usr/share/doc/infinity-sync/examples/infinity-sync.rules.yml" ] || fail "no Prometheus alert rules"

units="$root/usr/lib/systemd/system"
for unit in infinity-sync.service infinity-sync-run.service infinity-sync-run.timer; do
  [ -f "$units/$unit" ] || fail "no $unit"
done
for unit in infinity-sync.service infinity-sync-run.service; do
  for line in User=infinity-sync StateDirectory=infinity-sync ProtectSystem=strict \
    "ExecStart=infinity-sync .*--config $conffile"; do
    grep -qx "$line" "$units/$unit" || fail "$unit lacks $line"
  done
done
if command -v systemd-analyze >/dev/null; then
  # ExecStart names the program without a folder (systemd finds it in /usr/bin);
  # point it at the unpacked one, which is not on systemd's search path.
  mkdir "$work/units"
  for unit in "$units"/*; do
    sed "s|^ExecStart=infinity-sync |ExecStart=$root/usr/bin/infinity-sync |" "$unit" \
      >"$work/units/$(basename "$unit")"
  done
  (cd "$work/units" && systemd-analyze verify --man=no ./infinity-sync.service \
    ./infinity-sync-run.service ./infinity-sync-run.timer) 2>"$work/verify.log" ||
    { cat "$work/verify.log" >&2; fail "systemd-analyze verify"; }
  [ ! -s "$work/verify.log" ] || { cat "$work/verify.log" >&2; fail "systemd-analyze warned"; }
  echo "systemd-analyze verify: ok"
  # The serve unit's sandbox: "OK" needs an exposure below 4.0 (0 safe, 10 exposed).
  if (cd "$work/units" && systemd-analyze security --offline=true ./infinity-sync.service) \
    >"$work/security.log" 2>&1; then
    exposure=$(sed -n 's/.*Overall exposure level for infinity-sync.service: \([0-9.]*\).*/\1/p' \
      "$work/security.log")
    [ -n "$exposure" ] || { cat "$work/security.log" >&2; fail "no exposure level"; }
    awk -v e="$exposure" 'BEGIN { exit !(e < 4.0) }' ||
      { grep "✗" "$work/security.log" >&2; fail "infinity-sync.service exposure $exposure, not below 4.0"; }
    echo "systemd-analyze security: infinity-sync.service exposure $exposure"
  elif grep -q "unrecognized option\|Unknown option" "$work/security.log"; then
    echo "systemd-analyze security --offline is not supported here: the exposure was not checked"
  else
    cat "$work/security.log" >&2
    fail "systemd-analyze security"
  fi
else
  echo "systemd-analyze not found: unit files not verified"
fi
echo "PASS"
