#!/bin/bash
# The Debian package, as a new user gets it from scripts/quickstart: cpack makes
# dabba_<version>_<arch>.deb from the build under test, `dpkg -i` (then `apt-get -f install` if
# something is missing) installs it into this machine, and the test user, in a new login shell,
# finds `dabba` on its PATH and runs a container with it. `dpkg -r` removes it at the end.
#
# Other tests are unaffected: they run their own copy of the binary by its full path, never
# `dabba` from PATH. dpkg has one database per machine, so runs of this test from several rigs
# take turns (flock). A dabba package installed by someone else is left alone (the test skips).
set -euo pipefail
source "$(dirname "$0")/lib/rig.sh"
rig_setup install_deb

BUILT=${DABBA:-$RIG_SOURCE_DIR/build/dabba}
BUILD_DIR=$(dirname "$BUILT")
if [ ! -r "$BUILD_DIR/CPackConfig.cmake" ]; then
  echo "SKIP: no CPackConfig.cmake in $BUILD_DIR (configure the build with cmake first)"
  exit 77
fi
if grep -q '^DABBA_SANITIZE:BOOL=ON' "$BUILD_DIR/CMakeCache.txt"; then
  echo "SKIP: packages are made from plain builds; $BUILD_DIR is a sanitizer build"
  exit 77
fi

exec 9>/run/dabba-install-deb.lock
flock -w 600 9 || { echo "FAIL: another install_deb test held the dpkg lock for 10 min"; exit 1; }
if dpkg-query -W -f='${Status}' dabba 2>/dev/null | grep -q "ok installed"; then
  echo "SKIP: a dabba package is installed on this machine already; not replacing it" \
    "(dpkg -r dabba lets this test run)"
  exit 77
fi

INSTALLED=0
on_exit() {
  local rc=$?
  if [ $INSTALLED = 1 ]; then
    kill_pause "$WORK/run" # the installed binary's pause process, before its binary goes
    dpkg -r dabba >/dev/null 2>&1 || echo "warning: dpkg -r dabba failed"
  fi
  (exit $rc) || true
  rig_cleanup
}
trap on_exit EXIT

# --- the package ---------------------------------------------------------------------------------
started=$SECONDS
check "cpack makes the package from $BUILD_DIR" \
  cpack --config "$BUILD_DIR/CPackConfig.cmake" -B "$WORK/package"
echo "     (cpack took $((SECONDS - started)) s)"
VERSION=$("$BUILT" --version | awk '{ print $NF }')
DEB=$WORK/package/dabba_${VERSION}_$(dpkg --print-architecture).deb
check "it is named dabba_<version>_<arch>.deb ($(basename "$DEB"))" test -s "$DEB"
[ -s "$DEB" ] || { check_done; exit 1; }
echo "     (package size: $(du -k "$DEB" | cut -f1) KiB)"

DEPENDS=$(dpkg-deb -f "$DEB" Depends)
echo "     Depends: $DEPENDS"
for dep in uidmap slirp4netns libcurl4 libc6 liblmdb0 libarchive13; do
  check "it depends on $dep" grep -qE "(^|, )$dep( |,|$)" <<<"$DEPENDS"
done
check "it recommends ca-certificates" grep -q ca-certificates <<<"$(dpkg-deb -f "$DEB" Recommends)"
CONTENTS=$(dpkg-deb -c "$DEB" | awk '{ print $NF }')
check "it holds /usr/bin/dabba" grep -qx './usr/bin/dabba' <<<"$CONTENTS"
check "it holds run -d's supervisor program as /usr/libexec/dabba/dabba-supervise" \
  grep -qx './usr/libexec/dabba/dabba-supervise' <<<"$CONTENTS"
check "it holds the README under /usr/share/doc/dabba" \
  grep -qx './usr/share/doc/dabba/README.md' <<<"$CONTENTS"
check "it holds the man pages (dabba-run(1), generated from the CLI)" \
  grep -qx './usr/share/man/man1/dabba-run.1' <<<"$CONTENTS"
for f in bash-completion/completions/dabba zsh/vendor-completions/_dabba \
  fish/vendor_completions.d/dabba.fish; do
  check "it holds the shell completion /usr/share/$f" grep -qx "./usr/share/$f" <<<"$CONTENTS"
done
mkdir "$WORK/unpacked"
dpkg-deb -x "$DEB" "$WORK/unpacked"
# stripped FILE: an ELF file without debug sections.
stripped() {
  local sections
  sections=$(readelf -S "$1") && ! grep -q '\.debug_info' <<<"$sections"
}
check "its binary is stripped (its symbols are in the -dbgsym .ddeb)" \
  stripped "$WORK/unpacked/usr/bin/dabba"
check "the -dbgsym .ddeb beside it holds the symbols" \
  test -s "$WORK/package/dabba-dbgsym_${VERSION}_$(dpkg --print-architecture).ddeb"

# --- installed -----------------------------------------------------------------------------------
INSTALLED=1
install_package() {
  dpkg -i "$DEB" || DEBIAN_FRONTEND=noninteractive apt-get -f install -y -q
  dpkg-query -W -f='${Status}' dabba | grep -q "install ok installed"
}
check "dpkg -i (then apt-get -f install if needed) installs it" install_package
check "/usr/bin/dabba is executable" test -x /usr/bin/dabba

# login_user CMD...: CMD in a new login shell of the test user (bash -l: /etc/profile's PATH, not
# ours), with this test's private HOME and XDG dirs; without the lock's fd (dabba's pause
# process outlives the command).
login_user() { as_user bash -l -c '"$@"' bash "$@" 9>&-; }

check_eq "a login shell of $RIG_USER finds dabba on its PATH" /usr/bin/dabba \
  "$(login_user sh -c 'command -v dabba' 2>&1)"
check_eq "dabba --version from PATH is the version built" "$("$BUILT" --version)" \
  "$(login_user dabba --version 2>&1)"
OUT=$(login_user dabba --root "$STORE" run --rm "$FIXTURE_BUSYBOX" echo hello from the package \
  2>"$WORK/run.stderr") || true
check_eq "dabba run --rm from PATH runs a container (pulled on first use)" "hello from the package" \
  "$OUT"
[ "$OUT" = "hello from the package" ] || sed 's/^/       | /' "$WORK/run.stderr"
check "dabba info from PATH reports the host" login_user dabba --root "$STORE" info
SUPERVISED=$(login_user dabba --root "$STORE" run -d "$FIXTURE_BUSYBOX" sleep 60 2>/dev/null </dev/null)
SUPERVISOR=$(login_user dabba --root "$STORE" inspect -f '{{.State.ConmonPid}}' "$SUPERVISED" 2>&1)
check_eq "run -d from PATH: its supervisor is the package's dabba-supervise" \
  /usr/libexec/dabba/dabba-supervise "$(readlink "/proc/$SUPERVISOR/exe" 2>&1)"
check "... and rm -f -t0 removes the container" login_user dabba --root "$STORE" rm -f -t0 "$SUPERVISED"

# --- removed -------------------------------------------------------------------------------------
kill_pause "$WORK/run"
check "dpkg -r removes it" dpkg -r dabba
INSTALLED=0
check_fails "no /usr/bin/dabba is left" test -e /usr/bin/dabba
check_fails "no /usr/share/doc/dabba is left" test -e /usr/share/doc/dabba
check_done
