#!/bin/bash
# Containers on a network of `network create` (issue 12), dabba against rootless podman 4.3 with
# netavark and aardvark-dns (its rootless network namespace reached through slirp4netns, runc,
# cgroupfs, the overlay driver), as the same unprivileged user, the same image (busybox + the
# host's iperf3 and its libraries), private storage and config for each tool:
#   container <-> container  iperf3 -s in a -d container on the network, the client in another
#                            container on it, reaching the server by its name;
#   host -> published port   iperf3 from the host to the server container's -p port on 127.0.0.1;
#   run latency              `run --rm IMAGE true` on the network and with --network none
#                            (hyperfine, warm caches).
# Rounds interleave the tools; throughput is the median (min, max) in Gbit/s at the receiver.
#
#   sudo DABBA_RIG_ENV=/tmp/dabba-rig/env benchmarks/networks_vs_podman.sh [BUILD_DIR]
#   RUNS=3 SECONDS_PER_RUN=5 RUNS_LATENCY=20 change the counts; NO_PODMAN=1 skips podman.
set -euo pipefail
BUILD=$(realpath "${1:-build}")
RUNS=${RUNS:-3}
T=${SECONDS_PER_RUN:-5}
RUNS_LATENCY=${RUNS_LATENCY:-20}
SRC=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../tests/fixtures/oci.sh
source "$SRC/tests/fixtures/oci.sh"
# shellcheck source=lib/iperf3.sh
source "$SRC/benchmarks/lib/iperf3.sh"
iperf_preflight hyperfine
# shellcheck source=lib/bench_setup.sh
source "$SRC/benchmarks/lib/bench_setup.sh"

W=$(mktemp -d /tmp/dabba-bench-networks.XXXXXX)
chmod 0755 "$W"
install -d -m 0700 -o "$RIG_USER" -g "$RIG_USER" "$W/home" "$W/run" "$W/store" "$W/podman"
install -d -m 0755 -o "$RIG_USER" -g "$RIG_USER" "$W/cwd"
install -m 0755 "$BUILD/dabba" "$W/dabba"
install -m 0755 "$BUILD/dabba-supervise" "$W/dabba-supervise"
write_podman_storage_conf "$W"
cat >"$W/containers.conf" <<EOF
[network]
network_backend = "netavark"
EOF
chmod 0644 "$W/containers.conf"
PODMAN="podman --runtime runc --cgroup-manager=cgroupfs"
as_user() {
  runuser -u "$RIG_USER" -- env -i -C "$W/cwd" PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
    HOME="$W/home" USER="$RIG_USER" XDG_RUNTIME_DIR="$W/run" DABBA_ROOT="$W/store" \
    CONTAINERS_STORAGE_CONF="$W/storage.conf" CONTAINERS_CONF="$W/containers.conf" "$@"
}
cleanup() {
  local rc=$?
  set +e
  as_user "$W/dabba" rm -a -f -t 0 >/dev/null 2>&1
  # shellcheck disable=SC2086
  as_user $PODMAN rm -a -f -t 0 >/dev/null 2>&1
  # shellcheck disable=SC2086
  as_user $PODMAN system reset -f >/dev/null 2>&1
  [ -s "$W/run/dabba/pause.pid" ] && kill "$(cut -d' ' -f1 "$W/run/dabba/pause.pid")" 2>/dev/null
  runuser -u "$RIG_USER" -- unshare -Ur rm -rf "$W/home" "$W/store" "$W/podman" 2>/dev/null
  rm -rf --one-file-system "$W"
  exit $rc
}
trap cleanup EXIT
free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# --- the image: rig/busybox plus /usr/local/bin/iperf3 and the libraries ldd lists ---------------
IMAGE=$REGISTRY/bench/iperf3:latest
push_iperf3_image "$W" "$IMAGE"

TOOLS=(dabba)
as_user "$W/dabba" pull -q "$IMAGE" >/dev/null
as_user "$W/dabba" network create benchnet >/dev/null
if [ -z "${NO_PODMAN:-}" ] && command -v podman >/dev/null; then
  # shellcheck disable=SC2086
  as_user $PODMAN pull -q --tls-verify=false "$IMAGE" >/dev/null
  # shellcheck disable=SC2086
  as_user $PODMAN network create benchnet >/dev/null
  TOOLS+=(podman)
fi
tool_cmd() { if [ "$1" = dabba ]; then echo "$W/dabba"; else echo "$PODMAN"; fi; }

# between TOOL: iperf3 from one container to another on the network, by name.
between() {
  local cmd out
  cmd=$(tool_cmd "$1")
  # shellcheck disable=SC2086
  as_user $cmd run -d --name iperf-srv --network benchnet "$IMAGE" timeout 120 iperf3 -s -1 >/dev/null
  # shellcheck disable=SC2086
  out=$(iperf_until_valid 50 as_user $cmd run --rm --network benchnet "$IMAGE" \
    timeout 120 iperf3 -J -c iperf-srv -t "$T")
  # shellcheck disable=SC2086
  as_user $cmd rm -f -t 0 iperf-srv >/dev/null 2>&1 || true
  [ -n "$out" ] || { echo "between $1: no result" >&2; echo 0; return; }
  gbits "$out"
}

# published TOOL: iperf3 from the host to the server container's published port.
published() {
  local cmd out port
  cmd=$(tool_cmd "$1")
  port=$(free_port)
  # shellcheck disable=SC2086
  as_user $cmd run -d --name iperf-pub --network benchnet -p "127.0.0.1:$port:5201" "$IMAGE" \
    timeout 120 iperf3 -s -1 >/dev/null
  out=$(iperf_until_valid 150 timeout 120 iperf3 -J -c 127.0.0.1 -p "$port" -t "$T")
  # shellcheck disable=SC2086
  as_user $cmd rm -f -t 0 iperf-pub >/dev/null 2>&1 || true
  [ -n "$out" ] || { echo "published $1: no result" >&2; echo 0; return; }
  gbits "$out"
}

iperf_rounds between published

echo
echo "run latency (hyperfine, $RUNS_LATENCY runs, 3 warm-up):"
for tool in "${TOOLS[@]}"; do
  cmd=$(tool_cmd "$tool")
  # A container on the network keeps its namespace up, as in a running stack.
  # shellcheck disable=SC2086
  as_user $cmd run -d --name keeper --network benchnet "$IMAGE" sleep 1000 >/dev/null
  as_user hyperfine -N -w 3 -r "$RUNS_LATENCY" --export-json "$W/cwd/$tool.json" \
    "$cmd run --rm --network benchnet $IMAGE true" "$cmd run --rm --network none $IMAGE true" \
    >"$W/hyperfine.log" 2>&1 || { echo "$tool: hyperfine failed:"; tail -5 "$W/hyperfine.log"; }
  jq -r --arg t "$tool" '.results[] | "\($t) \(.command | split(" ") | .[-3]): \(.median * 1000 | round) ms median (\(.min * 1000 | round)..\(.max * 1000 | round))"' "$W/cwd/$tool.json" \
    | sed "s|$W/||"
  # shellcheck disable=SC2086
  as_user $cmd rm -f -t 0 keeper >/dev/null 2>&1
done

echo
echo "iperf3 -t $T, Gbit/s at the receiver; $(nproc) cores, $(uname -r)"
for tool in "${TOOLS[@]}"; do
  echo "$tool container <-> container (by name): $(stats "${RESULTS[$tool.between]}")"
  echo "$tool host -> published port:           $(stats "${RESULTS[$tool.published]}")"
done
