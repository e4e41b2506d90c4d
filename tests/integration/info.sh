#!/bin/bash
# dabba info as the rig's user: podman's info as YAML (the keys podman's own tests grep), then
# dabba's part: the store's path and size, and the host's pieces for rootless containers, with
# the user's own subuid/subgid ranges; a missing piece comes with its fix.
set -euo pipefail
# shellcheck source=lib/pull.sh
source "$(dirname "$0")/lib/pull.sh"
rig_setup info

out=$(dabba_user info 2>&1) && rc=0 || rc=$?
check_eq "info runs (empty store)" 0 "$rc"
for key in '^host:$' '^  arch: ' '^  buildahVersion: ' '^  conmon:$' '^    package: ' \
  '^  distribution:$' '^  logDriver: k8s-file$' '^  ociRuntime:$' '^    name: ' '^  os: linux$' \
  '^  rootless: true$' '^registries: ' '^store:$' '^  graphDriverName: overlay$' \
  "^  graphRoot: $STORE\$" '^  graphStatus: ' '^  imageStore:$' '^    number: 0$' '^  runRoot: ' \
  '^  cgroupManager: cgroupfs$' '^  cgroupVersion: v[12]$' '^version:$' '^  APIVersion: '; do
  check "podman's info YAML: $key" grep -Eq "$key" <<<"$out"
done
# dabba's checks as lines "STATUS  NAME  DETAIL" (and "fix: ..." after a piece that is not ok).
checks=$(awk '/^  - name: /{name=substr($0, 11)} /^    status: /{st=$2}
  /^    detail: /{d=substr($0, 13); gsub(/^\x27|\x27$/, "", d); print st "  " name "  " d}
  /^    fix: /{print "fix: " substr($0, 10)}' <<<"$out")
check "it names the store path" grep -q "path: *$STORE\$" <<<"$out"
check "an empty store is not created yet" grep -q "not created yet" <<<"$out"
range() { # range FILE: the user's first range as START-END
  awk -F: -v u="$RIG_USER" -v id="$(id -u "$RIG_USER")" \
    '($1 == u || $1 == id) { print $2 "-" $2 + $3 - 1; exit }' "$1"
}
check "subuid: the user's range $(range /etc/subuid)" \
  grep -Eq "ok +subuid ranges +$(range /etc/subuid) " <<<"$checks"
check "subgid: the user's range $(range /etc/subgid)" \
  grep -Eq "ok +subgid ranges +$(range /etc/subgid) " <<<"$checks"
check "user namespaces work" grep -Eq "ok +user namespaces .*unshare\(CLONE_NEWUSER\) works" <<<"$checks"
check "newuidmap is found setuid" grep -Eq "ok +newuidmap +/.*newuidmap \(setuid root" <<<"$checks"
check "overlay with userxattr mounts on the store's filesystem" \
  grep -Eq "ok +overlay \(userxattr\) +mounted in a user namespace" <<<"$checks"
check "the cgroup version is named" grep -Eq "cgroups +v[12]" <<<"$checks"
check "slirp4netns's version" grep -Eq "ok +slirp4netns .*version [0-9]" <<<"$checks"
check "/dev/net/tun" grep -Eq "(ok|MISSING) +/dev/net/tun" <<<"$checks"
check "every piece not ok is followed by its fix" "$RIG_PYTHON" -c '
import re, sys
lines = sys.stdin.read().splitlines()
for i, l in enumerate(lines):
    if re.match(r"(MISSING|limited)\s", l) and not (i + 1 < len(lines) and "fix:" in lines[i + 1]):
        sys.exit("no fix after: " + l)' <<<"$checks"
check "the overlay probe leaves nothing behind" \
  test -z "$(find "$WORK" -maxdepth 3 -name '.dabba-overlay-probe-*')"

dabba_user pull -q "$FIXTURE_BUSYBOX" >/dev/null 2>&1
out=$(dabba_user info 2>&1)
check "with an image: the store's size" grep -Eq "size: +[0-9.]+ [kMG]B" <<<"$out"
check "with an image: one image" grep -Eq "^    images: 1$" <<<"$out"
check "... and podman's imageStore number" grep -Eq "^    number: 1$" <<<"$out"
check_done
