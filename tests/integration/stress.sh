#!/bin/bash
# Six processes at once on one store, for a bounded time, each running random verbs (pull,
# run --rm, run -d + exec + stop + rm, rmi, gc, commit, volume create/rm) on images that share
# layers. Afterwards: check --deep is clean, no verb hung (each is bounded), every failure is one a
# user could be shown (an image in use, a name another process took or removed), nothing is left
# running or mounted. First, six pulls of one image at once fetch each blob once (through a
# fault proxy that counts): nothing is downloaded or unpacked twice.
set -euo pipefail
# shellcheck source=lib/run.sh
source "$(dirname "$0")/lib/run.sh"
# shellcheck source=lib/pull.sh
source "$(dirname "$0")/lib/pull.sh"
run_setup stress
start_proxy
SECONDS_PER_WORKER=${DABBA_STRESS_SECONDS:-45}
WORKERS=6

# --- six pulls of one image at once --------------------------------------------------------------
STORE0=$STORE
STORE=$WORK/store-pulls
install -d -m 0700 -o "$RIG_USER" "$STORE"
: >"$PROXY_LOG"
pids=()
for i in $(seq $WORKERS); do
  as_user timeout 120 "$TEST_DABBA" --root "$STORE" pull -q "$PROXY/rig/layers:latest" \
    >"$WORK/pull.$i" 2>&1 &
  pids+=($!)
done
failed=0
for p in "${pids[@]}"; do wait "$p" || failed=$((failed + 1)); done
check_eq "six pulls at once all succeed" 0 "$failed"
check_eq "... each blob fetched once (5 blobs: config and 4 layers)" \
  "5 $(grep -c '^GET /v2/rig/layers/blobs/' "$PROXY_LOG")" \
  "$(grep '^GET /v2/rig/layers/blobs/' "$PROXY_LOG" | awk '{print $2}' | sort -u | wc -l) \
$(grep -c '^GET /v2/rig/layers/blobs/' "$PROXY_LOG")"
check "... and the store checks clean" dabba_user check --deep
STORE=$STORE0

# --- six workers, random verbs -------------------------------------------------------------------
IMAGES=("$FIXTURE_BUSYBOX" "$FIXTURE_SHARED" "$FIXTURE_LAYERS" "$FIXTURE_BUSYBOX_APP")
# What a user may be told when another process got there first; anything else is a defect.
EXPECTED='in use|is being used|used by|no such (container|volume|image)|not known|no container|no image named|is not in the store|already exists|is taken|name .* is already in use|has been removed|not running|no volume with name|is not running|cannot be removed|does not exist|is stopped|state improper|container state'

worker() {
  local w=$1 end=$((SECONDS + SECONDS_PER_WORKER)) n=0 verb img name rc out
  while [ $SECONDS -lt $end ]; do
    n=$((n + 1))
    img=${IMAGES[RANDOM % ${#IMAGES[@]}]}
    name=w$w-$n
    verb=$((RANDOM % 10))
    rc=0
    case $verb in
      0) out=$(as_user timeout 60 "$TEST_DABBA" --root "$STORE" pull -q "$img" 2>&1) || rc=$? ;;
      1) out=$(as_user timeout 60 "$TEST_DABBA" --root "$STORE" run --rm "$img" true 2>&1) || rc=$? ;;
      2) out=$( {
           as_user timeout 60 "$TEST_DABBA" --root "$STORE" run -d --name "$name" "$FIXTURE_BUSYBOX" \
             sh -c "sleep 30; : $MARK" &&
             as_user timeout 60 "$TEST_DABBA" --root "$STORE" exec "$name" true &&
             as_user timeout 60 "$TEST_DABBA" --root "$STORE" stop -t 1 "$name" &&
             as_user timeout 60 "$TEST_DABBA" --root "$STORE" rm "$name"
         } 2>&1) || rc=$? ;;
      3) out=$(as_user timeout 60 "$TEST_DABBA" --root "$STORE" rmi "$img" 2>&1) || rc=$? ;;
      4) out=$(as_user timeout 60 "$TEST_DABBA" --root "$STORE" gc 2>&1) || rc=$? ;;
      5) out=$( {
           as_user timeout 60 "$TEST_DABBA" --root "$STORE" run --name "$name" "$FIXTURE_BUSYBOX" \
             sh -c 'echo x >/x' &&
             as_user timeout 60 "$TEST_DABBA" --root "$STORE" commit -q "$name" "localhost/stress/w$w:$n" &&
             as_user timeout 60 "$TEST_DABBA" --root "$STORE" rm "$name" &&
             as_user timeout 60 "$TEST_DABBA" --root "$STORE" rmi "localhost/stress/w$w:$n"
         } 2>&1) || rc=$? ;;
      6) out=$( {
           as_user timeout 60 "$TEST_DABBA" --root "$STORE" volume create "v$w" &&
             as_user timeout 60 "$TEST_DABBA" --root "$STORE" run --rm -v "v$w:/v" "$FIXTURE_BUSYBOX" \
               sh -c 'echo y >/v/y' &&
             as_user timeout 60 "$TEST_DABBA" --root "$STORE" volume rm "v$w"
         } 2>&1) || rc=$? ;;
      7) out=$(as_user timeout 60 "$TEST_DABBA" --root "$STORE" images -q 2>&1) || rc=$? ;;
      8) out=$(as_user timeout 60 "$TEST_DABBA" --root "$STORE" ps -a -q 2>&1) || rc=$? ;;
      9) out=$(as_user timeout 60 "$TEST_DABBA" --root "$STORE" rm -f "w$(((RANDOM % WORKERS) + 1))-$((RANDOM % 5 + 1))" 2>&1) || rc=$? ;;
    esac
    echo "$w $n $verb $rc" >>"$WORK/ops.$w"
    if [ $rc -ne 0 ]; then
      printf '%s\n' "--- worker $w op $n verb $verb exit $rc" "$out" >>"$WORK/errors.$w"
    fi
  done
}

for w in $(seq $WORKERS); do
  dabba_user pull -q "${IMAGES[w % ${#IMAGES[@]}]}" >/dev/null 2>&1 || true
done
pids=()
for w in $(seq $WORKERS); do
  worker "$w" &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || true; done

ops=$(cat "$WORK"/ops.* | wc -l)
hung=$(cat "$WORK"/ops.* | awk '$4 == 124' | wc -l)
crashed=$(cat "$WORK"/ops.* | awk '$4 >= 125 && $4 != 125 && $4 != 126 && $4 != 127' | wc -l)
failures=$(cat "$WORK"/ops.* | awk '$4 != 0' | wc -l)
echo "concurrent operations: $ops by $WORKERS processes in ${SECONDS_PER_WORKER} s ($failures failed)"
check "at least 60 operations ran" test "$ops" -ge 60
check_eq "no verb hung (timeout 60 s)" 0 "$hung"
check_eq "no verb crashed or met a sanitizer" 0 "$crashed"
unexpected=$(cat "$WORK"/errors.* 2>/dev/null | grep '^Error:' | grep -vE "$EXPECTED" || true)
check_eq "every error is one a user could be shown" "" "$unexpected"

# --- afterwards ----------------------------------------------------------------------------------
dabba_user rm -af -t 0 >/dev/null 2>&1 || true
dabba_user volume prune -f >/dev/null 2>&1 || true
check "check --deep is clean" dabba_user check --deep
gc_then_check() { dabba_user gc >/dev/null && dabba_user check --deep; }
check "gc, then check --deep is clean" gc_then_check
check_no_container_leftovers dabba_user "$STORE"
every_image_runs() {
  local i
  for i in $(dabba_user images -q); do dabba_user run --rm "$i" true >/dev/null || return 1; done
}
check "every image left still runs" every_image_runs
check_done
