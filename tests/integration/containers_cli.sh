#!/bin/bash
# The container verbs as podman's scripts drive them (issue 11), through the real binary as the
# test user (key cases as root): `rm -t 0 --all --force --ignore` and its exit codes (1 missing,
# 2 running), `stop -a/-i/--cidfile` in parallel with podman's SIGKILL warning, `ps` with
# podman's flags, filters, sort and template fields, `inspect`/`container inspect` with
# templates, the `container` group, usage errors (125, "Error: "), and podman's global flags.
set -euo pipefail
# shellcheck source=lib/run.sh
source "$(dirname "$0")/lib/run.sh"
run_setup containers_cli
dabba_root pull -q "$BUSYBOX" >/dev/null 2>&1
# err CMD...: CMD's stderr (its stdout and status discarded).
err() { "$@" 2>&1 >/dev/null || true; }

# --- usage errors and messages ------------------------------------------------------------------
check_eq "a usage error exits 125 (podman's), not CLI11's 106/109" 125 \
  "$(exit_code dabba_user ps --bogus)"
check "... and says Error: first" grep -q "^Error: " <<<"$(err dabba_user ps --bogus)"
check_eq "a missing verb argument: 125" 125 "$(exit_code dabba_user stop)"
check "... you must provide at least one name or id" \
  grep -q "^Error: you must provide at least one name or id" <<<"$(err dabba_user stop)"

# --- podman's setup lines, on an empty store ----------------------------------------------------
check_eq "rm -t 0 --all --force --ignore on nothing: 0" 0 \
  "$(exit_code dabba_user rm -t 0 --all --force --ignore)"
check_eq "ps --all --external --format '{{.ID}} {{.Names}}': nothing" "" \
  "$(dabba_user ps --all --external --format '{{.ID}} {{.Names}}')"
check_eq "ps --noheading on nothing: nothing" "" "$(dabba_user ps --noheading)"

# --- rm: exit codes and messages ----------------------------------------------------------------
check_eq "rm of a missing container: 1" 1 "$(exit_code dabba_user rm nosuch)"
check_eq "... podman's words" 'Error: no container with name or ID "nosuch" found: no such container' \
  "$(err dabba_user rm nosuch | head -1)"
check_eq "rm -i of a missing container: 0, silent" "0:" \
  "$(rc=0; out=$(dabba_user rm -i nosuch 2>&1) || rc=$?; echo "$rc:$out")"
CID=$(dabba_user run -d --name sleeper "$BUSYBOX" sleep 60)
check_eq "rm of a running container without -f: 2" 2 "$(exit_code dabba_user rm sleeper)"
check_eq "... podman's words" "Error: cannot remove container $CID as it is running - running or paused containers cannot be removed without force: container state improper" \
  "$(err dabba_user rm sleeper | head -1)"
check_eq "rm -a with a name: 125" 125 "$(exit_code dabba_user rm -a sleeper)"

# --- inspect ------------------------------------------------------------------------------------
check_eq "inspect --format '{{.State.Running}} {{.State.Status}} {{.Name}}'" "true running sleeper" \
  "$(dabba_user inspect --format '{{.State.Running}} {{.State.Status}} {{.Name}}' sleeper)"
check_eq "container inspect --format '{{.Id}}' (and .ID)" "$CID $CID" \
  "$(dabba_user container inspect --format '{{.Id}} {{.ID}}' sleeper)"
json=$(dabba_user inspect sleeper)
check "inspect: podman's shape (State.Pid, Config.Cmd, ImageName, HostConfig, NetworkSettings)" \
  jq -e --arg img "$BUSYBOX" '.[0] | (.State.Pid > 0) and (.Config.Cmd == ["sleep","60"]) and
    (.ImageName == $img) and (.Image | test("^[0-9a-f]{64}$")) and
    (.HostConfig.RestartPolicy | has("Name")) and (.NetworkSettings | has("Ports")) and
    (.State.StartedAt | test("^[0-9]{4}-")) and (.State.FinishedAt == "0001-01-01T00:00:00Z")' \
  <<<"$json"
check_eq "inspect --type container of a missing one: 125, podman's words" \
  "125 Error: inspecting object: no such container nosuch" \
  "$(rc=0; e=$(dabba_user inspect --type container nosuch 2>&1 >/dev/null) || rc=$?; echo "$rc $e")"
check_eq "inspect of a missing object: 125" 125 "$(exit_code dabba_user inspect nosuch)"
check_eq "inspect an image still works (.Id is the image's)" 64 \
  "$(dabba_user inspect --format '{{.Id}}' "$BUSYBOX" | tr -d '\n' | wc -c)"
check_eq "container exists: 0, missing: 1" "0 1" \
  "$(exit_code dabba_user container exists sleeper) $(exit_code dabba_user container exists nosuch)"

# --- ps -----------------------------------------------------------------------------------------
sleep 1  # created times are whole seconds: ok is newer than sleeper, bad newer than ok
dabba_user run --name ok "$BUSYBOX" true
sleep 1
dabba_user run --name bad "$BUSYBOX" false || true
check_eq "ps --no-trunc --format '{{.ID}} {{.Image}} {{.Command}} {{.Names}}' (podman's)" \
  "$CID $BUSYBOX sleep 60 sleeper" \
  "$(dabba_user ps --no-trunc --format '{{.ID}} {{.Image}} {{.Command}} {{.Names}}')"
check_eq "ps --filter status=exited --sort names (no -a needed)" "bad ok" \
  "$(dabba_user ps --filter status=exited --sort names --format '{{.Names}}' | xargs)"
check_eq "ps --filter status=exited --filter exited=1" "bad" \
  "$(dabba_user ps --filter status=exited --filter exited=1 --format '{{.Names}}')"
check_eq "ps --filter name=ok (running only: none)" "" "$(dabba_user ps --filter name=ok -q)"
check_eq "ps -a --filter name=^ok\$ --format '{{.State}} {{.ExitCode}}'" "exited 0" \
  "$(dabba_user ps -a --filter 'name=^ok$' --format '{{.State}} {{.ExitCode}}')"
check_eq "ps -a --sort created: oldest first (ok and bad may share a second)" "sleeper" \
  "$(dabba_user ps -a --sort created --format '{{.Names}}' | head -1)"
check_eq "ps -l: the newest" "bad" "$(dabba_user ps -l --format '{{.Names}}')"
check_eq "ps -n 2 --sort names" "bad ok" "$(dabba_user ps -n 2 --sort names --format '{{.Names}}' | xargs)"
check_eq "ps -a --filter since=sleeper" "bad ok" \
  "$(dabba_user ps -a --filter since=sleeper --sort names --format '{{.Names}}' | xargs)"
check_eq "ps --format '{{.Names | upper}}' (template functions)" "SLEEPER" \
  "$(dabba_user ps --format '{{.Names | upper}}')"
check_eq "ps header row" "CONTAINER ID IMAGE COMMAND CREATED STATUS PORTS NAMES" \
  "$(dabba_user ps | head -1 | xargs)"
check_eq "ps --noheading: rows only" 1 "$(dabba_user ps --noheading | wc -l)"
check_eq "ps --filter bogus=1: 125" 125 "$(exit_code dabba_user ps --filter bogus=1)"
check_eq "container ls -a -q lists all three" 3 "$(dabba_user container ls -a -q | wc -l)"

# --- stop: parallel, the SIGKILL warning, --ignore, --cidfile ----------------------------------
check_eq "stop of a missing container: 125, podman's words" \
  '125 Error: no container with name or ID "nosuch" found: no such container' \
  "$(rc=0; e=$(dabba_user stop nosuch 2>&1 >/dev/null | head -1) || rc=$?; echo "$rc $e")"
check_eq "stop --ignore of a missing container: 0, nothing printed" "0:" \
  "$(rc=0; out=$(dabba_user stop --ignore nosuch 2>&1) || rc=$?; echo "$rc:$out")"
dabba_user run -d --name s2 "$BUSYBOX" sleep 60 >/dev/null
dabba_user run -d --name s3 "$BUSYBOX" sleep 60 >"$WORK/cid3"
start=$(date +%s%N)
out=$(dabba_user stop -a -t 1 2>"$WORK/stop.err")
ms=$(( ($(date +%s%N) - start) / 1000000 ))
# TODO(issue 11): measured ~3 s on a loaded machine; the parallel speed-up is not yet shown here.
echo "note - stop -a -t 1 of 3 PID-1 sleeps took ${ms} ms"
check_eq "stop -a prints the full ids" "$(dabba_user ps -a --no-trunc -q | sort | xargs)" \
  "$(echo "$out" | sort | xargs)"
check "... podman's warning when SIGKILL did it" \
  grep -q "StopSignal SIGTERM failed to stop container sleeper in 1 seconds, resorting to SIGKILL" \
  "$WORK/stop.err"
check_eq "all stopped" "" "$(dabba_user ps -q)"
check_eq "stop --cidfile (of a stopped one: fine) prints the id" "$(cat "$WORK/cid3")" \
  "$(dabba_user stop --cidfile "$WORK/cid3")"
check_eq "--noout: stop prints nothing" "" "$(dabba_user --noout stop s2)"

# --- rm -t 0 --all --force --ignore: everything goes, in parallel -------------------------------
dabba_user run -d --name r1 "$BUSYBOX" sleep 60 >/dev/null
dabba_user run -d --name r2 "$BUSYBOX" sleep 60 >/dev/null
check_eq "rm -t 0 --all --force --ignore removes running and exited ones" 0 \
  "$(exit_code dabba_user rm -t 0 --all --force --ignore)"
check_eq "... none left" 0 "$(container_count dabba_user)"
check_no_container_leftovers dabba_user "$STORE"

# --- podman's global flags ----------------------------------------------------------------------
check_eq "podman's globals are accepted" 0 "$(exit_code dabba_user --runroot /tmp/x \
  --storage-driver overlay --events-backend file --runtime-flag debug --cgroup-manager cgroupfs \
  --runtime runc --log-level warning ps -a)"
check_eq "--storage-driver vfs: accepted (dabba's own store)" 0 \
  "$(exit_code dabba_user --storage-driver vfs ps)"
check_eq "--storage-driver btrfs: 125" 125 "$(exit_code dabba_user --storage-driver btrfs ps)"
check "... named" grep -q 'unsupported storage driver "btrfs"' <<<"$(err dabba_user --storage-driver btrfs ps)"
check_eq "an unknown --log-level: 1 (podman's)" 1 "$(exit_code dabba_user --log-level loud ps)"

# --- wait, kill ---------------------------------------------------------------------------------
dabba_user run -d --name w1 "$BUSYBOX" sh -c 'sleep 0.5; exit 7' >/dev/null
check_eq "wait prints the exit code once it ends" 7 "$(as_user timeout 20 "$TEST_DABBA" --root "$STORE" wait w1)"
check_eq "wait --condition exited of an exited one: at once" "7" \
  "$(as_user timeout 20 "$TEST_DABBA" --root "$STORE" wait --condition exited w1)"
dabba_user run -d --name k1 "$BUSYBOX" sleep 60 >/dev/null
check_eq "kill prints the name" k1 "$(dabba_user kill k1)"
check_eq "... and SIGKILL ended it: wait says 137" 137 \
  "$(as_user timeout 20 "$TEST_DABBA" --root "$STORE" wait k1)"
check_eq "kill of a stopped one: 125" 125 "$(exit_code dabba_user kill k1)"
check "... podman's words" grep -q "can only kill running containers.* is in state exited" \
  <<<"$(err dabba_user kill k1)"
dabba_user run -d --name k2 "$BUSYBOX" sleep 60 >/dev/null
check_eq "kill -s TERM (PID 1 sleep ignores it): still running" "k2 running" \
  "$(dabba_user kill -s TERM k2) $(dabba_user inspect --format '{{.State.Status}}' k2)"
dabba_user rm -f k2 >/dev/null
dabba_user run -d --name k3 "$BUSYBOX" sh -c 'trap "echo got-hup" HUP; echo ready; while :; do sleep 0.1; done' >/dev/null
wait_until sh -c "grep -q ready '$STORE'/containers/*/logs/ctr.log"
check_eq "kill -s -1: the dash dropped, as podman (SIGHUP)" k3 "$(dabba_user kill -s -1 k3)"
got_hup() { dabba_user logs k3 | grep -q got-hup; }
check "... the container's trap ran" wait_until got_hup
dabba_user rm -f -t 0 k3 >/dev/null
# podman's "stopping": while a stop waits out its grace period (050-stop's unlock test).
dabba_user run -d --name stopme "$BUSYBOX" sh -c 'trap "echo ignoring-term" TERM; echo ready; while :; do sleep 0.1; done' >/dev/null
wait_until sh -c "grep -q ready '$STORE'/containers/*/logs/ctr.log"
as_user "$TEST_DABBA" --root "$STORE" stop -t 20 stopme >/dev/null 2>&1 &
STOPPER=$!
got_term() { dabba_user logs stopme | grep -q ignoring-term; }
check "stop -t 20 of a container that traps TERM: the signal arrives" wait_until got_term
check_eq "... meanwhile inspect says stopping, and ps -a answers at once" "stopping Stopping" \
  "$(dabba_user inspect -f '{{.State.Status}}' stopme) $(as_user timeout 5 "$TEST_DABBA" --root "$STORE" ps -a --filter name=stopme --format '{{.Status}}')"
check_eq "... kill ends it" stopme "$(dabba_user kill stopme)"
wait "$STOPPER" || true
check_eq "... exited 137, and no stopping left" "exited 137" \
  "$(dabba_user inspect -f '{{.State.Status}} {{.State.ExitCode}}' stopme)"
dabba_user rm stopme >/dev/null
check "kill -s 0: podman's words" grep -qx "Error: invalid signal: 0" <<<"$(err dabba_user kill -s 0 nosuch)"
check "kill -s BADSIG: podman's words" grep -qx "Error: invalid signal: BADSIG" \
  <<<"$(err dabba_user kill -s BADSIG nosuch)"
check "kill -s 65: podman's words" grep -qx "Error: valid signals are 1 through 64" \
  <<<"$(err dabba_user kill -s 65 nosuch)"
check_eq "create --stop-signal=99: 125" 125 "$(exit_code dabba_user create --stop-signal=99 "$BUSYBOX")"
dabba_user create --name never "$BUSYBOX" /no/such/command >/dev/null
check_eq "wait of a container that never ran: 0 at once, as podman" 0 \
  "$(as_user timeout 20 "$TEST_DABBA" --root "$STORE" wait never)"
check_eq "... its start fails: 125, as podman" 125 "$(exit_code dabba_user start never)"
check "... and wait then answers at once" grep -Eqx -- '-?[0-9]+' \
  <<<"$(as_user timeout 20 "$TEST_DABBA" --root "$STORE" wait never)"
check "start --all with a name: podman's words" \
  grep -qx "Error: either start all containers or the container(s) provided in the arguments" \
  <<<"$(err dabba_user start --all never)"
check_eq "rm --force of a missing container: 0, nothing said (podman 4.3: -f implies -i)" "0 " \
  "$(exit_code dabba_user rm --force bogus) $(dabba_user rm --force bogus 2>&1)"
check_eq "rm of a missing container without -f: 1" 1 "$(exit_code dabba_user rm bogus)"
dabba_user rm never >/dev/null

# --- version, info --format ---------------------------------------------------------------------
check "version --format '{{.Client.Version}}'" grep -Eq '^[0-9]+\.[0-9]+' \
  <<<"$(dabba_user version --format '{{.Client.Version}}')"
check_eq "info --format '{{.Store.GraphRoot}} {{.Store.GraphDriverName}}'" "$STORE overlay" \
  "$(dabba_user info --format '{{.Store.GraphRoot}} {{.Store.GraphDriverName}}')"
check_eq "info --format '{{.Host.Arch}} {{.Host.OCIRuntime.Name}}'" "$(dpkg --print-architecture) dabba" \
  "$(dabba_user info --format '{{.Host.Arch}} {{ .Host.OCIRuntime.Name }}')"
check "info --format json: podman's keys" jq -e '.host.rootless == true and
  (.store.imageStore.number >= 1) and (.store.runRoot | length > 0)' \
  <<<"$(dabba_user info --format json)"

# --- usage errors in pflag's words (podman's), 125 ------------------------------------------------
out=$(dabba_user run -h 2>&1) && rc=0 || rc=$?
check_eq "run -h (a flag without its value): 125" 125 "$rc"
check_eq "... pflag's words, then where help is" "Error: flag needs an argument: 'h' in -h|See 'dabba run --help'" \
  "$(paste -sd'|' <<<"$out")"
check "--name without a value: the long form" grep -qx "Error: flag needs an argument: --name" \
  <<<"$(dabba_user run --name 2>&1)"
check "an unknown flag" grep -qx "Error: unknown flag: --invalid" <<<"$(dabba_user ps --invalid 2>&1)"
check "an unknown short flag" grep -qx "Error: unknown shorthand flag: 'Z' in -Z" <<<"$(dabba_user ps -Z 2>&1)"
out=$(dabba_user nosuchverb 2>&1) && rc=0 || rc=$?
check_eq "an unknown verb: 125" 125 "$rc"
check "... podman's words" grep -qx 'Error: unrecognized command `dabba nosuchverb`' <<<"$out"
out=$(dabba_user 2>&1) && rc=0 || rc=$?
check "no verb: the usage, then podman's words" grep -qx "Error: missing command 'dabba COMMAND'" <<<"$out"
out=$(dabba_user network nosuchverb 2>&1) && rc=0 || rc=$?
check_eq "an unknown verb of a group: 125" 125 "$rc"
check "... podman's words" grep -qx 'Error: unrecognized command `dabba network nosuchverb`' <<<"$out"
check "... and where to look" grep -qx "Try 'dabba network --help' for more information" <<<"$out"
out=$(dabba_user image 2>&1) && rc=0 || rc=$?
check_eq "a group without its verb: 125" 125 "$rc"
check "... podman's words" grep -qx "Error: missing command 'dabba image COMMAND'" <<<"$out"
out=$(dabba_user --log-level=telepathic info 2>&1) && rc=0 || rc=$?
check_eq "--log-level unknown: 1" 1 "$rc"
check "... podman's line" grep -q '^Log Level "telepathic" is not supported, choose from: ' <<<"$out"
out=$(dabba_user --remote ps 2>&1) && rc=0 || rc=$?
check_eq "--remote: refused, 125" 125 "$rc"
check "... naming it" grep -q -- "--remote: dabba has no remote mode" <<<"$out"
check "--help lists --remote (podman's scripts look for it)" grep -q -- " --remote " <<<"$(dabba_user --help)"
check "... not with CONTAINER_CONNECTION set" bash -c '! grep -q -- " --remote "' \
  <<<"$(as_user env CONTAINER_CONNECTION=x "$TEST_DABBA" --help)"
check "... nor with --url" bash -c '! grep -q -- " --remote "' <<<"$(dabba_user --url x --help)"
check_eq "--connection NAME ps: refused, 125" 125 "$(exit_code dabba_user --connection x ps)"
# podman's (logrus's) log lines: level=... msg=... when stderr is not a terminal
out=$(dabba_user --log-level=trace info 2>&1 >/dev/null)
check "--log-level=trace: trace, debug and info lines, in logrus's form" bash -c \
  'grep -q "^time=\".*\" level=trace msg=" && grep -q " level=debug " <<<"$1" && grep -q " level=info " <<<"$1"' \
  _ "$out" <<<"$out"
out=$(dabba_user --log-level=info info 2>&1 >/dev/null)
check "--log-level=info: info lines, no debug" bash -c \
  'grep -q " level=info " <<<"$1" && ! grep -q " level=debug " <<<"$1"' _ "$out"
check_eq "--log-level=warn: no log lines" "" "$(dabba_user --log-level=warn info 2>&1 >/dev/null)"
check "-D: debug lines (docker's flag, which podman takes)" grep -q " level=debug " \
  <<<"$(dabba_user -D info 2>&1 >/dev/null)"
out=$(dabba_user --debug --log-level=panic info 2>&1) && rc=0 || rc=$?
check_eq "--debug with --log-level: podman's 1 and line" "1 Setting --log-level and --debug is not allowed" \
  "$rc $out"
check_eq "cp -a=false (pflag's short form with a value) is parsed" 0 \
  "$(exit_code dabba_user cp -a=false --help)"

# --- as root ------------------------------------------------------------------------------------
dabba_root run -d --name rs "$BUSYBOX" sleep 60 >/dev/null
check_eq "[root] inspect .State.Running" true "$(dabba_root inspect --format '{{.State.Running}}' rs)"
check_eq "[root] rm of a running one: 2" 2 "$(exit_code dabba_root rm rs)"
check_eq "[root] rm -t 0 --all --force --ignore" 0 "$(exit_code dabba_root rm -t 0 --all --force --ignore)"
check_eq "[root] none left" 0 "$(container_count dabba_root)"

check_done
