#!/bin/bash
# `dabba run`/`create` flags podman users pass for the process and its kernel view (issue 11):
# --ulimit (and podman's raised nofile/nproc defaults), --group-add, --sysctl, --device,
# --oom-score-adj, --preserve-fds (and exec's), through the real binary as the test user and as root; create+start keep them.
set -euo pipefail
# shellcheck source=lib/run.sh
source "$(dirname "$0")/lib/run.sh"
run_setup run_process_flags
dabba_root pull -q "$BUSYBOX" >/dev/null 2>&1

# The test user's nofile limits: rootless podman raises the soft one to the hard one.
user_hard=$(as_user sh -c 'ulimit -Hn')
user_soft=$(as_user sh -c 'ulimit -n')
[ "$user_hard" = unlimited ] || [ "$user_hard" -gt 1048576 ] && user_hard=1048576

host_shmmax=$(cat /proc/sys/kernel/shmmax)

for who in dabba_user dabba_root; do
  # --- --ulimit ------------------------------------------------------------------------------
  check_eq "[$who] --ulimit nofile=100:200: ulimit -n / -Hn inside" "100 200" \
    "$($who run --rm --ulimit nofile=100:200 "$BUSYBOX" sh -c 'echo $(ulimit -n) $(ulimit -Hn)')"
  check_eq "[$who] --ulimit nofile=64 (hard = soft), core=-1 (unlimited)" "64 64 unlimited" \
    "$($who run --rm --ulimit nofile=64 --ulimit core=-1 "$BUSYBOX" \
      sh -c 'echo $(ulimit -n) $(ulimit -Hn) $(ulimit -c)')"
  out=$($who run --rm --ulimit bogus=1 "$BUSYBOX" true 2>&1) && rc=0 || rc=$?
  check_eq "[$who] --ulimit bogus=1: 125" 125 $rc
  check "[$who] ... podman's message" grep -q 'ulimit option "bogus=1" requires name=SOFT:HARD, failed to be parsed: invalid ulimit type: bogus' <<<"$out"
  check_eq "[$who] --ulimit nofile=3:2: 125" 125 \
    "$(exit_code $who run --rm --ulimit nofile=3:2 "$BUSYBOX" true)"

  # --- --group-add -----------------------------------------------------------------------------
  check_eq "[$who] --group-add 4242 --group-add audio (a name in the image's /etc/group)" \
    "0 10 29 4242" "$($who run --rm --group-add 4242 --group-add audio "$BUSYBOX" id -G)"
  check_eq "[$who] --group-add with -u: the user's groups plus the added one" "1000 1000 4242" \
    "$($who run --rm -u 1000:1000 --group-add 4242 "$BUSYBOX" sh -c 'echo $(id -g) $(id -G)')"
  out=$($who run --rm --group-add nosuch "$BUSYBOX" true 2>&1) && rc=0 || rc=$?
  check_eq "[$who] --group-add nosuch: 126 (a failed start, as podman)" 126 $rc
  check "[$who] ... podman's message" grep -q 'unable to find group nosuch: no matching entries in group file' <<<"$out"
  out=$($who run --rm --group-add keep-groups --group-add 10 "$BUSYBOX" true 2>&1) && rc=0 || rc=$?
  check_eq "[$who] keep-groups with another group: 125" 125 $rc
  check "[$who] ... podman's message" grep -q "the '--group-add keep-groups' option is not allowed with any other --group-add options" <<<"$out"

  # --- --sysctl --------------------------------------------------------------------------------
  check_eq "[$who] --sysctl kernel.shmmax, fs.mqueue.msg_max, net.ipv4.ip_forward" "12345 20 1" \
    "$($who run --rm --network none --sysctl kernel.shmmax=12345 --sysctl fs.mqueue.msg_max=20 \
      --sysctl net.ipv4.ip_forward=1 "$BUSYBOX" sh -c 'echo $(cat /proc/sys/kernel/shmmax \
      /proc/sys/fs/mqueue/msg_max /proc/sys/net/ipv4/ip_forward)')"
  check_eq "[$who] ... the host's kernel.shmmax is untouched" "$host_shmmax" \
    "$(cat /proc/sys/kernel/shmmax)"
  check_eq "[$who] kernel.sem (several values)" "250 32000 32 128" \
    "$($who run --rm --sysctl 'kernel.sem=250 32000 32 128' "$BUSYBOX" \
      sh -c 'echo $(cat /proc/sys/kernel/sem)')"
  out=$($who run --rm --network host --sysctl net.ipv4.ip_forward=1 "$BUSYBOX" true 2>&1) && rc=0 || rc=$?
  check_eq "[$who] net.* with --network host: 125" 125 $rc
  check "[$who] ... podman's message" grep -q "sysctl net.ipv4.ip_forward=1 can't be set since Network Namespace set to host" <<<"$out"
  out=$($who run --rm --sysctl vm.swappiness=1 "$BUSYBOX" true 2>&1) && rc=0 || rc=$?
  check_eq "[$who] --sysctl vm.swappiness: 125" 125 $rc
  check "[$who] ... podman's message" grep -q "sysctl 'vm.swappiness' is not allowed" <<<"$out"
  out=$($who run --rm --network none --sysctl net.nosuch=1 "$BUSYBOX" true 2>&1) && rc=0 || rc=$?
  check_eq "[$who] --sysctl net.nosuch: 127 (a failed start saying no such file, podman's rule)" 127 $rc
  check "[$who] ... the message names it" grep -q "/proc/sys/net/nosuch" <<<"$out"

  # --- --device --------------------------------------------------------------------------------
  check_eq "[$who] --device /dev/zero:/dev/myzero: a char device that reads zeros" "c 00000000" \
    "$($who run --rm --device /dev/zero:/dev/myzero "$BUSYBOX" \
      sh -c 'test -c /dev/myzero && printf "c "; head -c 4 /dev/myzero | od -An -tx1 | tr -d " "')"
  check_eq "[$who] --device /dev/null:/dev/null2:rw, /dev/full: writable, full" "ok 1" \
    "$($who run --rm --device /dev/null:/dev/null2:rw --device /dev/full "$BUSYBOX" \
      sh -c 'echo x >/dev/null2 && printf "ok "; echo x 2>/dev/null >/dev/full; echo $?')"
  if [ -c /dev/net/tun ]; then
    check_eq "[$who] --device /dev/net (a directory): its nodes" "/dev/net/tun" \
      "$($who run --rm --device /dev/net "$BUSYBOX" sh -c 'test -c /dev/net/tun && echo /dev/net/tun')"
  fi
  out=$($who run --rm --device /dev/nosuch "$BUSYBOX" true 2>&1) && rc=0 || rc=$?
  check_eq "[$who] --device /dev/nosuch: 125" 125 $rc
  check "[$who] ... the message names it" grep -q "stat /dev/nosuch: " <<<"$out"
  check_eq "[$who] --device /dev/zero:/z:q: 125" 125 \
    "$(exit_code $who run --rm --device /dev/zero:/z:q "$BUSYBOX" true)"

  # --- create + start keep them ----------------------------------------------------------------
  $who create --name cs-$who --ulimit nofile=70:80 --group-add 4242 --sysctl kernel.shmmax=777 \
    --device /dev/zero:/dev/z2 "$BUSYBOX" \
    sh -c 'echo $(ulimit -n) $(id -G) $(cat /proc/sys/kernel/shmmax); test -c /dev/z2 && echo dev' \
    >/dev/null
  check_eq "[$who] create+start: ulimit, group, sysctl, device kept" "70 0 10 4242 777 dev" \
    "$($who start -a cs-$who | xargs)"
  $who run -d --name ex-$who --group-add 4242 "$BUSYBOX" sleep 30 >/dev/null
  check_eq "[$who] exec'd processes get the container's --group-add" "0 10 4242" \
    "$($who exec ex-$who id -G)"
  $who rm -f -t 0 ex-$who >/dev/null
done

# podman's defaults: nofile raised to the caller's hard limit (rootless), 1048576 as root.
check_eq "rootless default nofile: the caller's hard limit, soft and hard" \
  "$user_hard $user_hard" "$(dabba_user run --rm "$BUSYBOX" sh -c 'echo $(ulimit -n) $(ulimit -Hn)')"
# Root raises its own hard limit first, where it may (this rig's root may lack CAP_SYS_RESOURCE).
if (ulimit -Hn 1048576) 2>/dev/null; then root_hard=1048576; else root_hard=$(ulimit -Hn); fi
check_eq "root default nofile: 1048576 (or root's own hard limit if it cannot raise it)" \
  "$root_hard $root_hard" "$(dabba_root run --rm "$BUSYBOX" sh -c 'echo $(ulimit -n) $(ulimit -Hn)')"
check_eq "--ulimit host: the caller's own limits" "$user_soft" \
  "$(dabba_user run --rm --ulimit host "$BUSYBOX" sh -c 'ulimit -n')"
# Only root may raise a hard limit above its own.
over=$((user_hard + 1))
out=$(dabba_user run --rm --ulimit "nofile=100:$over" "$BUSYBOX" true 2>&1) && rc=0 || rc=$?
check_eq "rootless: a hard nofile above the caller's: 126 (a failed start)" 126 $rc
check "... the message names the limit" grep -q "setting rlimit nofile=100:$over" <<<"$out"
if [ "$root_hard" = 1048576 ]; then
  check_eq "root: a hard nofile above its own (within nr_open) is raised" "2000 1048576" \
    "$(dabba_root run --rm --ulimit nofile=2000:1048576 "$BUSYBOX" sh -c 'echo $(ulimit -n) $(ulimit -Hn)')"
else
  check_eq "root without CAP_SYS_RESOURCE: a hard nofile above its own: 126" 126 \
    "$(exit_code dabba_root run --rm --ulimit nofile=2000:1048576 "$BUSYBOX" true)"
fi

# keep-groups: no setgroups, the caller's own groups stay (dabba-test's one group is the
# container's 0), never the image's wheel (10).
check_eq "--group-add keep-groups: the caller's groups, not the image's" "0" \
  "$(dabba_user run --rm --group-add keep-groups "$BUSYBOX" id -G)"
if [ -c /dev/fuse ]; then
  check "--device /dev/fuse" dabba_user run --rm --device /dev/fuse "$BUSYBOX" test -c /dev/fuse
fi

# --- --oom-score-adj ------------------------------------------------------------------------------
check_eq "--oom-score-adj 100: the workload's /proc/self/oom_score_adj" "100" \
  "$(dabba_user run --rm --oom-score-adj 100 "$BUSYBOX" cat /proc/self/oom_score_adj)"
C=$(dabba_user create --oom-score-adj 300 "$BUSYBOX" cat /proc/self/oom_score_adj)
check_eq "... kept by create+start" "300" "$(dabba_user start -a "$C")"
check_eq "... inspect's HostConfig.OomScoreAdj" "300" \
  "$(dabba_user inspect --format '{{.HostConfig.OomScoreAdj}}' "$C")"
dabba_user rm "$C" >/dev/null
out=$(dabba_user run --rm --oom-score-adj -100 "$BUSYBOX" true 2>&1) && rc=0 || rc=$?
check "rootless: a value below the caller's fails the start" test "$rc" -ne 0
check "... naming the flag" grep -q 'setting --oom-score-adj -100' <<<"$out"
# Root lowers it only with CAP_SYS_RESOURCE (some VMs take it away from root).
if sh -c 'echo -100 > /proc/self/oom_score_adj' 2>/dev/null; then
  check_eq "root: -100 is allowed" "-100" \
    "$(dabba_root run --rm --oom-score-adj -100 "$BUSYBOX" cat /proc/self/oom_score_adj)"
else
  check "root without CAP_SYS_RESOURCE: -100 fails the start" \
    grep -q 'setting --oom-score-adj -100' \
    <<<"$(dabba_root run --rm --oom-score-adj -100 "$BUSYBOX" true 2>&1 || true)"
fi
check_eq "root: 200 is allowed" "200" \
  "$(dabba_root run --rm --oom-score-adj 200 "$BUSYBOX" cat /proc/self/oom_score_adj)"
check_eq "a value out of range: 125" 125 \
  "$(exit_code dabba_user run --rm --oom-score-adj 1001 "$BUSYBOX" true)"
check_eq "not a number: 125" 125 "$(exit_code dabba_user run --rm --oom-score-adj abc "$BUSYBOX" true)"

# --- --preserve-fds (run and exec) -----------------------------------------------------------
echo "passed in fd 3" >"$WORK/fd3.txt"
echo "passed in fd 4" >"$WORK/fd4.txt"
chmod 0644 "$WORK/fd3.txt" "$WORK/fd4.txt"
for who in dabba_user dabba_root; do
  check_eq "[$who] run --preserve-fds 1: the workload reads the caller's fd 3" "passed in fd 3" \
    "$($who run --rm --preserve-fds 1 "$BUSYBOX" sh -c 'cat <&3' 3<"$WORK/fd3.txt")"
  check_eq "[$who] --preserve-fds 2: fds 3 and 4, and nothing above them" \
    "$(printf 'passed in fd 4\nonly 3 and 4')" \
    "$($who run --rm --preserve-fds 2 "$BUSYBOX" sh -c 'cat <&4; cd /proc/$$/fd &&
      test -e 3 && test -e 4 && ! test -e 5 && ! test -e 6 && echo only 3 and 4' \
      3<"$WORK/fd3.txt" 4<"$WORK/fd4.txt")"
  check_eq "[$who] --init --preserve-fds 1: through the reaper too" "passed in fd 3" \
    "$($who run --rm --init --preserve-fds 1 "$BUSYBOX" sh -c 'cat <&3' 3<"$WORK/fd3.txt")"
  # An orphan (its parent gone) is reparented to PID 1: --init's reaper must reap it. Counted in
  # /proc by an exec, the zombies of the container's namespace; a PID 1 that never reaps (sleep)
  # keeps it, which shows the count can see one.
  zombies='n=0; for f in /proc/[0-9]*/status; do grep -q "^State:.*Z" $f 2>/dev/null && n=$((n+1)); done; echo $n'
  for init in --init ""; do
    # shellcheck disable=SC2086  # $init: one flag or none
    $who run -d $init --name "orphan$init" "$BUSYBOX" sh -c "(sleep 0.2 &); exec sleep 60 # $MARK" >/dev/null
    sleep 1
    count=$($who exec "orphan$init" sh -c "$zombies")
    $who rm -f -t 0 "orphan$init" >/dev/null
    if [ -n "$init" ]; then
      check_eq "[$who] --init reaps an orphan that exits" 0 "$count"
    else
      check_eq "[$who] ... where a PID 1 that never reaps (sleep) keeps its zombie" 1 "$count"
    fi
  done
  check_eq "[$who] without it, fd 3 does not reach the container" none \
    "$($who run --rm "$BUSYBOX" sh -c 'ls /proc/self/fd/3 2>/dev/null || echo none' \
      3<"$WORK/fd3.txt")"
done
out=$(dabba_user run --rm --preserve-fds 2 "$BUSYBOX" true 2>&1 3<"$WORK/fd3.txt" 4<&-) &&
  rc=0 || rc=$?
check_eq "--preserve-fds 2 with fd 4 closed: 125" 125 $rc
check "... podman's message" grep -q 'file descriptor 4 is not available - the preserve-fds option requires that all file descriptors must be opened' <<<"$out"
check_eq "run -d --preserve-fds 1: 125 (the supervisor keeps no caller's fds)" 125 \
  "$(exit_code dabba_user run -d --preserve-fds 1 "$BUSYBOX" true 3<"$WORK/fd3.txt")"
FDC=$(dabba_user run -d "$BUSYBOX" sleep 60)
check_eq "exec --preserve-fds 1: the process reads the caller's fd 3" "passed in fd 3" \
  "$(dabba_user exec --preserve-fds 1 "$FDC" sh -c 'cat <&3' 3<"$WORK/fd3.txt")"
out=$(dabba_user exec --preserve-fds 1 "$FDC" true 2>&1 3<&-) && rc=0 || rc=$?
check_eq "exec --preserve-fds 1 with fd 3 closed: 125" 125 $rc
check "... podman's message" grep -q 'invalid --preserve-fds=N specified. Not enough FDs available' <<<"$out"
dabba_user rm -f -t0 "$FDC" >/dev/null

check_done
