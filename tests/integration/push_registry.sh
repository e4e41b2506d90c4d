#!/bin/bash
# dabba push to the rig's real registries (plain, through a private fault proxy so the requests
# are this test's own; basic-auth; token-auth): what it writes is what skopeo reads and what a
# fresh dabba pulls; a second push uploads nothing; blobs the registry has elsewhere are
# mounted; formats and compressions convert; uploads cut half-way resume or fail cleanly.
set -euo pipefail
source "$(dirname "$0")/lib/pull.sh"
rig_setup push_registry
start_proxy
# Repositories of this run only (CI runs every test twice against the same registries).
NS=push-$(tr 'A-Z' 'a-z' <<<"${WORK##*.}")

# requests LOG METHOD PATTERN: requests of one method whose path matches PATTERN (grep -E).
requests() { grep -cE "^$2 [^ ]*$3" "$1" || true; }
# uploads LOG: blob upload requests (POST/PATCH/PUT under blobs/uploads).
uploads() { grep -cE '^(POST|PATCH|PUT) /v2/[^ ]*/blobs/uploads' "$1" || true; }
manifest_of() { skopeo_user inspect --raw --tls-verify=false "docker://$1"; }
inspect_digest() { skopeo_user inspect --tls-verify=false --format '{{.Digest}}' "docker://$1"; }
# fresh NAME ARGS...: dabba on a new store of its own.
fresh() { as_user "$TEST_DABBA" --root "$WORK/home/fresh-$1" "${@:2}"; }

check "pull rig/layers" dabba_user pull -q "$FIXTURE_LAYERS"
check "pull rig/shared" dabba_user pull -q "$FIXTURE_SHARED"

# --- a pulled image pushed as it is keeps its digest --------------------------------------------
dest=$PROXY/$NS/layers:v1
: >"$PROXY_LOG"
check "push rig/layers to a new repository" dabba_user push --digestfile "$WORK/home/digest" \
  "$FIXTURE_LAYERS" "$dest"
check_eq "the manifest pushed is the one pulled (same digest)" "$FIXTURE_LAYERS_DIGEST" \
  "$(cat "$WORK/home/digest" 2>/dev/null)"
check_eq "skopeo sees that digest" "$FIXTURE_LAYERS_DIGEST" "$(inspect_digest "$dest")"
check "every blob was uploaded (monolithic: a POST and a PUT each)" \
  test "$(requests "$PROXY_LOG" PUT '/blobs/uploads/')" -eq 5
check_eq "no chunks without DABBA_PUSH_CHUNK_SIZE" 0 "$(requests "$PROXY_LOG" PATCH '')"
check "a fresh store pulls what dabba pushed" fresh a pull -q "$dest"
check_eq "and runs it: the layers as before" "v2" \
  "$(fresh a run --rm --network none "$dest" cat /data/changed.txt 2>/dev/null)"

# --- a second push uploads nothing ---------------------------------------------------------------
: >"$PROXY_LOG"
check "push again" dabba_user push "$FIXTURE_LAYERS" "$dest"
check_eq "second push: no upload request" 0 "$(uploads "$PROXY_LOG")"
check_eq "second push: one HEAD per blob" 5 "$(requests "$PROXY_LOG" HEAD '/blobs/sha256:')"
check_eq "second push: the manifest not PUT again (the tag names it)" 0 \
  "$(requests "$PROXY_LOG" PUT '/manifests/')"

# --- cross-repository mount --------------------------------------------------------------------
# rig/shared shares the busybox base layer with rig/busybox; pushed to a repository of the same
# registry, its blobs come from the repository the store's names say holds them.
check "push rig/shared to another repository of the plain registry" dabba_user push \
  "$FIXTURE_SHARED" "$REGISTRY/$NS/shared-copy:1"
check "the registry mounted the blobs from rig/shared" \
  grep -qE "\"POST /v2/$NS/shared-copy/blobs/uploads/\\?mount=sha256(%3A|:)[0-9a-f]+&from=rig(%2F|/)shared HTTP/1.1\" 201" \
  "$REGISTRY_LOG"
check_eq "no blob of it was uploaded" 0 \
  "$(grep -cE "\"PUT /v2/$NS/shared-copy/blobs/uploads/" "$REGISTRY_LOG" || true)"
check_eq "skopeo reads it" "$FIXTURE_SHARED_DIGEST" "$(inspect_digest "$REGISTRY/$NS/shared-copy:1")"

# --- formats and compressions ------------------------------------------------------------------
check "push --format v2s2" dabba_user push -q --format v2s2 "$FIXTURE_LAYERS" "$dest-v2s2"
check_eq "a Docker schema 2 manifest" "application/vnd.docker.distribution.manifest.v2+json" \
  "$(manifest_of "$dest-v2s2" | jq -r .mediaType)"
check_eq "with Docker's layer media type" "application/vnd.docker.image.rootfs.diff.tar.gzip" \
  "$(manifest_of "$dest-v2s2" | jq -r '.layers[0].mediaType')"
check_fails "v2s2 cannot hold zstd" dabba_user push -q --format v2s2 --compression-format zstd \
  "$FIXTURE_LAYERS" "$dest-bad"
blobs_before=$(ls "$STORE/blobs/sha256" | wc -l)
check "push --compression-format zstd (layers compressed once)" dabba_user push -q \
  --compression-format zstd "$FIXTURE_LAYERS" "$dest-zstd"
check_eq "zstd layers" "application/vnd.oci.image.layer.v1.tar+zstd" \
  "$(manifest_of "$dest-zstd" | jq -r '[.layers[].mediaType] | unique | join(",")')"
check_eq "the config (so the image id) is the same" \
  "$(manifest_of "$dest" | jq -r .config.digest)" "$(manifest_of "$dest-zstd" | jq -r .config.digest)"
blobs_after=$(ls "$STORE/blobs/sha256" | wc -l)
check_eq "4 zstd blobs kept in the store" $((blobs_before + 4)) "$blobs_after"
: >"$PROXY_LOG"
check "push zstd to yet another repository" dabba_user push -q --compression-format zstd \
  "$FIXTURE_LAYERS" "$PROXY/$NS/zstd-again:1"
check_eq "nothing compressed again (no new blob in the store)" "$blobs_after" \
  "$(ls "$STORE/blobs/sha256" | wc -l)"
check_eq "the same layer digests as the first zstd push" \
  "$(manifest_of "$dest-zstd" | jq -c '[.layers[].digest]')" \
  "$(manifest_of "$PROXY/$NS/zstd-again:1" | jq -c '[.layers[].digest]')"
check "a fresh store pulls the zstd image" fresh b pull -q "$dest-zstd"
check "skopeo copies what dabba pushed" skopeo_user copy -q --src-tls-verify=false \
  --dest-tls-verify=false "docker://$dest-zstd" "docker://$REGISTRY/$NS/skopeo-copy:1"
check "dabba pulls what skopeo pushed" fresh c pull -q "$REGISTRY/$NS/skopeo-copy:1"

# An uncompressed image: its layers are gzipped for the push (as podman does).
check "pull the uncompressed rig/layers" dabba_user pull -q "$FIXTURE_LAYERS_UNCOMPRESSED"
check "push it" dabba_user push -q "$FIXTURE_LAYERS_UNCOMPRESSED" "$PROXY/$NS/was-plain:1"
check_eq "gzip layers" "application/vnd.oci.image.layer.v1.tar+gzip" \
  "$(manifest_of "$PROXY/$NS/was-plain:1" | jq -r '[.layers[].mediaType] | unique | join(",")')"
check "and a fresh store pulls and runs it" fresh d run --rm --network none \
  "$PROXY/$NS/was-plain:1" cat /data/added.txt

# --- chunked uploads, and uploads cut half-way ----------------------------------------------------
check "pull rig/corruptible" dabba_user pull -q "$FIXTURE_CORRUPTIBLE"
: >"$PROXY_LOG"
check "then push it in 16 KiB chunks" as_user env DABBA_PUSH_CHUNK_SIZE=16384 "$TEST_DABBA" \
  --root "$STORE" push -q "$FIXTURE_CORRUPTIBLE" "$PROXY/$NS/chunked:1"
check "in several PATCH requests" test "$(requests "$PROXY_LOG" PATCH '/blobs/uploads/')" -ge 4
check_eq "with the digest skopeo sees" "$FIXTURE_CORRUPTIBLE_DIGEST" \
  "$(inspect_digest "$PROXY/$NS/chunked:1")"

# The third chunk answered 500 (the registry never saw it): the upload asks the registry where
# its session stands (GET, 204 with Range) and goes on from there, in the same session.
layer=$(jq -r '.layers[0].digest' <<<"$(manifest_of "$FIXTURE_CORRUPTIBLE")")
: >"$PROXY_LOG"
# One blob at a time, the layer first: its POST, then its chunks (the fourth request: chunk 3).
proxy_rule fail "match=/v2/$NS/resume/blobs/uploads/&status=500&skip=3"
check "a push whose third chunk fails succeeds" as_user env DABBA_PUSH_CHUNK_SIZE=16384 \
  "$TEST_DABBA" --root "$STORE" push -q --max-parallel 1 "$FIXTURE_CORRUPTIBLE" "$PROXY/$NS/resume:1"
check "the failure happened" grep -qE "^PATCH /v2/$NS/resume/blobs/uploads/[^ ]* - 500 [0-9]+ fail" "$PROXY_LOG"
check "the upload asked the registry where it stands" \
  grep -qE "^GET /v2/$NS/resume/blobs/uploads/[^ ]* - 204 " "$PROXY_LOG"
check_eq "and went on in the same session (one new session per blob)" 2 \
  "$(requests "$PROXY_LOG" POST "/v2/$NS/resume/blobs/uploads/")"
check_eq "the registry holds the right blob" "$layer" \
  "sha256:$(curl -fsS "http://$REGISTRY/v2/$NS/resume/blobs/$layer" | sha256sum | cut -d' ' -f1)"

# A connection reset in the middle of a chunk: the registry may have taken part of it, so it
# refuses to go on in that session; the upload starts over in a new one and succeeds.
: >"$PROXY_LOG"
proxy_rule cutupload "match=/v2/$NS/cut/blobs/uploads/&after=5000&skip=2"
check "a push whose upload is cut half-way succeeds" as_user env DABBA_PUSH_CHUNK_SIZE=16384 \
  "$TEST_DABBA" --root "$STORE" push -q --max-parallel 1 "$FIXTURE_CORRUPTIBLE" "$PROXY/$NS/cut:1"
check "the cut happened" grep -q 'cut-upload' "$PROXY_LOG"
check_eq "the registry holds the right blob" "$layer" \
  "sha256:$(curl -fsS "http://$REGISTRY/v2/$NS/cut/blobs/$layer" | sha256sum | cut -d' ' -f1)"
# Every request of the upload failing: a clean failure, the manifest never written.
proxy_rule fail "match=/blobs/uploads/&count=-1&status=500"
check_fails "a push whose uploads always fail fails" as_user env DABBA_PUSH_CHUNK_SIZE=16384 \
  "$TEST_DABBA" --root "$STORE" push -q "$FIXTURE_CORRUPTIBLE" "$PROXY/$NS/failing:1"
proxy_rule reset ""
check_fails "and no manifest was written" skopeo_user inspect --raw --tls-verify=false \
  "docker://$REGISTRY/$NS/failing:1"

# --- authentication --------------------------------------------------------------------------
check_fails "push to the basic-auth registry without a login fails" dabba_user push -q \
  "$FIXTURE_SHARED" "$REGISTRY_BASIC/$NS/shared:1"
check "push to it with --creds" dabba_user push -q --creds "$REGISTRY_BASIC_USER:$REGISTRY_BASIC_PASS" \
  "$FIXTURE_SHARED" "$REGISTRY_BASIC/$NS/shared:1"
check "skopeo reads it with the credentials" skopeo_user inspect --tls-verify=false \
  --creds "$REGISTRY_BASIC_USER:$REGISTRY_BASIC_PASS" "docker://$REGISTRY_BASIC/$NS/shared:1"
check_fails "push to the token registry without a login fails" dabba_user push -q \
  "$FIXTURE_SHARED" "$REGISTRY_TOKEN/$NS/shared:1"
out=$(dabba_user push -q "$FIXTURE_SHARED" "$REGISTRY_TOKEN/$NS/shared:1" 2>&1 || true)
check "the refusal says to log in" grep -q "login" <<<"$out"
check "log in to the token registry" dabba_user login -u "$REGISTRY_TOKEN_USER" \
  -p "$REGISTRY_TOKEN_PASS" "$REGISTRY_TOKEN"
check "push to it" dabba_user push -q "$FIXTURE_SHARED" "$REGISTRY_TOKEN/$NS/shared:1"
check "the token asked for push scope" grep -q "requested=[^ ]*repository:$NS/shared:pull,push" \
  "$REGISTRY_TOKEN_ISSUER_LOG"
check_eq "skopeo reads it (with dabba's login)" "$FIXTURE_SHARED_DIGEST" \
  "$(skopeo_user inspect --tls-verify=false --format '{{.Digest}}' "docker://$REGISTRY_TOKEN/$NS/shared:1")"

# --- bad input -----------------------------------------------------------------------------------
check_eq "an image that is not stored: exit 125, as podman's" 125 \
  "$(exit_code dabba_user push nope/nothing:1 "$REGISTRY/x/y:1")"
out=$(dabba_user push nope/nothing:1 "$REGISTRY/x/y:1" 2>&1 || true)
check "says image not known" grep -q "image not known" <<<"$out"
check_fails "another transport is refused" dabba_user push "$FIXTURE_SHARED" oci:/tmp/x
check_fails "a destination with a digest is refused" dabba_user push "$FIXTURE_SHARED" \
  "$REGISTRY/x/y@$FIXTURE_SHARED_DIGEST"

check_done
