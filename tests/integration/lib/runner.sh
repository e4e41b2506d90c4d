# shellcheck shell=bash
# Helpers for the runner's integration tests (tests/integration/runner_*.sh: what only the runner's
# API can express, with layer dirs a test makes by hand; everything else goes through `dabba run`
# in run_*.sh). They need no rig: only root (to switch to the test user), busybox-static and the
# sandbox_driver built beside the dabba binary. Start a test with:
#
#   source "$(dirname "$0")/lib/runner.sh"
#   runner_setup my-test          # skip (77) if not root or no driver; $WORK, $DRIVER, $BASE
#   check "..." drv_user --layer "$BASE" --container-dir "$WORK/c1" -- true
#   check_done
#
# The check/check_eq/check_done helpers are lib/rig.sh's.

# shellcheck source=rig.sh
source "$(dirname "${BASH_SOURCE[0]}")/rig.sh"

TEST_USER=${RIG_USER:-dabba-test}

runner_setup() {
  local name=$1 driver
  if [ "$(id -u)" -ne 0 ]; then
    echo "SKIP: runner integration tests run as root (they switch to $TEST_USER themselves)"
    exit 77
  fi
  driver=${SANDBOX_DRIVER:-$(dirname "${DABBA:-/nonexistent/x}")/tests/sandbox_driver}
  if [ ! -x "$driver" ]; then
    echo "SKIP: no sandbox_driver at $driver (build the sandbox_driver target)"
    exit 77
  fi
  if ! id "$TEST_USER" >/dev/null 2>&1 || [ ! -x /bin/busybox ]; then
    echo "SKIP: needs the $TEST_USER user and busybox-static"
    exit 77
  fi
  WORK=$(mktemp -d "/tmp/dabba-$name.XXXXXX")
  chmod 0755 "$WORK"
  install -d -m 0755 "$WORK/bin"
  install -m 0755 "$driver" "$WORK/bin/sandbox_driver"
  DRIVER=$WORK/bin/sandbox_driver
  install -d -m 0755 -o "$TEST_USER" -g "$TEST_USER" "$WORK/user" "$WORK/user/layers"
  # The driver's shared user namespace (its pause process) is this test's own: a private
  # XDG_RUNTIME_DIR, and the pause process killed at the end.
  install -d -m 0700 -o "$TEST_USER" -g "$TEST_USER" "$WORK/user/run"
  install -d -m 0755 "$WORK/root" "$WORK/root/layers"
  BASE=$WORK/user/layers/base
  ROOT_BASE=$WORK/root/layers/base
  make_busybox_layer "$BASE"
  chown -R "$TEST_USER:$TEST_USER" "$BASE"
  make_busybox_layer "$ROOT_BASE"
  RUNNER_MARK="dabba-runner-test-$$"
  trap runner_cleanup EXIT
  echo "test $name: work dir $WORK"
}

runner_cleanup() {
  local rc=$? pid
  for pid in ${RUNNER_PIDS:-}; do kill -9 "$pid" 2>/dev/null || true; done
  # A failed check can leave a driver (or a -d supervisor) running: kill them; their containers
  # follow through the parent-death signal.
  pkill -KILL -f "^$WORK/bin/sandbox_driver" 2>/dev/null || true
  kill_pause "$WORK/user/run"
  if [ "${DABBA_KEEP_WORK:-0}" = 1 ]; then
    echo "kept $WORK"
  else
    rm -rf --one-file-system "$WORK" 2>/dev/null ||
      runuser -u "$TEST_USER" -- unshare -Ur rm -rf "$WORK" 2>/dev/null || true
    rm -rf --one-file-system "$WORK"
  fi
  exit $rc
}

# make_busybox_layer DIR: a minimal image layer: busybox + applet links, passwd/group with root,
# a "user" (1000) and nobody, the usual top-level directories.
make_busybox_layer() {
  local dir=$1 applet
  mkdir -p "$dir"/{bin,etc,proc,sys,dev,tmp,root,home/user,var}
  cp /bin/busybox "$dir/bin/busybox"
  for applet in $("$dir/bin/busybox" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$dir/bin/$applet"
  done
  cat >"$dir/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
user:x:1000:1000:user:/home/user:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
  cat >"$dir/etc/group" <<'GROUP'
root:x:0:
tty:x:5:
wheel:x:10:user
audio:x:29:user
user:x:1000:
nogroup:x:65534:
GROUP
  chmod 1777 "$dir/tmp"
}

# drv_user ARGS...: the driver as the unprivileged test user (it enters dabba's user namespace).
drv_user() { runuser -u "$TEST_USER" -- env -i PATH=/usr/bin:/bin HOME="$WORK/user" \
  XDG_RUNTIME_DIR="$WORK/user/run" TERM="${TERM:-xterm}" "$DRIVER" "$@"; }
# drv_root ARGS...: the driver as root (the runner adds a user namespace of its own).
drv_root() { env -i PATH=/usr/bin:/bin HOME=/root "$DRIVER" "$@"; }

# wait_for_line TEXT FILE: until FILE has a line with TEXT (5 s at most).
wait_for_line() {
  local _
  for _ in $(seq 100); do
    grep -q "$1" "$2" 2>/dev/null && return 0
    sleep 0.05
  done
  return 1
}

# signal_driver SIG MARK: sends SIG to the sandbox_driver whose command line holds MARK (not to
# runuser or the container's processes, which hold MARK too).
signal_driver() {
  local pid
  for pid in $(pgrep -f -- "$2"); do
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = sandbox_driver ] || continue
    # The supervisor or the driver itself: the process whose parent is not a sandbox_driver.
    [ "$(cat "/proc/$(awk '{print $4}' "/proc/$pid/stat" 2>/dev/null)/comm" 2>/dev/null)" = sandbox_driver ] &&
      continue
    kill -"$1" "$pid" 2>/dev/null || true  # it may have ended meanwhile
  done
}

# no_leftovers: nothing of this test is still mounted or running.
check_no_leftovers() {
  check_eq "nothing of the test is mounted on the host" "" \
    "$(findmnt -rn -o TARGET | grep -F "$WORK" || true)"
  # The pause process holding the user namespace stays by design (runner_cleanup ends it).
  check_eq "no process of the test is left" "" \
    "$(processes_of "$RUNNER_MARK|$WORK/bin/sandbox_driver")"
}
