#!/bin/bash
# `dabba run -it` (and `exec -it`) under a real terminal: tmux, as the test user (and a key case as
# root). The pty is the container's /dev/pts/0 with the terminal's size, follows a resize, the
# shell has job control, Ctrl-C reaches the container's foreground job and the shell survives, the
# exit status comes back, the user's terminal is restored, and a closed terminal ends the
# container. Every wait is bounded.
set -euo pipefail
# shellcheck source=lib/run.sh
source "$(dirname "$0")/lib/run.sh"
command -v tmux >/dev/null || { echo "SKIP: no tmux"; exit 77; }
run_setup run_pty
dabba_root pull -q "$BUSYBOX" >/dev/null 2>&1

# shellcheck source=lib/tmux.sh
source "$(dirname "$0")/lib/tmux.sh"
# until_gone PATTERN: wait (20 s) until no process matches PATTERN.
until_gone() {
  local _
  for _ in $(seq 400); do
    pgrep -f -- "$1" >/dev/null || return 0
    sleep 0.05
  done
  return 1
}
pty_cleanup() {
  local rc=$?
  set +e
  tm kill-server 2>/dev/null
  tmux -S "$WORK/root.sock" kill-server 2>/dev/null
  (exit $rc)
  run_cleanup
}
trap pty_cleanup EXIT
JOB=9$$  # the container's foreground jobs are `sleep ${JOB}N`: long, and this test's own
# until_foreground CMDLINE: wait (20 s) until a process whose command line is CMDLINE is the
# foreground process group of its terminal (pgrp == tpgid in /proc/PID/stat).
until_foreground() {
  local _ pid
  for _ in $(seq 400); do
    for pid in $(pgrep -x -f -- "$1"); do
      awk '{exit !($5 == $8)}' "/proc/$pid/stat" 2>/dev/null && return 0
    done
    sleep 0.05
  done
  echo "no foreground process [$1]"
  return 1
}

DABBA_CMD="'$TEST_DABBA' --root '$STORE'"
cat >"$WORK/pty.sh" <<SCRIPT
before=\$(stty -g)
$DABBA_CMD run -it --name tty1 '$BUSYBOX' sh
echo "EXITED=\$?"
[ "\$(stty -g)" = "\$before" ] && echo RESTORED=yes || echo RESTORED=no
stty -a | grep -o -- '-\?icanon' | head -1 | sed 's/^/MODE=/'
sleep 100
SCRIPT
chmod 0755 "$WORK/pty.sh"

tm new-session -d -s t -x 120 -y 40 "sh $WORK/pty.sh"
check "the container's shell prompt appears" until_pane '/ #'
send 'echo T=$(tty) S=$(stty size) TERM=$TERM PID=$$' Enter
check "tty is the container's /dev/pts/0, with the window's size, TERM set, shell PID 1" \
  until_pane 'T=/dev/pts/0 S=40 120 TERM=xterm PID=1'
check_eq "ps: the container runs" running "$(ps_field dabba_user tty1 state)"

# Ctrl-C: the foreground job of the container dies, the shell (PID 1) lives on. Keys are sent
# once the job is the terminal's foreground process group (a Ctrl-C typed earlier would reach the
# shell and flush the line instead): the sleeps' lengths are this test's own, to find them.
send "sleep ${JOB}1" Enter
check "the foreground job runs" until_foreground "sleep ${JOB}1"
send C-c
send 'echo after=$?' Enter
check "Ctrl-C interrupts the container's foreground job, the shell survives" until_pane 'after=130'

# Job control: a background job, jobs, fg, then Ctrl-C of the foregrounded job; Ctrl-Z.
send "sleep ${JOB}2 &" Enter
send 'jobs' Enter
check "jobs lists the background job as Running" until_pane "Running                    sleep ${JOB}2"
send 'fg' Enter
check "fg brings it to the foreground" until_foreground "sleep ${JOB}2"
send C-c
send 'echo fg-after=$? jobs=$(jobs | wc -l)' Enter
check "... where Ctrl-C reaches it" until_pane 'fg-after=130 jobs=0'
send "sleep ${JOB}3" Enter
check "another foreground job runs" until_foreground "sleep ${JOB}3"
send C-z
check "Ctrl-Z stops the foreground job" until_pane "Stopped                    sleep ${JOB}3"
send 'kill -9 %1' Enter

tm resize-window -t t -x 100 -y 30
# The new size arrives asynchronously (SIGWINCH to dabba, TIOCSWINSZ on the container's pty): the
# container looks for 10 s at most.
send 'i=0; while [ "$(stty size)" != "30 100" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; echo R=$(stty size)' Enter
check "a resize of the window reaches the container" until_pane 'R=30 100'

send 'exit 3' Enter
check "exit returns the shell's status" until_pane 'EXITED=3'
check "the user's terminal is restored exactly (stty -g as before)" until_pane 'RESTORED=yes'
check "... canonical mode again" until_pane 'MODE=icanon'
check_eq "ps -a: Exited (3)" "exited 3" \
  "$(echo "$(ps_field dabba_user tty1 state) $(ps_field dabba_user tty1 exit_code)")"
tm kill-server

# exec -it into a detached container: a pty of its own, the window's size, the exit status.
dabba_user run -d --name daemon "$BUSYBOX" sh -c "sleep 600; : $MARK" >/dev/null
cat >"$WORK/exec.sh" <<SCRIPT
$DABBA_CMD exec -it daemon sh
echo "EXEC_EXITED=\$?"
sleep 100
SCRIPT
tm new-session -d -s t -x 90 -y 25 "sh $WORK/exec.sh"
check "exec -it: a prompt" until_pane '/ #'
send 'echo ET=$(tty) ES=$(stty size) EP=$(cat /proc/1/cmdline | tr "\0" " ")' Enter
check "exec -it: a pty of the container's devpts, the window's size, beside its PID 1" \
  until_pane 'ET=/dev/pts/0 ES=25 90 EP=sh -c sleep 600'
send "sleep ${JOB}4" Enter
check "exec -it: a foreground job runs" until_foreground "sleep ${JOB}4"
send C-c
send 'echo exec-after=$?' Enter
check "exec -it: Ctrl-C reaches its foreground job" until_pane 'exec-after=130'
send 'exit 4' Enter
check "exec -it: the exit status" until_pane 'EXEC_EXITED=4'
check_eq "the container still runs after the exec" running "$(ps_field dabba_user daemon state)"
tm kill-server
dabba_user rm -f daemon >/dev/null

# The terminal goes away under a running container: the container ends (SIGHUP, then SIGKILL
# after dabba's grace period) and ps -a says it exited.
cat >"$WORK/hup.sh" <<SCRIPT
exec $DABBA_CMD run -it --name hup '$BUSYBOX' sh -c 'echo up; sleep 600 # $MARK-hup'
SCRIPT
tm new-session -d -s t -x 80 -y 24 "sh $WORK/hup.sh"
check "the second container is up" until_pane 'up'
tm kill-server
check "a closed terminal ends the container" until_gone "$MARK-hup"
check_eq "... and dabba recorded its exit (ps -a: exited, with a code)" "exited number" \
  "$(dabba_user ps -a --format json | jq -r '.[] | select(.Names[0] == "hup") | "\(.State) \(.ExitCode | type)"')"

# As root (the container has a user namespace of its own): the same pty.
cat >"$WORK/root.sh" <<SCRIPT
env -i PATH=/usr/bin:/bin TERM=xterm '$TEST_DABBA' --root '$ROOT_STORE' run -it --rm '$BUSYBOX' \
  sh -c 'echo T=\$(tty); stty size; exit 2'
echo "EXITED=\$?"
sleep 100
SCRIPT
tmux -S "$WORK/root.sock" new-session -d -s r -x 90 -y 20 "sh $WORK/root.sh"
for _ in $(seq 400); do
  tmux -S "$WORK/root.sock" capture-pane -p -t r | grep -q EXITED && break
  sleep 0.05
done
root_pane=$(tmux -S "$WORK/root.sock" capture-pane -p -t r | xargs)
tmux -S "$WORK/root.sock" kill-server
check_eq "as root: /dev/pts/0, the size, the exit status" "T=/dev/pts/0 20 90 EXITED=2" "$root_pane"

for c in $(dabba_user ps -a -q); do dabba_user rm -f "$c" >/dev/null; done
check_no_container_leftovers dabba_user "$STORE"
check_no_container_leftovers dabba_root "$ROOT_STORE"
check_done
