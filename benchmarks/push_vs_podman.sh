#!/bin/bash
# Push of the ~200 MB debootstrap image (one gzip layer, benchmarks/lib/debian_layer.sh) from
# local storage to a local docker-registry, by the same unprivileged user, dabba and podman each
# from an image they pulled before (untimed):
#
#   dabba-cold    dabba push to an empty registry (every blob uploaded)
#   dabba-warm    the same push again (every blob present: HEADs and nothing else)
#   podman-cold   podman push (rootless, storage driver overlay), to an empty registry
#   podman-warm   the same push again
#   dabba-zstd    dabba push --compression-format zstd to an empty registry (the layer is
#                 compressed: dabba keeps no zstd blob of it yet, so this is the first-push cost)
#   podman-zstd   podman push --compression-format zstd, likewise
#
# Each cold run gets a new registry with empty storage (started untimed), so no blob can be
# mounted or skipped. Runs are interleaved and `sync` runs untimed between them. Wall time and
# peak RSS from GNU time.
#
#   sudo benchmarks/push_vs_podman.sh [BUILD_DIR]      (default: build)
#   RUNS=5 (per case), BENCH_USER=dabba-test, DABBA_BENCH_DIR=/var/tmp/dabba-bench (cache)
set -euo pipefail
# shellcheck source=lib/debian_layer.sh
source "$(dirname "$(readlink -f "$0")")/lib/debian_layer.sh"
bench_settings "${1:-build}"
W=$BENCH/push
PY=/usr/bin/python3

[ "$(id -u)" -eq 0 ] || { echo "run as root"; exit 1; }
[ -x "$DABBA" ] || { echo "build $DABBA first"; exit 1; }
for tool in podman curl jq /usr/bin/time /usr/bin/docker-registry; do
  command -v "$tool" >/dev/null || { echo "needs $tool"; exit 1; }
done
id "$BUSER" >/dev/null || { echo "no user $BUSER (scripts/rig user $BUSER makes one)"; exit 1; }
# shellcheck source=../tests/fixtures/oci.sh
source "$SRC/tests/fixtures/oci.sh"

mkdir -p "$BENCH" "$W"
debian_layer "$LAYER"

# --- the image, in a skopeo dir: layout, pushed byte for byte (as pull_vs_podman.sh) ------------
debian_image_dir "$LAYER" "$W/image"

PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -z "${RUNTIME:-}" ] || rm -rf --one-file-system "$RUNTIME"
}
trap cleanup EXIT

# start_registry NAME: a docker-registry with empty storage under $W/registries/NAME; sets PORT.
start_registry() {
  local dir=$W/registries/$1
  rm -rf "$dir" && mkdir -p "$dir/storage"
  PORT=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  cat >"$dir/config.yml" <<EOF
version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: $dir/storage}}
http: {addr: 127.0.0.1:$PORT}
EOF
  /usr/bin/docker-registry serve "$dir/config.yml" >"$dir/registry.log" 2>&1 &
  PIDS+=($!)
  local i
  for i in $(seq 100); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/v2/" && return 0; sleep 0.1; done
  echo "registry $1 did not start"; exit 1
}

start_registry source
SOURCE=127.0.0.1:$PORT
REF=$SOURCE/bench/debian:latest
oci_push_dir "$W/image" "$SOURCE" bench/debian latest >/dev/null
echo "image: $REF, layer $(stat -c %s "$LAYER") bytes gzip, $(gzip -dc "$LAYER" | wc -c) bytes tar"

# Each tool's storage, with the image pulled once (untimed).
ROOT=$W/storage
rm -rf "$ROOT" && mkdir -p "$ROOT" && chown "$BUSER:" "$ROOT"
RUNTIME=$(mktemp -d /tmp/dpush.XXXX)
chown "$BUSER:" "$RUNTIME"
as_user() { runuser -u "$BUSER" -- env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
  HOME="$ROOT" USER="$BUSER" XDG_RUNTIME_DIR="$RUNTIME" "$@"; }
PODMAN=(podman --root "$ROOT/podman" --runroot "$RUNTIME/podman" --storage-driver overlay
  --events-backend file --cgroup-manager cgroupfs)
as_user "$DABBA" --root "$ROOT/dabba" pull -q "$REF" >/dev/null 2>&1
as_user "${PODMAN[@]}" pull -q --tls-verify=false "$REF" >/dev/null 2>&1

RESULTS=$W/results.txt
: >"$RESULTS"
# run_case NAME I: one timed run; appends "NAME seconds maxrss_kB user sys".
run_case() {
  local name=$1 i=$2 cmd dest
  case $name in
    *-cold | *-zstd) start_registry "$name-$i"; DEST_REGISTRY=127.0.0.1:$PORT ;;
  esac
  dest=$DEST_REGISTRY/bench/debian:pushed
  case $name in
    dabba-cold | dabba-warm) cmd="$DABBA --root $ROOT/dabba push -q $REF $dest" ;;
    dabba-zstd) cmd="$DABBA --root $ROOT/dabba-zstd-$i push -q --compression-format zstd $REF $dest" ;;
    podman-cold | podman-warm) cmd="${PODMAN[*]} push -q --tls-verify=false $REF $dest" ;;
    podman-zstd) cmd="${PODMAN[*]} push -q --tls-verify=false --compression-format zstd $REF $dest" ;;
  esac
  # A store of its own per zstd run, pulled untimed: dabba keeps the zstd blob it makes, so
  # only a store that never pushed zstd measures the compression.
  [ "$name" != dabba-zstd ] ||
    as_user "$DABBA" --root "$ROOT/dabba-zstd-$i" pull -q "$REF" >/dev/null 2>&1
  sync
  as_user /usr/bin/time -o "$ROOT/time" -f "%e %M %U %S" bash -c "$cmd" >/dev/null ||
    { echo "$name run $i failed"; exit 1; }
  echo "$name $(tail -n 1 "$ROOT/time")" >>"$RESULTS"
}

for i in $(seq "$RUNS"); do
  for name in dabba-cold dabba-warm podman-cold podman-warm dabba-zstd podman-zstd; do
    run_case "$name" "$i"
  done
  echo "run $i done"
done
if [ -f "$RUNTIME/libpod/tmp/pause.pid" ]; then
  kill "$(cat "$RUNTIME/libpod/tmp/pause.pid")" 2>/dev/null || true  # podman's pause process
fi

echo
echo "| case | min s | median s | max peak RSS | user s (median) | sys s (median) |"
echo "|---|---|---|---|---|---|"
for name in dabba-cold dabba-warm podman-cold podman-warm dabba-zstd podman-zstd; do
  awk -v n="$name" '$1 == n { print $2, $3, $4, $5 }' "$RESULTS" | $PY -c '
import sys, statistics
rows = [list(map(float, l.split())) for l in sys.stdin if l.strip()]
t = sorted(r[0] for r in rows)
print("| %s | %.2f | %.2f | %.1f MiB | %.2f | %.2f |" % (sys.argv[1], t[0], statistics.median(t),
      max(r[1] for r in rows) / 1024, statistics.median(r[2] for r in rows),
      statistics.median(r[3] for r in rows)))' "$name"
done
