#!/bin/bash
# The image verbs on a store holding rig/busybox and rig/shared (which share the base layer):
# images (table, -q, --digests, json), rmi (tags, digests, ids, -f, refusals), gc (frees exactly
# what no image references), check and check --repair (a damaged blob, a damaged layer).
set -euo pipefail
# shellcheck source=lib/pull.sh
source "$(dirname "$0")/lib/pull.sh"
rig_setup images_verbs

dabba_user pull -q "$FIXTURE_BUSYBOX" >/dev/null 2>&1
dabba_user pull -q "$FIXTURE_SHARED" >/dev/null 2>&1
dabba_user pull -q "$FIXTURE_BUSYBOX_APP" >/dev/null 2>&1
BUSYBOX_ID=$(dabba_user images --format json | jq -r ".[] | select(.Digest == \"$FIXTURE_BUSYBOX_DIGEST\") | .Id[0:12]")
SHARED_ID=$(dabba_user images --format json | jq -r ".[] | select(.Digest == \"$FIXTURE_SHARED_DIGEST\") | .Id[0:12]")

# --- images -----------------------------------------------------------------------------------
table=$(dabba_user images)
check_eq "table header" "REPOSITORY TAG IMAGE ID CREATED SIZE" "$(head -n 1 <<<"$table" | xargs)"
check_eq "table: one row per tag" 4 "$(wc -l <<<"$table")"
check "table: rig/busybox latest with its 12-hex id" \
  grep -Eq "^$REGISTRY/rig/busybox +latest +$BUSYBOX_ID +[A-Za-z0-9 ]+ ago +[0-9.]+ [kMG]?B$" <<<"$table"
check "table: rig/busybox app" grep -Eq "^$REGISTRY/rig/busybox +app " <<<"$table"
check_eq "IMAGE ID is the config digest's first 12 hex" 12 "${#BUSYBOX_ID}"
check_eq "-q: one id per image" 3 "$(dabba_user images -q | wc -l)"
ids=$(dabba_user images -q)
check "-q: busybox's id" grep -qx "$BUSYBOX_ID" <<<"$ids"
check "-q: shared's id" grep -qx "$SHARED_ID" <<<"$ids"
check "--digests adds the registry digest" grep -q "$FIXTURE_SHARED_DIGEST" <<<"$(dabba_user images --digests)"
json=$(dabba_user images --format json)
check_eq "json: an array of 3 images" 3 "$(jq length <<<"$json")"
check_eq "json: full names" "$REGISTRY/rig/shared:latest" \
  "$(jq -r ".[] | select(.Digest == \"$FIXTURE_SHARED_DIGEST\") | .RepoTags[0]" <<<"$json")"
check_eq "json: digests" "$REGISTRY/rig/shared@$FIXTURE_SHARED_DIGEST" \
  "$(jq -r ".[] | select(.Digest == \"$FIXTURE_SHARED_DIGEST\") | .RepoDigests[0]" <<<"$json")"
check "json: sizes are the unpacked bytes" test "$(jq ".[] | select(.Digest == \"$FIXTURE_SHARED_DIGEST\") | .Size" <<<"$json")" -gt 1000000
check "json: newest first" test "$(jq '[.[].Created] | . == (sort | reverse)' <<<"$json")" = true
check_eq "--format of plain text prints it per row, as podman" "yaml yaml yaml" \
  "$(dabba_user images --format yaml | xargs)"
check_fails "--format with an unclosed action is refused" dabba_user images --format '{{.ID'
check "--format '{{.Repository}}:{{.Tag}}' (a Go-template, as Docker's)" \
  grep -qx "$REGISTRY/rig/shared:latest" <<<"$(dabba_user images --format '{{.Repository}}:{{.Tag}}')"
check_eq "--format 'table {{.ID}}\t{{.Tag}}': header and aligned rows" "IMAGE ID TAG" \
  "$(dabba_user images --format 'table {{.ID}}\t{{.Tag}}' | head -1 | xargs)"
check_eq "--format '{{json .}}' is --format json, as podman" "$json" "$(dabba_user images --format '{{ json . }}')"
check_fails "--format '{{.Nope}}' names the field" dabba_user images --format '{{.Nope}}'

# --- rmi --------------------------------------------------------------------------------------
check_fails "rmi of an unknown image fails" dabba_user rmi "$REGISTRY/rig/nope:latest"
out=$(dabba_user rmi "$FIXTURE_BUSYBOX_APP" 2>&1)
check "rmi of a tag says Untagged" grep -q "^Untagged: $REGISTRY/rig/busybox:app" <<<"$out"
check "rmi of the image's last tag deletes it" grep -q "^Deleted: " <<<"$out"
check_eq "two images left" 2 "$(image_count)"
check_fails "rmi of an unknown image id fails" dabba_user rmi 0123456789ab

# gc frees exactly what nothing references: rig/shared's own layer and its blobs, never the base.
LAYERS_BEFORE=$(layer_dirs)
check "rmi rig/shared by its image id" dabba_user rmi "$SHARED_ID"
check_eq "rig/shared is gone, busybox stays" "1 $FIXTURE_BUSYBOX_DIGEST" \
  "$(image_count) $(dabba_user images --format json | jq -r '.[0].Digest')"
check_eq "rmi freed no file yet" "$LAYERS_BEFORE" "$(layer_dirs)"
out=$(dabba_user gc 2>&1)
check "gc says what it freed" grep -Eq "^freed .*1 layer" <<<"$out"
check_eq "gc removed exactly one layer (rig/shared's own)" $((LAYERS_BEFORE - 1)) "$(layer_dirs)"
check "gc kept the shared base layer" test -d "$STORE/layers/$(digest_hex "$FIXTURE_BASE_DIFF_ID")"
check "gc kept the base layer's blob" test -f "$STORE/blobs/sha256/$(digest_hex "$FIXTURE_BASE_LAYER_DIGEST")"
check_eq "gc again frees nothing" "nothing to free" "$(dabba_user gc | head -n 1)"
check "busybox still checks clean" dabba_user check

# --- check and check --repair ---------------------------------------------------------------
check "check of a sound store exits 0" dabba_user check
# A flipped byte in the stored config blob.
CONFIG_HEX=$(dabba_user images --format json | jq -r '.[0].Id')
printf 'X' | dd of="$STORE/blobs/sha256/$CONFIG_HEX" bs=1 seek=3 conv=notrunc 2>/dev/null
out=$(dabba_user check 2>&1) && rc=0 || rc=$?
check_eq "check finds the damaged blob (exit 1)" 1 "$rc"
check "... naming it" grep -q "$CONFIG_HEX" <<<"$out"
out=$(dabba_user check --repair 2>&1) && rc=0 || rc=$?
check_eq "check --repair exits 1 (a problem was found, and repaired)" 1 "$rc"
check "check --repair says what it repaired" grep -q "^repaired: " <<<"$out"
check "check after the repair exits 0" dabba_user check
check_eq "the image that needed the blob is gone" 0 "$(image_count)"
check_eq "pull it again" "$FIXTURE_BUSYBOX_DIGEST" "$(dabba_user pull -q "$FIXTURE_BUSYBOX" 2>&1)"
# A file missing from an unpacked layer.
as_user rm "$STORE/layers/$(digest_hex "$FIXTURE_BASE_DIFF_ID")/etc/rig-release"
check_fails "check finds the damaged layer" dabba_user check
check_fails "check --repair exits 1 (problems were found)" dabba_user check --repair
check "check after the repair exits 0" dabba_user check
check_eq "pull again restores the image" "$FIXTURE_BUSYBOX_DIGEST" "$(dabba_user pull -q "$FIXTURE_BUSYBOX" 2>&1)"
check "... with the layer complete" test -f "$STORE/layers/$(digest_hex "$FIXTURE_BASE_DIFF_ID")/etc/rig-release"
check "the store checks clean" dabba_user check

# --- check --deep: each file against the layer's blob ------------------------------------------
BASE_DIR=$STORE/layers/$(digest_hex "$FIXTURE_BASE_DIFF_ID")
check "check --deep of a sound store exits 0" dabba_user check --deep
# Same size, other bytes: only --deep can tell.
size=$(stat -c %s "$BASE_DIR/etc/group")
as_user sh -c "head -c $size /dev/zero | tr '\\0' x >'$BASE_DIR/etc/group'"
as_user touch "$BASE_DIR/etc/planted"
as_user rm "$BASE_DIR/etc/rig-release"
as_user chmod 0600 "$BASE_DIR/etc/passwd"
out=$(dabba_user check --deep 2>&1) && rc=0 || rc=$?
check_eq "check --deep finds the damaged layer (exit 1)" 1 "$rc"
check "... a file modified in place (same size)" grep -q "etc/group: modified (content)" <<<"$out"
check "... a file added" grep -q "etc/planted: added" <<<"$out"
check "... a file removed" grep -q "etc/rig-release: removed" <<<"$out"
check "... permissions changed" grep -q "etc/passwd: permissions changed" <<<"$out"
out=$(dabba_user check --deep --repair 2>&1) && rc=0 || rc=$?
check_eq "check --deep --repair exits 1 (problems were found)" 1 "$rc"
check "... and unpacked the layer again from its blob" \
  grep -q "unpacked layer $FIXTURE_BASE_DIFF_ID again from its blob" <<<"$out"
check "check --deep after the repair exits 0" dabba_user check --deep
check_eq "the image was kept" 1 "$(image_count)"
check "... and runs with the file restored" dabba_user run --rm "$FIXTURE_BUSYBOX" \
  grep -q . /etc/rig-release
check_eq "... and its group file as published" "root:x:0:" \
  "$(dabba_user run --rm "$FIXTURE_BUSYBOX" head -n 1 /etc/group)"
check_done
