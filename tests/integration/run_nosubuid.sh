#!/bin/bash
# A user with no /etc/subuid and /etc/subgid range: dabba still works with a single-id mapping
# (uid and gid 0 in the container = the user; setgroups denied), says once per command how to
# add a range, and an image with files of other owners fails to pull with an error naming the
# file, the uid and the fix, leaving no image and no layer behind. `info` names the missing
# ranges with the fix.
set -euo pipefail
# shellcheck source=lib/rig.sh
source "$(dirname "$0")/lib/rig.sh"
# shellcheck source=../fixtures/oci.sh
source "$(dirname "$0")/../fixtures/oci.sh"
rig_setup run_nosubuid

# A user of this test's own, without ranges (Debian's useradd adds some: they are removed).
NOSUB=dnosub$$
useradd -M -d "$WORK/nosub-home" -s /bin/sh "$NOSUB"
sed -i "/^$NOSUB:/d" /etc/subuid /etc/subgid
nosub_cleanup() {
  local rc=$?
  pkill -KILL -u "$NOSUB" 2>/dev/null || true
  sleep 0.2
  userdel "$NOSUB" 2>/dev/null || true
  sed -i "/^$NOSUB:/d" /etc/subuid /etc/subgid
  (exit $rc)
  rig_cleanup
}
trap nosub_cleanup EXIT
install -d -m 0700 -o "$NOSUB" "$WORK/nosub-home" "$WORK/nosub-run" "$WORK/nosub-store"
dabba_nosub() {
  runuser -u "$NOSUB" -- env -i -C /tmp PATH=/usr/local/bin:/usr/bin:/bin HOME="$WORK/nosub-home" \
    XDG_RUNTIME_DIR="$WORK/nosub-run" DABBA_HINTS=1 ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} \
    "$TEST_DABBA" --root "$WORK/nosub-store" "$@"
}

# An image whose files are all root's: what a single-id mapping can hold.
src=$WORK/rootonly
mkdir -p "$src/bin" "$src/etc" "$WORK/img"
cp /bin/busybox "$src/bin/"
for a in sh cat id echo; do ln -s busybox "$src/bin/$a"; done
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$src/etc/passwd"
printf 'root:x:0:\nwheel:x:10:root\n' >"$src/etc/group"
tar --numeric-owner --owner=0 --group=0 -C "$src" -cf "$WORK/l.tar" .
gzip -n -c "$WORK/l.tar" >"$WORK/l.tgz"
lhex=$(oci_sha256 "$WORK/l.tgz")
mv "$WORK/l.tgz" "$WORK/img/$lhex"
jq -n --arg d "sha256:$(oci_sha256 "$WORK/l.tar")" '{architecture: "amd64", os: "linux",
  config: {Env: ["PATH=/bin"], Cmd: ["sh"]}, rootfs: {type: "layers", diff_ids: [$d]}}' \
  >"$WORK/c.json"
chex=$(oci_sha256 "$WORK/c.json")
mv "$WORK/c.json" "$WORK/img/$chex"
jq -n --arg c "sha256:$chex" --argjson cs "$(stat -c %s "$WORK/img/$chex")" \
  --arg l "sha256:$lhex" --argjson ls "$(stat -c %s "$WORK/img/$lhex")" \
  '{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs},
    layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: $l, size: $ls}]}' \
  >"$WORK/img/manifest.json"
ROOTONLY=$REGISTRY/test-nosubuid/rootonly-$$:latest
oci_push_dir "$WORK/img" "$REGISTRY" "test-nosubuid/rootonly-$$" latest >/dev/null

uid=$(id -u "$NOSUB")
gid=$(id -g "$NOSUB")
out=$(dabba_nosub run --rm "$ROOTONLY" sh -c \
  'cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups; id' 2>"$WORK/err") || true
check_eq "a single-id mapping: 0 is the user, nothing else" \
  "0 $uid 1 0 $gid 1 deny uid=0(root) gid=0(root) groups=0(root)" "$(xargs <<<"$out")"
check_eq "one warning line, saying how to add a range" 1 \
  "$(grep -c "level=warning msg=\"no /etc/subuid or /etc/subgid range for $NOSUB.*usermod --add-subuids" "$WORK/err")"
check_eq "exit codes still come through" 7 \
  "$(dabba_nosub run --rm "$ROOTONLY" sh -c 'exit 7' >/dev/null 2>&1 || echo $?)"
check_eq "a file the container writes in a bind is the user's" "$NOSUB" \
  "$(install -d -o "$NOSUB" "$WORK/own" && dabba_nosub run --rm -v "$WORK/own:/own" "$ROOTONLY" \
    sh -c 'echo x >/own/f' 2>/dev/null && stat -c %U "$WORK/own/f")"

# --userns=keep-id needs no range: the nested map holds the user alone, at their own uid.
check_eq "keep-id: the user at their uid, alone in the map" "$uid $gid $uid 0 1 $NOSUB" \
  "$(dabba_nosub run --rm --network none --userns=keep-id "$ROOTONLY" sh -c \
    'echo $(id -u) $(id -g) $(cat /proc/self/uid_map) $(id -un)' 2>/dev/null)"
out=$(dabba_nosub run --rm --userns=nomap "$ROOTONLY" true 2>&1) && rc=0 || rc=$?
check_eq "nomap without a range: 125" 125 "$rc"
check "... saying so, with the fix" grep -q "nomap needs subordinate ids.*usermod --add-subuids" <<<"$(tr '\n' ' ' <<<"$out")"

# Files of uid 1000 (rig/busybox has /home/app) cannot be held: a clear error, nothing stored.
out=$(dabba_nosub pull "$FIXTURE_BUSYBOX" 2>&1) && rc=0 || rc=$?
check_eq "pull of an image with other owners fails (exit 125)" 125 "$rc"
check "... naming the file and the uid" grep -q "home/app: owner uid 1000 is not mapped" <<<"$out"
check "... with the fix" grep -q "hint: .*/etc/subuid" <<<"$out"
check_eq "... and no image is named" "$(dabba_nosub images -q 2>/dev/null | wc -l)" 1
check_eq "... no layer but the root-only one is kept" 1 \
  "$(find "$WORK/nosub-store/layers" -mindepth 1 -maxdepth 1 | wc -l)"
check "check finds the store sound" dabba_nosub check

info_out=$(dabba_nosub info 2>&1) || true  # (not $out: check has a local of that name)
# piece_line NAME REGEX: info's host check NAME has a line matching REGEX.
piece_line() { grep -A3 -x -- "  - name: $1" <<<"$info_out" | grep -Eq "$2"; }
check "info: subuid ranges MISSING" piece_line "subuid ranges" "^    status: MISSING$"
check "... none for the user" piece_line "subuid ranges" "^    detail: '?none for $NOSUB"
check "info: a summary comment names the missing pieces" grep -Eq '^# [0-9]+ pieces? (is|are) missing' \
  <<<"$info_out"
check "info: the fix" grep -q "usermod --add-subuids" <<<"$info_out"
check_done
