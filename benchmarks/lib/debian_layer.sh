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
