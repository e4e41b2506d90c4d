# shellcheck shell=bash
# bench_setup NAME TOOL...: the common start of the benchmarks that use the rig (BUILD and SRC
# set by the caller): the rig's env sourced, bench_preflight's checks (root, the build's dabba,
# the tools, the rig's user), USER_NAME and IMAGE (the rig's busybox) set, and a fresh work
# directory W (/tmp/dabba-bench-NAME.*).
# shellcheck source=benchmarks/lib/debian_layer.sh
source "$(dirname "${BASH_SOURCE[0]}")/debian_layer.sh"

# shellcheck disable=SC2034  # USER_NAME, IMAGE: for the callers
bench_setup() {
  local name=$1
  shift
  RIG_ENV=${DABBA_RIG_ENV:-$("$SRC/scripts/rig" env 2>/dev/null || true)}
  [ -r "$RIG_ENV" ] || { echo "no rig: sudo scripts/rig up first"; exit 1; }
  # shellcheck source=/dev/null
  source "$RIG_ENV"
  DABBA=$BUILD/dabba
  BUSER=$RIG_USER
  bench_preflight "it switches to the rig's user" "$@"
  USER_NAME=$RIG_USER
  IMAGE=$FIXTURE_BUSYBOX
  W=$(mktemp -d "/tmp/dabba-bench-$name.XXXXXX")
  chmod 0755 "$W"
}

# write_podman_storage_conf W: W/storage.conf, podman's storage in W/podman with the driver dabba
# uses (the kernel's overlay, not vfs; rootless podman takes no graphroot from storage.conf, only
# rootless_storage_path). Point CONTAINERS_STORAGE_CONF at it.
write_podman_storage_conf() {
  cat >"$1/storage.conf" <<CONF
[storage]
driver = "overlay"
rootless_storage_path = "$1/podman/root"
runroot = "$1/podman/run"
CONF
  chmod 0644 "$1/storage.conf"
}

# bench_user_cleanup DIR...: a benchmark's end (its EXIT trap): dabba's pause process of W/run
# stopped, podman's storage reset (as_user, the caller's), the user's DIRs removed from inside a
# user namespace (their files may belong to subordinate ids), then W.
bench_user_cleanup() {
  [ -s "$W/run/dabba/pause.pid" ] && kill "$(cut -d' ' -f1 "$W/run/dabba/pause.pid")" 2>/dev/null
  as_user podman system reset -f >/dev/null 2>&1 || true
  runuser -u "$USER_NAME" -- unshare -Ur rm -rf "$@" 2>/dev/null || true
  rm -rf "$W"
}
