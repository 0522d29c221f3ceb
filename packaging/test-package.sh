#!/usr/bin/env bash
# Builds the .deb with CPack, unpacks it into a temporary root with dpkg -x and
# checks what it holds: the program runs (--version), the man page, the
# completions (bash loads and completes subcommands), the Depends line, and the
# systemd units pass `systemd-analyze verify` where that program exists.
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
for lib in libcurl4 libc-ares2 libyaml-cpp0.7 libfmt9 libssl3 libstdc++6; do
  [[ "$depends" == *"$lib"* ]] || fail "Depends lacks $lib"
done

root="$work/root"
dpkg -x "$deb" "$root"
version=$("$root/usr/bin/infinity-sync" --version)
[[ "$version" == "infinity-sync "* ]] || fail "--version printed '$version'"
echo "installed: $version"

man="$root/usr/share/man/man1/infinity-sync.1"
[ -f "$man" ] || [ -f "$man.gz" ] || fail "no man page"
[ -f "$man.gz" ] && man_text=$(gzip -dc "$man.gz") || man_text=$(cat "$man")
for part in ".TH INFINITY-SYNC 1" ".SS run" ".SS init" "--dry-run" "--watch" "--force"; do
  [[ "$man_text" == *"$part"* ]] || fail "man page lacks '$part'"
done

bash_completion="$root/usr/share/bash-completion/completions/infinity-sync"
out=$(bash -c "source '$bash_completion'; complete -p infinity-sync;
  COMP_WORDS=(infinity-sync s); COMP_CWORD=1; _infinity_sync; echo \"\${COMPREPLY[*]}\"")
[[ "$out" == *"complete -F _infinity_sync infinity-sync"* ]] || fail "bash completion not registered"
[[ "$out" == *"status serve"* ]] || fail "bash completion of 's': $out"
[ -f "$root/usr/share/zsh/vendor-completions/_infinity-sync" ] || fail "no zsh completion"
[ -f "$root/usr/share/fish/vendor_completions.d/infinity-sync.fish" ] || fail "no fish completion"
[ -f "$root/usr/share/doc/infinity-sync/cron.example" ] || fail "no cron.example"

units="$root/usr/lib/systemd/system"
for unit in infinity-sync.service infinity-sync-run.service infinity-sync-run.timer; do
  [ -f "$units/$unit" ] || fail "no $unit"
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
else
  echo "systemd-analyze not found: unit files not verified"
fi
echo "PASS"
