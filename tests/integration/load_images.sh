#!/bin/bash
# dabba load of archives skopeo makes from the rig's images: an OCI layout directory (with and
# without a tag), an oci-archive tar, a docker-archive (layer files behind legacy <id>/layer.tar
# links, and a manifest.json naming those links), and a gzip-compressed docker-archive; each
# through the verified ingest, with the names the archive gives. A tampered layout fails with a
# digest error and registers nothing.
set -euo pipefail
# shellcheck source=lib/pull.sh
source "$(dirname "$0")/lib/pull.sh"
rig_setup load_images

skopeo_to() { skopeo_user copy -q --src-tls-verify=false "docker://$1" "$2"; }
A=$WORK/archives # the test user's: skopeo writes there as that user
install -d -m 0755 -o "$RIG_USER" "$A"
load() { dabba_user load -q -i "$@" 2>&1; }
fresh_store() {
  STORE=$WORK/store-$1
  install -d -m 0700 -o "$RIG_USER" "$STORE"
}

check "skopeo makes an OCI layout with a tag" skopeo_to "$FIXTURE_LAYERS" "oci:$A/layout:v1"
check "skopeo makes an OCI layout without a name" skopeo_to "$FIXTURE_SHARED" "oci:$A/unnamed"
check "skopeo makes an oci-archive" skopeo_to "$FIXTURE_LAYERS" "oci-archive:$A/layers.oci.tar:rig/layers:oci"
check "skopeo makes a docker-archive" skopeo_to "$FIXTURE_LAYERS" "docker-archive:$A/layers.docker.tar:rig/layers:docker"

fresh_store layout
check_eq "OCI layout dir: a bare tag names localhost/<dir>:<tag>" \
  "Loaded image: localhost/layout:v1" "$(load "$A/layout")"
check_eq "OCI layout dir: the manifest digest is the registry's" "$FIXTURE_LAYERS_DIGEST" \
  "$(dabba_user images --format json | jq -r '.[0].Digest')"
check_eq "OCI layout dir: 4 layers unpacked" 4 "$(layer_dirs)"
check "OCI layout dir: layer content" grep -qx v2 <<<"$(cat "$STORE"/layers/*/data/changed.txt | sort | tail -n 1)"
check "OCI layout dir: the store checks clean" dabba_user check
out=$(load "$A/unnamed")
check "OCI layout without a name: an id only (podman's wording)" grep -q "^Loaded image: sha256:" <<<"$out"
check_eq "... listed as <none> <none>" 1 "$(dabba_user images | grep -Ec '^<none> +<none> ')"
check_eq "... json has no names" 0 \
  "$(dabba_user images --format json | jq "[.[] | select(.Digest == \"$FIXTURE_SHARED_DIGEST\") | .Names[]] | length")"
check_eq "... the shared base layer was not unpacked twice" 5 "$(layer_dirs)"
check "... removable by its id" dabba_user rmi "$(dabba_user images --format json |
  jq -r ".[] | select(.Digest == \"$FIXTURE_SHARED_DIGEST\") | .Id[0:12]")"
check_eq "... gone" 1 "$(image_count)"
check "... and loading it again" load "$A/unnamed"
check "pulling it names it, dropping the <none> row" dabba_user pull -q "$FIXTURE_SHARED"
check_eq "... no <none> row left" 0 "$(dabba_user images | grep -c '^<none>' || true)"

fresh_store oci-archive
check_eq "oci-archive: named by its ref.name" "Loaded image: docker.io/rig/layers:oci" \
  "$(load "$A/layers.oci.tar")"
check_eq "oci-archive: 4 layers" 4 "$(layer_dirs)"
check "oci-archive: the store checks clean" dabba_user check

fresh_store docker-archive
check_eq "docker-archive: named by RepoTags" "Loaded image: docker.io/rig/layers:docker" \
  "$(load "$A/layers.docker.tar")"
check_eq "docker-archive: 4 layers, the same diff_ids as the pulled image" \
  "$(cd "$WORK/store-oci-archive/layers" && ls | sort | xargs)" \
  "$(cd "$STORE/layers" && ls | sort | xargs)"
check "docker-archive: the store checks clean" dabba_user check
check_eq "docker-archive: loading it again adds nothing" "Loaded image: docker.io/rig/layers:docker" \
  "$(load "$A/layers.docker.tar")"
check_eq "... still one image" 1 "$(image_count)"

# docker save's legacy form: manifest.json names <id>/layer.tar, links to the layer files.
"$RIG_PYTHON" - "$A/layers.docker.tar" "$A/legacy.tar" <<'PY'
import io, json, sys, tarfile
src, dst = sys.argv[1], sys.argv[2]
with tarfile.open(src) as t, tarfile.open(dst, "w") as out:
    links = {m.linkname.lstrip("./").split("/")[-1]: m.name for m in t if m.issym()}
    for m in t:
        if m.name == "manifest.json":
            doc = json.load(t.extractfile(m))
            for img in doc:
                img["Layers"] = [links[l] for l in img["Layers"]]
                img["RepoTags"] = ["rig/legacy:1"]
            data = json.dumps(doc).encode()
            m.size = len(data)
            out.addfile(m, io.BytesIO(data))
        else:
            out.addfile(m, t.extractfile(m) if m.isfile() else None)
PY
chown "$RIG_USER" "$A/legacy.tar"
gzip -c "$A/legacy.tar" >"$A/legacy.tar.gz"
chown "$RIG_USER" "$A/legacy.tar.gz"
fresh_store legacy
check_eq "legacy docker-archive (layer.tar links)" "Loaded image: docker.io/rig/legacy:1" \
  "$(load "$A/legacy.tar")"
check_eq "legacy docker-archive: 4 layers" 4 "$(layer_dirs)"
fresh_store legacy-gz
check_eq "gzip-compressed docker-archive" "Loaded image: docker.io/rig/legacy:1" \
  "$(load "$A/legacy.tar.gz")"
check "gzip-compressed docker-archive: the store checks clean" dabba_user check

# A layout whose layer blob was tampered with: a digest error, nothing registered.
cp -a "$A/layout" "$A/tampered"
BIG=$(digest_hex "$FIXTURE_BASE_LAYER_DIGEST")
printf '\x00\x00\x00\x00' | dd of="$A/tampered/blobs/sha256/$BIG" bs=1 seek=50000 conv=notrunc 2>/dev/null
chown -R "$RIG_USER" "$A/tampered"
fresh_store tampered
out=$(load "$A/tampered") && rc=0 || rc=$?
check_eq "tampered layout: load fails with podman's 125" 125 "$rc"
check "tampered layout: with a digest error" grep -q "digest mismatch" <<<"$out"
check_eq "tampered layout: no image" 0 "$(image_count)"
check "tampered layout: the store checks clean" dabba_user check

check_fails "load of a file that is no archive fails" load /etc/hostname
check_fails "load of a missing path fails" load "$WORK/nope"
check_done
