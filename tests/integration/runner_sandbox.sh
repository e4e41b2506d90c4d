#!/bin/bash
# The sandbox end to end, as the unprivileged test user (inside dabba's user namespace) and as
# root (the runner makes a user namespace of its own): id maps, PID 1, exit codes, env, workdir,
# user, binds, tmpfs, read-only root, hostname and /etc files, /dev, network none/host, no
# controlling terminal without -t, and nothing left behind.
set -euo pipefail
# shellcheck source=lib/runner.sh
source "$(dirname "$0")/lib/runner.sh"
runner_setup runner_sandbox

subuid_start=$(awk -F: -v u="$TEST_USER" '$1==u {print $2; exit}' /etc/subuid)
subuid_count=$(awk -F: -v u="$TEST_USER" '$1==u {print $3; exit}' /etc/subuid)
user_uid=$(id -u "$TEST_USER")

# start_ready OUT ARGS...: `run ARGS...` (run is the mode's, below) in the background, its output
# in OUT, until it prints "ready"; sets pid.
start_ready() {
  run "${@:2}" >"$1" 2>&1 &
  pid=$!
  wait_for_line ready "$1"
}
# reap: waits for $pid; sets rc to its exit status.
reap() {
  rc=0
  wait "$pid" || rc=$?
}

for mode in user root; do
  if [ $mode = user ]; then
    drv=drv_user
    base=$BASE
    dir=$WORK/user
    expected_map="0 $user_uid 1;1 $subuid_start $subuid_count;"
  else
    drv=drv_root
    base=$ROOT_BASE
    dir=$WORK/root
    expected_map="0 0 4294967295;"
  fi
  # run ARGS...: a fresh container dir per run (or $CDIR).
  run() {
    local c=${CDIR:-$(mktemp -u "$dir/c.XXXXXX")}
    $drv --layer "$base" --container-dir "$c" "$@"
  }
  echo "--- as $mode"

  check_eq "[$mode] uid_map" "$expected_map" \
    "$(run -- cat /proc/self/uid_map | awk '{printf "%s %s %s;", $1, $2, $3}')"
  check_eq "[$mode] the workload is PID 1" 1 "$(run -- sh -c 'echo $$')"
  check_eq "[$mode] only its own processes are visible" "1 ps" \
    "$(run -- ps -o pid,comm | awk 'NR>1 {printf "%s%s %s", sep, $1, $2; sep=" "}')"
  check_eq "[$mode] --init: dabba-init is PID 1, the workload PID 2" "1 dabba-init 2 ps" \
    "$(run --init -- ps -o pid,comm | awk 'NR>1 {printf "%s%s %s", sep, $1, $2; sep=" "}')"

  # Exit codes, as docker run's.
  check_eq "[$mode] exit 0" 0 "$(exit_code run -- true)"
  check_eq "[$mode] exit 7" 7 "$(exit_code run -- sh -c 'exit 7')"
  check_eq "[$mode] killed by SIGKILL -> 137" 137 "$(exit_code run --init -- sh -c 'kill -KILL $$')"
  check_eq "[$mode] not executable -> 126" 126 "$(exit_code run -- /etc/passwd)"
  check_eq "[$mode] not found in PATH -> 127" 127 "$(exit_code run -- nosuchcommand)"
  check_eq "[$mode] no such path -> 127" 127 "$(exit_code run -- /no/such/file)"
  check_eq "[$mode] unknown user -> 125" 125 "$(exit_code run -u nosuch -- true)"
  out=$(run -- nosuchcommand 2>&1 || true)
  check "[$mode] 127 says what is missing" grep -q 'exec "nosuchcommand": executable file not found in \$PATH' <<<"$out"

  # Signals: SIGTERM to dabba reaches PID 1 (which has a handler here).
  start_ready "$WORK/sig.$mode" -- \
    sh -c "trap 'exit 3' TERM; echo ready; while :; do sleep 0.1; done # $RUNNER_MARK-a"
  signal_driver TERM "$RUNNER_MARK-a"
  reap
  check_eq "[$mode] SIGTERM is forwarded to the container" 3 $rc
  # PID 1 without a handler ignores it, as under Docker.
  start_ready "$WORK/sig1.$mode" -- sh -c "echo ready; sleep 1 # $RUNNER_MARK-b"
  signal_driver TERM "$RUNNER_MARK-b"
  reap
  check_eq "[$mode] PID 1 without a handler ignores SIGTERM" 0 $rc
  # --init forwards to the workload, which then dies of it.
  start_ready "$WORK/sig2.$mode" --init -- sh -c "echo ready; sleep 100 # $RUNNER_MARK-c"
  sleep 0.2
  signal_driver TERM "$RUNNER_MARK-c"
  reap
  check_eq "[$mode] --init: SIGTERM kills the workload -> 143" 143 $rc

  # SIGKILL from outside reaches even a PID 1 without handlers: 128+9.
  # (busybox sh execs its last command: "; true" keeps sh, with the mark, as PID 1.)
  start_ready "$WORK/sig3.$mode" -- sh -c "echo ready; sleep 100; true # $RUNNER_MARK-d"
  pkill -KILL -f "^sh -c echo ready; sleep 100; true # $RUNNER_MARK-d" || true
  reap
  check_eq "[$mode] PID 1 killed by SIGKILL -> 137" 137 $rc

  # stdin: passed with -i, /dev/null without.
  check_eq "[$mode] -i passes stdin" hello "$(echo hello | run -i -- cat)"
  check_eq "[$mode] without -i stdin is /dev/null" "" "$(echo hello | run -- cat)"

  # Environment.
  printf '# comment\nFROMFILE=file\nOVER=file\nHOSTONLY\n' >"$WORK/env.$mode"
  chmod 0644 "$WORK/env.$mode"
  env_out=$(HOSTONLY=x run --image-env IMG=image --image-env OVER=image --env-file "$WORK/env.$mode" \
    -e OVER=flag -e FLAG=1 --hostname envbox -- env)
  check "[$mode] PATH default" grep -qx 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' <<<"$env_out"
  check "[$mode] HOSTNAME" grep -qx 'HOSTNAME=envbox' <<<"$env_out"
  check "[$mode] container=dabba" grep -qx 'container=dabba' <<<"$env_out"
  check "[$mode] HOME from /etc/passwd" grep -qx 'HOME=/root' <<<"$env_out"
  check "[$mode] image Env" grep -qx 'IMG=image' <<<"$env_out"
  check "[$mode] --env-file" grep -qx 'FROMFILE=file' <<<"$env_out"
  check "[$mode] -e wins over the env file and the image" grep -qx 'OVER=flag' <<<"$env_out"
  check "[$mode] -e K=V" grep -qx 'FLAG=1' <<<"$env_out"
  check_eq "[$mode] TERM=xterm without -t, as podman" "TERM=xterm" "$(grep '^TERM=' <<<"$env_out" || true)"
  check_eq "[$mode] -e NAME takes the caller's value" "from-host" \
    "$(run -e HOME -- sh -c 'echo $HOME' | sed "s|$WORK/user|from-host|;s|^/root$|from-host|")"

  # Working directory and user.
  check_eq "[$mode] -w is created and used" "/new/work/dir root" \
    "$(run -w /new/work/dir -- sh -c 'echo $(pwd) $(stat -c %U .)')"
  check_eq "[$mode] image WorkingDir" "/home/user" "$(run --image-workdir /home/user -- pwd)"
  check_eq "[$mode] image User by name, with HOME and groups" \
    "uid=1000(user) gid=1000(user) groups=10(wheel),29(audio),1000(user) /home/user" \
    "$(run --image-user user -- sh -c 'echo $(id) $HOME')"
  check_eq "[$mode] -u uid:gid overrides the image's User" "uid=1000(user) gid=29(audio) groups=29(audio)" \
    "$(run --image-user nobody -u 1000:29 -- id)"
  check_eq "[$mode] no new privileges" "1" \
    "$(run -u user -- awk '/^NoNewPrivs/ {print $2}' /proc/self/status)"
  check_eq "[$mode] umask 0022 whatever the caller's" 0022 "$(umask 077; run -- sh -c umask)"
  check_eq "[$mode] only stdio (and ls's own dir) open" "0 1 2 3" \
    "$(run -- ls /proc/self/fd | xargs)"
  check_eq "[$mode] no controlling terminal without -t (tty_nr 0)" 0 \
    "$(run -- sh -c 'cut -d" " -f7 /proc/self/stat' </dev/null)"

  # Binds and tmpfs.
  install -d -m 0755 "$dir/data"
  echo from-host >"$dir/data/in"
  echo conf >"$dir/app.conf"
  [ $mode = user ] && chown -R "$TEST_USER:$TEST_USER" "$dir/data" "$dir/app.conf"
  check "[$mode] rw bind: write shows on the host" run -v "$dir/data:/data" -- sh -c 'cat /data/in && echo out >/data/out'
  check_eq "[$mode] rw bind: the host sees it" out "$(cat "$dir/data/out")"
  check_fails "[$mode] ro bind refuses writes" run -v "$dir/data:/data:ro" -- touch /data/x
  check_eq "[$mode] file bind at a created target" conf \
    "$(run -v "$dir/app.conf:/new/deep/app.conf:ro" -- cat /new/deep/app.conf)"
  check_eq "[$mode] --tmpfs" "tmpfs rw,nosuid,nodev,noexec" \
    "$(run --tmpfs /scratch:size=1m -- awk '$2=="/scratch" {split($4,o,","); print $3, o[1]","o[2]","o[3]","o[4]}' /proc/mounts)"

  # Read-only root.
  check_fails "[$mode] --read-only: / is read-only" run --read-only -- touch /x
  check "[$mode] --read-only: /tmp and /run are writable" run --read-only -- sh -c 'touch /tmp/x /run/x'
  check "[$mode] --read-only: binds still work" run --read-only -v "$dir/data:/data" -- cat /data/in
  CDIR=$dir/readonly run --read-only -- true
  check_eq "[$mode] --read-only: no upper/ or work/ in the container dir (the state, as any run)" \
    "etc logs rootfs state" "$(ls "$dir/readonly" | xargs)"
  check_eq "[$mode] the foreground run recorded its exit" "exited 0" \
    "$(sed -n 's/^status=//p; s/^exit_code=//p' "$dir/readonly/state" | xargs)"

  # Hostname and the generated /etc files.
  check_eq "[$mode] hostname" "box box" "$(run --hostname box -- sh -c 'echo $(hostname) $(cat /etc/hostname)')"
  check_eq "[$mode] /etc/hosts names the host" "127.0.1.1 box" \
    "$(run --hostname box -- grep box /etc/hosts | xargs)"
  check_eq "[$mode] default hostname is the short id" 0123456789ab "$(run -- hostname)"

  # /dev.
  check_eq "[$mode] /dev has just the safe devices" \
    "core fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero" \
    "$(run -- ls /dev | xargs)"
  check "[$mode] /dev/null works" run -- sh -c 'echo x >/dev/null && head -c 4 /dev/urandom | wc -c | grep -q 4'
  check_eq "[$mode] /dev/pts is a new instance" "" "$(run -- ls /dev/pts | grep -v ptmx || true)"
  check "[$mode] /dev/shm and mqueue" run -- sh -c 'touch /dev/shm/x && mount | grep -q "on /dev/mqueue type mqueue"'

  # Network.
  check_eq "[$mode] --network none: only lo, up" "lo UP" \
    "$(run -- ip -o link | awk '{sub(":","",$2); print $2, ($3 ~ /UP/ ? "UP" : "DOWN")}')"
  check "[$mode] --network none: sysfs of its own" run -- sh -c 'mount | grep -q "^none on /sys type sysfs (ro"'
  host_ifs=$(ls /sys/class/net | wc -l)
  check_eq "[$mode] --network host: the host's interfaces" "$host_ifs" \
    "$(run --network host -- ls /sys/class/net | wc -l)"
  check_fails "[$mode] --network host: /sys is read-only" run --network host -- touch /sys/x
done

# Rootless specifics.
check_eq "user: a uid outside the subuid range is a clear error" 1 \
  "$(drv_user --layer "$BASE" --container-dir "$WORK/user/cx" -u 70000 -- true 2>&1 | grep -c 'not mapped')"
check_eq "user: layer files owned by the caller are root's in the container" "root root" \
  "$(drv_user --layer "$BASE" --container-dir "$WORK/user/cy" -- stat -c '%U %G' /bin/busybox)"

check_no_leftovers
check_done
