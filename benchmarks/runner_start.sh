#!/bin/bash
# Container start-up, spawn to exit of `true`: the runner (through tests/runner/sandbox_driver,
# which does what `dabba run --rm --network none` will: enter dabba's user namespace, then start
# the container) against the kernel's floor (`unshare -Urmpf true`) and podman with runc, as the
# same unprivileged user on the same busybox rootfs. Rounds of hyperfine runs are interleaved
# (A B C D, A B C D, ...) so a noisy machine hurts every case alike; median and min are printed.
#
#   sudo benchmarks/runner_start.sh [BUILD_DIR]       (default: build)
#   ROUNDS=5 RUNS=20 PODMAN_RUNS=5 to change the counts; NO_PODMAN=1 to skip podman.
set -euo pipefail
BUILD=$(realpath "${1:-build}")
DRIVER=$BUILD/tests/sandbox_driver
USER_NAME=${BENCH_USER:-dabba-test}
ROUNDS=${ROUNDS:-5}
RUNS=${RUNS:-20}
PODMAN_RUNS=${PODMAN_RUNS:-5}
[ "$(id -u)" -eq 0 ] || { echo "run as root (it switches to $USER_NAME)"; exit 1; }
[ -x "$DRIVER" ] || { echo "build $DRIVER first (cmake --build $BUILD --target sandbox_driver)"; exit 1; }
for tool in hyperfine busybox unshare runuser; do
  command -v $tool >/dev/null || { echo "needs $tool"; exit 1; }
done

W=$(mktemp -d /tmp/dabba-bench-start.XXXXXX)
chmod 0755 "$W"
# The driver's user namespace is held by a dabba-pause process in W/run (the user's
# XDG_RUNTIME_DIR here), podman's by its own pause process there: both go with the benchmark.
cleanup() {
  local f
  for f in "$W/run/dabba/pause.pid" "$W/run/libpod/tmp/pause.pid"; do
    [ -s "$f" ] && kill "$(cut -d' ' -f1 "$f")" 2>/dev/null
  done
  runuser -u "$USER_NAME" -- unshare --map-auto --map-root-user rm -rf "$W/user" 2>/dev/null
  rm -rf "$W"
  return 0
}
trap cleanup EXIT
install -m 0755 "$DRIVER" "$W/sandbox_driver"
rootfs() {
  local d=$1 a
  mkdir -p "$d"/{bin,etc,proc,sys,dev,tmp,root}
  cp /bin/busybox "$d/bin/"
  for a in $("$d/bin/busybox" --list); do [ "$a" = busybox ] || ln -s busybox "$d/bin/$a"; done
  printf 'root:x:0:0:root:/root:/bin/sh\n' >"$d/etc/passwd"
  printf 'root:x:0:\n' >"$d/etc/group"
}
install -d -o "$USER_NAME" "$W/user"
install -d -m 1777 "$W/out"  # hyperfine's results, written by both users
rootfs "$W/user/layer"
chown -R "$USER_NAME" "$W/user/layer"
rootfs "$W/root-layer"

install -d -o "$USER_NAME" -m 0700 "$W/run"
as_user() { runuser -u "$USER_NAME" -- env XDG_RUNTIME_DIR="$W/run" "$@"; }
IMAGE=localhost/dabba-bench-busybox:latest
if [ -z "${NO_PODMAN:-}" ] && command -v podman >/dev/null; then
  if ! as_user sh -c "cd /tmp && podman image exists $IMAGE"; then
    tar -C "$W/root-layer" -cf "$W/rootfs.tar" .
    chmod 0644 "$W/rootfs.tar"
    as_user sh -c "cd /tmp && podman import -q $W/rootfs.tar $IMAGE" >/dev/null
  fi
  PODMAN="podman --runtime runc --cgroup-manager=cgroupfs run --rm --network none $IMAGE true"
fi

UC=$W/user/c
RC=$W/rc
declare -a NAMES CMDS PREPS WHO COUNT
add() { NAMES+=("$1"); WHO+=("$2"); PREPS+=("$3"); CMDS+=("$4"); COUNT+=("$5"); }
# (overlay leaves work/work at mode 000, and the upper dir belongs to a subordinate group: remove
# them as root of a user namespace of our own that maps the subordinate ids too)
add "dabba runner, rootless (driver: userns + container)" user \
  "unshare --map-auto --map-root-user rm -rf $UC" \
  "$W/sandbox_driver --layer $W/user/layer --container-dir $UC --rm --network none -- true" "$RUNS"
add "  of which: joining dabba's user namespace (held by dabba-pause)" user "true" \
  "$W/sandbox_driver --enter-userns-only" "$RUNS"
add "dabba runner, as root (runner makes the user namespace)" root "rm -rf $RC" \
  "$W/sandbox_driver --layer $W/root-layer --container-dir $RC --rm --network none -- true" "$RUNS"
add "unshare -Urmpf true (kernel floor)" user "true" "unshare -Urmpf true" "$RUNS"
add "unshare -Urmpfniu true (+net, ipc, uts)" user "true" "unshare -Urmpfniu true" "$RUNS"
add "unshare --map-auto -rmpfniu true (subuid map via newuidmap, as dabba)" user "true" \
  "unshare --map-auto --map-root-user -mpfniu true" "$RUNS"
[ -n "${PODMAN:-}" ] && add "podman --runtime runc run --rm --network none" user "true" \
  "sh -c 'cd /tmp && exec $PODMAN'" "$PODMAN_RUNS"

echo "machine: $(nproc) cores, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq "$ROUNDS"); do
  for i in "${!NAMES[@]}"; do
    out=$W/out/r$i.$round.json
    if [ "${WHO[$i]}" = user ]; then
      as_user hyperfine -N -w 2 -r "${COUNT[$i]}" --prepare "${PREPS[$i]}" --export-json "$out" \
        "${CMDS[$i]}" >"$W/out/log" 2>&1 || { echo "failed: ${CMDS[$i]}"; tail -3 "$W/out/log"; }
    else
      hyperfine -N -w 2 -r "${COUNT[$i]}" --prepare "${PREPS[$i]}" --export-json "$out" \
        "${CMDS[$i]}" >/dev/null 2>&1 || echo "failed: ${CMDS[$i]}"
    fi
  done
done
echo "| case | median | min | runs |"
echo "|---|---:|---:|---:|"
for i in "${!NAMES[@]}"; do
  /usr/bin/python3 "$(dirname "$(readlink -f "$0")")/lib/hyperfine_table.py" "${NAMES[$i]}" \
    "$W"/out/r$i.*.json
done
