#!/bin/bash
# Soak: RUNS `dabba run --rm` and CYCLES `run -d` / exec / stop / rm cycles in a row on one store,
# as the rig's unprivileged user, and what the machine holds before and after: the user's
# processes and their open fds, mounts, the store's disk use, LMDB's data file, files under
# tmp/ and ingest/. The goal is that nothing grows (docs/benchmarks.md, "Soak"). A script, not a
# test: it takes minutes. Needs the rig (its busybox image).
#
#   sudo benchmarks/soak.sh [BUILD_DIR]       (default: build)
#   RUNS=2000 CYCLES=300 to change the counts
set -euo pipefail
BUILD=$(realpath "${1:-build}")
SRC=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
RUNS=${RUNS:-2000}
CYCLES=${CYCLES:-300}
# shellcheck source=lib/bench_setup.sh
source "$SRC/benchmarks/lib/bench_setup.sh"
bench_setup soak runuser findmnt
install -d -o "$USER_NAME" -m 0700 "$W/run" "$W/home" "$W/store"
install -m 0755 "$BUILD/dabba" "$BUILD/dabba-supervise" "$W/"
as_user() {
  runuser -u "$USER_NAME" -- env -i -C "$W" PATH=/usr/bin:/bin HOME="$W/home" \
    XDG_RUNTIME_DIR="$W/run" "$@"
}
d() { as_user "$W/dabba" --root "$W/store" "$@"; }
trap 'bench_user_cleanup "$W/store"' EXIT

# ours: the user's live processes that are this soak's: dabba's (its XDG_RUNTIME_DIR) and the
# containers' (no XDG_RUNTIME_DIR: the image's environment), not another test's of the same user.
# Zombies are left out: an exited supervisor is the machine's init's to reap (a Firecracker VM's
# init takes its time), and it holds nothing.
ours() {
  local p env stat
  for p in $(pgrep -u "$USER_NAME"); do
    stat=$(cat "/proc/$p/stat" 2>/dev/null) || continue  # gone meanwhile
    [[ $stat =~ ^[^\)]*\)\ Z ]] && continue
    env=$(tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep '^XDG_RUNTIME_DIR=' || true)
    [ -d "/proc/$p" ] || continue
    [ -z "$env" ] || [ "$env" = "XDG_RUNTIME_DIR=$W/run" ] && echo "$p"
  done
  return 0
}

# snapshot: one line of what may leak.
snapshot() {
  local procs fds=0 p
  procs=$(ours | wc -l)
  for p in $(ours); do
    fds=$((fds + $(ls "/proc/$p/fd" 2>/dev/null | wc -l)))
  done
  printf '%-8s processes %3d (zombies %3d)  fds %4d  mounts %4d  store %6d kB  data.mdb %6d kB  tmp %2d  ingest %2d  containers %2d\n' \
    "$1" "$procs" "$(ps -u "$USER_NAME" -o stat= | grep -c '^Z' || true)" "$fds" "$(findmnt -rn | wc -l)" "$(du -sk "$W/store" | cut -f1)" \
    "$(du -k "$W/store/db/data.mdb" | cut -f1)" "$(ls "$W/store/tmp" | wc -l)" \
    "$(ls "$W/store/ingest" | wc -l)" "$(ls "$W/store/containers" | wc -l)"
}

d pull -q "$IMAGE" >/dev/null
d run --rm --network none "$IMAGE" true  # the pause process and the store's files exist
snapshot before | tee "$W/report"
started=$SECONDS
for i in $(seq "$RUNS"); do
  d run --rm --network none "$IMAGE" true || { echo "run $i failed"; exit 1; }
done
run_s=$((SECONDS - started))
snapshot "runs" | tee -a "$W/report"
started=$SECONDS
for i in $(seq "$CYCLES"); do
  d run -d --network none --name "soak$i" "$IMAGE" sleep 600 >/dev/null
  d exec "soak$i" true
  d stop -t 0 "soak$i" >/dev/null
  d rm "soak$i" >/dev/null
done
cycle_s=$((SECONDS - started))
snapshot "cycles" | tee -a "$W/report"
d gc >/dev/null
snapshot "gc" | tee -a "$W/report"
d check
echo "$RUNS run --rm in $run_s s; $CYCLES -d/exec/stop/rm cycles in $cycle_s s"
