# shellcheck shell=bash
# A real terminal for the tests of -t (run_pty.sh, run_attach.sh): tmux as the test user, on a
# socket in the test's home (so the pause process that holds dabba's user namespace is this
# test's, and found by the cleanup). Needs lib/run.sh's as_user and WORK.
SOCK=$WORK/home/tmux.sock
tm() { as_user tmux -S "$SOCK" "$@"; }
# The pane's text, without empty lines.
pane() { tm capture-pane -p -t t -S -200 2>/dev/null | grep -v '^$' || true; }
# until_pane TEXT: wait (20 s at most) until the pane shows TEXT.
until_pane() {
  local _
  for _ in $(seq 400); do
    pane | grep -qF -- "$1" && return 0
    sleep 0.05
  done
  echo "pane never showed [$1]:"
  pane
  return 1
}
send() { tm send-keys -t t "$@"; }
