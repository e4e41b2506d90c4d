#!/bin/bash
# commit (a deleted file, a replaced directory, a new file with its owner, -c/-a/-m/-f, a running
# container), the committed layer's whiteouts as OCI ones in the saved archive, then the store as
# a whole: system df, system prune, unshare, and system reset (which deletes what the user
# cannot), as the test user and as root.
set -euo pipefail
# shellcheck source=lib/run.sh
source "$(dirname "$0")/lib/run.sh"
# shellcheck source=lib/pull.sh
source "$(dirname "$0")/lib/pull.sh"
run_setup image_commit
A=$(user_dir a)

# --- commit ---------------------------------------------------------------------------------------
dabba_user run --name c1 -e FROM_RUN=yes "$BUSYBOX" sh -c \
  'rm /etc/rig-release; rm -r /home/app; mkdir /home/app; echo fresh > /home/app/only.txt;
   echo new > /newfile; chown 1234:5678 /newfile' >/dev/null
out=$(dabba_user commit -q c1 committed)
check "commit -q prints the image id" grep -qE '^[0-9a-f]{64}$' <<<"$out"
check_eq "commit: named localhost/committed:latest" "localhost/committed:latest" \
  "$(dabba_user image inspect --format '{{index .RepoTags 0}}' committed)"
got=$(dabba_user run --rm committed sh -c \
  'cat /newfile; stat -c %u:%g /newfile; ls /home/app; test -e /etc/rig-release && echo still-there || echo deleted')
check_eq "run of the commit: the new file, its owner, the replaced dir, the deleted file" \
  "new 1234:5678 only.txt deleted" "$(xargs <<<"$got")"
check_eq "commit: one layer more than its image" 2 \
  "$(dabba_user image inspect --format '{{len .RootFS.Layers}}' committed)"
check_eq "commit: the container's env goes into the image" "yes" \
  "$(dabba_user run --rm committed sh -c 'echo $FROM_RUN')"
check_eq "commit: a history entry, FROM the image" "FROM $BUSYBOX" \
  "$(dabba_user image inspect committed | jq -r '.[0].History[-1].comment')"

# The new layer in an OCI layout: OCI whiteouts, the opaque marker, the owner.
check "save the commit as an oci-dir" dabba_user save --format oci-dir -o "$A/c" committed
MANIFEST=$(jq -r '.manifests[0].digest' "$A/c/index.json" | sed 's/sha256://')
TOP=$(jq -r '.layers[-1].digest' "$A/c/blobs/sha256/$MANIFEST" | sed 's/sha256://')
list=$(tar -tzvf "$A/c/blobs/sha256/$TOP")
check "layer: etc/.wh.rig-release" grep -q ' etc/.wh.rig-release$' <<<"$list"
check "layer: home/app/.wh..wh..opq" grep -q ' home/app/.wh..wh..opq$' <<<"$list"
check "layer: newfile owned 1234/5678" grep -Eq '1234/5678 .* newfile$' <<<"$list"
check_eq "layer: no overlay xattrs or devices" 0 "$(tar -tzvf "$A/c/blobs/sha256/$TOP" | grep -c '^c' || true)"
check_eq "layer: gzip (its media type)" "application/vnd.oci.image.layer.v1.tar+gzip" \
  "$(jq -r '.layers[-1].mediaType' "$A/c/blobs/sha256/$MANIFEST")"

out=$(dabba_user commit -a "A. Author" -m "my message" -c 'ENV X=1' -c 'CMD ["cat", "/newfile"]' \
  -c 'LABEL stage=two' -c 'EXPOSE 8080' c1 committed:2)
check_eq "commit -c CMD: the image runs it" "new" "$(dabba_user run --rm committed:2)"
i=$(dabba_user image inspect committed:2)
check_eq "commit -a/-m/-c: Author, history comment, Env, Labels, ExposedPorts" \
  "A. Author|my message|X=1|two|true" \
  "$(jq -r '.[0] | [.Author, .History[-1].comment, (.Config.Env | map(select(startswith("X="))) | .[0]),
    .Labels.stage, (.Config.ExposedPorts | has("8080/tcp"))] | map(tostring) | join("|")' <<<"$i")"
check_eq "commit -f docker: a Docker manifest" "application/vnd.docker.distribution.manifest.v2+json" \
  "$(dabba_user image inspect --format '{{.ManifestType}}' "$(dabba_user commit -q -f docker c1)")"
check_eq "commit without a name: dangling" 1 "$(dabba_user images -n --filter dangling=true | wc -l)"
check_fails "commit of an unknown container" dabba_user commit nope x
check_fails "commit with a bad change" dabba_user commit -c 'BOGUS x' c1 y
dabba_user run -d --name running "$BUSYBOX" sh -c 'echo live > /live; sleep 30' >/dev/null
wait_until dabba_user exec running test -e /live
check "commit of a running container" dabba_user commit -q running live
check_eq "... has its file" "live" "$(dabba_user run --rm live cat /live)"
dabba_user rm -f running >/dev/null
check "the store checks clean" dabba_user check

# --- unshare --------------------------------------------------------------------------------------
check_eq "unshare: uid 0 inside" 0 "$(dabba_user unshare id -u)"
check_eq "unshare: CONTAINERS_GRAPHROOT is the store" "$STORE" \
  "$(dabba_user unshare sh -c 'echo $CONTAINERS_GRAPHROOT')"
BASE=$STORE/layers/$(digest_hex "$FIXTURE_BASE_DIFF_ID")
check_eq "unshare: the store's files have the container's owners" 1000 \
  "$(dabba_user unshare stat -c %u "$BASE/home/app/hello.txt")"
check_eq "unshare: the command's exit status" 3 "$(exit_code dabba_user unshare sh -c 'exit 3')"
check_eq "unshare: a missing command exits 127" 127 "$(exit_code dabba_user unshare no-such-command-x)"

# --- system df / prune ------------------------------------------------------------------------------
df=$(dabba_user system df)
check_eq "system df: podman's table" "TYPE TOTAL ACTIVE SIZE RECLAIMABLE" "$(head -n 1 <<<"$df" | xargs)"
check "system df: Images, Containers, Local Volumes" \
  test "$(awk 'NR > 1 { print $1 }' <<<"$df" | xargs)" = "Images Containers Local"
check_eq "system df --format" "Images Containers Local Volumes" \
  "$(dabba_user system df --format '{{.Type}}' | xargs)"
check "system df -v lists images and containers" \
  grep -q "^Containers space usage:" <<<"$(dabba_user system df -v)"
dabba_user volume create dfvol >/dev/null
dabba_user run --name dfuser -v dfvol:/v "$BUSYBOX" sh -c 'printf 12345 >/v/f' >/dev/null
check_eq "system df: a volume a stopped container uses is active (podman's count), its size its files'" \
  "Local Volumes:1:1:5B" "$(dabba_user system df --format '{{.Type}}:{{.Total}}:{{.Active}}:{{.Size}}' | tail -n 1)"
check "system df -v: the volume, its 1 link, 5B" grep -Eq '^dfvol +1 +5B$' <<<"$(dabba_user system df -v)"
check "... the container's LOCAL VOLUMES column: 1" grep -Eq ' 1 .* dfuser$' <<<"$(dabba_user system df -v)"
dabba_user rm dfuser >/dev/null
dabba_user volume rm dfvol >/dev/null
dabba_user network create pruned-net >/dev/null
dabba_user volume create pruned-vol >/dev/null
dabba_user volume create kept-vol >/dev/null
dabba_user run -d --name holder -v kept-vol:/k "$BUSYBOX" sleep 60 >/dev/null
out=$(dabba_user system prune -f --volumes)
check "system prune: Deleted Containers (the stopped c1)" grep -q "^Deleted Containers" <<<"$out"
check "... Deleted Networks (an unused one)" grep -qx "pruned-net" <<<"$(sed -n '/^Deleted Networks/,/^Deleted/p' <<<"$out")"
check "... --volumes: Deleted Volumes (the unused one)" grep -qx "pruned-vol" <<<"$(sed -n '/^Deleted Volumes/,/^Deleted/p' <<<"$out")"
check_eq "... the volume in use stays" kept-vol "$(dabba_user volume ls -q)"
dabba_user rm -f -t0 holder >/dev/null
dabba_user volume rm kept-vol >/dev/null
check "... Deleted Images (the dangling commit)" grep -q "^Deleted Images" <<<"$out"
check "... Total reclaimed space" grep -q "^Total reclaimed space: " <<<"$out"
check_eq "... no container left" 0 "$(dabba_user ps -a -q | wc -l)"
check_eq "... tagged images stay" 1 "$(dabba_user images -n --filter reference=committed:2 | wc -l)"
check "the store checks clean" dabba_user check

# --- system reset -----------------------------------------------------------------------------------
dabba_user run --name keep "$BUSYBOX" true >/dev/null
check_fails "the user cannot rm -rf the store (files of subordinate ids)" as_user rm -rf "$STORE/layers"
out=$(dabba_user system reset </dev/null 2>&1) && rc=0 || rc=$?
check "system reset asks first" grep -q "Are you sure" <<<"$out"
check "system reset -f" dabba_user system reset -f
# (the store dir itself stays here: this test made it in a directory the user cannot write)
check_eq "... the store is empty" "" "$(ls -A "$STORE")"
check "... and a new one works" dabba_user pull -q "$BUSYBOX"
dabba_user network create gone-net >/dev/null
dabba_user volume create gone-vol >/dev/null
dabba_user system reset -f >/dev/null
check_eq "system reset removes networks and volumes too: nothing left in the store" "" \
  "$(ls -A "$STORE")"
check_eq "... network ls: the default alone; volume ls: none" "podman|" \
  "$(dabba_user network ls -q)|$(dabba_user volume ls -q)"
check "... and the store works again" dabba_user pull -q "$BUSYBOX"

# --- as root ------------------------------------------------------------------------------------
dabba_root pull -q "$BUSYBOX" >/dev/null
dabba_root run --name rc1 "$BUSYBOX" sh -c 'rm /etc/rig-release; echo r > /r' >/dev/null
check "[root] commit" dabba_root commit -q rc1 rootcommit
check_eq "[root] run of the commit" "r deleted" \
  "$(dabba_root run --rm rootcommit sh -c 'cat /r; test -e /etc/rig-release || echo deleted' | xargs)"
check "[root] system prune -a -f" dabba_root system prune -a -f
check "[root] system reset -f" dabba_root system reset -f
check "[root] the store is gone" test ! -e "$ROOT_STORE"
check_done
