#!/bin/bash
# dabba info as the rig's user: the store's path and size, and the host's pieces for rootless
# containers, with the user's own subuid/subgid ranges; a missing piece comes with its fix.
set -euo pipefail
# shellcheck source=lib/pull.sh
source "$(dirname "$0")/lib/pull.sh"
rig_setup info

out=$(dabba_user info 2>&1) && rc=0 || rc=$?
check_eq "info runs (empty store)" 0 "$rc"
check "it names the store path" grep -q "path: *$STORE\$" <<<"$out"
check "an empty store is not created yet" grep -q "not created yet" <<<"$out"
range() { # range FILE: the user's first range as START-END
  awk -F: -v u="$RIG_USER" -v id="$(id -u "$RIG_USER")" \
    '($1 == u || $1 == id) { print $2 "-" $2 + $3 - 1; exit }' "$1"
}
check "subuid: the user's range $(range /etc/subuid)" \
  grep -Eq "ok +subuid ranges +$(range /etc/subuid) " <<<"$out"
check "subgid: the user's range $(range /etc/subgid)" \
  grep -Eq "ok +subgid ranges +$(range /etc/subgid) " <<<"$out"
check "user namespaces work" grep -Eq "ok +user namespaces .*unshare\(CLONE_NEWUSER\) works" <<<"$out"
check "newuidmap is found setuid" grep -Eq "ok +newuidmap +/.*newuidmap \(setuid root" <<<"$out"
check "overlay with userxattr mounts on the store's filesystem" \
  grep -Eq "ok +overlay \(userxattr\) +mounted in a user namespace" <<<"$out"
check "the cgroup version is named" grep -Eq "cgroups +v[12]" <<<"$out"
check "slirp4netns's version" grep -Eq "ok +slirp4netns .*version [0-9]" <<<"$out"
check "/dev/net/tun" grep -Eq "(ok|MISSING) +/dev/net/tun" <<<"$out"
check "every non-ok line is followed by its fix" "$RIG_PYTHON" -c '
import re, sys
lines = sys.stdin.read().splitlines()
for i, l in enumerate(lines):
    if re.match(r"\s+(MISSING|limited)\s", l) and not (i + 1 < len(lines) and "fix:" in lines[i + 1]):
        sys.exit("no fix after: " + l)' <<<"$out"
check "the overlay probe leaves nothing behind" \
  test -z "$(find "$WORK" -maxdepth 3 -name '.dabba-overlay-probe-*')"

dabba_user pull -q "$FIXTURE_BUSYBOX" >/dev/null 2>&1
out=$(dabba_user info 2>&1)
check "with an image: the store's size" grep -Eq "size: +[0-9.]+ [kMG]B" <<<"$out"
check "with an image: one image" grep -Eq "images: +1 " <<<"$out"
check_done
