#!/bin/bash
# Detached containers through the real binary, as the test user (and the key cases as root):
# `run -d` prints the id and returns at once, `ps` (-a, -q, --format json), `logs` (-f ends when
# the container does), `exec` (-e, -u, -w, -i, exit codes), `stop` (a handled SIGTERM, a PID 1
# that ignores it killed after -t, the image's StopSignal), `rm` (refuses a running container,
# -f leaves nothing), `-d --rm`, signals to the supervisor, start errors (their exit code back,
# recorded, or removed with --rm), and a SIGKILLed supervisor. Every wait is bounded.
set -euo pipefail
# shellcheck source=lib/run.sh
source "$(dirname "$0")/lib/run.sh"
run_setup run_detached
APP=$FIXTURE_BUSYBOX_APP
dabba_user pull -q "$APP" >/dev/null
dabba_root pull -q "$BUSYBOX" >/dev/null 2>&1

# within_user SECS ARGS...: dabba as the test user, killed after SECS seconds (exit 124 then).
# `run -d` writes to a file, never into $(...): a supervisor holding the pipe would hang it.
within_user() {
  local secs=$1
  shift
  as_user timeout -k 5 "$secs" "$TEST_DABBA" --root "$STORE" "$@"
}
within_root() {
  local secs=$1
  shift
  timeout -k 5 "$secs" env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME=/root \
    "$TEST_DABBA" --root "$ROOT_STORE" "$@"
}
# state_value STORE ID KEY: a value of the container's state file.
state_value() { sed -n "s/^$3=//p" "$1/containers/$2/state" 2>/dev/null; }
# gone PID: the process has exited (a zombie counts as gone).
gone() { [ ! -e "/proc/$1" ] || [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ]; }
# dead_or_zombie PID: the process has exited, reaped or not.
dead_or_zombie() { [ ! -e "/proc/$1" ] || grep -q '^[^)]*) [ZX]' "/proc/$1/stat" 2>/dev/null; }
# not_listed WHO ID: ps (running only) does not list the container.
not_listed() { ! "$1" ps -q --no-trunc | grep -qx "$2"; }
# holders FILE: processes that have FILE open.
holders() { find /proc/[0-9]*/fd -lname "$1" 2>/dev/null | cut -d/ -f3 | sort -u | xargs; }
LOOP="while :; do sleep 0.1; done # $MARK"

# --- run -d: the id, at once --------------------------------------------------------------------
rc=0
within_user 60 run -d --name web "$BUSYBOX" \
  sh -c "echo out-line; echo err-line >&2; $LOOP" >"$WORK/d.out" 2>"$WORK/d.err" || rc=$?
check_eq "run -d of a long-running container returns (exit 0)" 0 $rc
ID=$(cat "$WORK/d.out")
check "run -d prints the full id, and only that" grep -Eqx '[0-9a-f]{64}' "$WORK/d.out"
check_eq "... nothing on stderr" "" "$(cat "$WORK/d.err")"
check_eq "nothing of the container holds run -d's stdout or stderr (\$(dabba run -d) returns)" "" \
  "$(holders "$WORK/d.out")$(holders "$WORK/d.err")"
PID=$(ps_field dabba_user web pid)
check "the container's PID 1 runs (ps's pid, PID 1 in its namespace)" \
  awk '/^NSpid:/ {exit !($NF == 1 && NF == 3)}' "/proc/$PID/status"

# --- ps -----------------------------------------------------------------------------------------
check_eq "ps -q: the short id" "${ID:0:12}" "$(dabba_user ps -q)"
check_eq "ps -q --no-trunc: the full id" "$ID" "$(dabba_user ps -q --no-trunc)"
check "ps: a table row with image, command (podman's: cut at 17), Up, name" grep -Eq \
  "^${ID:0:12} +$BUSYBOX +sh -c echo out-li\\.\\.\\. +.* Up .* web\$" <<<"$(dabba_user ps)"
check_eq "ps --format '{{.ID}} {{.Names}} {{.State}}' (Go-template, as Docker's)" \
  "${ID:0:12} web running" "$(dabba_user ps --format '{{.ID}} {{.Names}} {{.State}}')"
check_eq "ps --format 'table {{.Names}}\t{{.Status}}': header" "NAMES STATUS" \
  "$(dabba_user ps --format 'table {{.Names}}\t{{.Status}}' | head -1 | xargs)"
json=$(dabba_user ps --format json)
check_eq "ps --format json (podman's keys): Id, Names, Image, State" \
  "$ID web $BUSYBOX running" \
  "$(jq -r '.[0] | "\(.Id) \(.Names[0]) \(.Image) \(.State)"' <<<"$json")"
check_eq "ps --format json: Command, AutoRemove, Exited while running" \
  "sh|-c|false|false" \
  "$(jq -r '.[0] | "\(.Command[0])|\(.Command[1])|\(.AutoRemove)|\(.Exited)"' <<<"$json")"
check "ps --format json: Status Up, Created and StartedAt unix times, ImageID 64 hex" \
  jq -e '.[0] | (.Status | startswith("Up ")) and (.Created > 1600000000) and
    (.StartedAt > 1600000000) and (.ImageID | test("^[0-9a-f]{64}$"))' \
  <<<"$json"

# --- logs ---------------------------------------------------------------------------------------
wait_until sh -c "grep -q err-line '$STORE/containers/$ID/logs/ctr.log'"
check_eq "logs: the container's stdout on stdout" "out-line" "$(dabba_user logs web 2>/dev/null)"
check_eq "logs: its stderr on stderr" "err-line" "$(dabba_user logs web 2>&1 >/dev/null)"
check_eq "logs: both, in the order written, with the stream of each (k8s-file)" "stdout out-line stderr err-line" \
  "$(awk '{print $2, $4}' "$STORE/containers/$ID/logs/ctr.log" | xargs)"
check "logs -t: an RFC 3339 time before each line" \
  grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z out-line$' <<<"$(dabba_user logs -t web 2>/dev/null)"
check_eq "logs of an unknown container: 125, as podman" 125 "$(exit_code dabba_user logs no-such)"

sleep 1  # `created` has a second's resolution: newest-first needs them a second apart
within_user 60 run -d --name counter "$BUSYBOX" \
  sh -c "for i in 1 2 3 4 5; do echo n\$i; sleep 0.2; done # $MARK" >/dev/null
rc=0
out=$(within_user 60 logs -f counter) || rc=$?
check_eq "logs -f ends when the container exits (exit 0, not the timeout)" 0 $rc
check_eq "logs -f: every line, in order" "n1 n2 n3 n4 n5" "$(xargs <<<"$out")"
check_eq "ps -a: the finished one Exited (0)" "exited 0" \
  "$(echo "$(ps_field dabba_user counter state) $(ps_field dabba_user counter exit_code)")"
check_eq "ps (running only) lists only web" "${ID:0:12}" "$(dabba_user ps -q)"
check_eq "ps -a lists both, oldest first (podman's --sort created)" "web counter" \
  "$(dabba_user ps -a --format json | jq -r '.[].Names[0]' | xargs)"
check "ps -a table: Exited (0)" grep -Eq "Exited \(0\) .* counter$" <<<"$(dabba_user ps -a)"

# --- logs of several containers, --tail, --since/--until, never-run, log driver none -------------
within_user 60 run -d --name two "$BUSYBOX" sh -c "echo l1; echo l2; sleep 0.2; echo l3 # $MARK" >/dev/null
within_user 60 wait two >/dev/null
check_eq "logs --tail 1: the last line (the first record of the file counts too)" l3 \
  "$(dabba_user logs --tail 1 two)"
check_eq "logs --tail 3 of three lines: all" "l1 l2 l3" "$(dabba_user logs --tail 3 two | xargs)"
check_eq "logs --tail -1: all" "l1 l2 l3" "$(dabba_user logs --tail -1 two | xargs)"
L2_TIME=$(dabba_user logs -t two | awk '$2 == "l2" { print $1 }')
L3_TIME=$(dabba_user logs -t two | awk '$2 == "l3" { print $1 }')
check_eq "logs --since the time of l3 (RFC 3339 to the nanosecond)" l3 \
  "$(dabba_user logs --since "$L3_TIME" two)"
check_eq "logs --until the time of l2" "l1 l2" "$(dabba_user logs --until "$L2_TIME" two | xargs)"
check_eq "logs --since 1h (a duration): all" "l1 l2 l3" "$(dabba_user logs --since 1h two | xargs)"
check_eq "logs --until 1h (a duration): none" "" "$(dabba_user logs --until 1h two)"
check_eq "logs --since an RFC 3339 time in the future: nothing" "" \
  "$(dabba_user logs --since 2099-01-01T00:00:00Z two)"
TWO=$(dabba_user inspect -f '{{.Id}}' two)
check_eq "logs of two containers: each line after the short id, as podman" \
  "${TWO:0:12} l1|${TWO:0:12} l2|${TWO:0:12} l3|${ID:0:12} out-line" \
  "$(dabba_user logs two web 2>/dev/null | paste -sd'|')"
check_eq "logs -n (--names): after the name" "two l1|two l2|two l3|web out-line" \
  "$(dabba_user logs -n two web 2>/dev/null | paste -sd'|')"
NEVER=$(dabba_user create "$BUSYBOX" echo later)
check_eq "logs of a container that never ran: nothing, exit 0" "0 " \
  "$(exit_code dabba_user logs "$NEVER") $(dabba_user logs "$NEVER" 2>&1)"
dabba_user start -a "$NEVER" >/dev/null
check_eq "... start -a's output is in its log" later "$(dabba_user logs "$NEVER")"
check_eq "logs -l: the container created last" later "$(dabba_user logs -l)"
dabba_user run --log-driver none --name unlogged "$BUSYBOX" true
out=$(dabba_user logs unlogged 2>&1) && rc=0 || rc=$?
check_eq "logs of a --log-driver none container: 125" 125 $rc
check "... podman's words" grep -q "this container is using the 'none' log driver, cannot read logs" <<<"$out"
dabba_user rm two unlogged "$NEVER" >/dev/null

# --- exec ---------------------------------------------------------------------------------------
check "exec: in the container's pid namespace (sees its PID 1, is not it)" \
  dabba_user exec web sh -c "grep -q '$MARK' /proc/1/cmdline && test \$\$ != 1"
check_eq "exec: the container's hostname" "${ID:0:12}" "$(dabba_user exec web hostname)"
check_eq "exec: stdout and exit status" "hi 9" \
  "$(rc=0; out=$(dabba_user exec web sh -c 'echo hi; exit 9') || rc=$?; echo "$out $rc")"
check_eq "exec -e K=V" "bar" "$(dabba_user exec -e FOO=bar web sh -c 'echo $FOO')"
check_eq "exec -u app: uid, gid" "1000 1000" "$(dabba_user exec -u app web sh -c 'echo $(id -u) $(id -g)')"
check_eq "exec -u 1000:2000" "1000 2000" \
  "$(dabba_user exec -u 1000:2000 web sh -c 'echo $(id -u) $(id -g)')"
check_eq "exec -w /tmp" "/tmp" "$(dabba_user exec -w /tmp web pwd)"
check_eq "exec: a missing command is 127" 127 "$(exit_code within_user 60 exec web no-such-cmd)"
check_eq "exec: a non-executable is 126" 126 "$(exit_code within_user 60 exec web /etc/passwd)"
check_eq "exec -i passes stdin" "piped" "$(echo piped | within_user 60 exec -i web cat)"
check_eq "exec without -i: stdin is /dev/null" "" "$(echo piped | within_user 60 exec web cat)"
out=$(within_user 60 exec -d web sh -c 'sleep 0.3; echo later > /tmp/detached')
check "exec -d: returns at once with an exec session id" grep -Eqx '[0-9a-f]{64}' <<<"$out"
wait_until dabba_user exec web test -s /tmp/detached
check_eq "... the process ran on in the background" "later" "$(dabba_user exec web cat /tmp/detached)"
start=$(date +%s)
out=$(within_user 60 exec -d web sleep 30)
check "exec -d keeps none of the caller's fds (\$(...) returns before the process ends)" \
  test $(($(date +%s) - start)) -lt 10
check_eq "exec -d of a missing command: 127" 127 "$(exit_code within_user 60 exec -d web no-such-cmd)"
check_eq "exec of an exited container: 255 (podman's code)" 255 "$(exit_code within_user 60 exec counter true)"
check_eq "exec of an unknown container: 125" 125 "$(exit_code within_user 60 exec no-such true)"

# The image's user, working dir and env are exec's defaults too.
within_user 60 run -d --name app --entrypoint /bin/sh "$APP" -c \
  "trap 'echo got-usr1; exit 5' USR1; trap 'echo got-term; exit 6' TERM; $LOOP" >/dev/null
check_eq "exec in an image with User/WorkingDir/Env: its defaults" "app /home/app from-image" \
  "$(dabba_user exec app sh -c 'echo $(id -un) $(pwd) $RIG_IMAGE_ENV')"

# --- stop ---------------------------------------------------------------------------------------
within_user 60 run -d --name term "$BUSYBOX" \
  sh -c "trap 'echo got-term; exit 0' TERM; echo up; $LOOP" >/dev/null
wait_until sh -c "grep -q up '$STORE/containers/$(ps_field dabba_user term id)/logs/ctr.log'"
t0=$(date +%s)
check_eq "stop (a PID 1 that handles SIGTERM): prints the name" "term" "$(within_user 60 stop term)"
check "... within the grace period (10 s by default)" test $(($(date +%s) - t0)) -lt 10
check_eq "... which exited 0 of its own (not SIGKILLed), as ps -a says" "exited 0" \
  "$(echo "$(ps_field dabba_user term state) $(ps_field dabba_user term exit_code)")"
check "... its handler ran" grep -qx got-term <<<"$(dabba_user logs term)"

within_user 60 run -d --name deaf "$BUSYBOX" sh -c "sleep 600; : $MARK" >/dev/null
t0=$(date +%s)
check_eq "stop -t 1 of a PID 1 that ignores SIGTERM" 0 "$(exit_code within_user 60 stop -t 1 deaf)"
took=$(($(date +%s) - t0))
check "... SIGKILL after the grace period (1 s <= stop < 10 s)" test $took -ge 1 -a $took -lt 10
check_eq "... exit 137 in ps -a" "exited 137" \
  "$(echo "$(ps_field dabba_user deaf state) $(ps_field dabba_user deaf exit_code)")"

within_user 60 stop -t 30 app >/dev/null
check_eq "stop sends the image's StopSignal (SIGUSR1), not SIGTERM" "exited 5" \
  "$(echo "$(ps_field dabba_user app state) $(ps_field dabba_user app exit_code)")"
check "... the USR1 handler ran" grep -qx got-usr1 <<<"$(dabba_user logs app)"
check_eq "stop of a stopped container succeeds" 0 "$(exit_code within_user 60 stop deaf)"

# logs -f of a running container ends when it is stopped.
within_user 60 run -d --name follow "$BUSYBOX" sh -c "echo first; sleep 600; : $MARK" >/dev/null
within_user 60 logs -f follow >"$WORK/follow.out" 2>&1 &
follower=$!
wait_until grep -q first "$WORK/follow.out"
check "logs -f still follows the running container" kill -0 $follower
within_user 60 stop -t 0 follow >/dev/null
rc=0
wait $follower || rc=$?
check_eq "logs -f ends when the followed container is stopped (exit 0)" 0 $rc

# --- rm -----------------------------------------------------------------------------------------
out=$(dabba_user rm web 2>&1) && rc=0 || rc=$?
check_eq "rm of a running container fails with podman's 2" 2 $rc
check "... saying it runs and how to force it" grep -q "is running.*" <<<"$out"
check_eq "... and it still runs" "running" "$(ps_field dabba_user web state)"
check_eq "rm -f of the running container" "web" "$(within_user 60 rm -f web)"
check "... its PID 1 is gone" gone "$PID"
check_eq "... its record is gone" "" "$(ps_field dabba_user web id)"
check_eq "... its directory is gone" no "$([ -e "$STORE/containers/$ID" ] && echo yes || echo no)"
check_eq "... nothing of it is mounted" "" "$(findmnt -rn -o TARGET | grep -F "$ID" || true)"
check_eq "... its supervisor is gone" "" "$(pgrep -f -- "^dabba-supervise $ID" || true)"

# --- -d --rm ------------------------------------------------------------------------------------
within_user 60 run -d --rm --name brief "$BUSYBOX" sh -c "sleep 0.3; : $MARK" >"$WORK/brief.id"
BRIEF=$(cat "$WORK/brief.id")
brief_gone() {
  ! dabba_user ps -a -q --no-trunc | grep -q "$BRIEF" && [ ! -e "$STORE/containers/$BRIEF" ]
}
check "-d --rm: removed after its exit (record and directory)" wait_until brief_gone

# --- the supervisor's signals, exec's and -d's start errors ------------------------------------
within_user 60 run -d --name sig "$BUSYBOX" sh -c "trap 'echo got-term; exit 5' TERM; $LOOP" \
  >"$WORK/sig.id"
SIG_ID=$(cat "$WORK/sig.id")
check_eq "exec -w of a missing directory: 125" 125 "$(exit_code within_user 60 exec -w /nope sig true)"
kill -TERM "$(state_value "$STORE" "$SIG_ID" supervisor_pid)"
sig_recorded() { [ "$(ps_field dabba_user sig exit_code)" != null ]; }
check "SIGTERM to the supervisor reaches the container, its exit recorded" wait_until sig_recorded
check_eq "... exited 5 (its handler's code)" "exited 5" \
  "$(ps_field dabba_user sig state) $(ps_field dabba_user sig exit_code)"
check_eq "-d: a missing command is 127, as in the foreground" 127 \
  "$(exit_code within_user 60 run -d --name dfailed "$BUSYBOX" no-such-command)"
check_eq "... recorded: ps -a says exited 127" "exited 127" \
  "$(ps_field dabba_user dfailed state) $(ps_field dabba_user dfailed exit_code)"
check_eq "-d --rm: a missing command is 127" 127 \
  "$(exit_code within_user 60 run -d --rm --name drmfailed "$BUSYBOX" no-such-command)"
drmfailed_gone() { [ -z "$(ps_field dabba_user drmfailed id)" ]; }
check "... and the container is removed" wait_until drmfailed_gone
dabba_user rm sig dfailed >/dev/null

# --- -dt and -dit: a pty nobody types into; its output is the stdout log ----------------------
dabba_user run -dt --name ttyout "$BUSYBOX" sh -c "tty; echo to-err >&2; : $MARK" >/dev/null
check "-dt: the workload's tty is the container's pty, logged" \
  wait_until sh -c "grep -q /dev/pts/0 '$STORE/containers/$(ps_field dabba_user ttyout id)/logs/ctr.log'"
check "-dt: stderr goes through the pty too (one stream, as Docker's)" \
  wait_until sh -c "dabba_out=\$(cat '$STORE/containers/$(ps_field dabba_user ttyout id)/logs/ctr.log'); \
    case \$dabba_out in *to-err*) exit 0;; esac; exit 1"
check_eq "-dt: the exit is recorded" "exited 0" \
  "$(wait_until sh -c "[ -n \"\$(cat '$STORE/containers/$(ps_field dabba_user ttyout id)/state' 2>/dev/null | grep -o exited)\" ]";
    echo "$(ps_field dabba_user ttyout state) $(ps_field dabba_user ttyout exit_code)")"
dabba_user run -dit --name shell "$BUSYBOX" sh >/dev/null
sleep 0.5
check_eq "-dit sh: a shell waiting on its pty keeps running" running \
  "$(ps_field dabba_user shell state)"
check_eq "-dit: exec into it reaches the same pty session (PID 1's tty is a pts)" "136,0" \
  "$(dabba_user exec shell ps -o pid,tty | awk '$1 == 1 {print $2}')"
check "-dit: the shell's prompt is in the log" \
  wait_until sh -c "grep -q '/ # ' '$STORE/containers/$(ps_field dabba_user shell id)/logs/ctr.log'"
check_eq "-dit: stop (sh as PID 1 ignores SIGTERM) kills it after -t" 137 \
  "$(dabba_user stop -t 1 shell >/dev/null; ps_field dabba_user shell exit_code)"
dabba_user rm ttyout shell >/dev/null

# --- a dead PID 1 its stopped supervisor cannot reap yet (a zombie) is not running ------------
within_user 60 run -d --name zombie "$BUSYBOX" sh -c "$LOOP" >"$WORK/zombie.id"
ZID=$(cat "$WORK/zombie.id")
ZSUP=$(state_value "$STORE" "$ZID" supervisor_pid)
ZPID=$(ps_field dabba_user zombie pid)
kill -STOP "$ZSUP"
kill -KILL "$ZPID"
check "the container's PID 1 is a zombie (its supervisor is stopped)" \
  wait_until sh -c "awk '{exit \$3 != \"Z\"}' /proc/$ZPID/stat"
check "ps does not list the zombie as running" not_listed dabba_user "$ZID"
check_eq "exec into it: 255 (not running, podman's code)" 255 "$(exit_code within_user 60 exec zombie true)"
within_user 60 logs -f zombie >/dev/null 2>&1 &
follower=$!
sleep 1
check "logs -f waits for the supervisor to record the exit" kill -0 $follower
kill -CONT "$ZSUP"
rc=0
wait $follower || rc=$?
check_eq "... and ends once it has (exit 0)" 0 $rc
check_eq "... so that the exit code is there right after: 137" 137 "$(ps_field dabba_user zombie exit_code)"
check_eq "... then rm" "zombie" "$(within_user 60 rm zombie)"

# --- the supervisor SIGKILLed -------------------------------------------------------------------
within_user 60 run -d --name victim "$BUSYBOX" sh -c "$LOOP" >"$WORK/victim.id"
VID=$(cat "$WORK/victim.id")
SUP=$(state_value "$STORE" "$VID" supervisor_pid)
VPID=$(ps_field dabba_user victim pid)
check "the supervisor is a live process of the test" kill -0 "$SUP"
as_user rm -f "$WORK/home/conmon.pid"
CPF=$(within_user 60 run -d --conmon-pidfile "$WORK/home/conmon.pid" "$BUSYBOX" sleep 600)
check_eq "--conmon-pidfile: the supervisor's pid, as inspect's ConmonPid" \
  "$(dabba_user inspect -f '{{.State.ConmonPid}}' "$CPF")" "$(cat "$WORK/home/conmon.pid" 2>&1)"
dabba_user rm -f -t 0 "$CPF" >/dev/null
check_eq "it runs the small dabba-supervise program, not a fork of dabba" \
  "$WORK/bin/dabba-supervise" "$(readlink "/proc/$SUP/exe")"
check_eq "... titled with its container's id (ps, stop and rm find it so)" \
  "dabba-supervise $VID" "$(tr '\0' ' ' <"/proc/$SUP/cmdline" | sed 's/ *$//')"
kill -KILL "$SUP"
# Its PID 1 dies at once (parent-death signal), then waits as a zombie until the host's init
# reaps it, which may take long (here: about a second). A zombie is not running.
check "after the supervisor's SIGKILL its container dies too (parent-death signal)" \
  wait_until dead_or_zombie "$VPID"
check "ps at once no longer lists it as running (even as an unreaped zombie)" \
  not_listed dabba_user "$VID"
check_eq "ps -a: exited, status unknown" "exited Exited (unknown)" \
  "$(echo "$(ps_field dabba_user victim state) $(ps_field dabba_user victim status)")"
check_eq "rm (no -f) removes it" "victim" "$(within_user 60 rm victim)"
check_eq "... and its directory" no "$([ -e "$STORE/containers/$VID" ] && echo yes || echo no)"

# --- as root ------------------------------------------------------------------------------------
within_root 60 run -d --name rweb "$BUSYBOX" sh -c "echo root-out; $LOOP" >"$WORK/rweb.id"
RID=$(cat "$WORK/rweb.id")
check "as root: run -d prints the id" grep -Eqx '[0-9a-f]{64}' <<<"$RID"
check_eq "as root: ps -q" "${RID:0:12}" "$(dabba_root ps -q)"
check_eq "as root: exec -u app sees the container's PID 1" "1000 yes" \
  "$(dabba_root exec -u app rweb sh -c "echo \$(id -u) \$(grep -q '$MARK' /proc/1/cmdline && echo yes)")"
check_eq "as root: exec exit status" 4 "$(exit_code within_root 60 exec rweb sh -c 'exit 4')"
root_logged() { dabba_root logs rweb | grep -qx root-out; }
check "as root: logs" wait_until root_logged
check_fails "as root: rm of a running container fails" dabba_root rm rweb
RPID=$(ps_field dabba_root rweb pid)
check_eq "as root: rm -f" "rweb" "$(within_root 60 rm -f rweb)"
check "as root: ... its PID 1 is gone" gone "$RPID"
within_root 60 run -d --name rdeaf "$BUSYBOX" sh -c "sleep 600; : $MARK" >/dev/null
check_eq "as root: stop -t 1 of a PID 1 ignoring SIGTERM: 137" "0 137" \
  "$(exit_code within_root 60 stop -t 1 rdeaf) $(ps_field dabba_root rdeaf exit_code)"
check "as root: rm" dabba_root rm rdeaf

# --- nothing left -------------------------------------------------------------------------------
for c in $(dabba_user ps -a -q); do dabba_user rm -f "$c" >/dev/null; done
check_no_container_leftovers dabba_user "$STORE"
check_no_container_leftovers dabba_root "$ROOT_STORE"
check_done
