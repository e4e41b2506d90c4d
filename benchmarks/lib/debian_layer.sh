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
