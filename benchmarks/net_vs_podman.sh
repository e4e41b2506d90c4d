#!/bin/bash
# Network throughput through slirp4netns, dabba against rootless podman (runc, slirp4netns), as the
# same unprivileged user, same image (busybox + the host's iperf3 and its libraries), with iperf3
# (Debian's) on both ends:
#   container -> host: iperf3 -s on the host's 127.0.0.1, the client in the container reaching it
#                      as 10.0.2.2 (--network slirp4netns:allow_host_loopback=true);
#   host -> container: iperf3 -s in a -d container published on 127.0.0.1 (-p), the client on the
#                      host.
# Rounds interleave the four cases (a noisy machine hurts each alike); the median and the min/max
# of the runs are printed in Gbit/s (the receiver's figure).
#
#   sudo DABBA_RIG_ENV=/tmp/dabba-rig/env benchmarks/net_vs_podman.sh [BUILD_DIR]   (default: build)
#   RUNS=5 SECONDS_PER_RUN=5 to change the counts; NO_PODMAN=1 to skip podman.
# Needs the rig (its plain registry holds the image: bench/iperf3:latest), iperf3, skopeo, jq.
set -euo pipefail
BUILD=$(realpath "${1:-build}")
RUNS=${RUNS:-5}
T=${SECONDS_PER_RUN:-5}
SRC=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../tests/fixtures/oci.sh
source "$SRC/tests/fixtures/oci.sh"
# shellcheck source=lib/iperf3.sh
source "$SRC/benchmarks/lib/iperf3.sh"
iperf_preflight

W=$(mktemp -d /tmp/dabba-bench-net.XXXXXX)
chmod 0755 "$W"
install -d -m 0700 -o "$RIG_USER" -g "$RIG_USER" "$W/home" "$W/run" "$W/store"
install -m 0755 "$BUILD/dabba" "$W/dabba"
install -m 0755 "$BUILD/dabba-supervise" "$W/dabba-supervise"  # run -d finds it beside dabba
cleanup() {
  local rc=$?
  [ -s "$W/run/dabba/pause.pid" ] && kill "$(cut -d' ' -f1 "$W/run/dabba/pause.pid")" 2>/dev/null
  rm -rf --one-file-system "$W"
  exit $rc
}
trap cleanup EXIT
as_user() {
  runuser -u "$RIG_USER" -- env -i -C "$W" PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
    HOME="$W/home" USER="$RIG_USER" XDG_RUNTIME_DIR="$W/run" "$@"
}
dabba() { as_user "$W/dabba" --root "$W/store" "$@"; }
# podman keeps the user's own storage and config (its image cache survives between runs).
podman_user() {
  runuser -u "$RIG_USER" -- sh -c 'cd /tmp && exec podman --runtime runc --cgroup-manager=cgroupfs "$@"' \
    podman "$@"
}
free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# --- the image: rig/busybox plus /usr/local/bin/iperf3 and the libraries ldd lists ---------------
IMAGE=$REGISTRY/bench/iperf3:latest
push_iperf3_image "$W" "$IMAGE"
dabba pull -q "$IMAGE" >/dev/null
TOOLS=(dabba)
if [ -z "${NO_PODMAN:-}" ] && command -v podman >/dev/null; then
  podman_user pull -q --tls-verify=false "$IMAGE" >/dev/null
  TOOLS+=(podman podman-slirp-ports)
fi

# run_in TOOL ARGS...: `run ARGS...` with TOOL: dabba, podman (its defaults: published ports go
# through rootlessport), or podman-slirp-ports (--network slirp4netns:port_handler=slirp4netns,
# published ports through slirp4netns's add_hostfwd, as dabba did before its port relay).
run_in() {
  local tool=$1
  shift
  case $tool in
    dabba) dabba run "$@" ;;
    podman) podman_user run "$@" ;;
    podman-slirp-ports)
      # add port_handler to the --network option (or give one)
      local args=() a net=0
      for a in "$@"; do
        if [[ $a == --network=* ]]; then a="$a,port_handler=slirp4netns"; net=1; fi
        args+=("$a")
      done
      [ $net = 1 ] || args=(--network=slirp4netns:port_handler=slirp4netns "${args[@]}")
      podman_user run "${args[@]}" ;;
  esac
}

# to_host TOOL: iperf3 from the container to a server on the host's loopback (10.0.2.2).
to_host() {
  local port out
  port=$(free_port)
  timeout 120 iperf3 -s -1 -B 127.0.0.1 -p "$port" >/dev/null 2>&1 &
  local server=$!
  sleep 0.2
  out=$(run_in "$1" --rm --network=slirp4netns:allow_host_loopback=true "$IMAGE" \
    timeout 120 iperf3 -J -c 10.0.2.2 -p "$port" -t "$T") || true
  wait "$server" || true
  valid "$out" || { echo "to_host $1: no result: $out" >&2; return 1; }
  gbits "$out"
}

# from_host TOOL: iperf3 from the host to a server in a -d container, through a published port.
from_host() {
  local port out i name=iperf-server-$RANDOM
  port=$(free_port)
  run_in "$1" -d --rm --name "$name" -p "127.0.0.1:$port:5201" "$IMAGE" \
    timeout 120 iperf3 -s -1 >/dev/null
  # The port is published before the server listens: retry until it answers (30 s at most).
  out=$(iperf_until_valid 150 timeout 120 iperf3 -J -c 127.0.0.1 -p "$port" -t "$T")
  [ -n "$out" ] || { echo "from_host $1: the server never answered" >&2; return 1; }
  # Until the container (and its port) is gone.
  for i in $(seq 150); do
    if [ "$1" = dabba ]; then dabba ps -aq | grep -q . || break; else
      podman_user ps -aq --filter "name=$name" | grep -q . || break
    fi
    sleep 0.2
  done
  gbits "$out"
}

iperf_rounds to_host from_host

echo
echo "iperf3 -t $T, Gbit/s at the receiver; $(nproc) cores, $(uname -r), slirp4netns $(slirp4netns --version | head -1 | awk '{print $3}')"
for tool in "${TOOLS[@]}"; do
  echo "$tool container -> host (10.0.2.2):      $(stats "${RESULTS[$tool.to_host]}")"
  echo "$tool host -> container (published port): $(stats "${RESULTS[$tool.from_host]}")"
done
