#!/bin/bash
# The store on the filesystems it meets: ext4, xfs and btrfs (loop-mounted images this test makes)
# and tmpfs: pull, run (the container writes in its upper dir), commit, rm, rmi, gc and
# check --deep on each. Then a full filesystem (ENOSPC) at each phase a user meets it (a layer's
# ingest, a container's record, a container's writes, a volume, a log): a clear message naming
# the store's path and what is free, nothing half-stored (check is clean), and the verb works
# again once space is freed; the same for a disk quota used up (btrfs quota groups). Then stores
# dabba must refuse without changing them: read-only, written by a newer dabba, and owned by
# another user. The last lines say how many filesystems and faults were covered.
set -euo pipefail
# shellcheck source=lib/run.sh
source "$(dirname "$0")/lib/run.sh"
rig_setup store_filesystems
MARK=dabba-fs-test-$$
MOUNTS=()
FILESYSTEMS=0
FAULTS=0

cleanup() {
  local rc=$? m
  set +e
  for pid in $(test_dabba_pids) $(titled_pids); do kill -KILL "$pid" 2>/dev/null; done
  kill_pause "$WORK/run"  # its mount namespace holds a copy of our mounts
  for m in "${MOUNTS[@]}"; do umount -l "$m" 2>/dev/null; done
  (exit $rc)
  rig_cleanup
}
trap cleanup EXIT

# mount_fs TYPE DIR: a fresh filesystem of TYPE at DIR (a loop-mounted image in $WORK, or a
# tmpfs), owned by the test user. Fails when this machine cannot make one.
mount_fs() {
  local type=$1 dir=$2 img=$WORK/$1.img
  mkdir -p "$dir"
  case $type in
    tmpfs) mount -t tmpfs -o size=256m tmpfs "$dir" ;;
    ext4-small)
      truncate -s 48M "$img" && mkfs.ext4 -q -F "$img" && mount -o loop "$img" "$dir" ;;
    ext4) truncate -s 160M "$img" && mkfs.ext4 -q -F "$img" && mount -o loop "$img" "$dir" ;;
    xfs) truncate -s 320M "$img" && mkfs.xfs -q "$img" && mount -o loop "$img" "$dir" ;;
    btrfs) truncate -s 256M "$img" && mkfs.btrfs -q "$img" >/dev/null && mount -o loop "$img" "$dir" ;;
    btrfs-quota)  # quota groups on: a subvolume's quota (q/) is set with quota_limit
      truncate -s 256M "$img" && mkfs.btrfs -q "$img" >/dev/null && mount -o loop "$img" "$dir" &&
        btrfs quota enable "$dir" && btrfs subvolume create "$dir/q" >/dev/null &&
        chown "$RIG_USER:$RIG_USER" "$dir/q" ;;
  esac || return 1
  MOUNTS+=("$dir")
  chown "$RIG_USER:$RIG_USER" "$dir"
}

# on ROOT ARGS...: dabba as the test user on the store at ROOT.
on() {
  local root=$1
  shift
  as_user "$TEST_DABBA" --root "$root" "$@"
}

# state_of ROOT NAME: the container's state as ps says it.
state_of() { on "$1" ps -a --filter "name=^$2\$" --format '{{.State}}' 2>/dev/null; }

# --- the verbs on each filesystem ---------------------------------------------------------------
for fs in ext4 xfs btrfs tmpfs; do
  dir=$WORK/mnt-$fs
  if ! mount_fs "$fs" "$dir" 2>"$WORK/mount.err"; then
    check_eq "[$fs] a $fs filesystem can be made here" "" "$(cat "$WORK/mount.err")"
    continue
  fi
  FILESYSTEMS=$((FILESYSTEMS + 1))
  root=$dir/store
  check "[$fs] pull rig/layers" on "$root" pull -q "$FIXTURE_LAYERS"
  check "[$fs] pull rig/busybox" on "$root" pull -q "$FIXTURE_BUSYBOX"
  check_eq "[$fs] run reads the image's layers" v2 \
    "$(on "$root" run --rm "$FIXTURE_LAYERS" cat /data/changed.txt 2>&1)"
  check "[$fs] run writes in its upper dir (a whiteout and a copy-up too)" \
    on "$root" run --name w "$FIXTURE_LAYERS" sh -c \
    "echo new >/new.txt && rm /data/changed.txt && echo more >>/etc/passwd"
  check "[$fs] commit" on "$root" commit -q w "localhost/fs/$fs:1"
  check_eq "[$fs] the committed image has the new file, not the removed one" "new gone" \
    "$(on "$root" run --rm "localhost/fs/$fs:1" sh -c \
      'cat /new.txt; test -e /data/changed.txt && echo there || echo gone' 2>&1 | xargs)"
  check "[$fs] rm" on "$root" rm w
  check "[$fs] rmi" on "$root" rmi "localhost/fs/$fs:1" "$FIXTURE_LAYERS"
  check "[$fs] gc" on "$root" gc
  check "[$fs] check --deep is clean" on "$root" check --deep
  check_eq "[$fs] busybox is the one image left" 1 "$(on "$root" images -q | wc -l)"
  check_eq "[$fs] nothing of the store is mounted" "" \
    "$(findmnt -rn -o TARGET | grep -F "$root/" || true)"
done

# --- a full filesystem --------------------------------------------------------------------------
# fill DIR: leaves about 300 kB free on DIR's filesystem (files of their own, "filler.*").
fill() {
  local avail
  sync -f "$1"
  avail=$(df -k --output=avail "$1" | tail -n 1)
  if [ "$avail" -gt 300 ]; then fallocate -l $(((avail - 300) * 1024)) "$1/filler.$avail"; fi
}
free_up() { rm -f "$1"/filler*; }

no_code_expression() { ! grep -qE '::|\(fd|\(\)' <<<"$1"; }

# space_fails FAULT NAME ROOT ARGS...: the verb fails cleanly for want of space (FAULT: ENOSPC, a
# full filesystem, or EDQUOT, a quota used up), saying so, naming the store's path (and for a
# full filesystem what is free there) and no code expression; check stays clean.
space_fails() {
  local fault=$1 name=$2 root=$3 out rc=0 says names
  shift 3
  case $fault in
    ENOSPC) says="No space left on device" names="the filesystem of $root is full: .* free there" ;;
    EDQUOT) says="Disk quota exceeded" names="the disk quota for $root is used up" ;;
  esac
  FAULTS=$((FAULTS + 1))
  out=$(on "$root" "$@" 2>&1) && rc=0 || rc=$?
  check "[$fault $name] fails cleanly" test "$rc" -ne 0 -a "$rc" -lt 128 -a "$rc" -ne 86
  check "[$fault $name] says: $says" grep -q "$says" <<<"$out"
  check "[$fault $name] names the store: $names" grep -q "$names" <<<"$out"
  check "[$fault $name] shows no code expression" no_code_expression "$out"
  check "[$fault $name] check is clean" on "$root" check
}

# container_writes_fail FAULT ROOT: a container writes 4 MB where there is no room for them: its
# write fails (overlayfs may say EIO for the upper layer's ENOSPC), its exit is recorded, rm frees
# its upper dir and check stays clean.
container_writes_fail() {
  local fault=$1 root=$2 out
  FAULTS=$((FAULTS + 1))
  out=$(on "$root" run --name writer "$FIXTURE_BUSYBOX" sh -c \
    "head -c 4000000 /dev/zero >/big; echo rc=\$?" 2>&1 || true)
  check "[$fault container writes] the container's write fails" \
    bash -c 'grep -q "^rc=[1-9]" <<<"$1" || { printf "%s\n" "$1"; exit 1; }' _ "$out"
  check_eq "[$fault container writes] its exit is recorded" exited "$(state_of "$root" writer)"
  check "[$fault container writes] rm frees its upper dir" on "$root" rm writer
  check "[$fault container writes] check is clean" on "$root" check
}

small=$WORK/mnt-small
if mount_fs ext4-small "$small" 2>"$WORK/mount.err"; then
  root=$small/store
  on "$root" images >/dev/null  # the store's skeleton, before the disk is full

  # A layer's ingest and unpack (busybox's base layer: 1 MB compressed, 2 MB unpacked).
  fill "$small"
  space_fails ENOSPC pull "$root" pull -q "$FIXTURE_BUSYBOX"
  check_eq "[ENOSPC pull] no image half-stored" 0 "$(on "$root" images -q | wc -l)"
  check_eq "[ENOSPC pull] no unpack left in tmp/" "" "$(ls "$root/tmp" 2>/dev/null)"
  free_up "$small"
  check "[ENOSPC pull] works once space is freed" on "$root" pull -q "$FIXTURE_LAYERS"
  check "[ENOSPC pull] ... and check is clean" on "$root" check --deep
  on "$root" run --name keeper "$FIXTURE_BUSYBOX" true >/dev/null 2>&1

  # A container's writes: the container's own error, and dabba's records stay sound.
  fill "$small"
  container_writes_fail ENOSPC "$root"

  # A volume's data.
  check "[ENOSPC volume] volume create" on "$root" volume create vol
  fill "$small"
  FAULTS=$((FAULTS + 1))
  out=$(on "$root" run --rm -v vol:/v "$FIXTURE_BUSYBOX" sh -c \
    "head -c 4000000 /dev/zero >/v/big; echo rc=\$?" 2>&1 || true)
  check "[ENOSPC volume] the container's write to the volume fails" grep -q "^rc=[1-9]" <<<"$out"
  check "[ENOSPC volume] volume rm" on "$root" volume rm -f vol
  check "[ENOSPC volume] check is clean" on "$root" check

  # A log that cannot grow: the container runs to its end, its exit is recorded.
  fill "$small"
  FAULTS=$((FAULTS + 1))
  check "[ENOSPC log] a detached container whose log cannot grow" \
    on "$root" run -d --name talker "$FIXTURE_BUSYBOX" sh -c \
    "i=0; while [ \$i -lt 20000 ]; do echo line \$i of output that fills the log; i=\$((i+1)); done"
  deadline=$((SECONDS + 60))
  while [ "$(state_of "$root" talker)" != exited ] && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
  check_eq "[ENOSPC log] its exit is recorded" exited "$(state_of "$root" talker)"
  check_eq "[ENOSPC log] logs shows what fitted" "line 0 of output that fills the log" \
    "$(on "$root" logs talker 2>/dev/null | head -n 1)"
  check "[ENOSPC log] rm" on "$root" rm -f talker
  check "[ENOSPC log] check is clean" on "$root" check
  free_up "$small"

  # A container's record and directory (create) once the disk is completely full.
  avail=$(df -k --output=avail "$small" | tail -n 1)
  fallocate -l $((avail * 1024)) "$small/filler.all" 2>/dev/null || true
  dd if=/dev/zero of="$small/filler.rest" bs=4k 2>/dev/null || true
  FAULTS=$((FAULTS + 1))
  out=$(on "$root" create --name late "$FIXTURE_BUSYBOX" true 2>&1) && rc=0 || rc=$?
  if [ $rc -ne 0 ]; then
    check "[ENOSPC create] says no space is left" grep -q "No space left on device" <<<"$out"
  fi
  check "[ENOSPC create] check is clean (created or not)" on "$root" check
  free_up "$small"
  on "$root" rm -f late >/dev/null 2>&1 || true
  check "[ENOSPC create] works once space is freed" on "$root" create --name late "$FIXTURE_BUSYBOX" true
  check "[ENOSPC] run works again" on "$root" run --rm "$FIXTURE_LAYERS" true
  check "[ENOSPC] the store checks clean at the end" on "$root" check --deep
else
  check_eq "[ENOSPC] a small ext4 filesystem can be made here" "" "$(cat "$WORK/mount.err")"
fi

# --- a used-up disk quota (EDQUOT) ---------------------------------------------------------------
# A btrfs quota group on the store's subvolume (this kernel builds tmpfs, ext4 and xfs without
# quota support). The same phases as a full disk where a quota differs: a layer's ingest, and a
# quota used up to the last byte, where LMDB cannot even write its lock file (a memory map: the
# kernel's answer is SIGBUS, not an errno).
quota=$WORK/mnt-quota
if mount_fs btrfs-quota "$quota" 2>"$WORK/mount.err"; then
  root=$quota/q/store
  qgroup="0/$(btrfs subvolume show "$quota/q" | awk '/Subvolume ID:/ {print $3}')"
  quota_used() { sync -f "$quota/q"; btrfs qgroup show --raw -r "$quota" | awk -v g="$qgroup" '$1 == g {print $2}'; }
  on "$root" images >/dev/null  # the store's skeleton first
  btrfs qgroup limit $(($(quota_used) + 400 * 1024)) "$quota/q"
  space_fails EDQUOT pull "$root" pull -q "$FIXTURE_BUSYBOX"
  check_eq "[EDQUOT pull] no image half-stored" 0 "$(on "$root" images -q | wc -l)"
  check_eq "[EDQUOT pull] no unpack left in tmp/" "" "$(ls "$root/tmp" 2>/dev/null)"
  btrfs qgroup limit none "$quota/q"
  check "[EDQUOT pull] works once the quota is raised" on "$root" pull -q "$FIXTURE_BUSYBOX"

  # A container's writes over the quota: the container's own error; dabba's records stay sound.
  btrfs qgroup limit $(($(quota_used) + 2 * 1024 * 1024)) "$quota/q"
  container_writes_fail EDQUOT "$root"
  btrfs qgroup limit none "$quota/q"

  # Used up to the last byte (a file of the user's own). On btrfs even LMDB's lock file (written
  # through a memory map) needs new space: the store's reserve goes at the open, and the verb works.
  btrfs qgroup limit $(($(quota_used) + 8 * 1024 * 1024)) "$quota/q"
  dd if=/dev/zero of="$quota/q/filler" bs=64k 2>/dev/null || true
  sync -f "$quota/q"
  FAULTS=$((FAULTS + 1))
  check "[EDQUOT to the last byte] create works: the store's reserve is released for it" \
    on "$root" create --name late "$FIXTURE_BUSYBOX" true
  check_fails "[EDQUOT to the last byte] ... and is gone" test -e "$root/db/space-reserve"
  # With no reserve left: a clear error, never a crash (the kernel's answer to a write into a
  # memory map that cannot be backed is SIGBUS).
  dd if=/dev/zero of="$quota/q/filler2" bs=64k 2>/dev/null || true
  sync -f "$quota/q"
  out=$(on "$root" ps -a 2>&1) && rc=0 || rc=$?
  check "[EDQUOT to the last byte, no reserve] ps fails cleanly, no crash (exit $rc)" \
    test "$rc" -ne 0 -a "$rc" -lt 128 -a "$rc" -ne 86
  check "[EDQUOT to the last byte, no reserve] ... naming the lock file and the quota" \
    grep -q "lock.mdb .*quota" <<<"$out"
  rm -f "$quota/q/filler" "$quota/q/filler2"
  sync -f "$quota/q"
  check "[EDQUOT to the last byte] check is clean once space is freed" on "$root" check --deep
  check "[EDQUOT to the last byte] rm works" on "$root" rm late
  btrfs qgroup limit none "$quota/q"
else
  check_eq "[EDQUOT] a btrfs filesystem with quota groups can be made here" "" \
    "$(cat "$WORK/mount.err")"
fi

# --- stores dabba must refuse without changing them ---------------------------------------------
# Read-only: listing works, writing is refused with the path named.
ro=$WORK/mnt-ro
if mount_fs ext4 "$ro" 2>/dev/null; then
  on "$ro/store" pull -q "$FIXTURE_BUSYBOX" >/dev/null
  kill_pause "$WORK/run"
  mount -o remount,ro "$ro"
  before=$(find "$ro/store" -printf '%p %s %T@\n' | sort | sha256sum)
  check_eq "[read-only] images still lists the image" 1 "$(on "$ro/store" images -q 2>/dev/null | wc -l)"
  out=$(on "$ro/store" pull -q "$FIXTURE_LAYERS" 2>&1) && rc=0 || rc=$?
  check "[read-only] pull fails cleanly" test "$rc" -ne 0 -a "$rc" -lt 128 -a "$rc" -ne 86
  check "[read-only] ... saying the store is read-only" grep -qi "read-only" <<<"$out"
  check_eq "[read-only] nothing in the store changed" "$before" \
    "$(find "$ro/store" -printf '%p %s %T@\n' | sort | sha256sum)"
  mount -o remount,rw "$ro"
fi
# Written by a newer dabba (a higher schema number in its database): refused, unchanged.
newer=$(user_dir newer)
on "$newer" pull -q "$FIXTURE_BUSYBOX" >/dev/null
kill_pause "$WORK/run"
printf 'schema\n999\n' | as_user mdb_load -T -s meta "$newer/db"
before=$(find "$newer" -path "$newer/db/lock.mdb" -prune -o -printf '%p %s %T@\n' | sort | sha256sum)
for verb in images "pull -q $FIXTURE_LAYERS" "check --repair" "system reset -f"; do
  # shellcheck disable=SC2086
  out=$(on "$newer" $verb 2>&1) && rc=0 || rc=$?
  check "[newer schema] $verb fails cleanly" test "$rc" -ne 0 -a "$rc" -lt 128 -a "$rc" -ne 86
  check "[newer schema] $verb says a newer dabba wrote the store" \
    grep -q "written by a newer dabba (schema 999" <<<"$out"
done
check_eq "[newer schema] nothing in the store changed" "$before" \
  "$(find "$newer" -path "$newer/db/lock.mdb" -prune -o -printf '%p %s %T@\n' | sort | sha256sum)"
# Another user's: refused with the path named.
foreign=$WORK/foreign
install -d -m 0700 -o root -g root "$foreign"
out=$(on "$foreign" images 2>&1) && rc=0 || rc=$?
check "[another user's store] images fails cleanly" test "$rc" -ne 0 -a "$rc" -lt 128 -a "$rc" -ne 86
check "[another user's store] ... naming it and the cause" \
  grep -q "$foreign.*[Pp]ermission denied\|[Pp]ermission denied.*$foreign" <<<"$out"
check_eq "[another user's store] left empty" "" "$(ls -A "$foreign")"

echo "filesystems covered: $FILESYSTEMS (ext4, xfs, btrfs, tmpfs); full-disk and quota faults:" \
  "$FAULTS; refused stores: 3 (read-only, a newer schema's, another user's)"
check_done
