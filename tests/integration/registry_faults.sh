#!/bin/bash
# What a registry can throw at a pull, through a private fault proxy (tests/fixtures/
# fault_proxy.py): each case ends with a correct image or a clear error, bounded in time, and
# nothing half-stored (check is clean; a failed pull registers no image). Cases: 429 with
# Retry-After and 5xx (retried with backoff, then given up on), a wrong Content-Length, a blob
# with other bytes than its digest, a redirect loop, a manifest over the 4 MiB cap, malformed
# JSON, an unknown media type, a token service that fails or answers garbage, a registry that
# answers byte by byte, a layer that stalls mid-blob for good. (Cuts and single stalls mid-blob:
# pull_resume.sh; uploads: push_registry.sh; self-signed TLS: tls_certs.sh.) The last line says
# how many cases were covered.
set -euo pipefail
# shellcheck source=lib/pull.sh
source "$(dirname "$0")/lib/pull.sh"
rig_setup registry_faults
start_proxy
CASES=0
REF=$PROXY/rig/layers:latest
MANIFEST_PATH=/v2/rig/layers/manifests/latest
CONFIG=$(registry_get "$REGISTRY" rig/layers/manifests/latest | jq -r .config.digest)
LAYER=$(registry_get "$REGISTRY" rig/layers/manifests/latest | jq -r '.layers[-1].digest')
LAYER_SIZE=$(registry_get "$REGISTRY" rig/layers/manifests/latest | jq -r '.layers[-1].size')

# fault NAME: a new case on a fresh store, with no proxy rule and an empty log.
fault() {
  CASE=$1
  CASES=$((CASES + 1))
  STORE=$WORK/store-$CASES
  install -d -m 0700 -o "$RIG_USER" "$STORE"
  proxy_rule reset ""
  : >"$PROXY_LOG"
}
# pull_fails: pulls $REF, which must fail cleanly within 90 s; its output is in $OUT.
pull_fails() {
  local rc=0 started=$SECONDS
  OUT=$(as_user timeout 90 "$TEST_DABBA" --root "$STORE" pull -q "$REF" 2>&1) || rc=$?
  check "[$CASE] the pull fails cleanly, exit 125 as podman's (exit $rc, $((SECONDS - started)) s)" \
    test "$rc" -eq 125
}
# nothing_stored: check is clean and no image is registered.
nothing_stored() {
  check "[$CASE] check is clean" dabba_user check
  check_eq "[$CASE] no image registered" 0 "$(image_count)"
}
says() { check "[$CASE] the message says: $1" grep -qiE "$1" <<<"$OUT"; }
requests() { grep -c "$1" "$PROXY_LOG" || true; }

# --- 429 and 5xx: retried with backoff, and given up on ----------------------------------------
fault "429 with Retry-After"
proxy_rule fail "match=$MANIFEST_PATH&status=429&count=2&retry_after=1"
started=$SECONDS
check "[$CASE] the pull succeeds" dabba_user pull -q "$REF"
# (a HEAD that meets 429 falls back to GET at once; the GET waits what Retry-After says)
check "[$CASE] after the answers of 429" test "$(requests " 429 .* fail$")" -ge 1
check "[$CASE] having waited what Retry-After said (1 s)" test $((SECONDS - started)) -ge 1
check "[$CASE] check is clean" dabba_user check

fault "503 on every request"
proxy_rule fail "match=$MANIFEST_PATH&status=503&count=-1"
pull_fails
says "503"
says "$PROXY"
check "[$CASE] retried a bounded number of times (2 to 10)" \
  test "$(requests " 503 .* fail$")" -ge 2 -a "$(requests " 503 .* fail$")" -le 10
nothing_stored

fault "502 on a layer, twice"
proxy_rule fail "match=$LAYER&status=502&count=2"
check "[$CASE] the pull succeeds" dabba_user pull -q "$REF"
check "[$CASE] check --deep is clean" dabba_user check --deep

# --- lies about the content ----------------------------------------------------------------------
fault "a wrong Content-Length on the manifest"
proxy_rule serve "match=$MANIFEST_PATH&count=-1&type=application/vnd.oci.image.manifest.v1%2Bjson&body=%7B%7D&length=500"
pull_fails
says "rig/layers|$PROXY"
nothing_stored

fault "a config blob with other bytes than its digest"
proxy_rule serve "match=$CONFIG&count=-1&body=%7B%22not%22%3A%22it%22%7D"
pull_fails
says "digest"
says "$CONFIG"
nothing_stored

fault "a layer blob with other bytes than its digest (its size)"
proxy_rule serve "match=$LAYER&count=-1&size=$LAYER_SIZE"
pull_fails
says "digest mismatch"
says "$LAYER"
nothing_stored

fault "a layer blob longer than the manifest says"
proxy_rule serve "match=$LAYER&count=-1&size=3000"
pull_fails
says "more than the $LAYER_SIZE bytes the manifest gives"
nothing_stored

fault "a redirect loop on a layer"
proxy_rule redirect "match=$LAYER&count=-1"
pull_fails
says "redirect"
nothing_stored

fault "a manifest over the 4 MiB cap"
proxy_rule serve "match=$MANIFEST_PATH&count=-1&type=application/vnd.oci.image.manifest.v1%2Bjson&size=5000000"
pull_fails
says "larger than|too large"
check "[$CASE] reading at most the cap (plus a buffer)" \
  test "$(awk '{ s += $5 } END { print s + 0 }' "$PROXY_LOG")" -le 50000000
nothing_stored

fault "a manifest that is not JSON"
proxy_rule serve "match=$MANIFEST_PATH&count=-1&type=application/vnd.oci.image.manifest.v1%2Bjson&body=%7B%22schemaVersion%22%3A2%2C%22layers%22%3A%5B"
pull_fails
says "JSON"
nothing_stored

fault "a manifest of an unknown media type"
proxy_rule serve "match=$MANIFEST_PATH&count=-1&type=application/x-dabba-unknown&body=%7B%22schemaVersion%22%3A2%7D"
pull_fails
says "media type|application/x-dabba-unknown"
nothing_stored

# --- a token service that fails -------------------------------------------------------------------
challenge="WWW-Authenticate:Bearer realm=\"http://$PROXY/token\",service=rig"
challenge=$(jq -rn --arg v "$challenge" '$v | @uri')
fault "a token service answering garbage"
proxy_rule serve "match=/v2/&count=-1&status=401&type=application/json&body=%7B%7D&header=$challenge"
proxy_rule serve "match=/token&count=-1&type=text/html&body=%3Chtml%3Eoops"
pull_fails
says "token service"
says "invalid JSON"
nothing_stored

fault "a token service that fails"
proxy_rule serve "match=/v2/&count=-1&status=401&type=application/json&body=%7B%7D&header=$challenge"
proxy_rule fail "match=/token&count=-1&status=500"
pull_fails
says "token service"
says "500"
nothing_stored

# --- a stall mid-blob that never ends ------------------------------------------------------------
# The layer stops at its middle, and its resume stops at the same byte: curl's low-speed timeout
# (under 1 kB/s for 30 s) fires twice and the pull gives up, naming the registry and the blob
# (before: five timeouts, 150 s).
fault "a layer that stalls mid-blob for good"
proxy_rule delay "match=$LAYER&at=$((LAYER_SIZE / 2))&ms=300000&count=-1"
pull_fails
says "too slow|timeout"
says "$PROXY"
says "${LAYER#sha256:}"
says "stalled again at byte $((LAYER_SIZE / 2))"
nothing_stored

# --- a registry that answers byte by byte ---------------------------------------------------------
fault "a manifest and a config served a few bytes at a time"
proxy_rule trickle "match=$MANIFEST_PATH&bytes=7&ms=5&count=-1"
proxy_rule trickle "match=$CONFIG&bytes=7&ms=5&count=-1"
check "[$CASE] the pull succeeds" dabba_user pull -q "$REF"
check "[$CASE] ... from the trickled answers" test "$(requests "trickle")" -ge 2
check "[$CASE] check --deep is clean" dabba_user check --deep

echo "registry fault cases covered: $CASES"
check_done
