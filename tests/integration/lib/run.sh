# shellcheck shell=bash
# Helpers for the container-verb tests (tests/integration/run_*.sh): `dabba run`, ps, stop, rm,
# logs, exec through the real binary, as the test user and as root, against the rig's images.
#
#   source "$(dirname "$0")/lib/run.sh"
#   run_setup run_basics            # rig_setup + busybox pulled into the user's store
#   check_eq "..." 0 "$(exit_code dabba_user run --rm "$BUSYBOX" true)"
#   check_done

# shellcheck source=rig.sh
source "$(dirname "${BASH_SOURCE[0]}")/rig.sh"

# run_setup NAME: rig_setup, then rig/busybox pulled into the test user's store. $BUSYBOX names
# it; ROOT_STORE is root's own store (see dabba_root).
run_setup() {
  rig_setup "$1"
  BUSYBOX=$FIXTURE_BUSYBOX
  ROOT_STORE=$WORK/root-store
  MARK=dabba-run-test-$$  # put in containers' commands, so leftovers can be found
  dabba_user pull -q "$BUSYBOX" >/dev/null
  trap run_cleanup EXIT
}

# The rig's cleanup, after killing what a failed check may have left running: the test's
# supervisors, containers and pause process.
run_cleanup() {
  local rc=$? pid
  set +e  # under errexit the `(exit $rc)` below would end the trap before rig_cleanup
  for pid in $(pgrep -f -- "${MARK:-none}|$WORK/bin/dabba" 2>/dev/null) $(titled_pids); do
    [ "$pid" = $$ ] || kill -KILL "$pid" 2>/dev/null || true
  done
  (exit $rc)
  rig_cleanup
}

# dabba_root ARGS...: the binary under test as root, on root's own store (in $WORK, as
# dabba_user, so titled_pids finds its supervisors).
dabba_root() {
  env -i -C "$WORK" PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME=/root \
    TERM="${TERM:-xterm}" DABBA_HINTS=1 "$TEST_DABBA" --root "$ROOT_STORE" "$@"
}

# titled_pids: the test's supervisors and port relays, which show a title instead of the command
# line that made them (docs/security.md): those whose working directory is $WORK.
titled_pids() {
  local pid
  for pid in $(pgrep -f '^dabba-(supervise|port-relay)' 2>/dev/null); do
    [ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" = "$WORK" ] && echo "$pid"
  done
  return 0
}

# test_dabba_pids: every dabba process of this test (the foreground runs, supervisors, port
# relays, the networks' holder), told apart from other tests' by the private runtime directory in
# their environment or by their working directory ($WORK, titled_pids): a test that SIGKILLs
# "every dabba process" must not kill a test running beside it.
test_dabba_pids() {
  local pid
  for pid in $(pgrep -u "$RIG_USER" -f '^(dabba|[^ ]*/dabba )' 2>/dev/null); do
    if tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qxF "XDG_RUNTIME_DIR=$WORK/run" ||
      [ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" = "$WORK" ]; then
      echo "$pid"
    fi
  done
  return 0
}

# wait_for SECONDS CMD...: until CMD succeeds, SECONDS at most (ASan builds are slow).
wait_for() {
  local deadline=$((SECONDS + $1))
  shift
  while ! "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt "$deadline" ] || return 1
    sleep 0.1
  done
}

# free_port [tcp|udp]: a port free on 127.0.0.1 now.
free_port() {
  python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM if sys.argv[1] == "udp" else socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' "${1:-tcp}"
}

# wait_until CMD...: until CMD succeeds (10 s at most).
wait_until() {
  local _
  for _ in $(seq 200); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  return 1
}

# ps_field WHO NAME FIELD: a field of `dabba ps -a --format json` for the container NAME, WHO
# being dabba_user or dabba_root.
# (podman's ListContainer keys; exit_code is null until the container has exited.)
ps_field() {
  local f
  case "$3" in
    id) f=.Id ;; pid) f=.Pid ;; state) f=.State ;; status) f=.Status ;;
    exit_code) f='(if .State == "exited" then .ExitCode else null end)' ;;
    *) f=".$3" ;;
  esac
  "$1" ps -a --format json | jq -r ".[] | select(.Names[0] == \"$2\") | $f"
}

# container_count WHO: containers in WHO's store (ps -a).
container_count() { "$1" ps -a -q | wc -l; }

# check_no_container_leftovers WHO STORE: nothing recorded, nothing in containers/, nothing
# mounted, no process of the store's containers or supervisors left.
check_no_container_leftovers() {
  local who=$1 store=$2
  check_eq "[$who] no container record left" 0 "$(container_count "$who")"
  check_eq "[$who] no container directory left" "" "$(ls -A "$store/containers" 2>/dev/null)"
  check_eq "[$who] nothing of the store is mounted" "" \
    "$(findmnt -rn -o TARGET | grep -F "$store" || true)"
  check_eq "[$who] no process of the test left" "" "$(test_processes)"
}

# test_processes: "PID ARGS" of every process of this test but dabba's pause process (which
# holds the test user's namespace, and is this test's too: XDG_RUNTIME_DIR is private): dabba
# run's supervisors and foreground processes, and containers whose command holds $MARK.
test_processes() {
  local pid
  processes_of "$MARK|$WORK/bin/dabba"
  for pid in $(titled_pids); do echo "$pid $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)"; done
}
