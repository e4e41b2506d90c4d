#!/bin/bash
# The rig itself: every fixture image is pullable (skopeo inspect as the test user), each is
# what tests/fixtures/README.md says it is (media types, compression, platforms, layer
# contents), the auth registries refuse the wrong callers and admit the right ones, the fault
# proxy forwards and injects faults, and the test user can run the dabba binary.
set -euo pipefail
# shellcheck source=lib/rig.sh
source "$(dirname "$0")/lib/rig.sh"
rig_setup rig_fixtures

OCI_MANIFEST=application/vnd.oci.image.manifest.v1+json
OCI_INDEX=application/vnd.oci.image.index.v1+json
DOCKER_MANIFEST=application/vnd.docker.distribution.manifest.v2+json
DOCKER_LIST=application/vnd.docker.distribution.manifest.list.v2+json

# Refs are host:port/repo:tag; split them for the HTTP API.
repo_of() { local r=${1#*/}; echo "${r%:*}"; }
tag_of() { echo "${1##*:}"; }
host_of() { echo "${1%%/*}"; }
manifest_of() { registry_get "$(host_of "$1")" "$(repo_of "$1")/manifests/$(tag_of "$1")"; }
blob_to() { registry_get "$(host_of "$1")" "$(repo_of "$1")/blobs/$2" -o "$3"; }
first_bytes() { registry_get "$(host_of "$1")" "$(repo_of "$1")/blobs/$2" -r "0-$(($3 - 1))" |
  od -An -tx1 | tr -d ' \n'; }

# list_layer FILE: one line per tar entry: TYPE MODE UID:GID NAME [-> TARGET] [xattr:K=V].
list_layer() {
  "$RIG_PYTHON" - "$1" <<'EOF'
import sys, tarfile
kinds = {tarfile.REGTYPE: "file", tarfile.AREGTYPE: "file", tarfile.DIRTYPE: "dir",
         tarfile.SYMTYPE: "symlink", tarfile.LNKTYPE: "hardlink", tarfile.FIFOTYPE: "fifo",
         tarfile.CHRTYPE: "char", tarfile.BLKTYPE: "block"}
with tarfile.open(sys.argv[1], "r:*") as t:
    for m in t:
        fields = [kinds.get(m.type, "other"), "%04o" % m.mode, "%d:%d" % (m.uid, m.gid),
                  m.name.rstrip("/") + ("/" if m.isdir() else "")]
        if m.linkname:
            fields.append("-> " + m.linkname)
        fields += ["xattr:%s=%s" % (k[len("SCHILY.xattr."):], v)
                   for k, v in sorted(m.pax_headers.items()) if k.startswith("SCHILY.xattr.")]
        print(" ".join(fields))
EOF
}

# skopeo_private_checks WHICH IMAGE USER PASSWORD: skopeo is refused IMAGE without credentials
# and with a wrong password, and pulls it with USER's.
skopeo_private_checks() {
  local which=$1 image=docker://$2 user=$3 pass=$4
  check_fails "$which registry: skopeo without credentials is refused rig/private" \
    skopeo_user inspect --tls-verify=false --no-creds "$image"
  check_fails "$which registry: skopeo with a wrong password is refused" \
    skopeo_user inspect --tls-verify=false --creds "$user:wrong" "$image"
  check "$which registry: skopeo with the right credentials pulls rig/private" \
    skopeo_user inspect --tls-verify=false --creds "$user:$pass" "$image"
}

# --- the harness ----------------------------------------------------------------------------
# A sanitizer's exit status is never an expected failure (scripts/test gives it exitcode=86).
planted=$(CHECKS_RUN=0 CHECKS_FAILED=0
  check_fails "planted sanitizer report" sh -c "exit $SANITIZER_EXIT" >/dev/null
  check_fails "planted clean failure" sh -c "exit 1" >/dev/null
  echo "$CHECKS_FAILED")
check_eq "check_fails refuses a sanitizer's exit status and accepts a clean failure" 1 "$planted"

# --- the env file ---------------------------------------------------------------------------
for var in RIG_DIR RIG_DABBA RIG_USER RIG_WORK REGISTRY REGISTRY_DIR REGISTRY_LOG \
  REGISTRY_PROXY REGISTRY_PROXY_LOG REGISTRY_PROXY_CONTROL REGISTRY_BASIC REGISTRY_BASIC_USER \
  REGISTRY_BASIC_PASS REGISTRY_TOKEN REGISTRY_TOKEN_USER REGISTRY_TOKEN_PASS \
  REGISTRY_TOKEN_ISSUER FIXTURE_BASE_LAYER_DIGEST FIXTURE_CORRUPTIBLE_BLOB; do
  check "env file sets $var" test -n "${!var:-}"
done

# --- the test user and the binary -------------------------------------------------------------
check "$RIG_USER has a subuid range" grep -qE "^($RIG_USER|$(id -u "$RIG_USER")):" /etc/subuid
check "$RIG_USER has a subgid range" grep -qE "^($RIG_USER|$(id -u "$RIG_USER")):" /etc/subgid
check_eq "/dev/net/tun is mode 666" 666 "$(stat -c %a /dev/net/tun)"
check "the rig's dabba copy runs as $RIG_USER" runuser -u "$RIG_USER" -- "$RIG_DABBA" --version
check "the dabba under test runs as $RIG_USER" as_user "$TEST_DABBA" --version

# --- every fixture is pullable and its digest is the env file's ------------------------------
for var in FIXTURE_BUSYBOX FIXTURE_BUSYBOX_APP FIXTURE_LAYERS FIXTURE_LAYERS_V2S2 \
  FIXTURE_LAYERS_ZSTD FIXTURE_LAYERS_UNCOMPRESSED FIXTURE_SHARED FIXTURE_MANY FIXTURE_MULTI \
  FIXTURE_MULTI_V2S2 FIXTURE_CORRUPTIBLE; do
  ref=${!var}
  digest_var=${var}_DIGEST
  check "skopeo inspect of $var ($ref)" skopeo_user inspect --tls-verify=false "docker://$ref"
  check_eq "$var digest matches the env file" "${!digest_var}" \
    "sha256:$(skopeo_user inspect --raw --tls-verify=false "docker://$ref" | sha256sum | cut -d' ' -f1)"
done

# --- media types and compression ----------------------------------------------------------------
m=$(manifest_of "$FIXTURE_LAYERS")
check_eq "rig/layers:latest is an OCI manifest" "$OCI_MANIFEST" \
  "$(curl -fsS -o /dev/null -w '%{content_type}' -H "Accept: $OCI_MANIFEST" \
    "http://$REGISTRY/v2/rig/layers/manifests/latest")"
check_eq "rig/layers:latest has 4 gzip layers" "4 application/vnd.oci.image.layer.v1.tar+gzip" \
  "$(jq -r '.layers | "\(length) \(map(.mediaType) | unique | join(","))"' <<<"$m")"
check_eq "rig/layers:latest's first layer is the shared base layer" "$FIXTURE_BASE_LAYER_DIGEST" \
  "$(jq -r '.layers[0].digest' <<<"$m")"
check_eq "a gzip layer starts with the gzip magic" 1f8b \
  "$(first_bytes "$FIXTURE_LAYERS" "$(jq -r '.layers[1].digest' <<<"$m")" 2)"
layers_config=$(jq -r .config.digest <<<"$m")

m=$(manifest_of "$FIXTURE_LAYERS_V2S2")
check_eq "rig/layers:v2s2 is a Docker schema2 manifest" "$DOCKER_MANIFEST" \
  "$(jq -r .mediaType <<<"$m")"
check_eq "rig/layers:v2s2 has Docker gzip layers" \
  "application/vnd.docker.image.rootfs.diff.tar.gzip" \
  "$(jq -r '.layers | map(.mediaType) | unique | join(",")' <<<"$m")"
check_eq "rig/layers:v2s2 has the Docker config media type" \
  "application/vnd.docker.container.image.v1+json" "$(jq -r .config.mediaType <<<"$m")"
check_eq "rig/layers:v2s2 shares its config blob with the OCI copy" "$layers_config" \
  "$(jq -r .config.digest <<<"$m")"

m=$(manifest_of "$FIXTURE_LAYERS_ZSTD")
check_eq "rig/layers:zstd has 4 zstd layers" "4 application/vnd.oci.image.layer.v1.tar+zstd" \
  "$(jq -r '.layers | "\(length) \(map(.mediaType) | unique | join(","))"' <<<"$m")"
for d in $(jq -r '.layers[].digest' <<<"$m"); do
  check_eq "zstd layer $d starts with the zstd magic" 28b52ffd \
    "$(first_bytes "$FIXTURE_LAYERS_ZSTD" "$d" 4)"
done
check_eq "rig/layers:zstd has the same diff_ids (config) as the gzip image" "$layers_config" \
  "$(jq -r .config.digest <<<"$m")"

m=$(manifest_of "$FIXTURE_LAYERS_UNCOMPRESSED")
check_eq "rig/layers:uncompressed has 4 plain tar layers" \
  "4 application/vnd.oci.image.layer.v1.tar" \
  "$(jq -r '.layers | "\(length) \(map(.mediaType) | unique | join(","))"' <<<"$m")"
blob_to "$REGISTRY/rig/layers:x" "$layers_config" "$WORK/layers-config.json"
check_eq "uncompressed layer digests are the image's diff_ids" \
  "$(jq -c .rootfs.diff_ids "$WORK/layers-config.json")" "$(jq -c '[.layers[].digest]' <<<"$m")"
uncompressed_layers=$(jq -r '.layers[].digest' <<<"$m")

# --- what the layers of rig/layers contain (tests/fixtures/README.md) -------------------------
i=0
for d in $uncompressed_layers; do
  blob_to "$FIXTURE_LAYERS_UNCOMPRESSED" "$d" "$WORK/layer$i.tar"
  list_layer "$WORK/layer$i.tar" >"$WORK/layer$i.txt"
  i=$((i + 1))
done
has() { grep -qxF -- "$2" "$WORK/layer$1.txt"; }
check "layer 0 has busybox-static" has 0 "file 0755 0:0 bin/busybox"
check "layer 0 has sh as an absolute symlink" has 0 "symlink 0777 0:0 bin/sh -> /bin/busybox"
check "layer 0 has /home/app owned by 1000:1000" has 0 "dir 0755 1000:1000 home/app/"
check "layer 0 has /tmp with the sticky bit" has 0 "dir 1777 0:0 tmp/"
check "layer 1 has a hardlink" has 1 "hardlink 0644 0:0 data/hardlink-b -> data/hardlink-a"
check "layer 1 has a hardlink in a subdirectory" has 1 \
  "hardlink 0644 0:0 data/sub/hardlink-c -> data/hardlink-a"
check "layer 1 has a relative symlink" has 1 "symlink 0777 0:0 data/symlink-rel -> target.txt"
check "layer 1 has an absolute symlink" has 1 \
  "symlink 0777 0:0 data/symlink-abs -> /data/target.txt"
check "layer 1 has a fifo" has 1 "fifo 0640 0:0 data/fifo"
check "layer 1 has a setuid file" has 1 "file 4755 0:0 data/setuid-file"
check "layer 1 has a setgid directory" has 1 "dir 2775 0:0 data/setgid-dir/"
check "layer 1 has a file owned by 1234:5678" has 1 "file 0644 1234:5678 data/owned-file"
check "layer 1 has a directory owned by 1234:5678" has 1 "dir 0750 1234:5678 data/owned-dir/"
check "layer 1 has a user xattr" has 1 \
  "file 0644 0:0 data/xattr-file xattr:user.dabba.test=hello xattr"
check "layer 1 has a mode 0600 file" has 1 "file 0600 0:0 data/secret-file"
check "layer 2 whites out a file" has 2 "file 0000 0:0 data/.wh.remove-me.txt"
check "layer 2 whites out a directory" has 2 "file 0000 0:0 data/.wh.remove-dir"
check "layer 2 changes a file" has 2 "file 0644 0:0 data/changed.txt"
check "layer 3 has an opaque whiteout" has 3 "file 0644 0:0 data/replace-dir/.wh..wh..opq"
check "layer 3 has the replacement content" has 3 "file 0644 0:0 data/replace-dir/new.txt"

# --- sharing, many layers, the index --------------------------------------------------------
m=$(manifest_of "$FIXTURE_SHARED")
check_eq "rig/shared has the base layer plus one" "2 $FIXTURE_BASE_LAYER_DIGEST" \
  "$(jq -r '"\(.layers | length) \(.layers[0].digest)"' <<<"$m")"
m=$(manifest_of "$FIXTURE_MANY")
check_eq "rig/many has 101 layers (base + 100)" 101 "$(jq '.layers | length' <<<"$m")"

m=$(manifest_of "$FIXTURE_MULTI")
check_eq "rig/multi:latest is an OCI index" "$OCI_INDEX" "$(jq -r .mediaType <<<"$m")"
platforms=$(jq -r '[.manifests[].platform | [.os, .architecture, .variant // empty]
                    | join("/")] | sort | join(" ")' <<<"$m")
check_eq "rig/multi:latest has amd64, arm64 and arm/v7" "linux/amd64 linux/arm/v7 linux/arm64/v8" \
  "$platforms"
check_eq "the amd64 entry is FIXTURE_MULTI_AMD64_DIGEST" "$FIXTURE_MULTI_AMD64_DIGEST" \
  "$(jq -r '.manifests[] | select(.platform.architecture == "amd64") | .digest' <<<"$m")"
m=$(manifest_of "$FIXTURE_MULTI_V2S2")
check_eq "rig/multi:v2s2 is a Docker manifest list" "$DOCKER_LIST" "$(jq -r .mediaType <<<"$m")"
check_eq "rig/multi:v2s2 has the same platforms" "$platforms" \
  "$(jq -r '[.manifests[].platform | [.os, .architecture, .variant // empty] | join("/")]
           | sort | join(" ")' <<<"$m")"
arm=$(jq -r '.manifests[] | select(.platform.architecture == "arm64") | .digest' \
  <<<"$(manifest_of "$FIXTURE_MULTI")")
arm_layer=$(registry_get "$REGISTRY" "rig/multi/manifests/$arm" | jq -r '.layers[-1].digest')
check_eq "the arm64 image's /platform says linux/arm64/v8" "linux/arm64/v8" \
  "$(registry_get "$REGISTRY" "rig/multi/blobs/$arm_layer" | tar -xzO platform)"

# --- image configs the runner tests rely on ----------------------------------------------------
cfg=$(skopeo_user inspect --config --tls-verify=false "docker://$FIXTURE_BUSYBOX")
check_eq "rig/busybox:latest runs sh" '["sh"]' "$(jq -c .config.Cmd <<<"$cfg")"
cfg=$(skopeo_user inspect --config --tls-verify=false "docker://$FIXTURE_BUSYBOX_APP")
check_eq "rig/busybox:app config" \
  'app|/home/app|["/bin/echo","entrypoint:"]|["default-cmd"]|RIG_IMAGE_ENV=from-image|SIGUSR1' \
  "$(jq -r '.config | "\(.User)|\(.WorkingDir)|\(.Entrypoint | tojson)|\(.Cmd | tojson)|\(.Env[1])|\(.StopSignal)"' <<<"$cfg")"

# --- the corruptible blob belongs to rig/corruptible alone --------------------------------------
check "FIXTURE_CORRUPTIBLE_BLOB exists in the registry's storage" test -f "$FIXTURE_CORRUPTIBLE_BLOB"
# Under the lock pull_corrupt.sh holds while it flips a byte of that blob (tests run two at a time).
corruptible_hash=$(flock "$RIG_DIR/corruptible.lock" sha256sum <"$FIXTURE_CORRUPTIBLE_BLOB" |
  cut -d' ' -f1)
check_eq "FIXTURE_CORRUPTIBLE_BLOB holds FIXTURE_CORRUPTIBLE_LAYER_DIGEST" \
  "$FIXTURE_CORRUPTIBLE_LAYER_DIGEST" "sha256:$corruptible_hash"

# --- basic auth -------------------------------------------------------------------------------
check_eq "basic registry: anonymous /v2/ gets 401" 401 \
  "$(curl -s -o /dev/null -w '%{http_code}' "http://$REGISTRY_BASIC/v2/")"
check_eq "basic registry: wrong password gets 401" 401 \
  "$(curl -s -o /dev/null -w '%{http_code}' -u "$REGISTRY_BASIC_USER:wrong" \
    "http://$REGISTRY_BASIC/v2/")"
skopeo_private_checks basic "$FIXTURE_BASIC_PRIVATE" "$REGISTRY_BASIC_USER" "$REGISTRY_BASIC_PASS"

# --- bearer tokens ----------------------------------------------------------------------------
challenge=$(curl -s -D - -o /dev/null "http://$REGISTRY_TOKEN/v2/rig/private/manifests/latest" |
  tr -d '\r' | grep -i '^www-authenticate:' || true)
check "token registry: anonymous gets a Bearer challenge naming the issuer" \
  grep -q "Bearer realm=\"$REGISTRY_TOKEN_ISSUER\"" <<<"$challenge"
check_eq "token issuer: wrong password gets 401" 401 \
  "$(curl -s -o /dev/null -w '%{http_code}' -u "$REGISTRY_TOKEN_USER:wrong" \
    "$REGISTRY_TOKEN_ISSUER?service=$REGISTRY_TOKEN_SERVICE&scope=repository:rig/private:pull")"
anon=$(curl -fsS "$REGISTRY_TOKEN_ISSUER?service=$REGISTRY_TOKEN_SERVICE&scope=repository:rig/private:pull" |
  jq -r .token)
check_eq "token registry: an anonymous token does not open rig/private" 401 \
  "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $anon" \
    "http://$REGISTRY_TOKEN/v2/rig/private/manifests/latest")"
good=$(curl -fsS -u "$REGISTRY_TOKEN_USER:$REGISTRY_TOKEN_PASS" \
  "$REGISTRY_TOKEN_ISSUER?service=$REGISTRY_TOKEN_SERVICE&scope=repository:rig/private:pull" |
  jq -r .token)
check_eq "token registry: the user's token opens rig/private" 200 \
  "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $good" \
    -H "Accept: $OCI_MANIFEST" "http://$REGISTRY_TOKEN/v2/rig/private/manifests/latest")"
check_eq "token registry: a forged signature is refused" 401 \
  "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer ${good%.*}.AAAA" \
    -H "Accept: $OCI_MANIFEST" "http://$REGISTRY_TOKEN/v2/rig/private/manifests/latest")"
skopeo_private_checks token "$FIXTURE_TOKEN_PRIVATE" "$REGISTRY_TOKEN_USER" "$REGISTRY_TOKEN_PASS"
check "token registry: anonymous pull of rig/public works" \
  skopeo_user inspect --tls-verify=false --no-creds "docker://$FIXTURE_TOKEN_PUBLIC"

# --- logs tests count requests in -------------------------------------------------------------
check "the plain registry's access log records blob GETs" \
  grep -q '"GET /v2/rig/layers/blobs/sha256:' "$REGISTRY_LOG"
check "the token issuer logs each grant" grep -q "user=$REGISTRY_TOKEN_USER" \
  "$REGISTRY_TOKEN_ISSUER_LOG"

# --- the fault proxy ----------------------------------------------------------------------------
check "the rig's proxy forwards to the plain registry" \
  skopeo_user inspect --tls-verify=false "docker://$REGISTRY_PROXY/rig/busybox:latest"
check "the rig's proxy logs requests" grep -q '^GET /v2/rig/busybox/manifests/latest ' \
  "$REGISTRY_PROXY_LOG"
start_proxy
base=$FIXTURE_BASE_LAYER_DIGEST
size=$(registry_get "$REGISTRY" "rig/busybox/blobs/$base" -o /dev/null -w '%{size_download}')
curl -fsS "$PROXY_CONTROL/cut?match=$base&after=100000" >/dev/null
rc=0
got=$(curl -sS -o /dev/null -w '%{size_download}' "http://$PROXY/v2/rig/busybox/blobs/$base" 2>/dev/null) ||
  rc=$?
check_eq "proxy cut: the client sees a short body" "18 100000" "$rc $got"
check "proxy cut: logged as cut after 100000 bytes" \
  grep -q "^GET /v2/rig/busybox/blobs/$base - 200 100000 cut$" "$PROXY_LOG"
check_eq "proxy cut happens once: the next GET is whole" "$size" \
  "$(curl -fsS -o /dev/null -w '%{size_download}' "http://$PROXY/v2/rig/busybox/blobs/$base")"
check_eq "proxy: a Range request is forwarded and logged" "206 $((size - 100000))" \
  "$(curl -fsS -o /dev/null -w '%{http_code} %{size_download}' -r 100000- \
    "http://$PROXY/v2/rig/busybox/blobs/$base")"
check "proxy: the Range header is in the log" \
  grep -q "^GET /v2/rig/busybox/blobs/$base bytes=100000- 206 $((size - 100000)) ok$" "$PROXY_LOG"
curl -fsS "$PROXY_CONTROL/fail?match=/manifests/latest&count=2&status=503" >/dev/null
codes=$(for i in 1 2 3; do
  curl -s -o /dev/null -w '%{http_code} ' -H "Accept: $OCI_MANIFEST" \
    "http://$PROXY/v2/rig/busybox/manifests/latest"
done)
check_eq "proxy fail: two injected 503s, then the real answer" "503 503 200 " "$codes"
curl -fsS "$PROXY_CONTROL/delay?match=/v2/&ms=700" >/dev/null
took=$(curl -fsS -o /dev/null -w '%{time_total}' "http://$PROXY/v2/")
check "proxy delay: the request took at least 0.7 s (took $took)" \
  awk -v t="$took" 'BEGIN { exit !(t >= 0.7) }'
curl -fsS "$PROXY_CONTROL/cut?match=x&after=1&count=-1" >/dev/null
curl -fsS "$PROXY_CONTROL/reset" >/dev/null
check_eq "proxy reset drops every rule" "[]" "$(curl -fsS "$PROXY_CONTROL/rules" | jq -c .rules)"

check_done
