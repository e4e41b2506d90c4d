# shellcheck shell=bash
# bench_setup NAME TOOL...: the common start of the *_vs_podman.sh benchmarks (BUILD and SRC set
# by the caller): running as root, the build's dabba there, the tools found, the rig's env sourced
# (USER_NAME, IMAGE = the rig's busybox) and a fresh work directory W (/tmp/dabba-bench-NAME.*).
bench_setup() {
  local name=$1 tool
  shift
  [ "$(id -u)" -eq 0 ] || { echo "run as root (it switches to the rig's user)"; exit 1; }
  [ -x "$BUILD/dabba" ] || { echo "build $BUILD/dabba first"; exit 1; }
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "needs $tool"; exit 1; }
  done
  RIG_ENV=${DABBA_RIG_ENV:-$("$SRC/scripts/rig" env 2>/dev/null || true)}
  [ -r "$RIG_ENV" ] || { echo "no rig: sudo scripts/rig up first"; exit 1; }
  # shellcheck source=/dev/null
  source "$RIG_ENV"
  USER_NAME=$RIG_USER
  IMAGE=$FIXTURE_BUSYBOX
  W=$(mktemp -d "/tmp/dabba-bench-$name.XXXXXX")
  chmod 0755 "$W"
}
