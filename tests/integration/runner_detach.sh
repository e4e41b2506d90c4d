#!/bin/bash
# -d: a supervisor owns the container (the caller returns at once, even with its stdout in a
# pipe), logs its stdout/stderr, records its state; signals to the supervisor reach the
# container; exec joins the running container (namespaces, cgroups, user, pty-less stdio); a
# SIGKILLed supervisor takes the container with it; nothing is left behind.
set -euo pipefail
# shellcheck source=lib/runner.sh
source "$(dirname "$0")/lib/runner.sh"
runner_setup runner_detach

state_of() { sed -n "s/^$2=//p" "$1/state"; }
# log_of DIR STREAM: the text of the container's stdout or stderr records in its k8s-file log.
log_of() { sed -n "s/^[^ ]* $2 [FP] //p" "$1/logs/ctr.log"; }

for mode in user root; do
  if [ $mode = user ]; then drv=drv_user base=$BASE dir=$WORK/user; else
    drv=drv_root base=$ROOT_BASE dir=$WORK/root
  fi
  C=$dir/d1
  echo "--- as $mode"
  # $(...) returns only when every holder of its pipe is gone: the supervisor must hold none.
  start=$(date +%s%N)
  pid=$($drv --layer "$base" --container-dir "$C" -d --hostname det -- sh -c \
    "echo out-line; echo err-line >&2; trap 'echo got-term; exit 5' TERM; while :; do sleep 0.1; done # $RUNNER_MARK")
  took_ms=$((($(date +%s%N) - start) / 1000000))
  check "[$mode] -d prints the container's pid" test "$pid" -gt 0
  check "[$mode] -d returns at once (${took_ms} ms)" test $took_ms -lt 2000
  check_eq "[$mode] state: running, with the pid" "running $pid" \
    "$(state_of "$C" status) $(state_of "$C" pid)"
  sup=$(state_of "$C" supervisor_pid)
  check "[$mode] the supervisor is its own session, not our child" \
    test "$(ps -o sid= -p "$sup" | xargs)" = "$(ps -o pid= -p "$sup" | xargs)" -o \
    "$(ps -o ppid= -p "$sup" | xargs)" != $$
  wait_for_line err-line "$C/logs/ctr.log"
  check_eq "[$mode] stdout logged" out-line "$(log_of "$C" stdout)"
  check_eq "[$mode] stderr logged" err-line "$(log_of "$C" stderr)"

  check_eq "[$mode] exec runs in the container's namespaces (uts, pid)" "det yes" \
    "$($drv exec --container-dir "$C" -- sh -c 'echo $(hostname) $([ $$ -lt 100 ] && echo yes)')"
  check_eq "[$mode] exec sees PID 1 of the container" "sh" \
    "$($drv exec --container-dir "$C" -- sh -c 'cat /proc/1/comm')"
  check_eq "[$mode] exec -u -w -e" "1000 /home/user X=1 HOME=/home/user" \
    "$($drv exec --container-dir "$C" -u user -w /home/user -e X=1 -- sh -c 'echo $(id -u) $(pwd) X=$X HOME=$HOME')"
  check_eq "[$mode] exec exit status" 9 "$(exit_code $drv exec --container-dir "$C" -- sh -c 'exit 9')"
  check_eq "[$mode] exec of a missing command: 127" 127 \
    "$(exit_code $drv exec --container-dir "$C" -- nosuch)"
  check_eq "[$mode] exec with a missing -w: 125" 125 \
    "$(exit_code $drv exec --container-dir "$C" -w /nope -- true)"
  check_eq "[$mode] exec's file lands in the container" yes \
    "$($drv exec --container-dir "$C" -- sh -c 'echo yes >/tmp/mark' && $drv exec --container-dir "$C" -- cat /tmp/mark)"

  kill -TERM "$sup"
  for _ in $(seq 100); do [ "$(state_of "$C" status)" = exited ] && break; sleep 0.05; done
  check_eq "[$mode] SIGTERM to the supervisor reaches the container; exit recorded" "exited 5" \
    "$(state_of "$C" status) $(state_of "$C" exit_code)"
  check_eq "[$mode] got-term logged" "out-line got-term" "$(log_of "$C" stdout | xargs)"
  check_fails "[$mode] exec into an exited container fails" $drv exec --container-dir "$C" -- true

  # stop: the signal if PID 1 handles it, SIGKILL after the grace period if it does not.
  C4=$dir/d4
  $drv --layer "$base" --container-dir "$C4" -d -- sh -c "trap 'exit 4' TERM; while :; do sleep 0.1; done # $RUNNER_MARK" >/dev/null
  check_eq "[$mode] stop: a handled SIGTERM ends it" "exited exited 4" \
    "$($drv stop --container-dir "$C4" SIGTERM 5000) $(state_of "$C4" status) $(state_of "$C4" exit_code)"
  check_eq "[$mode] stop of a stopped container" not-running "$($drv stop --container-dir "$C4")"
  C5=$dir/d5
  $drv --layer "$base" --container-dir "$C5" -d -u user -- sh -c "sleep 600; true # $RUNNER_MARK" >/dev/null
  start=$(date +%s%N)
  check_eq "[$mode] stop: PID 1 ignoring SIGTERM is killed after the grace period" "killed exited 137" \
    "$($drv stop --container-dir "$C5" TERM 300) $(state_of "$C5" status) $(state_of "$C5" exit_code)"
  took_ms=$((($(date +%s%N) - start) / 1000000))
  check "[$mode] ... after ~300 ms (${took_ms} ms)" test $took_ms -ge 300 -a $took_ms -lt 3000

  # SIGKILL of the supervisor: the container dies with it (parent-death signal).
  C2=$dir/d2
  pid=$($drv --layer "$base" --container-dir "$C2" -d -- sh -c "sleep 600 # $RUNNER_MARK")
  kill -KILL "$(state_of "$C2" supervisor_pid)"
  gone=no
  for _ in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || { gone=yes; break; }
    sleep 0.05
  done
  check_eq "[$mode] SIGKILL of the supervisor takes the container with it" yes $gone
  check_eq "[$mode] the stale state is detectable (alive=0)" "running alive=0" \
    "$(state_of "$C2" status) $($drv state --container-dir "$C2" | grep alive)"

  # A start error reaches the caller with run's exit code.
  check_eq "[$mode] -d start errors come back: 127" 127 \
    "$(exit_code $drv --layer "$base" --container-dir "$dir/d3" -d -- nosuch)"
  check_eq "[$mode] and are recorded" "exited 127" \
    "$(state_of "$dir/d3" status) $(state_of "$dir/d3" exit_code)"
done

check_no_leftovers
check_done
