#!/bin/bash
# `dabba run`'s podman flags (issue 11) through the real binary, as the test user and the key
# cases as root: --log-driver/--log-opt (logs of a foreground container), --cidfile, --label,
# --label-file, --tz, --timeout, -a, --entrypoint as JSON, a repeated --name, --memory=0, -p with
# --network host, -it without a terminal, -w to a missing directory,
# TERM=xterm, /run/.containerenv, --no-healthcheck (and --health-* refused).
set -euo pipefail
# shellcheck source=lib/run.sh
source "$(dirname "$0")/lib/run.sh"
run_setup run_flags
dabba_root pull -q "$BUSYBOX" >/dev/null 2>&1
store_of() { if [ "$1" = dabba_root ]; then echo "$ROOT_STORE"; else echo "$STORE"; fi; }
# id_of WHO NAME: the container's full id.
id_of() { ps_field "$1" "$2" id; }
install -d -o "$RIG_USER" "$WORK/u"

for who in dabba_user dabba_root; do
  st=$(store_of $who)
  # --- logging ------------------------------------------------------------------------------------
  out=$($who run --name k8s-$who "$BUSYBOX" sh -c 'echo out-line; echo err-line >&2' 2>/dev/null)
  check_eq "[$who] k8s-file (default): the caller still sees the output" "out-line" "$out"
  id=$(id_of $who k8s-$who)
  check "[$who] k8s-file: a foreground container's log is written" \
    grep -q ' stdout F out-line$' "$st/containers/$id/logs/ctr.log"
  check_eq "[$who] logs of a foreground container" "out-line" "$($who logs k8s-$who 2>/dev/null)"
  check_eq "[$who] ... its stderr too" "err-line" "$($who logs k8s-$who 2>&1 >/dev/null)"

  out=$($who run --name none-$who --log-driver none "$BUSYBOX" echo shown)
  check_eq "[$who] --log-driver none: output shown" "shown" "$out"
  check_eq "[$who] --log-driver none: no log file" "no" \
    "$(test -e "$st/containers/$(id_of $who none-$who)/logs/ctr.log" && echo yes || echo no)"

  $who run --rm --log-driver passthrough "$BUSYBOX" sh -c 'echo pass; readlink /proc/self/fd/1' \
    >"$WORK/u/pt-$who"
  check_eq "[$who] passthrough: output shown" "pass" "$(head -1 "$WORK/u/pt-$who")"
  check "[$who] passthrough: the container's stdout is the caller's file (no pipe of ours)" \
    grep -q "pt-$who" "$WORK/u/pt-$who"
  check_eq "[$who] passthrough with -d: 125" 125 \
    "$(exit_code $who run -d --log-driver passthrough "$BUSYBOX" true)"

  logfile=$WORK/u/custom-$who.log
  $who run --rm --log-opt "path=$logfile" "$BUSYBOX" echo to-custom >/dev/null
  check "[$who] --log-opt path=: the log is there" grep -q ' stdout F to-custom$' "$logfile"
  $who run --name big-$who --log-opt max-size=2k "$BUSYBOX" sh -c 'i=0; while [ $i -lt 200 ];
    do echo line-$i-xxxxxxxxxxxxxxxxxxxxxxxxxxxx; i=$((i+1)); done' >/dev/null
  size=$(stat -c %s "$st/containers/$(id_of $who big-$who)/logs/ctr.log")
  check "[$who] --log-opt max-size=2k: the log stays under it ($size bytes)" test "$size" -le 2000
  check_eq "[$who] ... inspect's LogConfig.Size, podman's decimal units (1.059m: 1.059MB)" "2kB 1.059MB" \
    "$($who inspect -f '{{.HostConfig.LogConfig.Size}}' big-$who) $($who inspect -f \
      '{{.HostConfig.LogConfig.Size}}' "$($who create --log-opt max-size=1.059m "$BUSYBOX" true)")"
  out=$($who run --log-driver=InvalidDriver "$BUSYBOX" true 2>&1) && rc=0 || rc=$?
  check_eq "[$who] bad --log-driver: 125" 125 $rc
  check "[$who] ... podman's message" \
    grep -q "running container create option: invalid log driver: invalid argument" <<<"$out"

  # --- -a -------------------------------------------------------------------------------------
  out=$($who run --name att-$who -a stderr "$BUSYBOX" sh -c 'echo o; echo e >&2' 2>&1)
  check_eq "[$who] -a stderr: only stderr reaches the caller" "e" "$out"
  check_eq "[$who] -a stderr: the log keeps stdout" "o" "$($who logs att-$who 2>/dev/null)"

  # --- --cidfile ------------------------------------------------------------------------------
  cid=$WORK/u/cid-$who
  $who run --name cid-$who --cidfile "$cid" "$BUSYBOX" true
  check_eq "[$who] --cidfile: the id, no newline" "$(id_of $who cid-$who)" "$(cat "$cid")"
  out=$($who run --cidfile "$cid" "$BUSYBOX" true 2>&1) && rc=0 || rc=$?
  check_eq "[$who] an existing --cidfile: 125" 125 $rc
  check "[$who] ... podman's message" grep -q "container id file exists. Ensure another container is not using it or delete $cid" <<<"$out"

  # --- process ----------------------------------------------------------------------------------
  check_eq "[$who] --entrypoint as a JSON array" "x y" \
    "$($who run --rm --entrypoint '["/bin/echo","x y"]' "$BUSYBOX")"
  $who run --name first-$who --name last-$who "$BUSYBOX" true
  check_eq "[$who] a repeated --name: the last" "last-$who" "$(ps_field $who last-$who 'Names[0]')"
  check_eq "[$who] --memory=0: no limit, it runs" 0 "$(exit_code $who run --rm --memory=0 "$BUSYBOX" true)"
  # podman's notice on cgroup v1 rootless (its first line, bare), the output after it.
  expected=hello
  if [ "$who" = dabba_user ] && [ "$(stat -fc %T /sys/fs/cgroup)" != cgroup2fs ]; then
    expected=$(printf 'Resource limits are not supported and ignored on cgroups V1 rootless systems\nhello')
  fi
  check_eq "[$who] --memory=0: podman's words" "$expected" \
    "$($who run --rm --memory=0 "$BUSYBOX" echo hello 2>&1)"
  check_eq "[$who] TERM=xterm without -t" "xterm" "$($who run --rm "$BUSYBOX" sh -c 'echo $TERM')"
  out=$($who run --rm -w /i/do/not/exist "$BUSYBOX" pwd 2>&1) && rc=0 || rc=$?
  check_eq "[$who] -w to a missing directory: 126" 126 $rc
  check "[$who] ... podman's message" grep -q 'workdir "/i/do/not/exist" does not exist on container' <<<"$out"
  check_eq "[$who] -w into a bind mount's new parent works" "/new" \
    "$($who run --rm -w /new -v "$WORK/u:/new/u" "$BUSYBOX" pwd)"

  start=$(date +%s)
  out=$($who run --name to-$who --timeout 1 "$BUSYBOX" sleep 20 2>&1) && rc=0 || rc=$?
  check_eq "[$who] --timeout 1: killed, exit 255" 255 $rc
  check "[$who] ... within seconds" test $(($(date +%s) - start)) -le 5
  check_eq "[$who] ... the state records -1, as podman's" "exited -1" \
    "$($who inspect --format '{{.State.Status}} {{.State.ExitCode}}' to-$who)"
  $who run -d --name tod-$who --timeout 1 "$BUSYBOX" sleep 20 >/dev/null
  for _ in $(seq 100); do
    [[ $($who inspect --format '{{.State.Status}}' tod-$who) == exited ]] && break
    sleep 0.1
  done
  check_eq "[$who] -d --timeout 1: the supervisor's kill is -1 too" "-1" \
    "$($who inspect --format '{{.State.ExitCode}}' tod-$who)"

  # --- time zone, /run/.containerenv -----------------------------------------------------------
  check_eq "[$who] --tz=MST7MDT (the last --tz)" "MST" \
    "$($who run --rm --tz=Iceland --tz=MST7MDT "$BUSYBOX" date -d @1600000000 +%Z | sed s/MDT/MST/)"
  tzc=$($who create --tz Asia/Tokyo "$BUSYBOX" date -d @1600000000 +%Z)
  check_eq "[$who] create --tz (a binary zoneinfo in the saved spec), then start -a" "JST" \
    "$($who start -a "$tzc")"
  $who rm "$tzc" >/dev/null
  check_eq "[$who] --tz=local: the host's zone, not \$TZ" "$(date -d @1600000000 +%H)" \
    "$(TZ=Pacific/Chatham $who run --rm --tz=local "$BUSYBOX" date -d @1600000000 +%H)"
  check_fails "[$who] --tz with an unknown zone" $who run --rm --tz=No/Where "$BUSYBOX" true
  check_eq "[$who] /run/.containerenv: empty without --privileged" 0 \
    "$($who run --rm "$BUSYBOX" stat -c %s /run/.containerenv)"
  out=$($who run --rm --privileged --name envc-$who "$BUSYBOX" sh -c '. /run/.containerenv;
    echo "$engine $name $id $rootless"')
  check "[$who] /run/.containerenv with --privileged: engine, name, id, rootless" \
    grep -qE "^dabba-[0-9.]+ envc-$who [0-9a-f]{64} $([ $who = dabba_root ] && echo 0 || echo 1)$" <<<"$out"
done

# --- the user only: labels, networks, -it -------------------------------------------------------
printf '# c\na=1\nb=2\n' >"$WORK/u/labels"
chmod 644 "$WORK/u/labels"
check "--label-file and -l" dabba_user run --rm --label-file "$WORK/u/labels" -l b=3 "$BUSYBOX" true
check_eq "a missing --label-file: 125" 125 \
  "$(exit_code dabba_user run --rm --label-file "$WORK/u/nope" "$BUSYBOX" true)"
out=$(dabba_user run --rm --network host -p 8080:80 "$BUSYBOX" echo ran 2>&1)
check "-p with --network host: it runs" grep -q '^ran$' <<<"$out"
check "... with podman's warning" grep -q 'Port mappings have been discarded' <<<"$out"
check_eq "no --network: the rootless default (slirp4netns's tap0)" "yes" \
  "$(dabba_user run --rm "$BUSYBOX" sh -c 'test -e /sys/class/net/tap0 && echo yes')"
out=$(dabba_user run --rm -it "$BUSYBOX" echo it-ran </dev/null 2>&1) && rc=0 || rc=$?
check "-it without a terminal: podman's warning" grep -q 'The input device is not a TTY' <<<"$out"
check_eq "... and it runs" 0 $rc

out=$(as_user env http_proxy=http://proxy.example:3128 FOO_HOST=x "$TEST_DABBA" --root "$STORE" \
  run --rm "$BUSYBOX" sh -c 'echo "$http_proxy/${FOO_HOST:-unset}"')
check_eq "--http-proxy (default): the host's proxy variables pass in, others not" \
  "http://proxy.example:3128/unset" "$out"
out=$(as_user env http_proxy=http://proxy.example:3128 "$TEST_DABBA" --root "$STORE" \
  run --rm --http-proxy=false "$BUSYBOX" sh -c 'echo "${http_proxy:-unset}"')
check_eq "--http-proxy=false keeps them out" "unset" "$out"
out=$(as_user env FOO_HOST=x "$TEST_DABBA" --root "$STORE" \
  run --rm --env-host "$BUSYBOX" sh -c 'echo "${FOO_HOST:-unset}"')
check_eq "--env-host: the whole environment" "x" "$out"
out=$(dabba_user run --rm --dns-search example.com --dns-opt ndots:3 "$BUSYBOX" cat /etc/resolv.conf)
check "--dns-search in resolv.conf" grep -q '^search example.com$' <<<"$out"
check "--dns-opt in resolv.conf" grep -q '^options ndots:3$' <<<"$out"
check "host.containers.internal: the host's first address, as podman" \
  grep -qP "^$(hostname -I | cut -f1 -d' ')\thost.containers.internal$" \
  <<<"$(dabba_user run --rm "$BUSYBOX" cat /etc/hosts)"
echo data >"$WORK/u/m" && chmod 644 "$WORK/u/m"
check_eq "--mount type=bind,...,ro" "data ro" "$(dabba_user run --rm \
  --mount "type=bind,source=$WORK/u,target=/m,ro" "$BUSYBOX" sh -c 'cat /m/m; touch /m/x 2>/dev/null && echo rw || echo ro' | xargs)"
check_eq "--mount type=tmpfs,tmpfs-size=1m" "1024" "$(dabba_user run --rm \
  --mount type=tmpfs,target=/t,tmpfs-size=1m "$BUSYBOX" df -k /t | awk 'NR==2 {print $2}')"
dabba_user run --rm --mount type=volume,source=mountvol,target=/v "$BUSYBOX" sh -c 'echo kept >/v/f'
check_eq "--mount type=volume,source=NAME: a named volume, kept after --rm" kept \
  "$(dabba_user run --rm --mount type=volume,src=mountvol,target=/v,ro "$BUSYBOX" cat /v/f)"
check "--mount type=volume,...,ro is read-only" dabba_user run --rm \
  --mount type=volume,src=mountvol,target=/v,ro "$BUSYBOX" sh -c '! touch /v/g 2>/dev/null'
dabba_user volume rm mountvol >/dev/null
check_eq "--shm-size 2m" "2048" \
  "$(dabba_user run --rm --shm-size 2m "$BUSYBOX" df -k /dev/shm | awk 'NR==2 {print $2}')"
dabba_user run --rm --pidfile "$WORK/u/pid" "$BUSYBOX" true
check "--pidfile: a pid written" grep -qE '^[0-9]+$' "$WORK/u/pid"
check_eq "--restart=no accepted" 0 "$(exit_code dabba_user run --rm --restart=no "$BUSYBOX" true)"
check_eq "--restart=always refused (not yet), 125" 125 \
  "$(exit_code dabba_user run --rm --restart=always "$BUSYBOX" true)"
check_eq "--userns=host accepted" 0 "$(exit_code dabba_user run --rm --userns=host "$BUSYBOX" true)"
check_eq "--userns=ns:PATH refused (not yet), 125" 125 \
  "$(exit_code dabba_user run --rm --userns=ns:/proc/1/ns/user "$BUSYBOX" true)"

C=$(dabba_user run -d -P --expose 8080 --expose 9090/udp "$BUSYBOX" sleep 30)
ports=$(dabba_user port "$C")
check "-P --expose 8080: published on a free port" grep -Eq '^8080/tcp -> 0\.0\.0\.0:[0-9]+$' <<<"$ports"
check "-P --expose 9090/udp: published too" grep -Eq '^9090/udp -> 0\.0\.0\.0:[0-9]+$' <<<"$ports"
dabba_user rm -f -t 0 "$C" >/dev/null
check_eq "--expose without -P publishes nothing" "" \
  "$(C=$(dabba_user run -d --expose 8080 "$BUSYBOX" sleep 30); dabba_user port "$C"
     dabba_user rm -f -t 0 "$C" >/dev/null)"
check_eq "--expose bogus: 125" 125 "$(exit_code dabba_user run --rm --expose bogus "$BUSYBOX" true)"
check "... podman's phrase" grep -q 'invalid range format for --expose: bogus' \
  <<<"$(dabba_user run --rm --expose bogus "$BUSYBOX" true 2>&1 || true)"
check_eq "--systemd=false accepted" 0 "$(exit_code dabba_user run --rm --systemd=false "$BUSYBOX" true)"
check_eq "--systemd=bogus: 125" 125 "$(exit_code dabba_user run --rm --systemd=bogus "$BUSYBOX" true)"
check_eq "--uts/--ipc/--pid private, --ipc shareable, --cgroupns host: accepted" 0 \
  "$(exit_code dabba_user run --rm --uts private --ipc shareable --pid private --cgroupns host \
     "$BUSYBOX" true)"
check_eq "--pid host: 125 (not supported)" 125 "$(exit_code dabba_user run --rm --pid host "$BUSYBOX" true)"
check "--uts bogus: podman's phrase" grep -q 'unrecognized namespace mode bogus passed' \
  <<<"$(dabba_user run --rm --uts bogus "$BUSYBOX" true 2>&1 || true)"
for who in dabba_user dabba_root; do
  check_eq "[$who] --uts host: the host's hostname, in /etc/hostname and HOSTNAME too" \
    "$(hostname) $(hostname) $(hostname)" \
    "$($who run --rm --uts host "$BUSYBOX" sh -c 'echo $(hostname) $(cat /etc/hostname) $HOSTNAME')"
  check_eq "[$who] --ipc host: the host's IPC namespace and /dev/shm" \
    "$(readlink /proc/self/ns/ipc) $(stat -c %i /dev/shm)" \
    "$($who run --rm --ipc host "$BUSYBOX" sh -c 'echo $(readlink /proc/self/ns/ipc) $(stat -c %i /dev/shm)')"
  HU=$($who run -d --uts host --ipc host "$BUSYBOX" sleep 600)
  check_eq "[$who] inspect: UTSMode host, IpcMode host" "host host" \
    "$($who inspect -f '{{.HostConfig.UTSMode}} {{.HostConfig.IpcMode}}' "$HU")"
  check_eq "[$who] ... exec into it sees the host's name" "$(hostname)" "$($who exec "$HU" hostname)"
  $who rm -f -t 0 "$HU" >/dev/null
done
check "--uts host --hostname x: podman's error" grep -q 'cannot set hostname when running in the host UTS namespace' \
  <<<"$(dabba_user run --rm --uts host --hostname x "$BUSYBOX" true 2>&1 || true)"
check "--ipc host --sysctl kernel.shmmax: podman's error" grep -q "sysctl kernel.shmmax=1 can't be set since IPC Namespace set to host" \
  <<<"$(dabba_user run --rm --ipc host --sysctl kernel.shmmax=1 "$BUSYBOX" true 2>&1 || true)"
check_eq "--ipc none: an IPC namespace of its own, no /dev/shm" "yes missing" \
  "$(dabba_user run --rm --ipc none "$BUSYBOX" sh -c "test \$(readlink /proc/self/ns/ipc) != $(readlink /proc/self/ns/ipc) && echo yes; test -e /dev/shm || echo missing" | xargs)"
dabba_user run -d --name ipcdonor "$BUSYBOX" sleep 600 >/dev/null
dabba_user run -d --name ipcprivate --ipc private "$BUSYBOX" sleep 600 >/dev/null
check_eq "--ipc container:NAME: NAME's IPC namespace" \
  "$(dabba_user exec ipcdonor readlink /proc/self/ns/ipc)" \
  "$(dabba_user run --rm --ipc container:ipcdonor "$BUSYBOX" readlink /proc/self/ns/ipc)"
check_eq "... inspect: IpcMode container:ID" "container:$(dabba_user inspect -f '{{.Id}}' ipcdonor)" \
  "$(dabba_user inspect -f '{{.HostConfig.IpcMode}}' "$(dabba_user create --ipc container:ipcdonor "$BUSYBOX" true)")"
out=$(dabba_user run --rm --ipc container:ipcprivate "$BUSYBOX" true 2>&1) && rc=0 || rc=$?
check_eq "--ipc container: of a private one: 125" 125 "$rc"
check "... podman's words" grep -q 'is not allowed: non-shareable IPC (hint: use IpcMode:shareable for the donor container)' <<<"$out"
dabba_user rm -a -f -t 0 >/dev/null

# --rmi: the name the container ran is dropped after it (an image still used stays).
dabba_user rm -a -f >/dev/null
dabba_user tag "$BUSYBOX" rmi-a
check_eq "run --rmi: the container's output" hi "$(dabba_user run --rmi rmi-a echo hi)"
check_eq "... its name is gone, the image's other name stays" "1 0" \
  "$(exit_code dabba_user image exists rmi-a) $(exit_code dabba_user image exists "$BUSYBOX")"
check_eq "... and so is the container (--rmi implies --rm)" "" "$(dabba_user ps -aq)"
dabba_user tag "$BUSYBOX" rmi-b
dabba_user rmi "$BUSYBOX" >/dev/null  # rmi-b is now the image's only name
dabba_user create --name user-of-b rmi-b true >/dev/null
dabba_user run --rmi rmi-b true
check_eq "run --rmi of an image another container uses: it stays" 0 \
  "$(exit_code dabba_user image exists rmi-b)"
dabba_user rm user-of-b >/dev/null
dabba_user run -d --rmi rmi-b sleep 0.5 >/dev/null
rmi_b_gone() { ! dabba_user image exists rmi-b; }
check "run -d --rmi: the image goes after the container" wait_until rmi_b_gone
check_eq "--rmi with --restart: 125 (it implies --rm)" 125 \
  "$(exit_code dabba_user run --rmi --restart always "$BUSYBOX" true)"
dabba_user rmi -f "$BUSYBOX" >/dev/null 2>&1 || true
check_eq "run -q: the pull prints nothing" "" "$(dabba_user run --rm -q "$BUSYBOX" true 2>&1)"
check "... and the image was pulled" dabba_user image exists "$BUSYBOX"

# --- healthchecks: none run, so --no-healthcheck is accepted and --health-* refused ------------
check_eq "--no-healthcheck is accepted" ok "$(dabba_user run --rm --no-healthcheck "$BUSYBOX" echo ok)"
out=$(dabba_user run --rm --health-cmd true "$BUSYBOX" true 2>&1) && rc=0 || rc=$?
check_eq "--health-cmd: 125" 125 $rc
check "... naming the flag" grep -q -- '--health-cmd is not supported: dabba runs no healthchecks' <<<"$out"
check_eq "create --health-interval 5s: 125" 125 \
  "$(exit_code dabba_user create --health-interval 5s "$BUSYBOX" true)"
check_eq "--oom-score-adj x: 125, pflag's words" 'Error: invalid argument "x" for "--oom-score-adj" flag: strconv.ParseInt: parsing "x": invalid syntax' \
  "$(dabba_user run --rm --oom-score-adj x "$BUSYBOX" true 2>&1 | head -1)"

# --- more of podman 4.3's own tests (030-run, 160-volumes) ---------------------------------------
mkdir -p "$WORK/dup1" "$WORK/dup2"
chmod 0777 "$WORK/dup1" "$WORK/dup2"
check_eq "-v twice the same: one mount" 0 \
  "$(exit_code dabba_user run --rm -v "$WORK/dup1:/d" -v "$WORK/dup1:/d" "$BUSYBOX" true)"
out=$(dabba_user run --rm -v "$WORK/dup1:/d" -v "$WORK/dup2:/d" "$BUSYBOX" true 2>&1) && rc=0 || rc=$?
check_eq "two different mounts on one destination: 125" 125 $rc
check "... podman's words" grep -qx "Error: /d: duplicate mount destination" <<<"$(head -1 <<<"$out")"
check_eq "-v NAME:/d with --tmpfs /d: 125" 125 \
  "$(exit_code dabba_user run --rm -v dupvol:/d --tmpfs /d "$BUSYBOX" true)"
ATT=$(dabba_user run --name attached-stdin -a stdin "$BUSYBOX" echo hello)
check_eq "run -a stdin: the container's id is printed (none of its output is attached)" \
  "$(dabba_user inspect -f '{{.Id}}' attached-stdin)" "$ATT"
dabba_user rm attached-stdin >/dev/null
dabba_user tag "$BUSYBOX" localhost/some/name
check_eq "inspect's ImageName: the stored name the reference resolved to (:latest added)" \
  localhost/some/name:latest \
  "$(dabba_user inspect -f '{{.ImageName}}' "$(dabba_user create localhost/some/name true)")"
check "--kernel-memory: podman's warning, and it runs" grep -q \
  "The --kernel-memory flag is no longer supported. This flag is a noop." \
  <<<"$(dabba_user run --rm --kernel-memory 100 "$BUSYBOX" true 2>&1)"
check_eq "--security-opt no-new-privileges=false: accepted (dabba keeps it on)" 0 \
  "$(exit_code dabba_user run --rm --security-opt no-new-privileges=false "$BUSYBOX" true)"
dabba_user rm -a -f >/dev/null

check_done
