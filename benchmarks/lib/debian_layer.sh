# shellcheck shell=bash
# debian_layer LAYER: makes the benchmarks' ~200 MB layer at LAYER (a .tar.gz) unless it exists:
# a `debootstrap --variant=minbase bookworm` tree, `tar --numeric-owner --xattrs`, `gzip -6`.
# Cached, since debootstrap takes ~2 min (DABBA_BENCH_DIR, /var/tmp/dabba-bench by default).
debian_layer() {
  local layer=$1 dir
  [ -f "$layer" ] && return 0
  dir=$(dirname "$layer")
  mkdir -p "$dir"
  echo "making the layer (debootstrap --variant=minbase bookworm, ~2 min)..."
  rm -rf "$dir/rootfs"
  debootstrap --variant=minbase bookworm "$dir/rootfs" http://deb.debian.org/debian \
    >"$dir/debootstrap.log"
  tar --numeric-owner --xattrs -C "$dir/rootfs" -cf "$dir/layer.tar" .
  gzip -6 -c "$dir/layer.tar" >"$layer.tmp" && mv "$layer.tmp" "$layer"
  rm -f "$dir/layer.tar"
}

# debian_image_dir LAYER DIR: the one-layer image of LAYER as a containers-image dir: layout in
# DIR (manifest.json, version, blobs named by hex digest), unless DIR already holds it. skopeo,
# `dabba load -i` and `podman load -i` read it; tests/fixtures/oci.sh's oci_push_dir pushes it.
debian_image_dir() {
  local layer=$1 dir=$2 layer_hex diff_id config_hex
  layer_hex=$(sha256sum "$layer" | cut -d' ' -f1)
  [ "$(cat "$dir/layer-hex" 2>/dev/null)" = "$layer_hex" ] && [ -f "$dir/manifest.json" ] && return 0
  rm -rf "$dir" && mkdir -p "$dir"
  cp "$layer" "$dir/$layer_hex"
  diff_id=sha256:$(igzip -dc "$layer" | sha256sum | cut -d' ' -f1)
  jq -n --arg d "$diff_id" '{architecture: "amd64", os: "linux", created: "2024-01-01T00:00:00Z",
    config: {Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
    Cmd: ["/bin/bash"]}, rootfs: {type: "layers", diff_ids: [$d]}}' >"$dir/config.json"
  config_hex=$(sha256sum "$dir/config.json" | cut -d' ' -f1)
  mv "$dir/config.json" "$dir/$config_hex"
  jq -n --arg c "sha256:$config_hex" --argjson cs "$(stat -c %s "$dir/$config_hex")" \
    --arg l "sha256:$layer_hex" --argjson ls "$(stat -c %s "$layer")" \
    '{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs},
      layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: $l,
      size: $ls}]}' >"$dir/manifest.json"
  echo "Directory Transport Version: 1.1" >"$dir/version"
  echo "$layer_hex" >"$dir/layer-hex"
}

# bench_settings BUILD_DIR: what the *_vs_podman.sh benchmarks share: DABBA (the binary), BENCH
# (the cache dir, DABBA_BENCH_DIR), RUNS, BUSER (BENCH_USER), SRC (the checkout), LAYER.
bench_settings() {
  DABBA=$(realpath "$1")/dabba
  BENCH=${DABBA_BENCH_DIR:-/var/tmp/dabba-bench}
  RUNS=${RUNS:-5}
  BUSER=${BENCH_USER:-dabba-test}
  SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  LAYER=$BENCH/layer.tar.gz
}

# bench_preflight WHY TOOL...: what the *_vs_podman.sh benchmarks check first (after
# bench_settings): that they run as root (WHY says what for), that $DABBA is built, that every
# TOOL is installed and that the user $BUSER exists.
bench_preflight() {
  local why=$1 tool
  shift
  [ "$(id -u)" -eq 0 ] || { echo "run as root ($why)"; exit 1; }
  [ -x "$DABBA" ] || { echo "build $DABBA first"; exit 1; }
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "needs $tool"; exit 1; }
  done
  id "$BUSER" >/dev/null || { echo "no user $BUSER (scripts/rig user $BUSER makes one)"; exit 1; }
}

# bench_registry DIR: a docker-registry with empty storage under DIR (its config, storage and
# log), on a free port of 127.0.0.1; sets PORT and adds its pid to PIDS (the caller's cleanup
# kills them).
bench_registry() {
  local dir=$1 _
  rm -rf "$dir" && mkdir -p "$dir/storage"
  PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  cat >"$dir/config.yml" <<EOF
version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: $dir/storage}}
http: {addr: 127.0.0.1:$PORT}
EOF
  /usr/bin/docker-registry serve "$dir/config.yml" >"$dir/registry.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 100); do
    curl -fs -o /dev/null "http://127.0.0.1:$PORT/v2/" && return 0
    sleep 0.1
  done
  echo "the registry in $dir did not start"
  exit 1
}

# scratch_ext4 IMG MNT: a fresh ext4 filesystem in the sparse 40 GB file IMG, loop-mounted at MNT,
# for the runs to write into (see unpack_vs_tar.sh for why a fresh one).
scratch_ext4() {
  mkdir -p "$2"
  rm -f "$1"
  truncate -s 40G "$1"
  mkfs.ext4 -q -F "$1"
  mount -o loop "$1" "$2"
}

# scratch_ext4_remove IMG MNT: unmounts and deletes what scratch_ext4 made (for cleanup traps).
scratch_ext4_remove() {
  umount "$2" 2>/dev/null || true
  rm -f "$1"
  rmdir "$2" 2>/dev/null || true
}

# bench_table RESULTS CASE...: the markdown table of each CASE's runs in RESULTS (lines "CASE
# seconds maxrss_kB user sys", as GNU time's "%e %M %U %S" gives them): min and median wall time,
# the largest peak RSS, median user and sys time.
bench_table() {
  local results=$1 name
  shift
  echo "| case | min s | median s | max peak RSS | user s (median) | sys s (median) |"
  echo "|---|---|---|---|---|---|"
  for name in "$@"; do
    awk -v n="$name" '$1 == n { print $2, $3, $4, $5 }' "$results" | python3 -c '
import sys, statistics
rows = [list(map(float, l.split())) for l in sys.stdin if l.strip()]
t = sorted(r[0] for r in rows)
print("| %s | %.2f | %.2f | %.1f MiB | %.2f | %.2f |" % (sys.argv[1], t[0], statistics.median(t),
      max(r[1] for r in rows) / 1024, statistics.median(r[2] for r in rows),
      statistics.median(r[3] for r in rows)))' "$name"
  done
}
