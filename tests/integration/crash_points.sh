#!/bin/bash
# Crashes at every verb: each named fault point (common/fault_point.h) is armed in turn with
# DABBA_FAULT_POINT, the verb runs until the point SIGKILLs it, and then:
#   - the point was reached (its name is in the mark file);
#   - `dabba check` is clean, and no image that was whole before the crash is lost;
#   - the interrupted verb, repeated, succeeds;
#   - ps and images tell the truth (a "running" container has a live PID 1; an image listed runs);
#   - once the containers are removed, nothing is mounted and no process of the test is left.
# The last line says how many fault points were covered.
#
# With DABBA_POWER_CUT=1 (tests/integration/power_cut.sh) each crash is a power cut as well: the
# store lives on a loop-mounted ext4 whose journal commits only when something syncs, and at the
# crash the disk is copied as the block device has it: every write still in the page cache is
# lost, as it is when the power goes. Every process of the test ends and the runtime dir is
# emptied (a tmpfs at boot); the copy is mounted (ext4 replays its journal) and the same checks
# follow.
set -euo pipefail
# shellcheck source=lib/run.sh
source "$(dirname "$0")/lib/run.sh"
POWER_CUT=${DABBA_POWER_CUT:-0}
POWER_CUT_FS=${DABBA_POWER_CUT_FS:-ext4}  # or xfs
run_setup "$([ "$POWER_CUT" = 1 ] && echo power_cut || echo crash_points)"
MARKS=$(user_dir marks)
MARK_FILE=$MARKS/reached
NS=crash-$(tr 'A-Z' 'a-z' <<<"${WORK##*.}")
POINTS_COVERED=()
CUTS=0

# no_marked_process: no process whose command line holds $MARK is left (pgrep runs in a subshell
# of this script, whose command line does not hold it).
no_marked_process() { [ -z "$(pgrep -f -- "$MARK" || true)" ]; }

# --- power cuts ---------------------------------------------------------------------------------
DISK=$WORK/disk
DISK_IMAGE=
DISK_SEQ=0
# mount_disk IMAGE: IMAGE mounted at $DISK. On ext4, commit=600 keeps the journal from committing
# on its own timer: what is on the device at a cut is what dabba synced (or the kernel wrote back).
mount_disk() {
  DISK_IMAGE=$1
  case $POWER_CUT_FS in
    ext4) mount -o loop,commit=600 "$DISK_IMAGE" "$DISK" ;;
    *) mount -o loop,nouuid "$DISK_IMAGE" "$DISK" ;;  # xfs: the lazily unmounted copy's UUID
  esac
}

# kill_all: every process of the test (dabba, supervisors, containers, the pause process) ended,
# and reaped (this machine's init reaps orphans late; a killed container's PID 1 lasts until the
# zombies of its namespace are reaped).
# test_pids: every process of the test (dabba, supervisors, containers, the pause process).
test_pids() {
  local pid
  for pid in $(test_dabba_pids) $(titled_pids) $(pgrep -f -- "$MARK" 2>/dev/null); do
    [ "$pid" = $$ ] || echo "$pid"
  done
  [ ! -s "$WORK/run/dabba/pause.pid" ] || cut -d' ' -f1 "$WORK/run/dabba/pause.pid"
}

kill_all() {
  local pid pids
  mapfile -t pids < <(test_pids)
  [ ${#pids[@]} -eq 0 ] || kill -KILL "${pids[@]}" 2>/dev/null || true
  all_gone() { for pid in "${pids[@]}"; do [ ! -e "/proc/$pid" ] || return 1; done; }
  wait_until all_gone || true
}

# power_cut POINT: the disk as the block device holds it now becomes the store's disk. The test's
# processes are stopped first, so that none writes (or syncs) while the disk is copied: the copy
# is one moment's.
power_cut() {
  DISK_SEQ=$((DISK_SEQ + 1))
  local cut=$WORK/disk-$DISK_SEQ.img pids
  mapfile -t pids < <(test_pids)
  [ ${#pids[@]} -eq 0 ] || kill -STOP "${pids[@]}" 2>/dev/null || true
  cp --sparse=always "$DISK_IMAGE" "$cut"  # the loop device's writes, not the page cache's
  kill_all
  umount -l "$DISK"
  rm -f "$DISK_IMAGE"
  find "$WORK/run" -mindepth 1 -delete
  if ! mount_disk "$cut"; then
    check_eq "[$1] the disk mounts after the power cut" mounted "not mounted"
    exit 1  # the trap cleans up; nothing after could use the store
  fi
  CUTS=$((CUTS + 1))
}

if [ "$POWER_CUT" = 1 ]; then
  mkdir -p "$DISK"
  truncate -s 1G "$WORK/disk-0.img"
  case $POWER_CUT_FS in
    ext4) mkfs.ext4 -q -F "$WORK/disk-0.img" ;;
    xfs) mkfs.xfs -q -f "$WORK/disk-0.img" ;;
  esac
  mount_disk "$WORK/disk-0.img"
  install -d -m 0700 -o "$RIG_USER" -g "$RIG_USER" "$DISK/store"
  STORE=$DISK/store
  power_cut_cleanup() {
    local rc=$?
    set +e
    kill_all
    umount -l "$DISK" 2>/dev/null
    (exit $rc)
    run_cleanup
  }
  trap power_cut_cleanup EXIT
  dabba_user pull -q "$BUSYBOX" >/dev/null
  # The simulation itself: a file synced survives a cut, one written just before it does not.
  echo synced >"$DISK/synced" && sync "$DISK/synced" && sync -f "$DISK"
  echo unsynced >"$DISK/unsynced"
  power_cut canary
  check_eq "[$POWER_CUT_FS] a synced file survives the power cut" synced "$(cat "$DISK/synced")"
  check_eq "[$POWER_CUT_FS] a file not synced is lost to it" "" "$(cat "$DISK/unsynced" 2>/dev/null)"
  rm -f "$DISK/synced" "$DISK/unsynced"
  CUTS=0
fi

# crash_at POINT CMD...: dabba CMD as the test user with POINT armed; the point must be reached
# (the mark file names it; a detached supervisor reaches its points later, hence the wait).
crash_at() {
  local point=$1
  shift
  rm -f "$MARK_FILE"
  as_user DABBA_FAULT_POINT="$point" DABBA_FAULT_MARK="$MARK_FILE" \
    "$TEST_DABBA" --root "$STORE" "$@" >"$WORK/crash.out" 2>&1 || true
  local deadline=$((SECONDS + 30))
  while ! grep -qx "$point" "$MARK_FILE" 2>/dev/null && [ $SECONDS -lt $deadline ]; do
    sleep 0.05
  done
  if grep -qx "$point" "$MARK_FILE" 2>/dev/null; then
    check_eq "[$point] reached while running: ${*:1:2}" "$point" "$point"
    POINTS_COVERED+=("$point")
  else
    check_eq "[$point] reached while running: $*" "reached" "not reached"
    sed 's/^/       | /' "$WORK/crash.out" | tail -n 20
  fi
  [ "$POWER_CUT" = 0 ] || power_cut "$point"
}

# store_clean POINT: `dabba check` finds no problem (orphans are notes, left for gc).
store_clean() {
  check "[$1] check is clean after the crash" dabba_user check
}

# truthful POINT: every container ps calls running has a live PID 1; every other has none; every
# image listed resolves and its layers are whole (check above), and one of them runs.
truthful() {
  local json bad
  json=$(dabba_user ps -a --format json)
  bad=$(jq -r '.[] | select(.State == "running") | .Pid' <<<"$json" |
    while read -r pid; do [ -d "/proc/$pid" ] || echo "dead:$pid"; done)
  check_eq "[$1] ps: each running container's PID 1 lives" "" "$bad"
  bad=$(jq -r '.[] | select(.State != "running" and .State != "paused") | .Pid' <<<"$json" |
    while read -r pid; do [ "$pid" = 0 ] || [ ! -d "/proc/$pid" ] || echo "alive:$pid"; done)
  check_eq "[$1] ps: no container that is not running has a live PID 1" "" "$bad"
  local id
  for id in $(dabba_user images -q); do
    check "[$1] images: $id inspects" dabba_user image inspect "$id"
  done
}

# no_leftovers POINT: after removing every container, nothing mounted and no process left.
no_leftovers() {
  dabba_user rm -af -t 0 >/dev/null 2>&1 || true
  check_eq "[$1] no container left after rm -af" 0 "$(container_count dabba_user)"
  check_eq "[$1] nothing of the store is mounted" "" \
    "$(findmnt -rn -o TARGET | grep -F "$STORE" || true)"
  local left
  wait_until no_marked_process || true
  left=$(test_processes)
  check_eq "[$1] no process of the test left" "" "$left"
}

# after POINT REPEAT...: the checks every crash is followed by, with REPEAT the verb again.
after() {
  local point=$1
  shift
  store_clean "$point"
  check "[$point] the verb again succeeds: $*" dabba_user "$@"
  store_clean "$point (after the repeat)"
  truthful "$point"
}

image_present() { dabba_user image exists "$1"; }

# --- pull: a layer's ingest, the blobs, the image record -------------------------------------
for point in pull-config-stored blob-stored unpacked synced blob-renamed layer-renamed committed \
  image-committed; do
  dabba_user rmi -i "$FIXTURE_LAYERS" >/dev/null 2>&1 || true
  dabba_user gc >/dev/null
  crash_at "$point" pull -q "$FIXTURE_LAYERS"
  check "[$point] busybox (whole before) is still there" image_present "$FIXTURE_BUSYBOX"
  after "$point" pull -q "$FIXTURE_LAYERS"
  check "[$point] the pulled image runs" dabba_user run --rm "$FIXTURE_LAYERS" \
    cat /data/changed.txt
done

# --- load -------------------------------------------------------------------------------------
dabba_user pull -q "$FIXTURE_SHARED" >/dev/null
dabba_user save -o "$MARKS/shared.tar" "$FIXTURE_SHARED" >/dev/null 2>&1
for point in load-blobs-stored committed image-committed; do
  dabba_user rmi -i "$FIXTURE_SHARED" >/dev/null 2>&1 || true
  dabba_user gc >/dev/null
  crash_at "$point" load -q -i "$MARKS/shared.tar"
  after "$point" load -q -i "$MARKS/shared.tar"
  check "[$point] the loaded image is there" image_present "$FIXTURE_SHARED"
done

# --- create and commit ------------------------------------------------------------------------
for point in container-dir-made container-committed; do
  crash_at "$point" create --name made "$BUSYBOX" true
  # A crash before the commit leaves no container; after it, the container exists, and starts.
  if dabba_user container exists made; then
    check "[$point] the container the crash left starts" dabba_user start --attach made
  fi
  dabba_user rm -i made >/dev/null 2>&1 || true
  after "$point" create --name made "$BUSYBOX" true
  no_leftovers "$point"
done
dabba_user run --name base "$BUSYBOX" sh -c 'echo committed >/c.txt' >/dev/null
for point in blob-stored committed commit-layer-stored image-committed; do
  crash_at "$point" commit -q base "localhost/$NS/commit:1"
  after "$point" commit -q base "localhost/$NS/commit:1"
  check_eq "[$point] the committed image holds the change" committed \
    "$(dabba_user run --rm "localhost/$NS/commit:1" cat /c.txt 2>&1)"
  dabba_user rmi -f "localhost/$NS/commit:1" >/dev/null 2>&1 || true
  dabba_user gc >/dev/null  # so that the next commit unpacks its layer anew
done
no_leftovers commit

# --- push -------------------------------------------------------------------------------------
crash_at push-blobs-uploaded push "$FIXTURE_SHARED" "$REGISTRY/$NS/pushed:1"
after push-blobs-uploaded push "$FIXTURE_SHARED" "$REGISTRY/$NS/pushed:1"
check "[push-blobs-uploaded] the pushed image pulls into a new store" \
  as_user "$TEST_DABBA" --root "$WORK/home/fresh" pull -q "$REGISTRY/$NS/pushed:1"

# --- rmi and gc -------------------------------------------------------------------------------
crash_at name-removed rmi "$FIXTURE_SHARED"
after name-removed rmi -i "$FIXTURE_SHARED"
check_fails "[name-removed] the removed image is gone" image_present "$FIXTURE_SHARED"
for point in gc-committed gc-files-deleted; do
  dabba_user pull -q "$FIXTURE_SHARED" >/dev/null
  dabba_user rmi "$FIXTURE_SHARED" >/dev/null
  crash_at "$point" gc
  after "$point" gc
  check "[$point] busybox still runs" dabba_user run --rm "$BUSYBOX" true
done

# --- run, in the foreground and detached ------------------------------------------------------
for point in run-before-overlay run-overlay-mounted run-state-recorded; do
  crash_at "$point" run --name fg "$BUSYBOX" sh -c "sleep 2; : $MARK"
  truthful "$point (before rm)"
  check "[$point] rm -f of the crashed container" dabba_user rm -f -t 0 fg
  after "$point" run --rm --name fg "$BUSYBOX" true
  no_leftovers "$point"
done
for point in supervise-started run-state-recorded; do
  crash_at "$point" run -d --name bg "$BUSYBOX" sh -c "sleep 600; : $MARK"
  truthful "$point -d (before rm)"
  check "[$point] rm -f of the container" dabba_user rm -f -t 0 bg
  after "$point" run -d --name bg "$BUSYBOX" sh -c "sleep 600; : $MARK"
  no_leftovers "$point -d"
done
crash_at supervise-exit-recorded run -d --name ends "$BUSYBOX" true
truthful supervise-exit-recorded
check_eq "[supervise-exit-recorded] ps says exited" exited "$(ps_field dabba_user ends state)"
check_eq "[supervise-exit-recorded] with the exit code" 0 "$(ps_field dabba_user ends exit_code)"
after supervise-exit-recorded start ends
no_leftovers supervise-exit-recorded

# --- exec and stop ----------------------------------------------------------------------------
dabba_user run -d --name live "$BUSYBOX" sh -c "sleep 600; : $MARK" >/dev/null
crash_at exec-started exec live sh -c "sleep 5; : $MARK"
# A power cut ends the container too: it is started again, as after a reboot.
[ "$POWER_CUT" = 0 ] || check "[exec-started] start after the power cut" dabba_user start live
after exec-started exec live true
check_eq "[exec-started] the container still runs" running "$(ps_field dabba_user live state)"
crash_at stop-signalled stop -t 5 live
truthful stop-signalled
after stop-signalled stop -t 0 live
check_eq "[stop-signalled] the container is exited" exited "$(ps_field dabba_user live state)"
dabba_user run -d --name gone "$BUSYBOX" sh -c "sleep 600; : $MARK" >/dev/null
crash_at container-record-removed rm -f -t 0 gone
after container-record-removed ps -a
check_eq "[container-record-removed] the container is gone" "" "$(ps_field dabba_user gone state)"
no_leftovers exec-stop-rm

# --- volumes ----------------------------------------------------------------------------------
crash_at volume-dir-made volume create vol
after volume-dir-made volume create --ignore vol
crash_at volume-record-removed volume rm vol
after volume-record-removed volume rm -f vol
check_fails "[volume-record-removed] the volume is gone" dabba_user volume exists vol

# --- system reset -----------------------------------------------------------------------------
for point in reset-containers-removed reset-db-removed; do
  dabba_user pull -q "$BUSYBOX" >/dev/null
  dabba_user create --name doomed "$BUSYBOX" true >/dev/null
  crash_at "$point" system reset -f
  store_clean "$point"
  check "[$point] the reset again succeeds" dabba_user system reset -f
  check_eq "[$point] no image after the reset" "" "$(dabba_user images -q)"
  check_eq "[$point] no container after the reset" 0 "$(container_count dabba_user)"
  store_clean "$point (after the repeat)"
done

# The points common/fault_point.h lists, each of which must have been reached above.
declared=$(sed -n '/^\/\/ The points/,/^#pragma/p' "$DABBA_SOURCE_DIR/common/fault_point.h" |
  sed -e 's|^//||' -e 's/([^)]*)//g' -e 's/^ *[a-z]*: //' | tr ', ' '\n\n' |
  grep -E '^[a-z]+(-[a-z]+)+$|^(unpacked|synced|committed)$' | sort -u)
missed=$(comm -23 <(echo "$declared") <(printf '%s\n' "${POINTS_COVERED[@]}" | sort -u) | xargs)
check_eq "every fault point of common/fault_point.h was reached" "" "$missed"
echo "fault points covered: $(printf '%s\n' "${POINTS_COVERED[@]}" | sort -u | wc -l) of" \
  "$(wc -l <<<"$declared") declared (${#POINTS_COVERED[@]} crashes$(
    [ "$POWER_CUT" = 0 ] || echo ", $CUTS of them power cuts on $POWER_CUT_FS"))"
check_done
