#!/bin/bash
# `run --rm --userns=keep-id IMAGE true` of a Debian image (~200 MB, one layer): the first run,
# which owns the image's layers for keep-id's map (dabba: a copy per layer and map,
# store/mapped_layers.h; podman 4.3's containers/storage without idmapped mounts: a chowned copy
# too), and the runs after it, beside podman (overlay, runc, cgroupfs), the same unprivileged
# user, fresh private storage for each tool. The first run is timed once per fresh store, for
# ROUNDS stores; the warm runs with hyperfine.
#
#   sudo benchmarks/keepid_vs_podman.sh [BUILD_DIR]     (default: build; needs a rig: scripts/rig up)
#   ROUNDS=3 RUNS=10 change the counts; NO_PODMAN=1 skips podman.
set -euo pipefail
BUILD=$(realpath "${1:-build}")
ROUNDS=${ROUNDS:-3}
RUNS=${RUNS:-10}
SRC=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
# shellcheck source=benchmarks/lib/bench_setup.sh
source "$SRC/benchmarks/lib/bench_setup.sh"
bench_setup keepid hyperfine runuser jq igzip
BENCH_DIR=${DABBA_BENCH_DIR:-/var/tmp/dabba-bench}
debian_layer "$BENCH_DIR/layer.tar.gz"
debian_image_dir "$BENCH_DIR/layer.tar.gz" "$BENCH_DIR/debian-dir"
chmod -R a+rX "$BENCH_DIR/debian-dir"
install -d -m 0700 -o "$USER_NAME" "$W/home" "$W/run"
# 0755: keep-id's container root (a subordinate id) passes through to podman's overlay.
install -d -m 0755 -o "$USER_NAME" "$W/s" "$W/s/podman"
install -d -m 1777 "$W/out"
install -m 0755 "$BUILD/dabba" "$W/dabba"
write_podman_storage_conf "$W/s"  # podman wants a tree of the user's own for keep-id
cleanup() { bench_user_cleanup "$W/home" "$W/s"; }
trap cleanup EXIT
as_user() {
  runuser -u "$USER_NAME" -- env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$W/home" \
    XDG_RUNTIME_DIR="$W/run" DABBA_ROOT="$W/s/store" CONTAINERS_STORAGE_CONF="$W/s/storage.conf" "$@"
}
PODMAN="podman --runtime runc --cgroup-manager=cgroupfs"
ms() { echo "$(( ($2 - $1) / 1000000 ))"; }

echo "machine: $(nproc) cores, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| case | first run (each round, ms) | warm median | warm min |"
echo "|---|---:|---:|---:|"
for tool in dabba podman; do
  [ "$tool" = podman ] && { [ -n "${NO_PODMAN:-}" ] || ! command -v podman >/dev/null; } && continue
  firsts=()
  for round in $(seq "$ROUNDS"); do
    if [ "$tool" = dabba ]; then
      as_user "$W/dabba" system reset -f >/dev/null 2>&1 || true
      as_user "$W/dabba" load -q -i "$BENCH_DIR/debian-dir" >/dev/null
      img=$(as_user "$W/dabba" images -q | sed -n 1p)
      cmd="$W/dabba run --rm --network none --userns=keep-id $img true"
    else
      as_user $PODMAN system reset -f >/dev/null 2>&1 || true
      as_user $PODMAN load -q -i "$BENCH_DIR/debian-dir" >/dev/null 2>&1
      img=$(as_user $PODMAN images -q | sed -n 1p)
      cmd="$PODMAN run --rm --network none --userns=keep-id $img true"
    fi
    sync
    t0=$(date +%s%N)
    as_user sh -c "cd /tmp && $cmd" >/dev/null
    firsts+=("$(ms "$t0" "$(date +%s%N)")")
  done
  as_user sh -c "cd /tmp && hyperfine -N -w 2 -r $RUNS --export-json $W/out/$tool.json '$cmd'" \
    >"$W/out/log" 2>&1 || { echo "failed: $cmd"; tail -3 "$W/out/log"; }
  warm=$(jq -r '.results[0].times | sort | "\(.[length/2|floor]*1000|floor) \(.[0]*1000|floor)"' \
    "$W/out/$tool.json")
  echo "| $tool run --rm --userns=keep-id (Debian, 1 layer) | ${firsts[*]} | ${warm% *} ms | ${warm#* } ms |"
done
