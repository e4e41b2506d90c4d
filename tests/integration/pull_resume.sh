#!/bin/bash
# Interrupted downloads resume where they stopped, counted in a private fault proxy's log:
#  1. the connection is cut once mid-blob: the same pull goes on with a Range request, and the
#     proxy serves the blob's bytes once in all;
#  2. every connection is cut: the pull fails after its retries, keeps the partial download,
#     registers nothing; the next pull asks only for the rest;
#  3. Ctrl-C (SIGINT) mid-blob: exit 130, partial kept, nothing registered, next pull resumes;
#  4. SIGKILL mid-blob: the next pull resumes from the partial the killed one left.
set -euo pipefail
# shellcheck source=lib/pull.sh
source "$(dirname "$0")/lib/pull.sh"
rig_setup pull_resume
start_proxy

BASE=$FIXTURE_BASE_LAYER_DIGEST
BASE_HEX=$(digest_hex "$BASE")
REF=$PROXY/rig/busybox:latest
base_size() { registry_get "$REGISTRY" "rig/busybox/blobs/$BASE" | wc -c; }
SIZE=$(base_size)
fresh_store() {
  STORE=$WORK/store-$1
  install -d -m 0700 -o "$RIG_USER" "$STORE"
  proxy_rule reset ""
  : >"$PROXY_LOG"
}
# descendant_dabba PID: the pid of the dabba process started (through runuser) under PID.
descendant_dabba() {
  local pid=$1 child
  for _ in 1 2 3 4 5; do
    for child in $(pgrep -P "$pid"); do
      if [ "$(readlink "/proc/$child/exe" 2>/dev/null)" = "$TEST_DABBA" ]; then
        echo "$child"
        return 0
      fi
    done
    pid=$(pgrep -P "$pid" | head -n 1) || return 1
  done
  return 1
}
# wait_partial BYTES: until the base layer's partial download holds BYTES.
wait_partial() {
  for _ in $(seq 300); do
    [ "$(partial_size "$BASE_HEX")" -ge "$1" ] && return 0
    sleep 0.05
  done
  return 1
}

# 1. One cut: resumed within the same pull.
fresh_store cut-once
proxy_rule cut "match=$BASE&after=300000&count=1"
check_eq "cut once: the pull succeeds" "$FIXTURE_BUSYBOX_DIGEST" "$(dabba_user pull -q "$REF" 2>&1)"
check_eq "cut once: two GETs of the layer" 2 "$(blob_gets "$PROXY_LOG" "$BASE")"
check "cut once: the second asks for bytes=300000-" \
  grep -q "^GET /v2/rig/busybox/blobs/$BASE bytes=300000- 206" "$PROXY_LOG"
check_eq "cut once: the layer's bytes served once in all" "$SIZE" "$(served_bytes "$PROXY_LOG" "$BASE")"

# 2. Every connection cut: the pull fails, keeps what it got, and the next one resumes.
fresh_store cut-always
proxy_rule cut "match=$BASE&after=100000&count=-1"
check_fails "cut every time: the pull fails after its retries" dabba_user pull -q "$REF"
KEPT=$(partial_size "$BASE_HEX")
check "cut every time: a partial download is kept ($KEPT bytes)" test "$KEPT" -ge 100000
check_eq "cut every time: no image registered" 0 "$(image_count)"
proxy_rule reset ""
: >"$PROXY_LOG"
check_eq "the next pull succeeds" "$FIXTURE_BUSYBOX_DIGEST" "$(dabba_user pull -q "$REF" 2>&1)"
check "... asking only for bytes=$KEPT-" \
  grep -q "^GET /v2/rig/busybox/blobs/$BASE bytes=$KEPT- 206" "$PROXY_LOG"
check_eq "... which is all it fetched of that layer" "$((SIZE - KEPT))" \
  "$(served_bytes "$PROXY_LOG" "$BASE")"
check "... and the store checks clean" dabba_user check

# 3 and 4. A signal while the proxy holds the layer after 400000 bytes.
for sig in INT KILL; do
  fresh_store sig$sig
  proxy_rule delay "match=$BASE&after=400000&ms=30000&count=1"
  dabba_user pull -q "$REF" >"$WORK/sig$sig.out" 2>&1 &
  bg=$!
  check "SIG$sig: the first 400000 bytes arrive" wait_partial 400000
  pid=$(descendant_dabba "$bg" || true)
  check "SIG$sig: found the pulling dabba" test -n "$pid"
  [ -n "$pid" ] && kill -s "$sig" "$pid"
  rc=0
  wait "$bg" || rc=$?
  if [ "$sig" = INT ]; then
    check_eq "SIGINT: exit 130" 130 "$rc"
    check "SIGINT: says it was interrupted" grep -q "interrupted" "$WORK/sigINT.out"
  else
    check_eq "SIGKILL: killed" 137 "$rc"
  fi
  check_eq "SIG$sig: no image registered" 0 "$(image_count)"
  check_eq "SIG$sig: the partial download is kept" 400000 "$(partial_size "$BASE_HEX")"
  proxy_rule reset ""
  : >"$PROXY_LOG"
  check_eq "SIG$sig: the next pull succeeds" "$FIXTURE_BUSYBOX_DIGEST" \
    "$(dabba_user pull -q "$REF" 2>&1)"
  check "SIG$sig: ... asking for bytes=400000-" \
    grep -q "^GET /v2/rig/busybox/blobs/$BASE bytes=400000- 206" "$PROXY_LOG"
  check_eq "SIG$sig: ... and fetching only the rest" "$((SIZE - 400000))" \
    "$(served_bytes "$PROXY_LOG" "$BASE")"
  check "SIG$sig: the store checks clean" dabba_user check
done
check_done
