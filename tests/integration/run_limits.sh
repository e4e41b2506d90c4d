#!/bin/bash
# `dabba run --pids-limit`, `--memory` and `--cpus` through the real binary on this machine's
# cgroup v1 hierarchies: as root, as the test user in a subtree chowned to it (the delegation an
# admin gives), and as the test user without one (exit 125 and an error naming what is missing).
# No limits asked: no cgroup work at all. The v2 side is tested on the real cgroup2 mount by
# tests/runner/cgroups_test.cc.
set -euo pipefail
# shellcheck source=lib/run.sh
source "$(dirname "$0")/lib/run.sh"
for c in memory pids cpu; do
  if [ ! -d /sys/fs/cgroup/$c ] || ! grep -q " - cgroup cgroup .*\b$c\b" /proc/self/mountinfo; then
    echo "SKIP: no cgroup v1 $c hierarchy"
    exit 77
  fi
done
run_setup run_limits
dabba_root pull -q "$BUSYBOX" >/dev/null 2>&1

own_cgroup() { awk -F: -v c="$1" '$2==c {print $3}' /proc/self/cgroup; }
cg_dir() { local o; o=$(own_cgroup "$1"); echo "/sys/fs/cgroup/$1${o%/}"; }
# children DIR: the cgroups below DIR (none once every container is gone).
children() { find "$1" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' 2>/dev/null | sort | xargs; }
store_of() { if [ "$1" = dabba_root ]; then echo "$ROOT_STORE"; else echo "$STORE"; fi; }
recorded() { [ "$(ps_field "$1" "$2" exit_code)" != null ]; }
not_running() { [ "$(ps_field "$1" "$2" state)" != running ]; }

# A fork loop in a subshell (busybox sh gives up at the first failed fork); then the container's
# processes are counted with builtins only (the limit leaves no fork for `ps`).
FORK_LOOP="(for i in \$(seq 60); do sleep 2 & done); set -- /proc/[0-9]*; echo procs=\$#; : $MARK"

# limits_checks WHO PIDS_PARENT MEMORY_PARENT CPU_PARENT: the cases, by WHO (dabba_root or
# dabba_user), whose containers' cgroups are made below PIDS_PARENT, MEMORY_PARENT, CPU_PARENT.
limits_checks() {
  local who=$1 pids_parent=$2 mem_parent=$3 cpu_parent=$4 out rc before_pids before_mem before_cpu
  before_pids=$(children "$pids_parent")
  before_mem=$(children "$mem_parent")
  before_cpu=$(children "$cpu_parent")

  out=$($who run --rm --pids-limit 20 "$BUSYBOX" sh -c "$FORK_LOOP" 2>&1) && rc=0 || rc=$?
  check_eq "[$who] --pids-limit 20: the fork loop's container ends (exit 0)" 0 $rc
  check "[$who] --pids-limit 20: forks fail at the limit" grep -q "can't fork" <<<"$out"
  check "[$who] --pids-limit 20: at most 20 processes ran in it (of the loop's 61)" \
    awk -F= '/^procs=/ {found = 1; ok = ($2 > 1 && $2 <= 20)} END {exit !(found && ok)}' <<<"$out"

  out=$($who run --name hog --memory 32m "$BUSYBOX" dd if=/dev/zero of=/dev/null bs=64M count=1 \
    2>&1) && rc=0 || rc=$?
  check_eq "[$who] --memory 32m: a 64 MiB hog (PID 1) is killed: exit 137" 137 $rc
  check "[$who] --memory 32m: run says it went over the limit" grep -q "memory limit" <<<"$out"
  check_eq "[$who] --memory 32m: ps -a says exited 137, OOM-killed" "exited 137 true" \
    "$(echo "$(ps_field $who hog state) $(ps_field $who hog exit_code) $($who inspect --format "{{.State.OOMKilled}}" hog)")"
  check_eq "[$who] --memory 32m: a small process lives" "ok" \
    "$($who run --rm --memory 32m "$BUSYBOX" sh -c 'dd if=/dev/zero of=/dev/null bs=4M count=1 2>/dev/null && echo ok')"
  check_eq "[$who] without limits: not OOM-killed" "false" \
    "$($who run --name nolimit "$BUSYBOX" true && $who inspect --format "{{.State.OOMKilled}}" nolimit)"

  # Detached: the limits in the container's own cgroups, exec joins them, ps reports an OOM kill.
  $who run -d --name lim --memory 48m --pids-limit 30 --cpus 0.5 "$BUSYBOX" \
    sh -c "sleep 600; : $MARK" >/dev/null
  local pid mem pids cpu
  pid=$(ps_field $who lim pid)
  pids=$(awk -F: '$2=="pids" {print $3}' "/proc/$pid/cgroup")
  mem=$(awk -F: '$2=="memory" {print $3}' "/proc/$pid/cgroup")
  cpu=$(awk -F: '$2=="cpu" {print $3}' "/proc/$pid/cgroup")
  check_eq "[$who] -d: pids.max and memory.limit_in_bytes of its cgroups" "30 50331648" \
    "$(cat "/sys/fs/cgroup/pids$pids/pids.max" "/sys/fs/cgroup/memory$mem/memory.limit_in_bytes" | xargs)"
  check_eq "[$who] -d: --cpus 0.5 is a CFS quota of 50000/100000" "50000 100000" \
    "$(cat "/sys/fs/cgroup/cpu$cpu/cpu.cfs_quota_us" "/sys/fs/cgroup/cpu$cpu/cpu.cfs_period_us" | xargs)"
  check_eq "[$who] -d: its cgroups are children of the caller's" \
    "$pids_parent $mem_parent $cpu_parent" \
    "$(dirname "/sys/fs/cgroup/pids$pids") $(dirname "/sys/fs/cgroup/memory$mem") $(dirname "/sys/fs/cgroup/cpu$cpu")"
  check_eq "[$who] exec joins the container's cgroups" "$pids $mem" \
    "$($who exec lim sh -c "awk -F: '\$2==\"pids\" || \$2==\"memory\" {print \$3}' /proc/self/cgroup" | xargs)"
  $who rm -f lim >/dev/null
  check_eq "[$who] -d: its cgroups are removed with it" "no" \
    "$([ -e "/sys/fs/cgroup/pids$pids" ] || [ -e "/sys/fs/cgroup/memory$mem" ] ||
      [ -e "/sys/fs/cgroup/cpu$cpu" ] && echo yes || echo no)"

  # A SIGKILLed supervisor cannot remove its container's cgroups: rm does.
  $who run -d --name orphan --memory 48m --pids-limit 30 "$BUSYBOX" sh -c "sleep 600; : $MARK" >/dev/null
  pid=$(ps_field $who orphan pid)
  pids=$(awk -F: '$2=="pids" {print $3}' "/proc/$pid/cgroup")
  mem=$(awk -F: '$2=="memory" {print $3}' "/proc/$pid/cgroup")
  kill -KILL "$(ps_field $who orphan id | xargs -I{} sed -n 's/^supervisor_pid=//p' \
    "$(store_of $who)/containers/{}/state")"
  check "[$who] the orphan's container dies with its supervisor" wait_until not_running $who orphan
  check_eq "[$who] ... its cgroups are still there" "yes yes" \
    "$([ -d "/sys/fs/cgroup/pids$pids" ] && echo yes) $([ -d "/sys/fs/cgroup/memory$mem" ] && echo yes)"
  check_eq "[$who] rm of it" "orphan" "$($who rm orphan)"
  check_eq "[$who] ... removes its cgroups" "no" \
    "$([ -e "/sys/fs/cgroup/pids$pids" ] || [ -e "/sys/fs/cgroup/memory$mem" ] && echo yes || echo no)"

  $who run -d --name dhog --memory 32m "$BUSYBOX" sh -c \
    "sleep 0.3; dd if=/dev/zero of=/dev/null bs=64M count=1; : $MARK" >/dev/null
  check "[$who] -d: the hog's container ends, its exit recorded" wait_until recorded $who dhog
  check_eq "[$who] -d: ps -a says it was OOM-killed" "true" "$($who inspect --format "{{.State.OOMKilled}}" dhog)"

  $who rm hog nolimit dhog >/dev/null
  check_eq "[$who] no cgroup left in the pids parent" "$before_pids" "$(children "$pids_parent")"
  check_eq "[$who] no cgroup left in the memory parent" "$before_mem" "$(children "$mem_parent")"
  check_eq "[$who] no cgroup left in the cpu parent" "$before_cpu" "$(children "$cpu_parent")"
}

echo "--- root"
limits_checks dabba_root "$(cg_dir pids)" "$(cg_dir memory)" "$(cg_dir cpu)"

echo "--- $RIG_USER without delegation"
for flag in "--pids-limit 20" "--memory 32m" "--cpus 0.5"; do
  # shellcheck disable=SC2086
  out=$(dabba_user run --rm $flag "$BUSYBOX" true 2>&1) && rc=0 || rc=$?
  check_eq "[$flag] limits without a writable cgroup: exit 126 (a failed start)" 126 $rc
  case $flag in --memory*) ctrl=memory ;; --cpus*) ctrl=cpu ;; *) ctrl=pids ;; esac
  check "[$flag] the error names the $ctrl cgroup it could not create" \
    grep -q "Error: .*create cgroup $(cg_dir $ctrl)/.*ermission denied" <<<"$out"
  check "[$flag] the hint says how to delegate (chown -R $RIG_USER)" \
    grep -q "dabba: hint: .*chown -R $RIG_USER" <<<"$out"
done
check_eq "[$RIG_USER] no limits: no cgroup work, the container runs in the caller's cgroups" \
  "$(own_cgroup pids) $(own_cgroup memory)" \
  "$(dabba_user run --rm "$BUSYBOX" awk -F: '$2=="pids" || $2=="memory" {print $2, $3}' /proc/self/cgroup |
    sort -r | cut -d' ' -f2 | xargs)"
check_no_container_leftovers dabba_user "$STORE"

echo "--- $RIG_USER in a chowned subtree"
DELEG=()
for c in memory pids cpu; do
  d=$(cg_dir $c)/dabba-deleg-$$
  mkdir "$d"
  chown -R "$RIG_USER" "$d"
  DELEG+=("$d")
done
undelegate() {
  local d
  for d in "${DELEG[@]}"; do
    echo $$ >"$(dirname "$d")/cgroup.procs" 2>/dev/null || true
    rmdir "$d"/dabba-* 2>/dev/null || true  # a failed run's containers' cgroups
    rmdir "$d" 2>/dev/null || true
  done
}
limits_cleanup() {
  local rc=$?
  set +e
  undelegate
  (exit $rc)
  run_cleanup
}
trap limits_cleanup EXIT
# The user's session lives in its subtree (as a login under a delegating manager would).
for d in "${DELEG[@]}"; do echo $$ >"$d/cgroup.procs"; done
limits_checks dabba_user "${DELEG[1]}" "${DELEG[0]}" "${DELEG[2]}"
undelegate
check_eq "the delegated subtrees are empty and removed" "" \
  "$(for d in "${DELEG[@]}"; do [ -e "$d" ] && echo "$d"; done)"

check_no_container_leftovers dabba_user "$STORE"
check_no_container_leftovers dabba_root "$ROOT_STORE"
check_done
