#!/bin/bash
# `dabba attach` (and `start -a` of a running container) through the real binary, as the test
# user: new output of a `run -d` container appears live; a `run -di` shell takes a pipe's input
# and the attach exits 0 when the container exits, as podman 4.3 (its exit code is recorded); a
# `-dit` shell under a real terminal (tmux) with the
# detach keys (ctrl-p ctrl-q) that leave it running, then a second attach; a stopped or missing
# container and bad detach keys are podman's errors; --no-stdin; --sig-proxy; a foreground
# container attached from elsewhere. Every wait is bounded.
set -euo pipefail
# shellcheck source=lib/run.sh
source "$(dirname "$0")/lib/run.sh"
command -v tmux >/dev/null || { echo "SKIP: no tmux"; exit 77; }
run_setup run_attach

# within_user SECS ARGS...: dabba as the test user, killed after SECS seconds (exit 124 then).
within_user() {
  local secs=$1
  shift
  as_user timeout -k 5 "$secs" "$TEST_DABBA" --root "$STORE" "$@"
}

# --- attach to a -d container: its new output, live, and its exit code ---------------------------
dabba_user run -d --name lines "$BUSYBOX" sh -c \
  "i=0; while [ \$i -lt 40 ]; do echo line\$i; i=\$((i+1)); sleep 0.1; done; echo err >&2; exit 4; : $MARK" \
  >/dev/null
wait_until grep -q line3 "$STORE/containers/$(ps_field dabba_user lines id)/logs/ctr.log"
rc=0
within_user 30 attach lines >"$WORK/a.out" 2>"$WORK/a.err" </dev/null || rc=$?
check_eq "attach exits 0 when the container exits (podman 4.3)" 0 $rc
check "attach shows the lines printed after it attached" grep -qx line39 "$WORK/a.out"
check "... and not those printed well before (no replay of the log)" bash -c "! grep -qx line0 '$WORK/a.out'"
check_eq "... its stderr on stderr" err "$(cat "$WORK/a.err")"
check_eq "the exit is recorded when attach returns" "exited 4" \
  "$(echo "$(ps_field dabba_user lines state) $(ps_field dabba_user lines exit_code)")"

# Live: a line the container prints reaches an attached client at once, not at the exit.
dabba_user run -d --name live "$BUSYBOX" sh -c "sleep 1; echo first; sleep 600; : $MARK" >/dev/null
as_user timeout -k 5 30 "$TEST_DABBA" --root "$STORE" attach live >"$WORK/live.out" </dev/null &
ATTACH=$!
check "attach shows a new line while the container still runs" wait_until grep -qx first "$WORK/live.out"
check "the attach still runs (the container does)" kill -0 $ATTACH
dabba_user stop -t 0 live >/dev/null
rc=0
wait $ATTACH || rc=$?
check_eq "stop of the container ends the attach (0; the container's code 137)" "0 137" \
  "$rc $(ps_field dabba_user live exit_code)"

# --- attach to a -di container: stdin from a pipe --------------------------------------------------
dabba_user run -di --name shell "$BUSYBOX" sh >/dev/null
rc=0
printf 'echo hi\nexit 3\n' | within_user 30 attach shell >"$WORK/di.out" 2>&1 || rc=$?
check_eq "printf 'echo hi\\nexit 3\\n' | attach: 0, the container's code 3" "0 3" \
  "$rc $(ps_field dabba_user shell exit_code)"
check_eq "... and the shell's output" hi "$(cat "$WORK/di.out")"

# The end of the client's stdin is the end of the container's (cat exits), as podman.
dabba_user run -di --name cat "$BUSYBOX" cat >/dev/null
rc=0
printf 'through\n' | within_user 30 attach cat >"$WORK/cat.out" 2>&1 || rc=$?
check_eq "cat reads the client's stdin to its end and exits 0" "0 through" "$rc $(cat "$WORK/cat.out")"

# --no-stdin: the output, but nothing of ours goes in.
dabba_user run -di --name nostdin "$BUSYBOX" sh -c "sleep 1; echo bye; exit 5" >/dev/null
rc=0
printf 'exit 9\n' | within_user 30 attach --no-stdin nostdin >"$WORK/ns.out" 2>&1 || rc=$?
check_eq "--no-stdin: the container's own exit code and output" "0 5 bye" \
  "$rc $(ps_field dabba_user nostdin exit_code) $(cat "$WORK/ns.out")"

# --- start -a of a running container attaches -----------------------------------------------------
dabba_user run -di --name sa "$BUSYBOX" sh >/dev/null
rc=0
printf 'echo via-start\nexit 6\n' | within_user 30 start -a sa >"$WORK/sa.out" 2>&1 || rc=$?
check_eq "start -a of a running -i container: stdin in, 0 (as podman 4.3), its exit code" \
  "0 6 via-start" "$rc $(ps_field dabba_user sa exit_code) $(cat "$WORK/sa.out")"

# As real root (its own store; the container in a user namespace of its own).
dabba_root pull -q "$BUSYBOX" >/dev/null 2>&1
dabba_root run -di --name rootshell "$BUSYBOX" sh >/dev/null
rc=0
printf 'echo root-hi\nexit 2\n' | timeout -k 5 30 env -i PATH=/usr/bin:/bin HOME=/root \
  "$TEST_DABBA" --root "$ROOT_STORE" attach rootshell >"$WORK/root.out" 2>&1 || rc=$?
check_eq "[root] attach with stdin from a pipe: 0, the exit code, the output" "0 2 root-hi" \
  "$rc $(ps_field dabba_root rootshell exit_code) $(cat "$WORK/root.out")"
dabba_root rm -a -f >/dev/null

# A client that reads nothing never holds the container up: the owner queues a little for it,
# then drops it, and the output goes on into the log.
dabba_user run -d --name flood "$BUSYBOX" \
  sh -c "sleep 1; yes 0123456789abcdefghijklmnopqrstuvwxyz | head -n 500000; echo flood-done; sleep 600; : $MARK" \
  >/dev/null
FLOOD=$STORE/containers/$(ps_field dabba_user flood id)
# (the path is longer than sun_path: through the directory's fd, as dabba does)
as_user python3 -c '
import os, socket, sys, time
d = os.open(sys.argv[1], os.O_PATH)
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect("/proc/self/fd/%d/attach" % d)
time.sleep(60)' "$FLOOD" &
STALLED=$!
check "a client that reads nothing: the container's output still reaches the log in full" \
  wait_until grep -q flood-done "$FLOOD/logs/ctr.log"
check_eq "... every line of it" 500000 \
  "$(dabba_user logs flood | grep -cx 0123456789abcdefghijklmnopqrstuvwxyz)"
kill "$STALLED" 2>/dev/null || true
wait "$STALLED" 2>/dev/null || true
dabba_user rm -f -t 0 flood >/dev/null

# --- --sig-proxy (the default): a signal attach gets goes to PID 1 -------------------------------
dabba_user run -d --name sigp "$BUSYBOX" \
  sh -c "trap 'echo got-int; exit 9' INT; while :; do sleep 0.1; done; : $MARK" >/dev/null
as_user timeout -k 5 30 "$TEST_DABBA" --root "$STORE" attach sigp >"$WORK/sig.out" </dev/null &
SIGA=$!
# attach_ready: the attach client runs with SIGINT blocked (read from its signalfd).
attach_ready() {
  local pid
  pid=$(pgrep -f -- "^$TEST_DABBA --root $STORE attach sigp") || return 1
  [ $((0x$(awk '/^SigBlk:/ {print $2}' "/proc/$pid/status") & 2)) -ne 0 ] && echo "$pid"
}
check "the attach client runs" wait_until attach_ready
kill -INT "$(attach_ready)"
rc=0
wait $SIGA || rc=$?
check_eq "SIGINT to attach reaches the container (its trap's exit code and output)" \
  "0 9 got-int" "$rc $(ps_field dabba_user sigp exit_code) $(cat "$WORK/sig.out")"

# --- errors --------------------------------------------------------------------------------------
rc=0
within_user 30 attach lines >"$WORK/e.out" 2>&1 || rc=$?
check_eq "attach to an exited container: 125" 125 $rc
check_eq "... podman's message" "Error: you can only attach to running containers" "$(cat "$WORK/e.out")"
rc=0
within_user 30 attach nosuch >"$WORK/e.out" 2>&1 || rc=$?
check_eq "attach to a missing container: 125" 125 $rc
check "... podman's message" grep -q 'no container with name or ID "nosuch" found: no such container' \
  "$WORK/e.out"
dabba_user run -d --name sleeper "$BUSYBOX" sh -c "sleep 600; : $MARK" >/dev/null
SLEEPER=$(ps_field dabba_user sleeper id)
rc=0
within_user 30 attach --detach-keys=bogus sleeper >"$WORK/e.out" 2>&1 </dev/null || rc=$?
check_eq "bad detach keys: 125" 125 $rc
check_eq "... podman's message" \
  "Error: attaching to container $SLEEPER: invalid detach keys: Unknown character: 'bogus'" \
  "$(head -1 "$WORK/e.out")"
rc=0
within_user 30 start -a --detach-keys=bogus sleeper >"$WORK/e.out" 2>&1 </dev/null || rc=$?
check_eq "start -a with bad detach keys: 125 and podman's message" \
  "125 Error: invalid detach keys: Unknown character: 'bogus'" "$rc $(head -1 "$WORK/e.out")"
rc=0
within_user 30 attach >"$WORK/e.out" 2>&1 || rc=$?
check_eq "attach without a container: 125" 125 $rc

# --- a foreground container can be attached to from elsewhere -------------------------------------
as_user timeout -k 5 60 "$TEST_DABBA" --root "$STORE" run --name fg "$BUSYBOX" \
  sh -c "sleep 1.5; echo fg-late; sleep 0.5; exit 7; : $MARK" >/dev/null </dev/null &
FG=$!
fg_socket() {
  local id
  id=$(ps_field dabba_user fg id 2>/dev/null)
  [ -n "$id" ] && test -S "$STORE/containers/$id/attach"
}
check "a foreground run listens on its attach socket" wait_until fg_socket
rc=0
within_user 30 attach fg >"$WORK/fg.out" </dev/null 2>&1 || rc=$?
check_eq "attach to a foreground run: 0 and its output" "0 fg-late" "$rc $(cat "$WORK/fg.out")"
wait $FG || true

# --- -dit under a real terminal: raw mode, size, ctrl-p ctrl-q detaches, attach again -------------
# shellcheck source=lib/tmux.sh
source "$(dirname "$0")/lib/tmux.sh"
attach_cleanup() {
  local rc=$?
  set +e
  tm kill-server 2>/dev/null
  (exit $rc)
  run_cleanup
}
trap attach_cleanup EXIT

dabba_user run -dit --name tty "$BUSYBOX" sh >/dev/null 2>&1  # (podman's not-a-TTY warning)
DABBA_CMD="'$TEST_DABBA' --root '$STORE'"
cat >"$WORK/attach.sh" <<SCRIPT
before=\$(stty -g)
$DABBA_CMD attach tty
echo "ATTACH_EXITED=\$?"
[ "\$(stty -g)" = "\$before" ] && echo RESTORED=yes || echo RESTORED=no
sleep 100
SCRIPT
tm new-session -d -s t -x 100 -y 30 "sh $WORK/attach.sh"
send 'echo T=$(tty) S=$(stty size) PID=$$' Enter
check "-dit attach: typing reaches the shell on its pty, with our window's size" \
  until_pane 'T=/dev/pts/0 S=30 100 PID=1'
send C-p C-q
check "ctrl-p ctrl-q detaches: attach exits 0" until_pane 'ATTACH_EXITED=0'
check "... and the terminal is restored" until_pane 'RESTORED=yes'
check_eq "... and the container still runs" running "$(ps_field dabba_user tty state)"
tm kill-server

cat >"$WORK/attach2.sh" <<SCRIPT
$DABBA_CMD attach --detach-keys=ctrl-x tty
echo "ATTACH2_EXITED=\$?"
sleep 100
SCRIPT
tm new-session -d -s t -x 80 -y 20 "sh $WORK/attach2.sh"
send 'echo S2=$(stty size)' Enter
check "attach again: the shell answers, the window's new size" until_pane 'S2=20 80'
tm resize-window -t t -x 70 -y 15
send 'i=0; while [ "$(stty size)" != "15 70" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; echo R=$(stty size)' Enter
check "a resize of the window reaches the container" until_pane 'R=15 70'
send C-p C-q 'echo still-attached' Enter
check "ctrl-p ctrl-q does not detach when --detach-keys says otherwise" until_pane 'still-attached'
send 'exit 8' Enter
check "the shell's exit ends the attach, 0" until_pane 'ATTACH2_EXITED=0'
tm kill-server

for c in sleeper; do dabba_user rm -f -t 0 "$c" >/dev/null; done
dabba_user rm -a -f >/dev/null
check_no_container_leftovers dabba_user "$STORE"
check_done
