#!/bin/bash
# Nothing is fetched twice. Requests are counted in a private fault proxy's log:
#  - rig/shared after rig/busybox fetches only its own blobs (config + its one new layer);
#  - a second pull of a tag asks only whether it moved (one HEAD), fetching no blob;
#  - a pull by digest of a stored image makes no request at all;
#  - rig/layers:zstd and :uncompressed after rig/layers (gzip) fetch no layer: the unpacked
#    layers are found by diff_id, whatever compression they came in;
#  - --max-parallel 1 and 8 both pull the 101-layer image.
set -euo pipefail
# shellcheck source=lib/pull.sh
source "$(dirname "$0")/lib/pull.sh"
rig_setup pull_reuse
start_proxy

pull() { dabba_user pull -q "$@" >/dev/null 2>"$WORK/pull.err" || { cat "$WORK/pull.err"; return 1; }; }

check "pull rig/busybox" pull "$PROXY/rig/busybox:latest"
check_eq "rig/busybox: 2 blob GETs (config, base layer)" 2 "$(proxy_blob_gets "$PROXY_LOG")"
: >"$PROXY_LOG"
check "pull rig/shared (shares the base layer)" pull "$PROXY/rig/shared:latest"
check_eq "rig/shared: only its 2 new blobs (config, own layer)" 2 "$(proxy_blob_gets "$PROXY_LOG")"
check_eq "rig/shared: the base layer was not fetched" 0 \
  "$(blob_gets "$PROXY_LOG" "$FIXTURE_BASE_LAYER_DIGEST")"
check_eq "the base layer is unpacked once" 2 "$(layer_dirs)"

: >"$PROXY_LOG"
check "second pull of rig/shared" pull "$PROXY/rig/shared:latest"
check_eq "second pull: no blob request" 0 "$(proxy_blob_gets "$PROXY_LOG")"
check_eq "second pull: no manifest GET, one HEAD" "0 1" \
  "$(grep -c '^GET /v2/rig/shared/manifests/' "$PROXY_LOG") $(grep -c '^HEAD /v2/rig/shared/manifests/latest' "$PROXY_LOG")"

: >"$PROXY_LOG"
check "pull by digest of a stored image" pull "$PROXY/rig/shared@$FIXTURE_SHARED_DIGEST"
check_eq "pull by digest of a stored image: no request at all" 0 "$(wc -l <"$PROXY_LOG")"
check_eq "... and it is named by that digest" 1 \
  "$(dabba_user images --format json | jq "[.[].RepoDigests[] | select(. == \"$PROXY/rig/shared@$FIXTURE_SHARED_DIGEST\")] | length")"

: >"$PROXY_LOG"
check "pull rig/layers (gzip)" pull "$PROXY/rig/layers:latest"
: >"$PROXY_LOG"
check "pull rig/layers:zstd" pull "$PROXY/rig/layers:zstd"
check "pull rig/layers:uncompressed" pull "$PROXY/rig/layers:uncompressed"
check_eq "zstd and uncompressed: no layer fetched (configs are shared too)" 0 \
  "$(proxy_blob_gets "$PROXY_LOG")"
check_eq "five images, five layers (base + own + 3)" "5 5" "$(image_count) $(layer_dirs)"

# The index pulled for the host, then for arm64: the second fetches only the arm64 image.
: >"$PROXY_LOG"
check "pull rig/multi" pull "$PROXY/rig/multi:latest"
check_eq "rig/multi: the base layer came from the store" 0 \
  "$(blob_gets "$PROXY_LOG" "$FIXTURE_BASE_LAYER_DIGEST")"
: >"$PROXY_LOG"
check "second pull of rig/multi" pull "$PROXY/rig/multi:latest"
check_eq "second pull of an index: no blob, no manifest GET" "0 0" \
  "$(proxy_blob_gets "$PROXY_LOG") $(grep -c '^GET /v2/rig/multi/manifests/' "$PROXY_LOG")"

for n in 1 8; do
  STORE=$WORK/store-parallel-$n
  install -d -m 0700 -o "$RIG_USER" "$STORE"
  : >"$PROXY_LOG"
  check "--max-parallel $n pulls rig/many" pull --max-parallel "$n" "$PROXY/rig/many:latest"
  check_eq "--max-parallel $n: each of the 101 layers fetched once (+ config)" 102 \
    "$(proxy_blob_gets "$PROXY_LOG")"
  check_eq "--max-parallel $n: 101 layers" 101 "$(layer_dirs)"
done
check_fails "--max-parallel 0 is refused" dabba_user pull --max-parallel 0 "$PROXY/rig/many:latest"
check "the store checks clean" dabba_user check
check_done
