#!/bin/bash
# A registry that serves a corrupted blob (one byte flipped in its storage): the pull fails with
# a digest error and leaves no image, no unpacked layer, no partial download, and a store that
# checks clean. With the byte restored, the same pull works.
set -euo pipefail
# shellcheck source=lib/pull.sh
source "$(dirname "$0")/lib/pull.sh"
rig_setup pull_corrupt

# One test at a time may corrupt the fixture; the byte is put back whatever happens.
exec 9>"$RIG_DIR/corruptible.lock"
flock 9
BLOB=$FIXTURE_CORRUPTIBLE_BLOB
cp -p "$BLOB" "$WORK/blob.orig"
restore() { cp -p "$WORK/blob.orig" "$BLOB"; }
trap 'restore; rig_cleanup' EXIT
flip_byte() { # flip_byte FILE OFFSET
  "$RIG_PYTHON" - "$1" "$2" <<'PY'
import sys
path, off = sys.argv[1], int(sys.argv[2])
with open(path, "r+b") as f:
    f.seek(off)
    b = f.read(1)
    f.seek(off)
    f.write(bytes([b[0] ^ 0xFF]))
PY
}

for offset in 20000 $(($(stat -c %s "$BLOB") - 1)); do
  restore
  flip_byte "$BLOB" "$offset"
  check "byte $offset of the registry's blob differs now" sh -c "! cmp -s '$BLOB' '$WORK/blob.orig'"
  out=$(dabba_user pull "$FIXTURE_CORRUPTIBLE" 2>&1) && rc=0 || rc=$?
  check_eq "byte $offset: the pull fails (exit 125, as podman's)" 125 "$rc"
  check "byte $offset: ... with a digest error naming the blob" \
    grep -q "digest mismatch: expected $FIXTURE_CORRUPTIBLE_LAYER_DIGEST" <<<"$out"
  check_eq "byte $offset: no image" 0 "$(image_count)"
  check_eq "byte $offset: no unpacked layer" 0 "$(layer_dirs)"
  check_eq "byte $offset: no partial download kept" 0 "$(partials)"
  check_eq "byte $offset: no unpack leftover" 0 "$(find "$STORE/tmp" -mindepth 1 | wc -l)"
  check "byte $offset: the store checks clean" dabba_user check
done

restore
check_eq "restored: the pull works" "$FIXTURE_CORRUPTIBLE_DIGEST" \
  "$(dabba_user pull -q "$FIXTURE_CORRUPTIBLE" 2>&1)"
check_eq "restored: one image, one layer" "1 1" "$(image_count) $(layer_dirs)"
check "restored: the store checks clean" dabba_user check
check_done
