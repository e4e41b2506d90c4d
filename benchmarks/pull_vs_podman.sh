#!/bin/bash
# Cold pull of a ~200 MB image (one gzip layer: a debootstrap minbase of bookworm, the same
# layer benchmarks/unpack_vs_tar.sh uses) from a local docker-registry, by the same unprivileged
# user, into the same filesystem, each case into fresh storage:
#
#   floor         curl BLOB | tee FILE | igzip -dc | tar -x      (keeps the blob, as a store does)
#   floor+sync    the same, then `sync -f` (dabba's data is durable when pull returns)
#   dabba         dabba pull (durable: syncfs, fsyncs, LMDB synced before it returns)
#   dabba-nosync  DABBA_SYNC=0 dabba pull (what the floor and podman do: no flush)
#   podman        podman pull (rootless, overlay driver, --tls-verify=false)
#
# Runs are interleaved (floor, floor+sync, dabba, podman, floor, ...) and `sync` runs untimed
# between cases, so no case pays for another's dirty pages. Every case writes into a fresh ext4
# filesystem (a sparse image, loop-mounted, made and removed here; nothing is deleted until the
# end, see unpack_vs_tar.sh for why). Wall time and peak RSS come from GNU time.
#
#   sudo benchmarks/pull_vs_podman.sh [BUILD_DIR]      (default: build)
#   RUNS=5 (per case), BENCH_USER=dabba-test, DABBA_BENCH_DIR=/var/tmp/dabba-bench (cache)
set -euo pipefail
# shellcheck source=lib/debian_layer.sh
source "$(dirname "$(readlink -f "$0")")/lib/debian_layer.sh"
bench_settings "${1:-build}"
W=$BENCH/pull
PY=/usr/bin/python3

[ "$(id -u)" -eq 0 ] || { echo "run as root (it mounts a scratch filesystem)"; exit 1; }
[ -x "$DABBA" ] || { echo "build $DABBA first"; exit 1; }
for tool in podman igzip curl jq tar mkfs.ext4 /usr/bin/time /usr/bin/docker-registry; do
  command -v "$tool" >/dev/null || { echo "needs $tool"; exit 1; }
done
id "$BUSER" >/dev/null || { echo "no user $BUSER (scripts/rig user $BUSER makes one)"; exit 1; }
# shellcheck source=../tests/fixtures/oci.sh
source "$SRC/tests/fixtures/oci.sh"

mkdir -p "$BENCH" "$W"
debian_layer "$LAYER"

# --- the image, in a skopeo dir: layout, pushed byte for byte -----------------------------------
debian_image_dir "$LAYER" "$W/image"
LAYER_HEX=$(cat "$W/image/layer-hex")

# --- a registry on a free port ---------------------------------------------------------------------
PIDS=()
MNT=""
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  if [ -n "$MNT" ]; then
    umount "$MNT" 2>/dev/null || true
    rm -f "$W/fs.img"
    rmdir "$MNT" 2>/dev/null || true
  fi
  [ -z "${RUNTIME:-}" ] || rm -rf --one-file-system "$RUNTIME"
}
trap cleanup EXIT
PORT=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$W/registry"
cat >"$W/registry.yml" <<EOF
version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: $W/registry}}
http: {addr: 127.0.0.1:$PORT}
EOF
/usr/bin/docker-registry serve "$W/registry.yml" >"$W/registry.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/v2/" && break; sleep 0.1; done
REF=127.0.0.1:$PORT/bench/debian:latest
oci_push_dir "$W/image" "127.0.0.1:$PORT" bench/debian latest >/dev/null

# For the memory figures: 8 distinct 32 MB layers (random bytes: gzip keeps them 32 MB).
if [ ! -f "$W/wide/manifest.json" ]; then
  rm -rf "$W/wide" && mkdir -p "$W/wide/src"
  layers=() diff_ids=()
  for k in $(seq 8); do
    head -c $((32 << 20)) /dev/urandom >"$W/wide/src/data"
    tar -C "$W/wide/src" -cf "$W/wide/l.tar" data
    diff_ids+=("sha256:$(oci_sha256 "$W/wide/l.tar")")
    gzip -1 -c "$W/wide/l.tar" >"$W/wide/l.tar.gz"
    hex=$(oci_sha256 "$W/wide/l.tar.gz")
    layers+=("{\"mediaType\": \"application/vnd.oci.image.layer.v1.tar+gzip\", \"digest\": \"sha256:$hex\", \"size\": $(stat -c %s "$W/wide/l.tar.gz")}")
    mv "$W/wide/l.tar.gz" "$W/wide/$hex"
  done
  rm -rf "$W/wide/src" "$W/wide/l.tar"
  jq -n --args '{architecture: "amd64", os: "linux", rootfs: {type: "layers", diff_ids: $ARGS.positional}}' \
    "${diff_ids[@]}" >"$W/wide/config.json"
  chex=$(oci_sha256 "$W/wide/config.json")
  mv "$W/wide/config.json" "$W/wide/$chex"
  printf '{"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json", "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "sha256:%s", "size": %s}, "layers": [%s]}\n' \
    "$chex" "$(stat -c %s "$W/wide/$chex")" "$(IFS=,; echo "${layers[*]}")" >"$W/wide/manifest.json"
fi
WIDE=127.0.0.1:$PORT/bench/wide:latest
oci_push_dir "$W/wide" "127.0.0.1:$PORT" bench/wide latest >/dev/null
BLOB_URL=http://127.0.0.1:$PORT/v2/bench/debian/blobs/sha256:$LAYER_HEX
echo "image: $REF, layer $(stat -c %s "$LAYER") bytes gzip, $(igzip -dc "$LAYER" | wc -c) bytes tar"

# --- a fresh ext4 for the runs ---------------------------------------------------------------------
MNT=$W/mnt
mkdir -p "$MNT"
rm -f "$W/fs.img"
truncate -s 40G "$W/fs.img"
mkfs.ext4 -q -F "$W/fs.img"
mount -o loop "$W/fs.img" "$MNT"
chown "$BUSER:" "$MNT"
as_user() { runuser -u "$BUSER" -- env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
  HOME="$MNT" USER="$BUSER" "$@"; }
as_user mkdir -p "$MNT/runs"
RUNTIME=$(mktemp -d /tmp/dpb.XXXX)
chown "$BUSER:" "$RUNTIME"

# run_case NAME I: one timed run; appends "NAME seconds maxrss_kB user sys" to results.
RESULTS=$W/results.txt
: >"$RESULTS"
run_case() {
  local name=$1 i=$2 d=$MNT/runs/$1-$2 cmd
  # Runtime state (podman wants its runroot path under 50 characters) outside the scratch fs.
  local run=$RUNTIME/$1-$2
  as_user mkdir -p "$d/root" "$d/tmp" "$run"
  as_user chmod 0700 "$run"
  case $name in
    floor) cmd="curl -fsS $BLOB_URL | tee $d/blob | igzip -dc | tar -x -C $d/root 2>$d/tar.err" ;;
    floor+sync) cmd="curl -fsS $BLOB_URL | tee $d/blob | igzip -dc | tar -x -C $d/root 2>$d/tar.err; sync -f $d" ;;
    dabba) cmd="$DABBA --root $d/store pull -q $REF >/dev/null" ;;
    dabba-nosync) cmd="DABBA_SYNC=0 $DABBA --root $d/store pull -q $REF >/dev/null" ;;
    podman) cmd="podman --root $d/root --runroot $run/podman --storage-driver overlay \
      --events-backend file --cgroup-manager cgroupfs pull -q --tls-verify=false $REF >/dev/null" ;;
  esac
  sync
  as_user env TMPDIR="$d/tmp" XDG_RUNTIME_DIR="$run" /usr/bin/time -o "$d/time" \
    -f "%e %M %U %S" bash -c "$cmd" || {
    # tar, unprivileged, cannot make the layer's 8 device nodes (dabba skips them too)
    if [[ $name == floor* ]] && ! grep -v 'Cannot mknod\|Exiting with failure' "$d/tar.err" | grep -q .; then
      :
    else
      echo "$name run $i failed"; cat "$d/tar.err" 2>/dev/null; exit 1
    fi
  }
  echo "$name $(tail -n 1 "$d/time")" >>"$RESULTS"
  if [ "$name" = podman ] && [ -f "$run/libpod/tmp/pause.pid" ]; then
    kill "$(cat "$run/libpod/tmp/pause.pid")" 2>/dev/null || true  # podman's pause process
  fi
}

for i in $(seq "$RUNS"); do
  for name in floor floor+sync dabba dabba-nosync podman; do
    run_case "$name" "$i"
  done
  echo "run $i done"
done

# Peak memory with 8 big layers in flight at once.
echo
echo "| dabba pull of 8 x 32 MB gzip layers | wall s | peak RSS |"
echo "|---|---|---|"
for n in 1 4 8 16; do
  d=$MNT/runs/wide-$n
  as_user mkdir -p "$d"
  sync
  as_user /usr/bin/time -o "$d/time" -f "%e %M" "$DABBA" --root "$d/store" pull -q \
    --max-parallel "$n" "$WIDE" >/dev/null
  read -r secs rss <"$d/time"
  echo "| --max-parallel $n | $secs | $(awk -v k="$rss" 'BEGIN { printf "%.1f MiB", k / 1024 }') |"
done

echo
echo "| case | min s | median s | max peak RSS | user s (median) | sys s (median) |"
echo "|---|---|---|---|---|---|"
for name in floor floor+sync dabba dabba-nosync podman; do
  awk -v n="$name" '$1 == n { print $2, $3, $4, $5 }' "$RESULTS" | $PY -c '
import sys, statistics
rows = [list(map(float, l.split())) for l in sys.stdin if l.strip()]
t = sorted(r[0] for r in rows)
print("| %s | %.2f | %.2f | %.1f MiB | %.2f | %.2f |" % (sys.argv[1], t[0], statistics.median(t),
      max(r[1] for r in rows) / 1024, statistics.median(r[2] for r in rows),
      statistics.median(r[3] for r in rows)))' "$name"
done
