#!/bin/bash
# check.sh BUILD_DIR ALLOWED... -- FORBIDDEN:HEADER...
# Builds each layering probe target: an allowed one must compile; a forbidden one must fail with
# the compiler saying it cannot find HEADER (any other failure is a broken probe, not a proof).
set -uo pipefail
build=$1
shift
failed=0
phase=allowed
for arg in "$@"; do
  if [ "$arg" = -- ]; then
    phase=forbidden
    continue
  fi
  name=${arg%%:*}
  out=$(cmake --build "$build" --target "layering_$name" 2>&1)
  rc=$?
  if [ $phase = allowed ]; then
    if [ $rc -eq 0 ]; then
      echo "ok: $name compiles"
    else
      echo "FAIL: $name should compile:"
      echo "$out" | tail -n 20
      failed=1
    fi
  else
    header=${arg#*:}
    if [ $rc -ne 0 ] && grep -q "$header: No such file or directory" <<<"$out"; then
      echo "ok: $name is refused ($header is not on its include path)"
    else
      echo "FAIL: $name should fail to find $header (exit $rc):"
      echo "$out" | tail -n 20
      failed=1
    fi
  fi
done
exit $failed
