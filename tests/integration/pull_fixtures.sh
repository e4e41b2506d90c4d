#!/bin/bash
# dabba pull of every fixture image: OCI and Docker schema 2 manifests, gzip, zstd and
# uncompressed layers, a 101-layer image, OCI indexes and Docker manifest lists (the host's
# platform, and --platform linux/arm64 giving the arm64 image). Each pull prints the resolved
# digest, the store checks clean, and the unpacked layers hold the fixture's files.
set -euo pipefail
# shellcheck source=lib/pull.sh
source "$(dirname "$0")/lib/pull.sh"
rig_setup pull_fixtures

for var in FIXTURE_BUSYBOX FIXTURE_LAYERS FIXTURE_LAYERS_V2S2 FIXTURE_LAYERS_ZSTD \
  FIXTURE_LAYERS_UNCOMPRESSED FIXTURE_SHARED FIXTURE_MANY FIXTURE_MULTI FIXTURE_MULTI_V2S2; do
  ref=${!var}
  digest_var=${var}_DIGEST
  # Each in a store of its own: nothing is reused from another fixture.
  STORE=$WORK/store-$var
  install -d -m 0700 -o "$RIG_USER" "$STORE"
  out=$(dabba_user pull "$ref" 2>"$WORK/$var.err") || true
  check_eq "pull $var prints the resolved digest" "${!digest_var}" "$out"
  check "check after pulling $var" dabba_user check
  check_eq "$var is the one image" 1 "$(image_count)"
done

# The namespace maps 0 to the user and 1.. to the start of the user's subuid range.
OWNER_1234=$(($(awk -F: -v u="$RIG_USER" '$1 == u {print $2; exit}' /etc/subuid) + 1233))
# The layers of rig/layers unpacked as README says (gzip; the same from zstd and uncompressed).
for var in FIXTURE_LAYERS FIXTURE_LAYERS_ZSTD FIXTURE_LAYERS_UNCOMPRESSED; do
  STORE=$WORK/store-$var
  check_eq "$var: 4 layers unpacked" 4 "$(layer_dirs)"
  check_eq "$var: layer 2 changed data/changed.txt" "v2" "$(cat "$STORE"/layers/*/data/changed.txt |
    sort | tail -n 1)"
  check_eq "$var: layer 1 kept the owner 1234 (the subuid it maps to: $OWNER_1234)" \
    "$OWNER_1234" "$(stat -c %u "$(ls -d "$STORE"/layers/*/data/owned-file)")"
done
STORE=$WORK/store-FIXTURE_MANY
check_eq "rig/many: 101 layers" 101 "$(layer_dirs)"
check_eq "rig/many: layer 100's file" "100" "$(cat "$STORE"/layers/*/layers/100)"

# Indexes: the host's platform by default, the asked one with --platform.
# The host's platform as OCI names it (Debian's architecture names match for amd64 and arm64).
HOST_PLATFORM=linux/$(dpkg --print-architecture)
for var in FIXTURE_MULTI FIXTURE_MULTI_V2S2; do
  STORE=$WORK/store-$var
  check_eq "$var: the host's image ($HOST_PLATFORM)" "$HOST_PLATFORM" \
    "$(cat "$STORE"/layers/*/platform)"
  STORE=$WORK/store-$var-arm64
  install -d -m 0700 -o "$RIG_USER" "$STORE"
  out=$(dabba_user pull --platform linux/arm64 "${!var}" 2>/dev/null) || true
  check_eq "$var --platform linux/arm64 prints the index digest" "$(eval echo "\$${var}_DIGEST")" "$out"
  check_eq "$var --platform linux/arm64: the arm64 image" "linux/arm64/v8" \
    "$(cat "$STORE"/layers/*/platform)"
  check_eq "$var --platform linux/arm64: image platform recorded" "linux/arm64/v8" \
    "$(dabba_user image inspect --format '{{.Os}}/{{.Architecture}}{{with .Variant}}/{{.}}{{end}}' "$(dabba_user images -q | head -n 1)")"
done
STORE=$WORK/store-multi-bad
install -d -m 0700 -o "$RIG_USER" "$STORE"
check_fails "--platform linux/s390x fails" dabba_user pull --platform linux/s390x "$FIXTURE_MULTI"
out=$(dabba_user pull --platform linux/s390x "$FIXTURE_MULTI" 2>&1 || true)
check "... naming the platforms the index has" grep -q "linux/arm64" <<<"$out"
check_eq "... and storing no image" 0 "$(image_count)"

# Output: -q prints only the digest; off a terminal, plain start/finish lines per layer.
STORE=$WORK/store-quiet
install -d -m 0700 -o "$RIG_USER" "$STORE"
dabba_user pull -q "$FIXTURE_LAYERS" >"$WORK/q.out" 2>"$WORK/q.err"
check_eq "-q: stdout is the digest alone" "$FIXTURE_LAYERS_DIGEST" "$(cat "$WORK/q.out")"
check_eq "-q: nothing on stderr" "" "$(cat "$WORK/q.err")"
STORE=$WORK/store-plain
install -d -m 0700 -o "$RIG_USER" "$STORE"
dabba_user pull "$FIXTURE_LAYERS" >/dev/null 2>"$WORK/plain.err"
check_eq "off a terminal: one 'downloading' line per layer" 4 \
  "$(grep -c ': downloading (' "$WORK/plain.err")"
check_eq "off a terminal: one 'done' line per layer" 4 "$(grep -c ': done (' "$WORK/plain.err")"
check "off a terminal: no ANSI escapes" sh -c "! grep -q $'\x1b' '$WORK/plain.err'"

# Bad references and missing images fail clearly, storing nothing.
check_fails "an invalid reference fails" dabba_user pull "$REGISTRY/Rig/UPPER:x"
check_fails "a missing tag fails" dabba_user pull "$REGISTRY/rig/layers:nope"
out=$(dabba_user pull "$REGISTRY/rig/layers:nope" 2>&1 || true)
check "... saying it was not found" grep -qi "not found" <<<"$out"
check_eq "the store still has one image" 1 "$(image_count)"
check_done
