#!/bin/bash
# --restart as podman-run(1) has it, real binary, as the test user (one case as root):
# on-failure:N restarts a failing container N times and stops there (inspect's RestartCount and
# RestartPolicy, one log line per run); on-failure leaves a clean exit alone; always restarts
# until `stop`, and `stop`, `kill` and `rm -f` end it for good (no restart after, no supervisor
# left); a `start` by the user makes the policy apply again; a foreground run returns the first
# exit code and the policy goes on in the background; podman's errors for --rm with a policy and
# for a bad policy (exit 125, nothing created). Every wait is bounded.
set -euo pipefail
# shellcheck source=lib/run.sh
source "$(dirname "$0")/lib/run.sh"
run_setup restart_policy
dabba_root pull -q "$BUSYBOX" >/dev/null 2>&1

field() { dabba_user inspect --format "$2" "$1"; }
restarts() { field "$1" '{{.RestartCount}}'; }
status_of() { field "$1" '{{.State.Status}}'; }
# settled NAME COUNT: exited after COUNT restarts
settled() { [ "$(status_of "$1") $(restarts "$1")" = "exited $2" ]; }
at_least() { [ "$(restarts "$1")" -ge "$2" ]; }
supervisors() { titled_pids | wc -l; }
no_supervisors() { [ "$(supervisors)" = 0 ]; }
status_is() { [ "$(status_of "$1")" = "$2" ]; }
root_settled() { [ "$(dabba_root inspect --format '{{.State.Status}} {{.RestartCount}}' "$1")" = "exited $2" ]; }

# --- on-failure:N ----------------------------------------------------------------------------
dabba_user run -d --name fail2 --restart=on-failure:2 "$BUSYBOX" sh -c "echo ran; exit 3" >/dev/null
check "on-failure:2: restarted twice, then left exited" wait_until settled fail2 2
# (PID 1 gone reads as exited a moment before its owner records the code: wait for the record.)
exit_code_is() { [ "$(field "$1" '{{.State.ExitCode}}')" = "$2" ]; }
check "... the last exit code, 3" wait_until exit_code_is fail2 3
check_eq "... three runs in the log" 3 "$(dabba_user logs fail2 | grep -c '^ran$')"
check_eq "inspect: podman's RestartPolicy" '{"MaximumRetryCount":2,"Name":"on-failure"}' \
  "$(field fail2 '{{json .HostConfig.RestartPolicy}}' | jq -cS .)"
sleep 0.5
check_eq "... and no more after the limit" "exited 2" "$(status_of fail2) $(restarts fail2)"

dabba_user run -d --name clean --restart=on-failure "$BUSYBOX" echo clean >/dev/null
check "on-failure: a clean exit is not restarted" wait_until settled clean 0
sleep 0.3
check_eq "... still once" "exited 0 1" \
  "$(status_of clean) $(restarts clean) $(dabba_user logs clean | grep -c '^clean$')"
dabba_user create --name nopolicy "$BUSYBOX" true >/dev/null
check_eq "no policy: inspect's Name is empty, as podman's" '{"MaximumRetryCount":0,"Name":""}' \
  "$(field nopolicy '{{json .HostConfig.RestartPolicy}}' | jq -cS .)"

# --- always, and what ends it ----------------------------------------------------------------
dabba_user run -d --name alw --restart=always "$BUSYBOX" sh -c "echo up; sleep 0.2" >/dev/null
check "always: restarts a clean exit, again and again" wait_until at_least alw 2
check_eq "stop ends it" 0 "$(exit_code dabba_user stop -t 1 alw)"
n=$(restarts alw)
sleep 1.5
check_eq "... for good: exited, not restarted since" "exited $n" "$(status_of alw) $(restarts alw)"
check_eq "... and its supervisor is gone" 0 "$(supervisors)"
check_eq "start: the policy applies again" 0 "$(exit_code dabba_user start alw)"
check "... it restarts once more" wait_until at_least alw 1
check_eq "rm -f ends it" 0 "$(exit_code dabba_user rm -f alw)"
check "... and no supervisor is left to bring it back" wait_until no_supervisors

dabba_user run -d --name killed --restart=always "$BUSYBOX" sleep 100 >/dev/null
check_eq "kill" 0 "$(exit_code dabba_user kill killed)"
check "... exits it" wait_until status_is killed exited
sleep 1
check_eq "... and a killed container is not restarted (podman)" "exited 0" \
  "$(status_of killed) $(restarts killed)"

# --- in the foreground -----------------------------------------------------------------------
check_eq "run (foreground) returns the first exit code" 4 \
  "$(exit_code dabba_user run --name fg --restart=on-failure:1 "$BUSYBOX" sh -c "echo fg; exit 4")"
check "... and the policy goes on in the background" wait_until settled fg 1
check_eq "... two runs in the log" 2 "$(dabba_user logs fg | grep -c '^fg$')"

# --- errors ----------------------------------------------------------------------------------
before=$(container_count dabba_user)
out=$(dabba_user run --rm --restart=always "$BUSYBOX" true 2>&1 || true)
check_eq "--rm with a policy: exit 125" 125 \
  "$(exit_code dabba_user run --rm --restart=always "$BUSYBOX" true)"
check "... podman's message" grep -qF 'the --rm option conflicts with --restart' <<<"$out"
check_eq "--rm --restart=no is fine" 0 "$(exit_code dabba_user run --rm --restart=no "$BUSYBOX" true)"
out=$(dabba_user run --restart=never "$BUSYBOX" true 2>&1 || true)
check "a policy podman 4.3 does not know: podman's message" \
  grep -qF '"never" is not a valid restart policy' <<<"$out"
check_eq "always:3: exit 125" 125 "$(exit_code dabba_user create --restart=always:3 "$BUSYBOX" true)"
check_eq "on-failure:x: exit 125" 125 "$(exit_code dabba_user create --restart=on-failure:x "$BUSYBOX" true)"
check_eq "... nothing created by any of them" "$before" "$(container_count dabba_user)"

# --- as root ---------------------------------------------------------------------------------
dabba_root run -d --name r1 --restart=on-failure:1 "$BUSYBOX" sh -c "exit 2" >/dev/null
check "[root] on-failure:1: one restart" wait_until root_settled r1 1

dabba_user rm -af >/dev/null
dabba_root rm -af >/dev/null
check_no_container_leftovers dabba_user "$STORE"
check_done
