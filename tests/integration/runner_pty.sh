#!/bin/bash
# -it under a real terminal (tmux): the pty comes from the container's devpts (`tty` is
# /dev/pts/0), has the terminal's size and follows resizes, the shell has job control, Ctrl-C
# reaches the foreground job, the exit status comes back, the user's terminal is restored, and a
# closed terminal ends the container.
set -euo pipefail
# shellcheck source=lib/runner.sh
source "$(dirname "$0")/lib/runner.sh"
runner_setup runner_pty
command -v tmux >/dev/null || { echo "SKIP: no tmux"; exit 77; }

SOCK=$WORK/user/tmux.sock
tm() { runuser -u "$TEST_USER" -- env XDG_RUNTIME_DIR="$WORK/user/run" tmux -S "$SOCK" "$@"; }
pane() { tm capture-pane -p -t t -S -100 2>/dev/null | grep -v '^$' || true; }
# until_pane TEXT: wait (5 s) until the pane shows TEXT.
until_pane() {
  local _
  for _ in $(seq 100); do
    pane | grep -qF -- "$1" && return 0
    sleep 0.05
  done
  echo "pane never showed [$1]:"
  pane
  return 1
}
send() { tm send-keys -t t "$@"; }

cat >"$WORK/user/pty.sh" <<SCRIPT
"$DRIVER" --layer "$BASE" --container-dir "$WORK/user/c1" -it -- sh
echo "EXITED=\$?"
stty -a | grep -o -- '-\?icanon' | head -1 | sed 's/^/MODE=/'
sleep 100
SCRIPT
chmod 0755 "$WORK/user/pty.sh"
trap 'tm kill-server 2>/dev/null || true; runner_cleanup' EXIT

tm new-session -d -s t -x 120 -y 40 "sh $WORK/user/pty.sh"
check "the shell's prompt appears" until_pane '/ #'
send 'echo T=$(tty) S=$(stty size) TERM=$TERM' Enter
check "tty is the container's /dev/pts/0, with the terminal's size" \
  until_pane 'T=/dev/pts/0 S=40 120 TERM=xterm'

send 'sleep 100' Enter
sleep 0.3
send C-c
send 'echo after=$?' Enter
check "Ctrl-C reaches the foreground job" until_pane 'after=130'

send 'sleep 200 &' Enter
send 'jobs' Enter
check "background job" until_pane 'Running                    sleep 200'
send 'fg' Enter
sleep 0.3
send C-z
check "Ctrl-Z stops the foreground job (job control)" until_pane 'Stopped                    sleep 200'
send 'kill -9 %1' Enter

tm resize-window -t t -x 100 -y 30
sleep 0.3
send 'echo R=$(stty size)' Enter
check "a resize reaches the container (SIGWINCH)" until_pane 'R=30 100'

send 'exit 3' Enter
check "the container's exit status comes back" until_pane 'EXITED=3'
check "the user's terminal is restored (canonical mode)" until_pane 'MODE=icanon'
tm kill-server

# The terminal goes away while the container runs: dabba hangs up the container's session and
# kills it if it does not end.
cat >"$WORK/user/pty2.sh" <<SCRIPT
exec "$DRIVER" --layer "$BASE" --container-dir "$WORK/user/c2" -it -- sh -c 'echo up; sleep 600 # $RUNNER_MARK'
SCRIPT
chmod 0755 "$WORK/user/pty2.sh"
tm new-session -d -s t -x 80 -y 24 "sh $WORK/user/pty2.sh"
check "second container up" until_pane 'up'
tm kill-server
gone=no
for _ in $(seq 200); do
  if ! pgrep -f "$RUNNER_MARK" >/dev/null; then gone=yes; break; fi
  sleep 0.05
done
check_eq "a closed terminal ends the container within the grace period" yes $gone

# As root (the container then has a user namespace of its own) the pty works the same.
cat >"$WORK/user/pty3.sh" <<SCRIPT
"$DRIVER" --layer "$ROOT_BASE" --container-dir "$WORK/root/c3" -it -- sh -c 'echo T=\$(tty); stty size'
echo "EXITED=\$?"
sleep 100
SCRIPT
chmod 0755 "$WORK/user/pty3.sh"
tmux -S "$WORK/root/tmux.sock" new-session -d -s r -x 90 -y 20 "sh $WORK/user/pty3.sh"
for _ in $(seq 100); do
  tmux -S "$WORK/root/tmux.sock" capture-pane -p -t r | grep -q EXITED && break
  sleep 0.05
done
root_pane=$(tmux -S "$WORK/root/tmux.sock" capture-pane -p -t r | xargs)
tmux -S "$WORK/root/tmux.sock" kill-server
check_eq "as root: /dev/pts/0 and the size" "T=/dev/pts/0 20 90 EXITED=0" "$root_pane"

check_no_leftovers
check_done
