#!/bin/bash
# The image verbs podman users script, against rig images, as the test user (key cases as root):
# tag / untag (localhost/ names, NamesHistory), image inspect and inspect (podman's JSON and Go
# templates), history, images (filters, sort, formats, -q, -n, --no-trunc, --digests), image
# exists, rmi (-a, -i, -f, exit codes 1 and 2), image prune, and the `image <verb>` forms.
set -euo pipefail
# shellcheck source=lib/run.sh
source "$(dirname "$0")/lib/run.sh"
# shellcheck source=lib/pull.sh
source "$(dirname "$0")/lib/pull.sh"
run_setup image_names

dabba_user pull -q "$FIXTURE_BUSYBOX_APP" >/dev/null
dabba_user pull -q "$FIXTURE_SHARED" >/dev/null
BB_ID=$(dabba_user image inspect --format '{{.Id}}' "$BUSYBOX")

# --- tag / untag --------------------------------------------------------------------------------
check "tag: a short name becomes localhost/NAME:latest" dabba_user tag "$BUSYBOX" mybox
check "tag: several targets at once" dabba_user tag "$BB_ID" mybox:2 other/thing:v1
check_eq "the image carries the new names, in podman's order (a tag goes last)" \
  "$REGISTRY/rig/busybox:latest localhost/mybox:latest localhost/mybox:2 localhost/other/thing:v1" \
  "$(dabba_user image inspect --format '{{join .RepoTags " "}}' mybox)"
check_eq "the short name finds localhost/ images" "$BB_ID" \
  "$(dabba_user image inspect --format '{{.ID}}' mybox:2)"
check_eq "tag of an unknown image: exit 125" 125 "$(exit_code dabba_user tag nope:1 x)"
check_fails "tag to an invalid name (upper case)" dabba_user tag mybox BAD:x
out=$(dabba_user untag mybox localhost/mybox:9 2>&1) && rc=0 || rc=$?
check "untag of a name the image lacks: tag not known" grep -q "tag not known" <<<"$out"
check "untag one name" dabba_user untag mybox mybox:2
check_eq "... it is gone, the others stay" "$REGISTRY/rig/busybox:latest localhost/mybox:latest localhost/other/thing:v1" \
  "$(dabba_user image inspect --format '{{join .RepoTags " "}}' "$BB_ID")"
check_eq "NamesHistory keeps the removed name" true \
  "$(dabba_user image inspect "$BB_ID" | jq '.[0].NamesHistory | index("localhost/mybox:2") != null')"

# --- inspect ------------------------------------------------------------------------------------
json=$(dabba_user image inspect "$FIXTURE_BUSYBOX_APP")
check_eq "image inspect: podman's keys" \
  "Annotations Architecture Author Comment Config Created Digest GraphDriver History Id Labels ManifestType NamesHistory Os Parent RepoDigests RepoTags RootFS Size User Version VirtualSize" \
  "$(jq -r '.[0] | keys | join(" ")' <<<"$json")"
check_eq "inspect: .Digest is the manifest digest" "$FIXTURE_BUSYBOX_APP_DIGEST" "$(jq -r '.[0].Digest' <<<"$json")"
check_eq "inspect: .Config.Entrypoint" '["/bin/echo","entrypoint:"]' "$(jq -c '.[0].Config.Entrypoint' <<<"$json")"
check_eq "inspect: .User and .Labels" "app app" \
  "$(jq -r '.[0].User + " " + .[0].Labels["org.dabba.rig"]' <<<"$json")"
check_eq "inspect: .RootFS.Layers is the diff_ids" "$FIXTURE_BASE_DIFF_ID" "$(jq -r '.[0].RootFS.Layers[0]' <<<"$json")"
t() { dabba_user image inspect --format "$1" "$FIXTURE_BUSYBOX_APP"; }
check_eq "--format nested fields" "/home/app|SIGUSR1" "$(t '{{.Config.WorkingDir}}|{{.Config.StopSignal}}')"
check_eq "--format a list prints as Go prints it" "[default-cmd]" "$(t '{{.Config.Cmd}}')"
check_eq "--format range and index" "PATH;RIG_IMAGE_ENV;RIG_OVERRIDE;|entrypoint:" \
  "$(t '{{range .Config.Env}}{{index (split . "=") 0}};{{end}}|{{index .Config.Entrypoint 1}}')"
check_eq "--format if/else and a label lookup" "app/none" \
  "$(t '{{index .Labels "org.dabba.rig"}}/{{if .Config.Volumes}}vol{{else}}none{{end}}')"
check_eq "--format json of a field, a pipe, len" '["default-cmd"] APP 1' \
  "$(t '{{json .Config.Cmd}} {{.User | upper}} {{len .RootFS.Layers}}')"
check_eq "--format {{.Created}} prints a Go time" 1 \
  "$(t '{{.Created}}' | grep -cE '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}(\.[0-9]+)? [+-][0-9]{4} ')"
out=$(dabba_user image inspect --format '{{.Nope}}' "$BUSYBOX" 2>&1) && rc=0 || rc=$?
check "--format of an unknown field names it" grep -q "can't evaluate field Nope" <<<"$out"
out=$(dabba_user image inspect --format '{{nope .Id}}' "$BUSYBOX" 2>&1) && rc=0 || rc=$?
check "--format of an unknown function names it" grep -q 'function "nope" not defined' <<<"$out"
check_eq "inspect (any type) finds the image" "$BB_ID" "$(dabba_user inspect --format '{{.Id}}' mybox)"
check_eq "inspect --type image" "$BB_ID" "$(dabba_user inspect --type image --format '{{.Id}}' mybox)"
out=$(dabba_user inspect nope 2>&1) && rc=0 || rc=$?
check_eq "inspect of nothing: exit 125" 125 "$rc"
check "... no such object" grep -q 'no such object: "nope"' <<<"$out"
out=$(dabba_user image inspect nope mybox 2>&1) && rc=0 || rc=$?
check_eq "image inspect of one missing of two: exit 125" 125 "$rc"
check "... image not known, and the other printed" grep -q "nope: image not known" <<<"$out"
check_fails "inspect --type bogus" dabba_user inspect --type bogus mybox

# --- history ------------------------------------------------------------------------------------
dabba_user pull -q "$FIXTURE_LAYERS" >/dev/null
hist=$(dabba_user history "$FIXTURE_LAYERS")
check_eq "history: header" "ID CREATED CREATED BY SIZE COMMENT" "$(head -n 1 <<<"$hist" | xargs)"
ENTRIES=$(dabba_user image inspect "$FIXTURE_LAYERS" | jq '.[0].History | length')
check_eq "history: one row per config history entry" $((ENTRIES + 1)) "$(wc -l <<<"$hist")"
LAYERS_ID=$(dabba_user images -q "$FIXTURE_LAYERS")
check "history: the top row carries the image id, the others <missing>" \
  grep -q "^$LAYERS_ID " <<<"$(sed -n 2p <<<"$hist")"
check_eq "history -q" "$LAYERS_ID $(yes '<missing>' | head -n $((ENTRIES - 1)) | xargs)" \
  "$(dabba_user history -q "$FIXTURE_LAYERS" | xargs)"
check_eq "history --format" "$ENTRIES" "$(dabba_user history --format '{{.ID}}|{{.Size}}' "$FIXTURE_LAYERS" | grep -c '|')"
check_eq "history --format json: sizes of the layers" 4 \
  "$(dabba_user history --format json "$FIXTURE_LAYERS" | jq '[.[] | select(.size > 0)] | length')"
hist=$(dabba_user history --human=false "$FIXTURE_LAYERS")
check "history --human=false: sizes in bytes" grep -Eq ' [0-9]{3,} ' <<<"$hist"
check "history --human=false: RFC 3339 dates" grep -Eq "^$LAYERS_ID +[0-9-]+T[0-9:]+Z " <<<"$hist"
check_fails "history of an unknown image" dabba_user history nope

# --- images -------------------------------------------------------------------------------------
table=$(dabba_user images)
check_eq "images: podman's header" "REPOSITORY TAG IMAGE ID CREATED SIZE" "$(head -n 1 <<<"$table" | xargs)"
check "images: columns aligned as podman's (two spaces at least)" grep -Eq '^REPOSITORY +TAG {9,}IMAGE ID {6}CREATED' <<<"$table"
check_eq "images -n: no header" "$(($(wc -l <<<"$table") - 1))" "$(dabba_user images -n | wc -l)"
# As podman, a matching image shows all its tags.
check_eq "images --filter reference= (a short localhost name)" "${BB_ID:0:12}" \
  "$(dabba_user images -q --filter reference=mybox)"
check_eq "... every tag of it" 3 "$(dabba_user images -n --filter reference=mybox | wc -l)"
check_eq "images IMAGE (a reference)" "${BB_ID:0:12}" "$(dabba_user images -q other/thing)"
check_eq "images --filter reference= with a glob" 3 \
  "$(dabba_user images -q --filter "reference=$REGISTRY/rig/*:latest" | wc -l)"
check_eq "images --filter label=" "$REGISTRY/rig/busybox:app" \
  "$(dabba_user images --format '{{.Repository}}:{{.Tag}}' --filter label=org.dabba.rig=app)"
check_eq "images --filter label!=" 0 \
  "$(dabba_user images -n --filter label!=org.dabba.rig --filter reference='*busybox:app' | wc -l)"
check_eq "images --filter id=" "$BB_ID" \
  "$(dabba_user images --no-trunc --format '{{.ID}}' --filter "id=${BB_ID:0:8}" | sort -u | sed 's/sha256://')"
check_eq "images --filter dangling=true: none yet" 0 "$(dabba_user images -n --filter dangling=true | wc -l)"
check_fails "images --filter bogus=1" dabba_user images --filter bogus=1
check_eq "images --sort repository" "$(dabba_user images --format '{{.Repository}}' | sort)" \
  "$(dabba_user images --format '{{.Repository}}' --sort repository)"
check_fails "images --sort bogus" dabba_user images --sort bogus
check_eq "images -q: unique 12-hex ids" 4 "$(dabba_user images -q | grep -cE '^[0-9a-f]{12}$')"
check_eq "images -q --no-trunc: sha256: ids" 4 "$(dabba_user images -q --no-trunc | grep -cE '^sha256:[0-9a-f]{64}$')"
check "images --digests adds DIGEST" grep -q "^REPOSITORY *TAG *DIGEST *IMAGE ID" <<<"$(dabba_user images --digests)"
check_eq "images --format 'table {{.ID}} {{.Tag}}': spaces are columns" "IMAGE ID TAG" \
  "$(dabba_user images --format 'table {{.ID}} {{.Tag}}' | head -n 1 | xargs)"
check "images --format {{.History}} keeps an untagged name" \
  grep -q "localhost/mybox:2" <<<"$(dabba_user images --format '{{.History}}' --filter reference=mybox)"
check_eq "images --format {{.Labels.x}}" "app" \
  "$(dabba_user images --format '{{index .Labels "org.dabba.rig"}}' --filter label=org.dabba.rig)"
check_eq "images --format json: podman's keys" "Containers Created CreatedAt Dangling Digest History Id Labels Names ParentId RepoDigests RepoTags SharedSize Size VirtualSize" \
  "$(dabba_user images --format json | jq -r '.[0] | keys | join(" ")')"
check_eq "image ls and image list are images" "$(dabba_user images -q)" "$(dabba_user image ls -q)"
check_eq "... list" "$(dabba_user images -q)" "$(dabba_user image list -q)"

# --- image exists -------------------------------------------------------------------------------
check_eq "image exists: 0" 0 "$(exit_code dabba_user image exists mybox)"
check_eq "image exists by id prefix: 0" 0 "$(exit_code dabba_user image exists "${BB_ID:0:6}")"
check_eq "image exists of nothing: 1" 1 "$(exit_code dabba_user image exists nope)"

# --- untag all, dangling, prune -----------------------------------------------------------------
check "untag with no names drops them all" dabba_user untag "$FIXTURE_SHARED"
check_eq "... the image stays, <none> <none>" 1 "$(dabba_user images -n --filter dangling=true | grep -c '^<none> *<none>')"
check_eq "... and remembers its names" "$REGISTRY/rig/shared:latest" \
  "$(dabba_user images --format '{{.History}}' --filter dangling=true)"
check "image prune -f removes it" grep -qE '^[0-9a-f]{64}$' <<<"$(dabba_user image prune -f)"
check_eq "... and only it" 0 "$(dabba_user images -n --filter dangling=true | wc -l)"
out=$(dabba_user image prune </dev/null 2>&1) && rc=0 || rc=$?
check "image prune without -f asks (and stops at EOF)" grep -q "Are you sure you want to continue" <<<"$out"

# --- rmi ----------------------------------------------------------------------------------------
check_eq "rmi of nothing: exit 1" 1 "$(exit_code dabba_user rmi nope)"
check_eq "rmi -i of nothing: exit 0" 0 "$(exit_code dabba_user rmi -i nope)"
dabba_user run --name user1 "$FIXTURE_BUSYBOX_APP" >/dev/null
check_eq "rmi of an image a container uses: exit 2" 2 "$(exit_code dabba_user rmi "$FIXTURE_BUSYBOX_APP")"
check_eq "rmi of a missing and a used image: exit 2 wins" 2 \
  "$(exit_code dabba_user rmi nope "$FIXTURE_BUSYBOX_APP")"
out=$(dabba_user rmi -f "$FIXTURE_BUSYBOX_APP" 2>&1)
check "rmi -f removes the containers that use it" \
  test -z "$(dabba_user ps -a --format '{{.Names}}' | grep -x user1 || true)"
check "... Untagged: and Deleted: lines" grep -q "^Untagged: $REGISTRY/rig/busybox:app" <<<"$out"
check_eq "image rm is rmi" 0 "$(exit_code dabba_user image rm other/thing:v1)"
out=$(dabba_user rmi -a 2>&1)
check "rmi -a says Deleted: with the ids" grep -qE '^Deleted: [0-9a-f]{64}$' <<<"$out"
check_eq "rmi -a: nothing left" 0 "$(image_count)"
check "gc frees their files" dabba_user gc
check "the store checks clean" dabba_user check

# --- as root --------------------------------------------------------------------------------------
dabba_root pull -q "$BUSYBOX" >/dev/null
check "[root] tag" dabba_root tag "$BUSYBOX" rootbox:1
check_eq "[root] inspect through the new name" "$BB_ID" "$(dabba_root inspect --format '{{.Id}}' rootbox:1)"
check_eq "[root] images --filter" "localhost/rootbox:1" \
  "$(dabba_root images --format '{{.Repository}}:{{.Tag}}' --filter reference=rootbox | grep localhost)"
check "[root] untag + prune -a" dabba_root image prune -a -f
check_eq "[root] nothing left" "" "$(dabba_root images -q)"
check "[root] the store checks clean" dabba_root check
check_done
