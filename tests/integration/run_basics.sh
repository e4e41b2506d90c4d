#!/bin/bash
# `dabba run` as a user types it, through the real binary, as the test user (and the key cases as
# root): the id maps, PID 1, exit codes (the command's, 128+N, and dabba's own 125/126/127), env,
# working dir and user from the image and from the flags, bind mounts, --read-only, --tmpfs,
# --hostname, --rm leaving nothing behind, names, a 101-layer image, --pull=never without
# network, and a stopped container pinning its layers against rmi and gc. The sandbox's low-level
# cases are the runner's own tests (runner_*.sh); these test what the user types.
set -euo pipefail
# shellcheck source=lib/run.sh
source "$(dirname "$0")/lib/run.sh"
run_setup run_basics
APP=$FIXTURE_BUSYBOX_APP
dabba_user pull -q "$APP" >/dev/null
dabba_user pull -q "$FIXTURE_MANY" >/dev/null
dabba_root pull -q "$BUSYBOX" >/dev/null 2>&1

# --- ids and PID 1 ------------------------------------------------------------------------------
USER_UID=$(id -u "$RIG_USER")
USER_GID=$(id -g "$RIG_USER")
SUBUID=$(awk -F: -v u="$RIG_USER" '$1 == u {print $2 " " $3; exit}' /etc/subuid)
SUBGID=$(awk -F: -v u="$RIG_USER" '$1 == u {print $2 " " $3; exit}' /etc/subgid)
map=$(dabba_user run --rm "$BUSYBOX" cat /proc/self/uid_map /proc/self/gid_map | xargs)
check_eq "uid_map and gid_map: 0 is the user, 1.. the subuid/subgid ranges" \
  "0 $USER_UID 1 1 $SUBUID 0 $USER_GID 1 1 $SUBGID" "$map"
check_eq "as root: the identity map" "0 0 4294967295" \
  "$(dabba_root run --rm "$BUSYBOX" cat /proc/self/uid_map | xargs)"
check_eq "the command is PID 1" 1 "$(dabba_user run --rm "$BUSYBOX" sh -c 'echo $$')"
check_eq "as root: PID 1" 1 "$(dabba_root run --rm "$BUSYBOX" sh -c 'echo $$')"
check_eq "container root is the user on the host (a file it makes in a bind)" \
  "$RIG_USER" "$(install -d -o "$RIG_USER" "$WORK/own" &&
    dabba_user run --rm -v "$WORK/own:/own" "$BUSYBOX" touch /own/f && stat -c %U "$WORK/own/f")"

# --- exit codes ---------------------------------------------------------------------------------
for who in dabba_user dabba_root; do
  check_eq "[$who] true: 0" 0 "$(exit_code $who run --rm "$BUSYBOX" true)"
  check_eq "[$who] exit 7: 7" 7 "$(exit_code $who run --rm "$BUSYBOX" sh -c 'exit 7')"
  check_eq "[$who] a command killed by SIGKILL (under --init): 137" 137 \
    "$(exit_code $who run --rm --init "$BUSYBOX" sh -c 'kill -KILL $$')"
  check_eq "[$who] not executable: 126" 126 "$(exit_code $who run --rm "$BUSYBOX" /etc/passwd)"
  check_eq "[$who] not found: 127" 127 "$(exit_code $who run --rm "$BUSYBOX" no-such-command)"
  check_eq "[$who] unknown image (--pull=never): 125" 125 \
    "$(exit_code $who run --rm --pull=never "$REGISTRY/rig/never-pulled:latest" true)"
done
out=$(dabba_user run --rm "$BUSYBOX" no-such-command 2>&1) || true
check "127 says what was not found" grep -q "no-such-command" <<<"$out"
for bad in "--memory lots" "--pids-limit ten" "--cpus x" "--stop-signal SIGNOPE" "--pull sometimes" \
  "--name a/b" "-v rel/path:/x" "--network bogus" "--bogus-flag"; do
  # shellcheck disable=SC2086
  check_eq "bad flag '$bad': 125" 125 "$(exit_code dabba_user run --rm $bad "$BUSYBOX" true)"
done
check_eq "no image: 125" 125 "$(exit_code dabba_user run --rm)"
out=$(dabba_user run --rm --memory lots "$BUSYBOX" true 2>&1) || true
check "a bad value is named" grep -q "Error: .*lots" <<<"$out"
check_eq "unreachable registry (default --pull=missing): 125" 125 \
  "$(exit_code dabba_user run --rm 127.0.0.1:1/nope:latest true)"

# A --pull=never run makes no request at all.
before=$(grep -c never-pulled "$REGISTRY_LOG" || true)
dabba_user run --rm --pull=never "$REGISTRY/rig/never-pulled:latest" true >/dev/null 2>&1 || true
check_eq "--pull=never asked no registry" "$before" "$(grep -c never-pulled "$REGISTRY_LOG" || true)"
out=$(dabba_user run --rm --pull=never "$REGISTRY/rig/never-pulled:latest" true 2>&1) || true
check "--pull=never: podman's words (IMAGE: image not known)" grep -q ": image not known" <<<"$out"
# --pull=missing pulls an image that is not there, then runs it.
check_eq "--pull=missing pulls rig/shared and runs it" "only in rig/shared" \
  "$(dabba_user run --rm "$FIXTURE_SHARED" cat /shared/own.txt 2>/dev/null)"
check_eq "--pull=always re-resolves and runs" "only in rig/shared" \
  "$(dabba_user run --rm --pull=always "$FIXTURE_SHARED" cat /shared/own.txt 2>/dev/null)"

# --- process: env, workdir, user from the image and from the flags ------------------------------
check_eq "Entrypoint + Cmd from the image" "entrypoint: default-cmd" "$(dabba_user run --rm "$APP")"
check_eq "arguments replace Cmd" "entrypoint: a b" "$(dabba_user run --rm "$APP" a b)"
show='echo "$RIG_IMAGE_ENV|$RIG_OVERRIDE|${RIG_FROM_FILE-}|${RIG_HOST_VAR-}|$(pwd)|$(id -un)|$HOME|$container"'
check_eq "image: Env, WorkingDir, User (and HOME from its passwd)" \
  "from-image|image|||/home/app|app|/home/app|dabba" \
  "$(dabba_user run --rm --entrypoint /bin/sh "$APP" -c "$show")"
printf '# a comment\nRIG_FROM_FILE=file\nRIG_OVERRIDE=file\n' >"$WORK/env.list"
chmod 0644 "$WORK/env.list"
check_eq "flags: --env-file, -e K=V (wins), -e K (the caller's), -w, -u" \
  "from-image|flag|file|from-host|/tmp|root|/root|dabba" \
  "$(as_user env RIG_HOST_VAR=from-host "$TEST_DABBA" --root "$STORE" run --rm \
    --env-file "$WORK/env.list" -e RIG_OVERRIDE=flag -e RIG_HOST_VAR -w /tmp -u root \
    --entrypoint /bin/sh "$APP" -c "$show")"
check_eq "-w to a missing directory: podman's exit 126 (run_flags.sh has the message)" 126 \
  "$(exit_code dabba_user run --rm -w /new/dir "$BUSYBOX" pwd)"
check_eq "-u app: uid, gid and the groups from /etc/group" "1000 1000 2000 1000 29" \
  "$(dabba_user run --rm -u app "$BUSYBOX" sh -c 'echo $(id -u) $(id -g) $(id -G | tr " " "\n" | sort -rn | xargs)')"
check_eq "-u 1000:2000" "1000 2000" "$(dabba_user run --rm -u 1000:2000 "$BUSYBOX" sh -c 'echo $(id -u) $(id -g)')"
check_eq "--entrypoint '' with arguments" "plain" \
  "$(dabba_user run --rm --entrypoint '' "$APP" echo plain)"
check_eq "--hostname: hostname and HOSTNAME" "box box" \
  "$(dabba_user run --rm --hostname box "$BUSYBOX" sh -c 'echo $(hostname) $HOSTNAME')"
id_host=$(dabba_user run --rm "$BUSYBOX" hostname)
check "the default hostname is a 12-hex id" grep -Eqx '[0-9a-f]{12}' <<<"$id_host"
check_eq "-i passes stdin" "piped" "$(echo piped | dabba_user run --rm -i "$BUSYBOX" cat)"
check_eq "without -i stdin is /dev/null" "" "$(echo piped | dabba_user run --rm "$BUSYBOX" cat)"
check_eq "as root: image env, user and workdir" "from-image|app|/home/app" \
  "$(dabba_root pull -q "$APP" >/dev/null 2>&1 &&
    dabba_root run --rm --entrypoint /bin/sh "$APP" -c 'echo "$RIG_IMAGE_ENV|$(id -un)|$(pwd)"')"

# --- capabilities (podman's default set, --cap-add/--cap-drop, exec gets the container's) -------
caps() { "$@" grep -E '^Cap(Prm|Eff|Bnd|Amb)' /proc/self/status | awk '{print $2}' | xargs; }
for who in dabba_user dabba_root; do
  check_eq "[$who] root: the default set (permitted, effective, bounding), no ambient" \
    "00000000800405fb 00000000800405fb 00000000800405fb 0000000000000000" \
    "$(caps $who run --rm "$BUSYBOX")"
  check_eq "[$who] a non-root user: none effective, the same bounding set" \
    "0000000000000000 0000000000000000 00000000800405fb 0000000000000000" \
    "$(caps $who run --rm -u 1000 "$BUSYBOX")"
  check_eq "[$who] --cap-drop ALL --cap-add NET_RAW" \
    "0000000000002000 0000000000002000 0000000000002000 0000000000000000" \
    "$(caps $who run --rm --cap-drop ALL --cap-add NET_RAW "$BUSYBOX")"
done
check_fails "no CAP_SYS_ADMIN: mount fails" \
  dabba_user run --rm "$BUSYBOX" sh -c 'mkdir /m && mount -t tmpfs x /m'
check "--cap-add SYS_ADMIN: mount works" \
  dabba_user run --rm --cap-add SYS_ADMIN "$BUSYBOX" sh -c 'mkdir /m && mount -t tmpfs x /m'
check_eq "an unknown capability: 125" 125 \
  "$(exit_code dabba_user run --rm --cap-add NET_RAWR "$BUSYBOX" true)"
# seccomp: on by default, podman's profile (tests/integration/security.sh checks it syscall by
# syscall); what it refuses without SYS_ADMIN stays refused in a user namespace the container
# makes itself (sethostname there), while mount there is the kernel's to allow, as under podman.
check_eq "seccomp filter on, no_new_privs on" "2 1" "$(dabba_user run --rm "$BUSYBOX" sh -c \
  'echo $(awk "/^Seccomp:/ {print \$2}" /proc/self/status) $(awk "/^NoNewPrivs:/ {print \$2}" /proc/self/status)')"
check_fails "seccomp: no sethostname in a nested user namespace without SYS_ADMIN" \
  dabba_user run --rm "$BUSYBOX" unshare -r -u hostname inner
check "--security-opt seccomp=unconfined lifts it" dabba_user run --rm \
  --security-opt seccomp=unconfined "$BUSYBOX" unshare -r -u hostname inner
check "a mount in a nested user namespace is the kernel's to allow (as podman's profile)" \
  dabba_user run --rm "$BUSYBOX" unshare -r -m sh -c 'mount -t tmpfs x /tmp'
check "a user namespace alone is allowed (as podman's profile allows it)" \
  dabba_user run --rm "$BUSYBOX" unshare -U true
check_eq "an unknown --security-opt: 125" 125 \
  "$(exit_code dabba_user run --rm --security-opt label=bogus "$BUSYBOX" true)"
dabba_user run -d --name caps --cap-drop CHOWN "$BUSYBOX" sleep 60 >/dev/null
check_eq "exec gets the container's capabilities" "00000000800405fa" \
  "$(dabba_user exec caps grep CapEff /proc/self/status | awk '{print $2}')"
check_eq "exec gets the container's seccomp filter" 2 \
  "$(dabba_user exec caps awk '/^Seccomp:/ {print $2}' /proc/self/status)"
dabba_user rm -f caps >/dev/null

# --- filesystems --------------------------------------------------------------------------------
install -d -m 0755 -o "$RIG_USER" "$WORK/data"
echo "from the host" >"$WORK/data/host.txt"
chmod 0644 "$WORK/data/host.txt"
check_eq "-v rw: reads the host's file, writes one back" "from the host" \
  "$(dabba_user run --rm -v "$WORK/data:/data" "$BUSYBOX" sh -c 'cat /data/host.txt; echo back >/data/back.txt')"
check_eq "... which the host sees" "back" "$(cat "$WORK/data/back.txt" 2>/dev/null)"
check_fails "-v :ro refuses writes" dabba_user run --rm -v "$WORK/data:/data:ro" "$BUSYBOX" touch /data/no
check_eq "-v of a file, at a path the image lacks" "from the host" \
  "$(dabba_user run --rm -v "$WORK/data/host.txt:/opt/deep/f.txt:ro" "$BUSYBOX" cat /opt/deep/f.txt)"
check_fails "--read-only: / is read-only" dabba_user run --rm --read-only "$BUSYBOX" touch /x
check "--read-only: /tmp and /run are writable" \
  dabba_user run --rm --read-only "$BUSYBOX" sh -c 'touch /tmp/x /run/x'
check "--read-only with a rw bind" dabba_user run --rm --read-only -v "$WORK/data:/data" "$BUSYBOX" touch /data/ro-ok
check_eq "--tmpfs" "tmpfs" "$(dabba_user run --rm --tmpfs /scratch "$BUSYBOX" sh -c \
  'touch /scratch/x && awk "\$2 == \"/scratch\" {print \$3}" /proc/mounts')"
check_eq "a write to / stays in the container" "" \
  "$(dabba_user run --rm "$BUSYBOX" touch /etc/changed && dabba_user run --rm "$BUSYBOX" sh -c 'ls /etc/changed 2>/dev/null')"
check_eq "the 101-layer image runs (rig/many)" "001 100" \
  "$(dabba_user run --rm "$FIXTURE_MANY" cat /layers/001 /layers/100 | xargs)"

# --- --rm leaves nothing ------------------------------------------------------------------------
check_no_container_leftovers dabba_user "$STORE"
check_no_container_leftovers dabba_root "$ROOT_STORE"

# --- kept containers and names ------------------------------------------------------------------
check_eq "a kept container exits 3" 3 \
  "$(exit_code dabba_user run --name kept "$BUSYBOX" sh -c 'echo kept-out; exit 3')"
check_eq "logs of a foreground container (k8s-file by default, as podman)" "kept-out" \
  "$(dabba_user logs kept 2>&1)"
check "ps -a: Exited (3)" grep -Eq "^[0-9a-f]{12} .*Exited \(3\) .* kept$" <<<"$(dabba_user ps -a)"
check_eq "ps (running only) does not list it" "" "$(dabba_user ps -q)"
check_eq "the name is taken: 125" 125 "$(exit_code dabba_user run --name kept "$BUSYBOX" true)"
out=$(dabba_user run --name kept "$BUSYBOX" true 2>&1) || true
check "... and says so" grep -q "name 'kept' is taken" <<<"$out"
dabba_user run "$BUSYBOX" true
names=$(dabba_user ps -a --format json | jq -r '.[].Names[0]' | sort | xargs)
check "a generated name is adjective_noun" grep -Eq '(^| )[a-z]+_[a-z]+( |$)' <<<"$names"
check_eq "a failed start is recorded: Exited (127)" "exited 127" \
  "$(exit_code dabba_user run --name failed "$BUSYBOX" no-such-command >/dev/null;
    echo "$(ps_field dabba_user failed state) $(ps_field dabba_user failed exit_code)")"
check "rm removes stopped containers" dabba_user rm kept failed
check_eq "rm of an unknown container fails" 1 "$(exit_code dabba_user rm no-such-container)"

# --- a stopped container pins its layers: rmi refuses, gc keeps them -----------------------------
layers() { find "$STORE/layers" -mindepth 1 -maxdepth 1 -type d | wc -l; }
for c in $(dabba_user ps -aq); do dabba_user rm "$c" >/dev/null; done
dabba_user run --name pinned "$FIXTURE_SHARED" true
check_fails "rmi refuses an image a container uses" dabba_user rmi "$FIXTURE_SHARED"
check "untag drops its name" dabba_user untag "$FIXTURE_SHARED"
before=$(layers)
dabba_user gc >/dev/null
check_eq "gc keeps the stopped container's layers" "$before" "$(layers)"
check "its own layer's files are still there" sh -c "ls '$STORE'/layers/*/shared/own.txt"
check "rm of the container" dabba_user rm pinned
check "image prune removes the unnamed image" dabba_user image prune -f
dabba_user gc >/dev/null
check_eq "then gc frees rig/shared's own layer" $((before - 1)) "$(layers)"

check_no_container_leftovers dabba_user "$STORE"
check_done
