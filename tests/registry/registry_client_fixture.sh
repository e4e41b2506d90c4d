#!/bin/bash
# Builds the registry client tests' images with umoci (busybox-static inside) and pushes them
# with skopeo into a docker-registry storage directory that the tests then serve read-only.
#
#   registry_client_fixture.sh OUTDIR
#
# OUTDIR/storage     registry storage holding
#                      test/busybox:latest  OCI manifest, one gzip layer
#                      test/busybox:v2s2    the same as Docker schema 2
#                      test/multi:latest    OCI index: linux/amd64, linux/arm64/v8, linux/arm/v7,
#                                           linux/arm/v6, plus an unknown/unknown attestation
#                      test/big:latest      one ~3 MiB incompressible layer (for Range tests)
# OUTDIR/facts.env   shell assignments of the digests the tests check against
set -euo pipefail

OUT=$1
SRC=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
# shellcheck source=../fixtures/oci.sh
source "$SRC/tests/fixtures/oci.sh"
PY=/usr/bin/python3
NOBODY=65534

rm -rf "$OUT"
mkdir -p "$OUT/storage" "$OUT/work"
L=$OUT/layout
W=$OUT/work

umoci init --layout "$L"
umoci new --image "$L:base"
umoci unpack --rootless --image "$L:base" "$W/bundle"
R=$W/bundle/rootfs
install -d -m 0755 "$R/bin" "$R/etc" "$R/tmp"
install -m 0755 /bin/busybox "$R/bin/busybox"
ln -s busybox "$R/bin/sh"
echo "dabba registry client test" >"$R/etc/release"
umoci repack --image "$L:base" "$W/bundle"
umoci config --image "$L:base" --os linux --architecture amd64 \
  --config.cmd /bin/sh --config.entrypoint /bin/busybox --config.env FOO=bar \
  --config.env PATH=/bin --config.workingdir /tmp --config.user 1000:1000 \
  --config.stopsignal SIGTERM --config.exposedports 80/tcp --config.exposedports 53/udp \
  --config.label org.example.test=yes --created 2024-01-02T03:04:05Z
rm -rf "$W/bundle"

# Other platforms: the same layer under other configs (distinct digests).
umoci config --image "$L:base" --architecture arm64 --tag arm64
umoci config --image "$L:base" --architecture arm --config.label variant=v7 --tag armv7
umoci config --image "$L:base" --architecture arm --config.label variant=v6 --tag armv6
umoci config --image "$L:base" --os unknown --architecture unknown --tag attestation
oci_make_index "$L" multi "base linux amd64" "arm64 linux arm64 v8" "armv7 linux arm v7" \
  "armv6 linux arm v6" "attestation unknown unknown"

umoci new --image "$L:big"
umoci unpack --rootless --image "$L:big" "$W/bundle"
head -c $((3 << 20)) /dev/urandom >"$W/bundle/rootfs/random.bin"
umoci repack --image "$L:big" "$W/bundle"
umoci config --image "$L:big" --os linux --architecture amd64
rm -rf "$W/bundle"

# A registry on a free port for the pushes.
PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$OUT/push-config.yml" <<EOF
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $OUT/storage
http:
  addr: 127.0.0.1:$PORT
EOF
/usr/bin/docker-registry serve "$OUT/push-config.yml" >"$OUT/push-registry.log" 2>&1 &
REG_PID=$!
trap 'kill $REG_PID 2>/dev/null; wait $REG_PID 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  curl -s -o /dev/null "http://127.0.0.1:$PORT/v2/" && break
  sleep 0.05
done

# skopeo as root keeps a blob-info cache in /var/lib/containers: run it as nobody instead, with
# its own HOME and TMPDIR here.
chmod -R a+rX "$L"
install -d -m 0700 -o $NOBODY -g $NOBODY "$W/skopeo-home" 2>/dev/null || mkdir -p "$W/skopeo-home"
echo '{"default": [{"type": "insecureAcceptAnything"}]}' >"$W/policy.json"
chmod 0644 "$W/policy.json"
chmod 0755 "$OUT" "$W"
skopeo_copy() {
  local run=()
  [ "$(id -u)" -ne 0 ] || run=(setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups)
  (cd / && "${run[@]}" env -i PATH=/usr/bin:/bin HOME="$W/skopeo-home" TMPDIR="$W/skopeo-home" \
    XDG_RUNTIME_DIR="$W/skopeo-home" skopeo --policy "$W/policy.json" copy --quiet \
    --dest-tls-verify=false "$@")
}
skopeo_copy "oci:$L:base" "docker://127.0.0.1:$PORT/test/busybox:latest"
skopeo_copy --format v2s2 "oci:$L:base" "docker://127.0.0.1:$PORT/test/busybox:v2s2"
skopeo_copy --all "oci:$L:multi" "docker://127.0.0.1:$PORT/test/multi:latest"
skopeo_copy "oci:$L:big" "docker://127.0.0.1:$PORT/test/big:latest"

manifest() {
  curl -fsS -H 'Accept: application/vnd.oci.image.index.v1+json' \
    -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    "http://127.0.0.1:$PORT/v2/$1/manifests/$2"
}
# The registry's own word for a manifest's digest ($(...) would eat a trailing newline).
manifest_digest() {
  curl -fsS -o /dev/null -D - -H 'Accept: application/vnd.oci.image.index.v1+json' \
    -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    "http://127.0.0.1:$PORT/v2/$1/manifests/$2" |
    tr -d '\r' | awk 'tolower($1) == "docker-content-digest:" { print $2 }'
}
{
  m=$(manifest test/busybox latest)
  echo "BUSYBOX_DIGEST=$(manifest_digest test/busybox latest)"
  echo "BUSYBOX_LAYER=$(jq -r '.layers[0].digest' <<<"$m")"
  echo "BUSYBOX_LAYER_SIZE=$(jq -r '.layers[0].size' <<<"$m")"
  echo "BUSYBOX_CONFIG=$(jq -r '.config.digest' <<<"$m")"
  echo "V2S2_DIGEST=$(manifest_digest test/busybox v2s2)"
  m=$(manifest test/multi latest)
  echo "MULTI_DIGEST=$(manifest_digest test/multi latest)"
  for p in amd64 arm64 arm/v7 arm/v6; do
    var=$(tr 'a-z/' 'A-Z_' <<<"$p")
    echo "MULTI_${var}=$(jq -r --arg a "${p%%/*}" --arg v "$(sed -n 's|.*/||p' <<<"$p")" \
      '.manifests[] | select(.platform.architecture == $a and ((.platform.variant // "") == $v or $a == "arm64")) | .digest' <<<"$m")"
  done
  m=$(manifest test/big latest)
  echo "BIG_LAYER=$(jq -r '.layers[0].digest' <<<"$m")"
  echo "BIG_LAYER_SIZE=$(jq -r '.layers[0].size' <<<"$m")"
} >"$OUT/facts.env"
rm -rf "$W"
