#!/bin/bash
# `dabba run`/`create` --userns=keep-id|nomap|auto and --uidmap/--gidmap (issue 11): the nested
# user namespace podman 4.3 makes rootless (its maps, relative to dabba's own namespace, as
# /proc/self/uid_map shows them), keep-id's user and passwd entry, exec joining the namespace,
# inspect, podman's errors; root refuses the rootless-only modes.
set -euo pipefail
# shellcheck source=lib/run.sh
source "$(dirname "$0")/lib/run.sh"
run_setup run_userns
dabba_root pull -q "$BUSYBOX" >/dev/null 2>&1

uid=$(id -u "$RIG_USER")
gid=$(id -g "$RIG_USER")
group=$(id -gn "$RIG_USER")
# The size of dabba's namespace: the caller (0) and the subordinate ranges (1..N).
subids=$(awk -F: -v u="$RIG_USER" -v i="$uid" '$1 == u || $1 == i { n += $3 } END { print n }' \
  /etc/subuid)
size=$((subids + 1))
maps() { awk '{ print $1, $2, $3 }' | paste -sd'|'; }

# --- keep-id ----------------------------------------------------------------------------------
check_eq "keep-id: id -u, id -g are the caller's" "$uid $gid" \
  "$(dabba_user run --rm --userns=keep-id "$BUSYBOX" sh -c 'echo $(id -u) $(id -g)')"
check_eq "keep-id: podman's uid_map (uid -> 0, 0.. -> 1.., the rest unmoved)" \
  "0 1 $uid|$uid 0 1|$((uid + 1)) $((uid + 1)) $((size - uid - 1))" \
  "$(dabba_user run --rm --userns=keep-id "$BUSYBOX" cat /proc/self/uid_map | maps)"
check_eq "keep-id: gid_map alike" "0 1 $gid|$gid 0 1|$((gid + 1)) $((gid + 1)) $((size - gid - 1))" \
  "$(dabba_user run --rm --userns=keep-id "$BUSYBOX" cat /proc/self/gid_map | maps)"
check_eq "keep-id: whoami, the group's name" "$RIG_USER $group" \
  "$(dabba_user run --rm --userns=keep-id "$BUSYBOX" sh -c 'echo $(whoami) $(id -gn)')"
check_eq "keep-id: the passwd entry podman adds (home: the working dir) and HOME" \
  "$RIG_USER:*:$uid:$gid::/:/bin/sh HOME=/" \
  "$(dabba_user run --rm --userns=keep-id "$BUSYBOX" sh -c "echo \$(grep '^$RIG_USER:' /etc/passwd) HOME=\$HOME")"
check_eq "keep-id -w /tmp: home /tmp" "/tmp" \
  "$(dabba_user run --rm --userns=keep-id -w /tmp "$BUSYBOX" sh -c 'echo $HOME')"
check_eq "keep-id: the group entry" "$group:x:$gid:$RIG_USER" \
  "$(dabba_user run --rm --userns=keep-id "$BUSYBOX" grep "^$group:" /etc/group)"
check_eq "keep-id -u 0: root, in the same map" "0 $uid 0 1" \
  "$(dabba_user run --rm --userns=keep-id -u 0 "$BUSYBOX" sh -c 'echo $(id -u) $(sed -n 2p /proc/self/uid_map)')"

share=$(user_dir share)
dabba_user run --rm --userns=keep-id -v "$share:/share" "$BUSYBOX" \
  sh -c 'echo hi >/share/by-keep-id; mkdir /share/dir'
check_eq "keep-id: a file written to a bind-mounted dir is the caller's on the host" \
  "$uid:$gid $uid:$gid" "$(stat -c %u:%g "$share/by-keep-id" "$share/dir" | paste -sd' ')"
check_eq "keep-id: the caller's host file is theirs inside" "$uid" \
  "$(dabba_user run --rm --userns=keep-id -v "$share:/share" "$BUSYBOX" stat -c %u /share/by-keep-id)"
check_eq "keep-id: the process may write its home's files it owns" "ok" \
  "$(dabba_user run --rm --userns=keep-id -v "$share:/share" "$BUSYBOX" sh -c 'echo more >>/share/by-keep-id && echo ok')"
# As podman: the layers are owned for the nested map (store/mapped_layers.h), so the image's root
# files stay root's, for any --user, and / too.
for u in "" --user=0 --user=100; do
  # shellcheck disable=SC2086
  check_eq "keep-id $u: the image's root-owned files and / are 0:0" "0:0 0:0 0:0" \
    "$(dabba_user run --rm $u --userns=keep-id "$BUSYBOX" stat -c %u:%g /bin/busybox /etc / | xargs)"
done
check "keep-id: the caller cannot write the image's root-owned files" \
  dabba_user run --rm --userns=keep-id "$BUSYBOX" sh -c '! touch /etc/passwd 2>/dev/null'
check "keep-id: the store keeps one copy of the layer for that map" \
  test "$(find "$STORE/layers-mapped" -mindepth 2 -maxdepth 2 | wc -l)" -ge 1

check_eq "keep-id:uid=1000,gid=1000: the caller is 1000:1000" "1000 1000" \
  "$(dabba_user run --rm --userns=keep-id:uid=1000,gid=1000 "$BUSYBOX" sh -c 'echo $(id -u) $(id -g)')"
check_eq "keep-id:uid=1000,gid=1000: podman's map" \
  "0 1 1000|1000 0 1|1001 1001 $((size - 1001))" \
  "$(dabba_user run --rm --userns=keep-id:uid=1000,gid=1000 "$BUSYBOX" cat /proc/self/uid_map | maps)"
# The busybox fixture's /etc/passwd has "app" with uid 1000: no entry added then.
check_eq "keep-id:uid=1000: the image's user 1000 (app) is kept, no entry added" "app 1" \
  "$(dabba_user run --rm --userns=keep-id:uid=1000,gid=1000 "$BUSYBOX" sh -c 'echo $(whoami) $(grep -c ":1000:" /etc/passwd)')"

# --- nomap, auto, --uidmap ------------------------------------------------------------------
check_eq "nomap: root inside, the caller absent from uid_map" "0 0 0 1 $subids" \
  "$(dabba_user run --rm --userns=nomap "$BUSYBOX" sh -c 'echo $(id -u) $(awk "\$2 == 0 && \$1 != 0" /proc/self/uid_map | wc -l) $(cat /proc/self/uid_map)' | tr -s ' ')"
check_eq "nomap: the image's root-owned files stay root's (owned for its map)" "0" \
  "$(dabba_user run --rm --userns=nomap "$BUSYBOX" stat -c %u /bin/busybox)"
check_eq "auto: 1024 ids from 1" "0 1 1024|0 1 1024" \
  "$(dabba_user run --rm --userns=auto "$BUSYBOX" cat /proc/self/uid_map /proc/self/gid_map | maps)"
check_eq "auto:size=10" "0 1 10" \
  "$(dabba_user run --rm --userns=auto:size=10 "$BUSYBOX" cat /proc/self/uid_map | maps)"
check_eq "--uidmap 0:1:10 --uidmap 10:0:1 --gidmap 0:5:10: uid_map" "0 1 10|10 0 1" \
  "$(dabba_user run --rm --uidmap 0:1:10 --uidmap 10:0:1 --gidmap 0:5:10 "$BUSYBOX" \
    cat /proc/self/uid_map | maps)"
check_eq "... gid_map" "0 5 10" \
  "$(dabba_user run --rm --uidmap 0:1:10 --uidmap 10:0:1 --gidmap 0:5:10 "$BUSYBOX" \
    cat /proc/self/gid_map | maps)"
check_eq "--uidmap alone: the gid map is the same (podman)" "0 1 10" \
  "$(dabba_user run --rm --uidmap 0:1:10 "$BUSYBOX" cat /proc/self/gid_map | maps)"
check_eq "--uidmap 0:1:10 --uidmap 10:0:1 -u 10: the caller's uid on a host file" "$uid" \
  "$(dabba_user run --rm --uidmap 0:1:10 --uidmap 10:0:1 -u 10 -v "$share:/share" "$BUSYBOX" \
    sh -c 'touch /share/by-uidmap && id -u >/dev/null' && stat -c %u "$share/by-uidmap")"

# --- errors: exit 125 with podman's words -----------------------------------------------------
bad() {  # bad TEXT ARGS...: run ARGS fails with 125 and a message containing TEXT
  local text=$1 out rc
  shift
  out=$(dabba_user run --rm "$@" "$BUSYBOX" true 2>&1) && rc=0 || rc=$?
  check_eq "$* : 125" 125 $rc
  check "$* : '$text'" grep -qF -- "$text" <<<"$out"
}
bad "unrecognized namespace mode bogus passed" --userns=bogus
bad 'unknown option specified: "foo"' --userns=keep-id:foo=1
bad 'strconv.ParseUint: parsing "abc": invalid syntax' --userns=keep-id:uid=abc
bad "--userns and --uidmap/--gidmap/--subuidname/--subgidname are mutually exclusive" \
  --userns=keep-id --uidmap 0:1:10
bad 'UID setting is malformed expected ["uint32:uint32:uint32"]: ["0:1"]' --uidmap 0:1
bad "doesn't map UID 0" --uidmap 1:1:10
bad "could not find enough available IDs" --userns=auto:size=100000000
bad "maps ids beyond" --uidmap 0:1:100000000

# --- --hostuser -----------------------------------------------------------------------------------
check_eq "--hostuser NAME: the host's user in /etc/passwd as podman writes it, still root" \
  "$RIG_USER:*:$uid:$gid::/:/bin/sh 0" \
  "$(dabba_user run --rm --hostuser "$RIG_USER" "$BUSYBOX" sh -c "echo \$(grep '^$RIG_USER:' /etc/passwd) \$(id -u)")"
check_eq "--hostuser UID and root (already in the image): one line each" "1 1" \
  "$(dabba_user run --rm --hostuser "$uid" --hostuser root "$BUSYBOX" sh -c "echo \$(grep -c '^$RIG_USER:' /etc/passwd) \$(grep -c '^root:' /etc/passwd)")"
check_eq "--hostuser with keep-id: one line" "1" \
  "$(dabba_user run --rm --userns=keep-id --hostuser "$RIG_USER" "$BUSYBOX" grep -c "^$RIG_USER:" /etc/passwd)"
out=$(dabba_user run --rm --hostuser nosuchuser "$BUSYBOX" true 2>&1) && rc=0 || rc=$?
check_eq "--hostuser of an unknown user: 126, as podman's failed start" 126 "$rc"
check "... 'unknown user nosuchuser'" grep -qF "unknown user nosuchuser" <<<"$out"

# --- exec, inspect, create + start ------------------------------------------------------------
cid=$(dabba_user run -d --userns=keep-id "$BUSYBOX" sleep 60)
check_eq "exec into a keep-id container: the caller's uid" "$uid" "$(dabba_user exec "$cid" id -u)"
check_eq "exec: the container's user namespace" \
  "$(dabba_user exec "$cid" readlink /proc/1/ns/user)" "$(dabba_user exec "$cid" readlink /proc/self/ns/user)"
check_eq "exec: the nested map" "0 1 $uid|$uid 0 1|$((uid + 1)) $((uid + 1)) $((size - uid - 1))" \
  "$(dabba_user exec "$cid" cat /proc/self/uid_map | maps)"
check_eq "exec -u 0: root in the container" "0" "$(dabba_user exec -u 0 "$cid" id -u)"
check_eq "inspect: UsernsMode private and podman's IDMappings" \
  "private [0:1:$uid $uid:0:1 $((uid + 1)):$((uid + 1)):$((size - uid - 1))]" \
  "$(dabba_user inspect --format '{{.HostConfig.UsernsMode}} {{.HostConfig.IDMappings.UidMap}}' "$cid")"
dabba_user rm -f -t 0 "$cid" >/dev/null
cid=$(dabba_user run -d "$BUSYBOX" sleep 60)
check_eq "inspect without --userns: UsernsMode empty" "" \
  "$(dabba_user inspect --format '{{.HostConfig.UsernsMode}}' "$cid")"
dabba_user rm -f -t 0 "$cid" >/dev/null

cid=$(dabba_user create --userns=keep-id "$BUSYBOX" sh -c 'id -u; grep -c "^'"$RIG_USER"':" /etc/passwd')
check_eq "create --userns=keep-id, start -a: the caller, one passwd entry" "$uid 1" \
  "$(dabba_user start -a "$cid" | paste -sd' ')"
check_eq "... started again: still one entry" "$uid 1" "$(dabba_user start -a "$cid" | paste -sd' ')"
dabba_user rm -f "$cid" >/dev/null

# --- root ---------------------------------------------------------------------------------------
out=$(dabba_root run --rm --userns=keep-id "$BUSYBOX" true 2>&1) && rc=0 || rc=$?
check_eq "[root] keep-id: 125" 125 $rc
check "[root] ... podman's message" grep -q "keep-id is only supported in rootless mode" <<<"$out"
out=$(dabba_root run --rm --userns=nomap "$BUSYBOX" true 2>&1) && rc=0 || rc=$?
check_eq "[root] nomap: 125" 125 $rc
check "[root] ... podman's message" grep -q "nomap is only supported in rootless mode" <<<"$out"
check_eq "[root] --uidmap 0:200000:65536: the map in host ids" "0 200000 65536" \
  "$(dabba_root run --rm --uidmap 0:200000:65536 "$BUSYBOX" cat /proc/self/uid_map | maps)"
check_eq "[root] default: the identity" "0 0 4294967295" \
  "$(dabba_root run --rm "$BUSYBOX" cat /proc/self/uid_map | maps)"

# -t: the pty works in the nested namespace.
check_eq "keep-id -t: a tty, the caller's" "$uid" \
  "$(script -qc "runuser -u $RIG_USER -- env -i -C $WORK PATH=/usr/bin:/bin HOME=$WORK/home XDG_RUNTIME_DIR=$WORK/run $TEST_DABBA --root $STORE run --rm -t --userns=keep-id $BUSYBOX sh -c 'test -t 0 && stat -c %u \$(tty)'" /dev/null </dev/null | tr -d '\r')"

check_no_container_leftovers dabba_user "$STORE"
dabba_user rm -a -f >/dev/null 2>&1 || true
dabba_user rmi -a -f >/dev/null 2>&1 || true
dabba_user gc >/dev/null
check_eq "gc removes the layers' owned copies with the layers" 0 \
  "$(find "$STORE/layers-mapped" -mindepth 2 -maxdepth 2 2>/dev/null | wc -l)"
check "the store checks clean" dabba_user check
check_done
