#!/bin/bash
# A container's life through the verbs podman scripts use, real binary, as the test user (key
# cases as root): create (ps -a: Created, inspect: created, volumes made) -> start (running, exec
# works) -> restart (a new start time) -> rename (the new name works, the old one is free) ->
# port (the -p 127.0.0.1:PORT:80 mapping, podman's lines) -> stop -> container prune (removes it,
# prints its id) -> container cleanup (--rm removes; a running or missing one is 125); start -a
# (the output, the exit code); and the errors scripts match: start of a
# missing name (125, "no such container", nothing started), rename to a taken name (125, podman's
# phrase), start -a of two containers, port of a port not published. Every wait is bounded.
set -euo pipefail
# shellcheck source=lib/run.sh
source "$(dirname "$0")/lib/run.sh"
run_setup containers_lifecycle
dabba_root pull -q "$BUSYBOX" >/dev/null 2>&1

# user_to FILE SECS ARGS...: dabba as the test user, stdout to FILE (never into $(...): a
# supervisor holding the pipe would hang it), killed after SECS seconds; its exit code.
user_to() {
  local out=$1 secs=$2 rc=0
  shift 2
  as_user timeout -k 5 "$secs" "$TEST_DABBA" --root "$STORE" "$@" >"$out" 2>"$out.err" || rc=$?
  echo $rc
}
state_of() { dabba_user inspect --format '{{.State.Status}}' "$1"; }
started_at() { dabba_user inspect --format '{{.State.StartedAt}}' "$1"; }
LOOP="while :; do sleep 0.1; done # $MARK"
PORT=$(free_port)

# --- create ----------------------------------------------------------------------------------
check_eq "create exits 0" 0 \
  "$(user_to "$WORK/c.out" 60 create --name life -p "127.0.0.1:$PORT:80" -v lifevol:/data \
    -e GREETING=hello "$BUSYBOX" sh -c "echo started; httpd -f -p 80 -h /data & $LOOP")"
ID=$(cat "$WORK/c.out")
check "create prints the full id, and only that" grep -Eqx '[0-9a-f]{64}' "$WORK/c.out"
check_eq "ps -a shows it Created" "life Created" \
  "$(dabba_user ps -a --format '{{.Names}} {{.Status}}')"
check_eq "ps (running only) does not list it" "" "$(dabba_user ps -q)"
check_eq "inspect: .State.Status created" created "$(state_of life)"
check_eq "inspect: .State.Running false" false "$(dabba_user inspect --format '{{.State.Running}}' life)"
check "create made the named volume (as run does)" grep -qx lifevol \
  <<<"$(dabba_user volume ls -q)"
check_eq "port of a created container: nothing (podman)" "" "$(dabba_user port life)"

# --- start -----------------------------------------------------------------------------------
check_eq "start of a missing name exits 125" 125 "$(user_to "$WORK/s0.out" 30 start life nosuch)"
check "... with podman's phrase" grep -qx \
  'Error: no container with name or ID "nosuch" found: no such container' "$WORK/s0.out.err"
check_eq "... and nothing was started" created "$(state_of life)"
check_eq "start exits 0" 0 "$(user_to "$WORK/s.out" 60 start life)"
check_eq "start prints the name as given" life "$(cat "$WORK/s.out")"
check_eq "inspect: running" running "$(state_of life)"
check "ps lists it Up" grep -Eq '^life Up' <<<"$(dabba_user ps --format '{{.Names}} {{.Status}}')"
check_eq "exec works in it (its env from create)" hello \
  "$(dabba_user exec life sh -c 'echo $GREETING')"
# logs_say NAME LINE: the container's log has LINE now (read afresh on every try).
logs_say() { dabba_user logs "$1" 2>/dev/null | grep -qx "$2"; }
check "its output is logged" wait_until logs_say life started
check_eq "start of a running container: exit 0, nothing printed (podman 4)" "0:" \
  "$(user_to "$WORK/s2.out" 30 start life):$(cat "$WORK/s2.out")"

# --- restart ---------------------------------------------------------------------------------
FIRST=$(started_at life)
PID1=$(ps_field dabba_user life pid)
sleep 1  # StartedAt has whole seconds
check_eq "restart -t 0 exits 0" 0 "$(user_to "$WORK/r.out" 60 restart -t 0 life)"
check_eq "restart prints the name" life "$(cat "$WORK/r.out")"
check_eq "running again" running "$(state_of life)"
check "the start time changed" test "$(started_at life)" != "$FIRST"
check "a new PID 1" test "$(ps_field dabba_user life pid)" != "$PID1"
check "the old PID 1 is gone" wait_until test ! -e "/proc/$PID1"
check_eq "exec still works" ok "$(dabba_user exec life echo ok)"

# --- pause: this machine's rootless containers have no freezer (cgroup v1, no limits) ---------
if [ "$(stat -fc %T /sys/fs/cgroup)" != cgroup2fs ]; then
  check_eq "pause on cgroup v1 (rootless) exits 125" 125 "$(user_to "$WORK/pa.out" 30 pause life)"
  check "... with podman's phrase" grep -qx \
    'Error: can not pause containers on rootless containers with cgroup V1: this container does not have a cgroup' \
    "$WORK/pa.out.err"
  check_eq "... and it still runs" running "$(state_of life)"
fi

# --- rename ----------------------------------------------------------------------------------
check_eq "create a second container" 0 "$(user_to "$WORK/c2.out" 60 create --name other "$BUSYBOX" true)"
check_eq "rename to a taken name exits 125" 125 "$(user_to "$WORK/rn0.out" 30 rename life other)"
check "... with podman's phrase" grep -q \
  "^Error: renaming container $ID: name other already in use, cannot rename container $ID: container already exists" \
  "$WORK/rn0.out.err"
check_eq "rename to a bad name exits 125" 125 "$(user_to "$WORK/rn1.out" 30 rename life 'bad name')"
check_eq "rename life web exits 0" 0 "$(user_to "$WORK/rn.out" 30 rename life web)"
check_eq "the old name is gone" 125 "$(user_to "$WORK/rn2.out" 30 inspect --type container life)"
check_eq "the new name works: exec" ok "$(dabba_user exec web echo ok)"
check_eq "... ps shows it" "web" "$(dabba_user ps --format '{{.Names}}')"
check_eq "the old name is free: rename other life" 0 "$(user_to "$WORK/rn3.out" 30 rename other life)"

# --- port ------------------------------------------------------------------------------------
check_eq "port web: podman's line" "80/tcp -> 127.0.0.1:$PORT" "$(dabba_user port web)"
check_eq "port web 80: the host side" "127.0.0.1:$PORT" "$(dabba_user port web 80)"
check_eq "port web 80/tcp: the same" "127.0.0.1:$PORT" "$(dabba_user port web 80/tcp)"
check_eq "port -a: the short id, a tab, the line" "$(printf '%s\t80/tcp -> 127.0.0.1:%s' "${ID:0:12}" "$PORT")" \
  "$(dabba_user port -a)"
check_eq "port web 81 exits 125" 125 "$(user_to "$WORK/p.out" 30 port web 81)"
check "... failed to find published port" grep -qx 'Error: failed to find published port "81"' \
  "$WORK/p.out.err"
check "the port answers on the host after the restart" wait_until \
  bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT"

# --- stop, prune -----------------------------------------------------------------------------
check_eq "stop -t 0 web" web "$(dabba_user stop -t 0 web)"
check "ps -a shows it Exited" grep -Eq '^web Exited' \
  <<<"$(dabba_user ps -a --format '{{.Names}} {{.Status}}')"
check_eq "port of a stopped container: nothing" "" "$(dabba_user port web)"
check_eq "container prune without -f and no answer: 125 (podman: Error: EOF)" 125 \
  "$(exit_code dabba_user container prune </dev/null)"
check_eq "container prune -f prints the removed ids (both stopped ones)" \
  "$(printf '%s\n' "$ID" "$(cat "$WORK/c2.out")" | sort)" \
  "$(dabba_user container prune -f | sort)"
check_eq "nothing left" 0 "$(container_count dabba_user)"

# --- container cleanup (a -d --rm supervisor's exit command) ----------------------------------
check_eq "container cleanup of a missing container: 125" 125 \
  "$(user_to "$WORK/cl.out" 30 container cleanup no-such-one)"
check "... podman's phrase" grep -q 'no such container' "$WORK/cl.out.err"
CL=$(dabba_user run -d --name cleaned "$BUSYBOX" sh -c "$LOOP")
check_eq "container cleanup of a running container: 125" 125 \
  "$(user_to "$WORK/cl2.out" 30 container cleanup cleaned)"
check "... it is running" grep -q 'container is running' "$WORK/cl2.out.err"
dabba_user stop -t 0 cleaned >/dev/null
check_eq "container cleanup of a stopped one prints its full id, and keeps it" "$CL" \
  "$(dabba_user container cleanup cleaned)"
check_eq "... still there" 1 "$(container_count dabba_user)"
check_eq "container cleanup --rm removes it" "$CL" "$(dabba_user container cleanup --rm cleaned)"
check_eq "... gone" 0 "$(container_count dabba_user)"

# --- start -a --------------------------------------------------------------------------------
dabba_user create --name said "$BUSYBOX" sh -c 'echo said-this; exit 3' >/dev/null
check_eq "start -a returns the container's exit code" 3 "$(user_to "$WORK/a.out" 60 start -a said)"
check_eq "start -a shows its output" said-this "$(cat "$WORK/a.out")"
check_eq "start -a again (an exited container starts again)" 3 \
  "$(user_to "$WORK/a2.out" 60 start -a said)"
dabba_user create --name said2 "$BUSYBOX" true >/dev/null
check_eq "start -a of two containers: 125" 125 "$(user_to "$WORK/a3.out" 30 start -a said said2)"
check "... podman's phrase" grep -qx 'Error: you cannot start and attach multiple containers at once' \
  "$WORK/a3.out.err"
check_eq "start said2 (detached) exits 0" 0 "$(user_to "$WORK/a4.out" 60 start said2)"
check_eq "... and it ran" 0 "$(dabba_user wait said2)"
dabba_user create --rm --name once "$BUSYBOX" true >/dev/null
check_eq "a create --rm container: start -a" 0 "$(user_to "$WORK/a5.out" 60 start -a once)"
check_eq "... is removed after it ran" 125 "$(user_to "$WORK/a6.out" 30 inspect --type container once)"
dabba_user rm -a -f >/dev/null

# --- start --filter (podman 4.3's 045-start.bats) -----------------------------------------------
F0=$(dabba_user run -d "$BUSYBOX" true)
F1=$(dabba_user run -d "$BUSYBOX" false)
dabba_user wait "$F0" "$F1" >/dev/null
check_eq "start --filter restart-policy=always: not this one (no policy)" "" \
  "$(dabba_user start --filter restart-policy=always "$F0")"
check_eq "start --filter restart-policy=none: this one" "$F0" \
  "$(dabba_user start --filter restart-policy=none "$F0")"
check "start --filter restart-policy=fakepolicy: podman's error" \
  grep -qx "Error: fakepolicy invalid restart policy" \
  <<<"$(dabba_user start --filter restart-policy=fakepolicy "$F0" 2>&1 || true)"
dabba_user wait "$F0" >/dev/null
check_eq "start --all --filter exited=0: only the one that exited 0" "$F0" \
  "$(dabba_user start --all --filter exited=0)"
R1=$(dabba_user run -d --replace --name replaced "$BUSYBOX" sleep 600)
R2=$(dabba_user run -d --replace --name replaced "$BUSYBOX" sleep 600)
check_eq "run -d --replace --name: the running one of that name is replaced" "${R2:0:12} replaced" \
  "$(dabba_user ps -a --filter name=replaced --format '{{.ID}} {{.Names}}')"
check_eq "... the first is gone" 1 "$(exit_code dabba_user container exists "$R1")"
check_eq "create --replace too" 0 "$(exit_code dabba_user create --replace --name replaced "$BUSYBOX" true)"
dabba_user rm -f replaced >/dev/null
F2=$(dabba_user create "$BUSYBOX" true)
check_eq "inspect -l: the container created last" "$F2" "$(dabba_user inspect -l --format '{{.Id}}')"
dabba_user rm -a -f >/dev/null

# --- as root ---------------------------------------------------------------------------------
RID=$(dabba_root create --name rootlife "$BUSYBOX" sh -c "$LOOP" 2>/dev/null)
check "[root] create prints the id" grep -Eqx '[0-9a-f]{64}' <<<"$RID"
check_eq "[root] Created" created "$(dabba_root inspect --format '{{.State.Status}}' rootlife)"
dabba_root start rootlife >"$WORK/rs.out" 2>&1 || true
check_eq "[root] start" rootlife "$(cat "$WORK/rs.out")"
check_eq "[root] exec in it" ok "$(dabba_root exec rootlife echo ok)"
dabba_root restart -t 0 rootlife >"$WORK/rr.out" 2>&1 || true
check_eq "[root] restart" rootlife "$(cat "$WORK/rr.out")"
check_eq "[root] rename" 0 "$(exit_code dabba_root rename rootlife rootweb)"
check_eq "[root] stop" rootweb "$(dabba_root stop -t 0 rootweb)"
check_eq "[root] container prune -f" "$RID" "$(dabba_root container prune -f)"

check_no_container_leftovers dabba_user "$STORE"
check_no_container_leftovers dabba_root "$ROOT_STORE"
check_done
