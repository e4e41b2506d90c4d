#!/bin/bash
# `dabba run --rm IMAGE true` against `podman run --rm IMAGE true`: the whole verb as a user types
# it (store lookup, container record, namespaces, overlay, exec, exit, cleanup), the same
# unprivileged user, the same image pulled from the rig's registry into fresh private storage
# for each tool, with --network none and with the default network (slirp4netns). The kernel's
# floor, `unshare -Urmpf true`, is measured beside them. Rounds of hyperfine runs are interleaved
# (A B C ..., A B C ...) so a noisy machine hurts every case alike; median and min are printed.
#
#   sudo benchmarks/run_vs_podman.sh [BUILD_DIR]     (default: build; needs a rig: scripts/rig up)
#   ROUNDS=4 RUNS=20 PODMAN_RUNS=5 change the counts; NO_PODMAN=1 skips podman.
set -euo pipefail
BUILD=$(realpath "${1:-build}")
ROUNDS=${ROUNDS:-4}
RUNS=${RUNS:-20}
PODMAN_RUNS=${PODMAN_RUNS:-5}
SRC=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
# shellcheck source=benchmarks/lib/bench_setup.sh
source "$SRC/benchmarks/lib/bench_setup.sh"
bench_setup run hyperfine unshare runuser
install -d -m 0700 -o "$USER_NAME" "$W/home" "$W/run" "$W/store" "$W/podman-run"
install -d -m 1777 "$W/out"
install -m 0755 "$BUILD/dabba" "$W/dabba"
install -m 0755 "$BUILD/dabba-supervise" "$W/dabba-supervise"  # run -d finds it beside dabba
cleanup() { bench_user_cleanup "$W/home" "$W/store"; }
trap cleanup EXIT
# Both tools see only this benchmark's home, runtime dir and storage.
as_user() {
  runuser -u "$USER_NAME" -- env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$W/home" \
    XDG_RUNTIME_DIR="$W/run" DABBA_ROOT="$W/store" "$@"
}

as_user "$W/dabba" pull -q "$IMAGE" >/dev/null
DABBA="$W/dabba run --rm"
CASES=("dabba run --rm --network none|$DABBA --network none $IMAGE true|$RUNS"
  "dabba run --rm (slirp4netns)|$DABBA $IMAGE true|$RUNS"
  "unshare -Urmpf true (kernel floor)|unshare -Urmpf true|$RUNS")
if [ -z "${NO_PODMAN:-}" ] && command -v podman >/dev/null; then
  PODMAN="podman --runtime runc --cgroup-manager=cgroupfs"
  as_user $PODMAN pull -q --tls-verify=false "$IMAGE" >/dev/null
  CASES+=("podman run --rm --network none|$PODMAN run --rm --network none $IMAGE true|$PODMAN_RUNS"
    "podman run --rm (slirp4netns)|$PODMAN run --rm --network slirp4netns $IMAGE true|$PODMAN_RUNS")
fi

echo "machine: $(nproc) cores, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq "$ROUNDS"); do
  for i in "${!CASES[@]}"; do
    IFS='|' read -r _ cmd count <<<"${CASES[$i]}"
    as_user sh -c "cd /tmp && hyperfine -N -w 2 -r $count --export-json $W/out/r$i.$round.json '$cmd'" \
      >"$W/out/log" 2>&1 || { echo "failed: $cmd"; tail -3 "$W/out/log"; }
  done
done
echo "| case | median | min | runs |"
echo "|---|---:|---:|---:|"
for i in "${!CASES[@]}"; do
  IFS='|' read -r name _ _ <<<"${CASES[$i]}"
  /usr/bin/python3 "$(dirname "$(readlink -f "$0")")/lib/hyperfine_table.py" "$name" "$W"/out/r$i.*.json
done
