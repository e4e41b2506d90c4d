#!/bin/bash
# The root overlay as the store will hand it over: layer dirs in OverlayFS format, owned by the
# mapped ids. A whiteout (0:0 char device made inside a user namespace) hides a lower file, an
# opaque dir (user.overlay.opaque=y) hides a lower dir's content, and a 150-layer stack mounts with
# the new mount API (lowerdir+) and with the legacy option string (short relative names).
set -euo pipefail
# shellcheck source=lib/runner.sh
source "$(dirname "$0")/lib/runner.sh"
runner_setup runner_layers

L=$WORK/user/layers
as_test_user() { runuser -u "$TEST_USER" -- "$@"; }

# Lower layer content, then an upper layer with a whiteout and an opaque dir.
as_test_user sh -c "set -e; cd $L/base; mkdir -p data opaque; echo a >data/a; echo b >data/b;
  echo x >opaque/x; echo gone >gone"
as_test_user sh -c "set -e; mkdir -p $L/top/data $L/top/opaque; echo c >$L/top/data/c;
  echo y >$L/top/opaque/y; setfattr -n user.overlay.opaque -v y $L/top/opaque"
as_test_user unshare -Ur mknod "$L/top/gone" c 0 0
check_eq "the whiteout is a 0:0 char device" "character special file 0,0" \
  "$(stat -c '%F %t,%T' "$L/top/gone")"

for api in auto legacy; do
  run() { drv_user --mount-api $api --layer "$L/top" --layer "$L/base" \
    --container-dir "$(mktemp -u "$WORK/user/c.XXXXXX")" "$@"; }
  check_eq "[$api] merged dir shows both layers" "a b c" "$(run -- ls /data | xargs)"
  check_eq "[$api] opaque dir hides the lower content" "y" "$(run -- ls /opaque | xargs)"
  check_fails "[$api] whiteout hides the lower file" run -- test -e /gone
  check_eq "[$api] the top layer wins" "c" "$(run -- cat /data/c)"
  check_eq "[$api] read-only stack merges the same" "a b c|y" \
    "$(run --read-only -- sh -c 'echo $(ls /data)"|"$(ls /opaque)')"
  check "[$api] deleting a lower file in the container" run -- sh -c 'rm /data/a && ! test -e /data/a'
done
check_eq "layers are untouched by containers" "a b" "$(ls "$L/base/data" | xargs)"

# Copy-up keeps a subuid owner (the layer file is owned by uid 1000 in the container).
as_test_user unshare -Ur true
install -d -m 0755 -o "$TEST_USER" "$L/owned"
as_test_user sh -c "echo mine >$L/owned/f"
drv_user --layer "$L/owned" --layer "$L/base" --container-dir "$WORK/user/chown" -- \
  chown 1000:1000 /f
check_eq "a chown in the container lands on the subuid range" \
  "$(($(awk -F: -v u="$TEST_USER" '$1==u {print $2}' /etc/subuid) + 999))" \
  "$(stat -c %u "$WORK/user/chown/upper/f")"

# 150 layers named like the store's (layers/<64 hex>), each adding one file.
as_test_user sh -c "set -e; mkdir -p $L/many; cd $L/many; for i in \$(seq 1 150); do
  d=\$(printf '%064x' \$i); mkdir -p \$d/l; echo \$i >\$d/l/\$i; done"
many=()
for i in $(seq 150 -1 1); do many+=(--layer "$L/many/$(printf '%064x' "$i")"); done
for api in auto legacy; do
  for ro in "" --read-only; do
    check_eq "[$api$ro] 151 layers merge" "150 150" \
      "$(drv_user --mount-api $api $ro "${many[@]}" --layer "$BASE" \
        --container-dir "$(mktemp -u "$WORK/user/c.XXXXXX")" -- sh -c 'echo $(ls /l | wc -l) $(cat /l/150)')"
  done
done
# All in one directory: the legacy path names them relative to it, no fds needed.
as_test_user sh -c "cp -a $BASE $L/many/$(printf '%064x' 0)"
many+=(--layer "$L/many/$(printf '%064x' 0)")
check_eq "[legacy] relative names when the layers share a parent" "1" \
  "$(drv_user --mount-api legacy "${many[@]:0:100}" --layer "$L/many/$(printf '%064x' 0)" \
    --container-dir "$WORK/user/rel" -- sh -c 'grep -c "lowerdir=[0-9a-f]\{64\}:" /proc/mounts || true')"
check_eq "[lowerdir+] forced works here (kernel 6.8+)" "ok" \
  "$(drv_user --mount-api lowerdir+ --layer "$BASE" --container-dir "$WORK/user/plus" -- echo ok)"

check_no_leftovers
check_done
