# shellcheck shell=bash
# Helpers for the pull/load/image-verb tests (tests/integration/pull_*.sh, images_*.sh,
# load_*.sh), on top of lib/rig.sh.

# shellcheck source=rig.sh
source "$(dirname "${BASH_SOURCE[0]}")/rig.sh"

# image_count: image records in $STORE.
image_count() { dabba_user images --format json | jq length; }
# layer_dirs: unpacked layers in $STORE.
layer_dirs() { find "$STORE/layers" -mindepth 1 -maxdepth 1 -type d | wc -l; }
# partials: partial downloads kept in $STORE.
partials() { find "$STORE/ingest" -mindepth 1 -maxdepth 1 -type f | wc -l; }
# partial_size HEX: bytes of the partial download of a blob (0 when none).
partial_size() { stat -c %s "$STORE/ingest/$1" 2>/dev/null || echo 0; }
# blob_gets LOG DIGEST: GETs of one blob in a fault proxy's log.
blob_gets() { grep -c "^GET /v2/[^ ]*/blobs/$2 " "$1" || true; }
# proxy_blob_gets LOG: GETs of any blob in a fault proxy's log.
proxy_blob_gets() { grep -c '^GET /v2/[^ ]*/blobs/' "$1" || true; }
# served_bytes LOG DIGEST: body bytes the proxy served for one blob, over all its GETs.
served_bytes() { awk -v d="$2" '$1 == "GET" && index($2, "/blobs/" d) { s += $5 } END { print s + 0 }' "$1"; }
# proxy_rule ACTION QUERY: sets a rule on this test's fault proxy.
proxy_rule() { curl -fsS -m 10 "$PROXY_CONTROL/$1?$2" >/dev/null; }
# digest_hex sha256:X -> X
digest_hex() { echo "${1#sha256:}"; }
