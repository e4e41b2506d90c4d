#!/bin/bash
# Rootless dabba processes of one user share one user namespace, held by a pause process whose
# pid file is trusted only when it names the caller's live pause process with the right id map.
set -euo pipefail
source "$(dirname "$0")/lib/rig.sh"
rig_setup userns-shared

PID_FILE=$WORK/run/dabba/pause.pid
pause_pid() { cut -d' ' -f1 "$PID_FILE"; }
# The user namespace inode a verb ran in, seen from inside by a probe: `dabba gc` runs in the
# namespace; /proc/PID/ns/user of the pause process is the namespace it holds.
ns_of() { readlink "/proc/$1/ns/user"; }
# verb_ns [ENV...]: the user namespace a dabba verb runs in, as the verb itself sees it.
verb_ns() { as_user env "$@" "$TEST_DABBA" --root "$STORE" unshare readlink /proc/self/ns/user; }
# a_pause PID: PID is a live dabba-pause process of the test user.
a_pause() {
  [ "$(cat "/proc/$1/comm" 2>/dev/null)" = dabba-pause ] &&
    [ "$(stat -c %U "/proc/$1")" = "$RIG_USER" ]
}

check "first store verb creates the shared namespace" dabba_user gc
check "pause pid file exists" test -s "$PID_FILE"
if [ ! -s "$PID_FILE" ]; then  # why: the fallback to a private namespace is logged at debug level
  dabba_user --log-level debug gc 2>&1 | sed 's/^/       | /' || true
  check_done || exit 1
fi
P1=$(pause_pid)
check_eq "pause process is named dabba-pause" dabba-pause "$(cat /proc/"$P1"/comm)"
check_eq "pause process belongs to the test user" "$RIG_USER" "$(ps -o user= -p "$P1" | tr -d ' ')"
uid_map=$(awk '{print $1, $2, $3}' /proc/"$P1"/uid_map | tr '\n' ';')
sub=$(awk -F: -v u="$RIG_USER" '$1 == u {print $2, $3; exit}' /etc/subuid)
check_eq "namespace maps 0 to the user and 1.. to the subuid range" \
  "0 $(id -u "$RIG_USER") 1;1 $sub;" "$uid_map"

check "second verb succeeds" dabba_user gc
check_eq "second verb keeps the same pause process" "$P1" "$(pause_pid)"
check_eq "a verb runs in the pause process's namespace" "$(ns_of "$P1")" "$(verb_ns)"

# A detached sleeper started through the namespace proves a second process lands in the same
# namespace: `dabba info` is not in it, so use the test user's own nsenter-free probe: the
# namespace of a process started by a joined dabba equals the pause process's.
NS1=$(ns_of "$P1")

# A pid file naming someone else's process (pid 1) is not trusted: a new pause is made.
echo "1 1" >"$WORK/home/fake.pid"
as_user cp "$WORK/home/fake.pid" "$PID_FILE"
FORGED_RC=0
FORGED_OUT=$(dabba_user --log-level debug gc 2>&1) || FORGED_RC=$?
check_eq "verb with a forged pid file succeeds" 0 "$FORGED_RC"
P2=$(pause_pid)
# not_forged: the pid file names a new pause (else the verb's debug log says why it made none).
not_forged() { [ "$P2" != 1 ] || { echo "$FORGED_OUT"; false; }; }
check "forged pid file replaced by a new pause process" not_forged
check "... which is a live dabba-pause of the test user" a_pause "$P2"
check "old namespace differs from the new one" test "$NS1" != "$(ns_of "$P2")"
check_eq "a verb runs in the new pause process's namespace" "$(ns_of "$P2")" "$(verb_ns)"
kill "$P1" 2>/dev/null || true

# A dead pause process is replaced.
kill "$P2"
for _ in $(seq 50); do kill -0 "$P2" 2>/dev/null || break; sleep 0.05; done
check "verb after the pause process died succeeds" dabba_user gc
P3=$(pause_pid)
check "a dead pause is replaced" test "$P3" != "$P2"
check "... by a live dabba-pause of the test user" a_pause "$P3"

# DABBA_PAUSE=0: a private namespace, the pid file untouched.
check "DABBA_PAUSE=0 works without the pause process" as_user env DABBA_PAUSE=0 "$TEST_DABBA" \
  --root "$STORE" gc
check_eq "DABBA_PAUSE=0 leaves the pause process alone" "$P3" "$(pause_pid)"
private_ns=$(verb_ns DABBA_PAUSE=0)
check "DABBA_PAUSE=0 runs in a namespace of its own" test -n "$private_ns" -a \
  "$private_ns" != "$(ns_of "$P3")"

# A runtime dir owned by someone else is never used, even where the user could write to it (a
# /tmp squatter's world-writable dir cannot plant or read a pid file).
install -d -m 0700 -o "$RIG_USER" "$WORK/squat" && install -d -m 0777 -o root "$WORK/squat/dabba"
check "verb with a foreign runtime dir still works" as_user env XDG_RUNTIME_DIR="$WORK/squat" \
  "$TEST_DABBA" --root "$STORE" gc
check "nothing was written into the foreign dir" test ! -e "$WORK/squat/dabba/pause.pid"

check_done
