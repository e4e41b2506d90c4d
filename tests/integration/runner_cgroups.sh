#!/bin/bash
# --pids-limit, --memory and --cpus on this machine's cgroup v1 hierarchies: as root, as the test
# user in a subtree chowned to it (the delegation an admin gives), and as the test user without
# one (a clear error; no limits means no cgroup work at all). The v2 side is tested on the real
# cgroup2 mount by tests/runner/cgroups_test.cc.
set -euo pipefail
# shellcheck source=lib/runner.sh
source "$(dirname "$0")/lib/runner.sh"
runner_setup runner_cgroups

for c in memory pids cpu; do
  [ -d /sys/fs/cgroup/$c ] && grep -q " - cgroup cgroup .*\b$c\b" /proc/self/mountinfo || {
    echo "SKIP: no cgroup v1 $c hierarchy"
    exit 77
  }
done

own_cgroup() { awk -F: -v c="$1" '$2==c {print $3}' /proc/self/cgroup; }
cg_dir() { local o; o=$(own_cgroup "$1"); echo "/sys/fs/cgroup/$1${o%/}"; }

# limits_checks WHO DRV BASE DIR
limits_checks() {
  local who=$1 drv=$2 base=$3 dir=$4 out rc
  run() { $drv --layer "$base" --container-dir "$(mktemp -u "$dir/c.XXXXXX")" "$@"; }

  out=$(run --pids-limit 10 -- sh -c 'for i in $(seq 40); do sleep 3 & done; sleep 0.3;
    echo "sleeps=$(ps -o comm | grep -c "^sleep")"' 2>&1) || true
  check "[$who] --pids-limit: forks fail at the limit" grep -q "can't fork" <<<"$out"
  check "[$who] --pids-limit: fewer than 10 sleeps ran" \
    awk -F= '/^sleeps=/ {exit !($2 < 10 && $2 > 0)}' <<<"$out"

  out=$(run --memory 32m -- sh -c 'dd if=/dev/zero of=/dev/null bs=64M count=1 2>/dev/null;
    echo "dd=$?"' 2>&1) || true
  check "[$who] --memory: the 64 MiB hog is killed" grep -q "dd=137" <<<"$out"
  check "[$who] --memory: dabba says why" grep -q "memory limit" <<<"$out"
  check_eq "[$who] --memory: a small process lives" "ok" \
    "$(run --memory 32m -- sh -c 'dd if=/dev/zero of=/dev/null bs=4M count=1 2>/dev/null && echo ok')"

  run --cpus 0.5 --memory 64m --pids-limit 50 -- sh -c "grep -E ':(cpu|memory|pids):' /proc/self/cgroup; sleep 1 # $RUNNER_MARK" >"$dir/cg.out" 2>&1 &
  local pid=$!
  wait_for_line ":cpu:" "$dir/cg.out"
  sleep 0.2
  local cpu mem pids
  cpu=$(awk -F: '$2=="cpu" {print $3}' "$dir/cg.out")
  mem=$(awk -F: '$2=="memory" {print $3}' "$dir/cg.out")
  pids=$(awk -F: '$2=="pids" {print $3}' "$dir/cg.out")
  check_eq "[$who] --cpus 0.5: cfs quota 50000/100000" "50000 100000" \
    "$(cat /sys/fs/cgroup/cpu$cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu$cpu/cpu.cfs_period_us | xargs)"
  check_eq "[$who] --memory 64m: limit_in_bytes" 67108864 \
    "$(cat /sys/fs/cgroup/memory$mem/memory.limit_in_bytes)"
  check_eq "[$who] --pids-limit 50: pids.max" 50 "$(cat /sys/fs/cgroup/pids$pids/pids.max)"
  check "[$who] the container's cgroup is a child of the caller's" \
    test "$(dirname "/sys/fs/cgroup/memory$mem")" = "$5"
  wait $pid || true
  check_fails "[$who] its cgroups are removed after the exit" \
    test -e "/sys/fs/cgroup/memory$mem" -o -e "/sys/fs/cgroup/pids$pids" -o -e "/sys/fs/cgroup/cpu$cpu"
}

echo "--- root"
limits_checks root drv_root "$ROOT_BASE" "$WORK/root" "$(cg_dir memory)"

echo "--- $TEST_USER without delegation"
out=$(drv_user --layer "$BASE" --container-dir "$WORK/user/nodeleg" --pids-limit 10 -- true 2>&1) &&
  rc=0 || rc=$?
check_eq "limits without a writable cgroup: exit 125" 125 $rc
check "the error names the cgroup and says how to delegate" \
  grep -q "create cgroup /sys/fs/cgroup/pids.*Permission denied" <<<"$out"
check "the hint says chown" grep -q "hint:.*chown -R $TEST_USER" <<<"$out"
check "no limits: no cgroup work, the container runs" \
  drv_user --layer "$BASE" --container-dir "$WORK/user/nolimits" -- true

echo "--- $TEST_USER in a chowned subtree"
DELEG=()
for c in memory pids cpu; do
  d=$(cg_dir $c)/dabba-deleg-$$
  mkdir "$d"
  chown -R "$TEST_USER" "$d"
  DELEG+=("$d")
done
undelegate() {
  local d
  for d in "${DELEG[@]}"; do
    echo $$ >"$(dirname "$d")/cgroup.procs" 2>/dev/null || true
    rmdir "$d" 2>/dev/null || true
  done
}
trap 'undelegate; runner_cleanup' EXIT
# The user's session lives in its subtree (as a login under a delegating manager would).
for d in "${DELEG[@]}"; do echo $$ >"$d/cgroup.procs"; done
limits_checks "$TEST_USER" drv_user "$BASE" "$WORK/user" "${DELEG[0]}"
undelegate
check_eq "the delegated subtrees are empty again and removed" "" \
  "$(for d in "${DELEG[@]}"; do [ -e "$d" ] && echo "$d"; done)"

check_no_leftovers
check_done
