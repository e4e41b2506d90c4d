#!/bin/bash
# save / load / import / export, and round trips with podman 4.3 on this machine (rootless, as the
# test user, its own vfs storage in this test's directory): `dabba save | podman load` and
# `podman save | dabba load` in docker-archive, oci-archive, oci-dir and docker-dir; several images
# in one archive; load from a pipe and a redirect; import from a file, stdin, gzip, file:// and
# http://, with -c changes; export of a container (whiteouts applied) and import of it again.
set -euo pipefail
# shellcheck source=lib/run.sh
source "$(dirname "$0")/lib/run.sh"
# shellcheck source=lib/pull.sh
source "$(dirname "$0")/lib/pull.sh"
run_setup image_archives

A=$(user_dir a)
# podman rootless wants a short runroot; its pause process is ended at exit.
PM=$(mktemp -d /tmp/pm.XXXXXX)
chown "$RIG_USER:" "$PM"
podman_cleanup() {
  local rc=$?
  if [ -s "$WORK/run/libpod/tmp/pause.pid" ]; then kill -9 "$(cat "$WORK/run/libpod/tmp/pause.pid")" 2>/dev/null || true; fi
  as_user podman --root "$PM/root" --runroot "$PM/run" --storage-driver vfs unshare rm -rf "$PM/root" >/dev/null 2>&1 || true
  rm -rf "$PM"
  (exit $rc)
  run_cleanup
}
trap podman_cleanup EXIT
podman_user() {
  as_user podman --root "$PM/root" --runroot "$PM/run" --storage-driver vfs \
    --cgroup-manager cgroupfs --events-backend none "$@"
}
dabba_user pull -q "$FIXTURE_LAYERS" >/dev/null
BB_ID=$(dabba_user image inspect --format '{{.Id}}' "$BUSYBOX")
LAYERS_ID=$(dabba_user image inspect --format '{{.Id}}' "$FIXTURE_LAYERS")

# --- dabba save | podman load -------------------------------------------------------------------
check "save (docker-archive) to standard output" \
  as_user sh -c "'$TEST_DABBA' --root '$STORE' save '$BUSYBOX' > '$A/bb.tar'"
check "podman loads it" podman_user load -i "$A/bb.tar"
check_eq "podman sees the same image id and name" "$BB_ID $REGISTRY/rig/busybox:latest" \
  "$(podman_user image inspect --format '{{.Id}} {{index .RepoTags 0}}' "$REGISTRY/rig/busybox:latest")"
check "docker-archive: layers are uncompressed <diff_id>.tar files" \
  tar -tf "$A/bb.tar" "$(digest_hex "$FIXTURE_BASE_DIFF_ID").tar"
check "save -m of two images (docker-archive)" \
  dabba_user save -m -o "$A/two.tar" "$BUSYBOX" "$FIXTURE_LAYERS"
check_eq "... manifest.json lists both" 2 "$(tar -xOf "$A/two.tar" manifest.json | jq length)"
check "podman loads both" podman_user load -i "$A/two.tar"
check_eq "... with rig/layers' 4 layers" 4 \
  "$(podman_user image inspect --format '{{len .RootFS.Layers}}' "$REGISTRY/rig/layers:latest")"
check "save --format oci-archive" dabba_user save --format oci-archive -o "$A/bb-oci.tar" "$BUSYBOX"
check "... keeps the registry's manifest digest" tar -tf "$A/bb-oci.tar" "blobs/sha256/$(digest_hex "$FIXTURE_BUSYBOX_DIGEST")"
check "podman loads the oci-archive" podman_user load -i "$A/bb-oci.tar"
check "save --format oci-archive --uncompressed" \
  dabba_user save --format oci-archive --uncompressed -o "$A/bb-plain.tar" "$BUSYBOX"
mkdir "$A/plain" && tar -C "$A/plain" -xf "$A/bb-plain.tar"
check_eq "... its layer is a plain tar, named by its diff_id" \
  "$(dabba_user image inspect --format '{{index .RootFS.Layers 0}}' "$BUSYBOX")" \
  "$(jq -r '.layers[0].digest' "$A/plain/blobs/sha256/$(jq -r '.manifests[0].digest' "$A/plain/index.json" | cut -d: -f2)")"
check "... of media type tar" grep -q 'POSIX tar archive' \
  <<<"$(file "$A/plain/blobs/sha256/$(dabba_user image inspect --format '{{index .RootFS.Layers 0}}' "$BUSYBOX" | cut -d: -f2)")"
check "... skopeo reads it" skopeo inspect "oci-archive:$A/bb-plain.tar"
check "save --format oci-dir" dabba_user save --format oci-dir -o "$A/bb-ocidir" "$BUSYBOX"
check_eq "... index.json names the image" "$REGISTRY/rig/busybox:latest" \
  "$(jq -r '.manifests[0].annotations["org.opencontainers.image.ref.name"]' "$A/bb-ocidir/index.json")"
check "save --format docker-dir" dabba_user save --format docker-dir -o "$A/bb-dir" "$BUSYBOX"
check "... skopeo reads it" as_user skopeo inspect --raw "dir:$A/bb-dir"
check "save without -m: more names are more tags" \
  dabba_user save -o "$A/tags.tar" "$BUSYBOX" localhost/extra:tag
check_eq "... RepoTags" "$REGISTRY/rig/busybox:latest localhost/extra:tag" \
  "$(tar -xOf "$A/tags.tar" manifest.json | jq -r '.[0].RepoTags | join(" ")')"
out=$(as_user script -qec "'$TEST_DABBA' --root '$STORE' save '$BUSYBOX'" /dev/null 2>&1) && rc=0 || rc=$?
check "save to a terminal is refused" grep -q "refusing to save to terminal" <<<"$out"
check_fails "save of an unknown image" dabba_user save -o "$A/x.tar" nope
check "... and leaves no file behind" test ! -e "$A/x.tar"
check_fails "save --format bogus" dabba_user save --format bogus -o "$A/x.tar" "$BUSYBOX"

# --- podman save | dabba load -------------------------------------------------------------------
check "podman save (docker-archive)" podman_user save -o "$A/pm.tar" "$REGISTRY/rig/layers:latest"
check "podman save (oci-archive)" podman_user save --format oci-archive -o "$A/pm-oci.tar" "$REGISTRY/rig/busybox:latest"
check "podman save (oci-dir)" podman_user save --format oci-dir -o "$A/pm-ocidir" "$REGISTRY/rig/busybox:latest"
check "podman save (docker-dir)" podman_user save --format docker-dir -o "$A/pm-dir" "$REGISTRY/rig/busybox:latest"
check "rmi everything (a fresh start)" dabba_user rmi -a
out=$(as_user sh -c "cat '$A/pm.tar' | '$TEST_DABBA' --root '$STORE' load" 2>&1)
check "podman save | dabba load (from a pipe)" grep -qx "Loaded image: $REGISTRY/rig/layers:latest" <<<"$out"
check_eq "... the same image id" "$LAYERS_ID" "$(dabba_user image inspect --format '{{.Id}}' "$FIXTURE_LAYERS")"
check_eq "... and it runs: layer 2's file, layer 3's opaque dir" "v2|new.txt" \
  "$(dabba_user run --rm "$FIXTURE_LAYERS" sh -c 'cat /data/changed.txt; ls /data/replace-dir' | xargs | tr ' ' '|')"
out=$(as_user sh -c "'$TEST_DABBA' --root '$STORE' load -q < '$A/pm-oci.tar'" 2>&1)
check "dabba load < podman's oci-archive (a redirect)" grep -q "^Loaded image: " <<<"$out"
check_eq "... busybox's id" "$BB_ID" "$(dabba_user images --no-trunc -q "$REGISTRY/rig/busybox" | sed 's/sha256://')"
check "dabba load -i podman's oci-dir" dabba_user load -q -i "$A/pm-ocidir"
out=$(dabba_user load -q -i "$A/pm-dir" 2>&1)
check "dabba load -i podman's docker-dir (no name: its id)" grep -qx "Loaded image: sha256:$BB_ID" <<<"$out"
out=$(as_user script -qec "'$TEST_DABBA' --root '$STORE' load" /dev/null 2>&1) && rc=0 || rc=$?
check "load from a terminal is refused" grep -q "cannot read from terminal" <<<"$out"
out=$(echo "not an image" | as_user "$TEST_DABBA" --root "$STORE" load 2>&1) && rc=0 || rc=$?
check_eq "load of garbage: exit 125" 125 "$rc"
check "... with podman's phrase" grep -q "payload does not match any of the supported image formats" <<<"$out"
# An uncompressed docker-archive of an image whose layer is already here: the layer is reused, its
# tar not stored. Saving it as OCI then names the blob the layer came from, in a new manifest.
check "load a docker-archive over an unpacked layer" dabba_user load -q -i "$A/bb.tar"
check_eq "... it is the image the store has from podman's docker-dir (one image id: one image, as podman's)" 1 \
  "$(dabba_user images --format '{{.ID}}' | grep -c "^${BB_ID:0:12}\$")"
check "save it as an oci-archive" dabba_user save --format oci-archive -o "$A/reused.tar" "$BUSYBOX"
check "podman loads it" podman_user load -q -i "$A/reused.tar"
check_eq "... the same image id" "$BB_ID" \
  "$(podman_user image inspect --format '{{.Id}}' "$REGISTRY/rig/busybox:latest")"
check "the store checks clean" dabba_user check

# --- transports: pull/run/create docker-archive:, oci-archive:, oci:, dir:, docker:// -----------
check "rmi everything again" dabba_user rmi -a
out=$(dabba_user run --name fromarch "docker-archive:$A/pm.tar" cat /data/changed.txt 2>&1)
check_eq "run docker-archive: podman's first line" "Getting image source signatures" "$(head -n1 <<<"$out")"
check "... podman's Copying blob line" grep -q '^Copying blob sha256:' <<<"$out"
check "... Copying config" grep -q '^Copying config sha256:' <<<"$out"
check "... Writing manifest" grep -qx 'Writing manifest to image destination' <<<"$out"
check_eq "... then the container's output" "v2" "$(tail -n1 <<<"$out")"
check_eq "... the container's image is the archive's name" "$REGISTRY/rig/layers:latest" \
  "$(dabba_user inspect --format '{{.ImageName}}' fromarch)"
out=$(dabba_user create "oci-archive:$A/pm-oci.tar" echo from-oci 2>/dev/null)
check_eq "create oci-archive:, then start -a" "from-oci" "$(dabba_user start -a "$(tail -n1 <<<"$out")")"
out=$(dabba_user pull "oci:$A/pm-ocidir" 2>/dev/null)
check_eq "pull oci:DIR prints the image id" "$BB_ID" "$out"
check_eq "pull dir:DIR too" "$BB_ID" "$(dabba_user pull -q "dir:$A/pm-dir" 2>/dev/null)"
check_eq "run -q docker://NAME (the registry): nothing but the output" "hi" \
  "$(dabba_user run --rm -q "docker://$BUSYBOX" echo hi 2>&1)"
out=$(dabba_user pull "docker-archive:$A/none.tar" 2>&1) && rc=0 || rc=$?
check "pull docker-archive: of a missing file fails" test "$rc" -ne 0
check "... naming the file" grep -q "none.tar" <<<"$out"
out=$(dabba_user pull docker-daemon:busybox:latest 2>&1) && rc=0 || rc=$?
check "docker-daemon: is refused by name" grep -q "docker-daemon transport is not supported" <<<"$out"

# --- export / import ----------------------------------------------------------------------------
dabba_user run --name ex1 "$BUSYBOX" sh -c \
  'echo hi > /new; rm /etc/rig-release; rm -r /home/app; mkdir /home/app; echo n > /home/app/n; chown 1234:5678 /new' >/dev/null
check "export -o" dabba_user export -o "$A/ex1.tar" ex1
list=$(tar -tvf "$A/ex1.tar")
check "export: the container's new file, with its owner" grep -Eq '^-rw-r--r-- 1234/5678 +3 .* new$' <<<"$list"
check_eq "export: the deleted file is not there, nor any whiteout" 0 "$(grep -Ec 'etc/rig-release|\.wh\.' <<<"$list" || true)"
check_eq "export: the replaced dir holds only its new content" "home/app/n" "$(grep -o 'home/app/.*' <<<"$list" | grep -v '/$')"
check "export to a pipe" as_user sh -c "'$TEST_DABBA' --root '$STORE' export ex1 > '$A/ex1b.tar'"
check_eq "... the same tar" "$(sha256sum <"$A/ex1.tar")" "$(sha256sum <"$A/ex1b.tar")"
out=$(dabba_user import -c 'CMD ["/bin/cat", "/new"]' -c 'ENV A=1' -m "from ex1" "$A/ex1.tar" imported:1 2>&1)
check "import prints sha256:ID" grep -qE '^sha256:[0-9a-f]{64}$' <<<"$out"
check_eq "import: the image runs its new CMD" "hi" "$(dabba_user run --rm imported:1)"
check_eq "import: -c ENV and the history comment" "[A=1] from ex1" \
  "$(dabba_user image inspect --format '{{.Config.Env}} {{(index .History 0).Comment}}' imported:1)"
check_eq "import: the owner survives" "1234:5678" "$(dabba_user run --rm imported:1 stat -c %u:%g /new)"
check "import from stdin" as_user sh -c "cat '$A/ex1.tar' | '$TEST_DABBA' --root '$STORE' import - fromstdin"
check_eq "... same layer, same diff_id" \
  "$(dabba_user image inspect --format '{{index .RootFS.Layers 0}}' imported:1)" \
  "$(dabba_user image inspect --format '{{index .RootFS.Layers 0}}' fromstdin)"
as_user gzip -k "$A/ex1.tar"
check "import of a .tar.gz (stored as its blob)" dabba_user import "$A/ex1.tar.gz" gz:1
check_eq "... same diff_id" \
  "$(dabba_user image inspect --format '{{index .RootFS.Layers 0}}' imported:1)" \
  "$(dabba_user image inspect --format '{{index .RootFS.Layers 0}}' gz:1)"
check "import file://" dabba_user import "file://$A/ex1.tar" fileurl:1
# -u: its "Serving HTTP on ... port N" line is written at once, not when a buffer fills (a busy
# machine took longer than the wait below, and the empty port ended the script under set -e).
"$RIG_PYTHON" -u -m http.server --bind 127.0.0.1 --directory "$A" 0 >"$WORK/http.log" 2>&1 &
RIG_TEST_PIDS="${RIG_TEST_PIDS:-} $!"
for _ in $(seq 200); do grep -q "port" "$WORK/http.log" && break; sleep 0.05; done
HTTP_PORT=$(grep -oE 'port [0-9]+' "$WORK/http.log" | head -n1 | cut -d' ' -f2 || true)
check "a local HTTP server to import from (port ${HTTP_PORT:-none})" test -n "$HTTP_PORT"
check "import http://" dabba_user import "http://127.0.0.1:$HTTP_PORT/ex1.tar" httpurl:1
check_eq "... runs" "hi" "$(dabba_user run --rm httpurl:1 cat /new)"
check_fails "import of a missing URL" dabba_user import "http://127.0.0.1:$HTTP_PORT/nope.tar"
check_fails "import with a bad change" dabba_user import -c 'RUN true' "$A/ex1.tar"
check "save | podman load of an imported image" \
  as_user sh -c "'$TEST_DABBA' --root '$STORE' save imported:1 | podman --root '$PM/root' --runroot '$PM/run' --storage-driver vfs --events-backend none load"
check_eq "... podman sees its CMD" '[/bin/cat /new]' \
  "$(podman_user image inspect --format '{{.Config.Cmd}}' localhost/imported:1)"
check "the store checks clean" dabba_user check

# --- as root ------------------------------------------------------------------------------------
dabba_root pull -q "$BUSYBOX" >/dev/null
check "[root] save --format oci-archive" dabba_root save --format oci-archive -o "$WORK/root-bb.tar" "$BUSYBOX"
check "[root] load it into a second store" \
  env -i PATH=/usr/bin:/bin "$TEST_DABBA" --root "$WORK/root-store2" load -q -i "$WORK/root-bb.tar"
dabba_root run --name rex "$BUSYBOX" sh -c 'rm /etc/rig-release; echo r > /r' >/dev/null
check "[root] export | import" sh -c "'$TEST_DABBA' --root '$ROOT_STORE' export rex | '$TEST_DABBA' --root '$ROOT_STORE' import - rootimp"
check_eq "[root] the import runs, without the deleted file" "r missing" \
  "$(dabba_root run --rm rootimp sh -c 'cat /r; test -e /etc/rig-release || echo missing' | xargs)"
check "[root] the store checks clean" dabba_root check
check_done
