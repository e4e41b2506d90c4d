#!/bin/bash
# Volumes through the real binary, as the test user (key cases as root): volume create (labels,
# a taken name, a bad name), ls (-q, --format, --filter), inspect (podman's fields), exists, rm
# (exit 1 for none, 2 for one in use, -f removes its containers), prune; run -v NAME:/path (made
# on first use, filled from the image, kept across runs, :ro), -v /path and an image's VOLUME as
# anonymous volumes (gone with run --rm); inspect's Mounts, Binds and Tmpfs; --volumes-from (the
# source's volumes and binds in its mode or :ro/:rw, the new container's own -v wins, podman's errors).
set -euo pipefail
# shellcheck source=lib/run.sh
source "$(dirname "$0")/lib/run.sh"
run_setup volumes
dabba_root pull -q "$BUSYBOX" >/dev/null 2>&1

# --- volume create / ls / inspect / exists ------------------------------------------------------
check_eq "volume create prints the name" "v1" "$(dabba_user volume create --label a=b v1)"
check_eq "a taken name: exit 125" 125 "$(exit_code dabba_user volume create v1)"
check "... with podman's phrase" grep -q "volume with name v1 already exists: volume already exists" \
  <<<"$(dabba_user volume create v1 2>&1 || true)"
check_eq "--ignore: a taken name is fine" "v1" "$(dabba_user volume create --ignore v1)"
check_eq "a bad name: exit 125" 125 "$(exit_code dabba_user volume create -- -bad)"
ANON=$(dabba_user volume create)
check "no name: a random 64-hex one" grep -Eqx '[0-9a-f]{64}' <<<"$ANON"
dabba_user volume rm "$ANON" >/dev/null
check_eq "volume ls: podman's table" "DRIVER      VOLUME NAME
local       v1" "$(dabba_user volume ls)"
check_eq "volume ls -q" "v1" "$(dabba_user volume ls -q)"
check_eq "volume ls --format" "v1 local map[a:b]" \
  "$(dabba_user volume ls --format '{{.Name}} {{.Driver}} {{.Labels}}')"
check_eq "--filter label=a=b" "v1" "$(dabba_user volume ls -q --filter label=a=b)"
check_eq "--filter label=a=c" "" "$(dabba_user volume ls -q --filter label=a=c)"
check_eq "--filter name=v" "v1" "$(dabba_user volume ls -q --filter name=v)"
check_eq "--filter name= is a regular expression (podman's)" "v1" \
  "$(dabba_user volume ls -q --filter 'name=^v.$')"
check_eq "an unknown filter: exit 125" 125 "$(exit_code dabba_user volume ls --filter bogus=1)"
J=$(dabba_user volume inspect v1)
check_eq "inspect: Name, Driver, Scope, Labels" "v1 local local b" \
  "$(jq -r '.[0] | "\(.Name) \(.Driver) \(.Scope) \(.Labels.a)"' <<<"$J")"
check_eq "inspect: the Mountpoint is the store's volumes/v1/_data" "$STORE/volumes/v1/_data" \
  "$(jq -r '.[0].Mountpoint' <<<"$J")"
check "inspect: CreatedAt is RFC 3339" grep -Eq '"CreatedAt": "20[0-9]{2}-' <<<"$J"
check_eq "inspect --format" "v1" "$(dabba_user volume inspect --format '{{.Name}}' v1)"
check_eq "inspect of a missing volume: exit 125" 125 "$(exit_code dabba_user volume inspect nope)"
check_eq "volume exists v1: 0" 0 "$(exit_code dabba_user volume exists v1)"
check_eq "volume exists nope: 1" 1 "$(exit_code dabba_user volume exists nope)"
check_eq "volume rm of a missing one: exit 1" 1 "$(exit_code dabba_user volume rm nope)"
check "... with podman's phrase" grep -q 'no volume with name "nope" found: no such volume' \
  <<<"$(dabba_user volume rm nope 2>&1 || true)"

# --- run -v NAME:/path --------------------------------------------------------------------------
dabba_user run --rm -v v1:/data "$BUSYBOX" sh -c 'echo kept > /data/f' >/dev/null
check_eq "a named volume keeps what a container wrote" "kept" \
  "$(dabba_user run --rm -v v1:/data "$BUSYBOX" cat /data/f)"
check_eq "... the file is in the volume's directory, owned by the caller (the container's root)" \
  "$(id -u dabba-test)" "$(stat -c %u "$STORE/volumes/v1/_data/f")"
check_fails "-v NAME:/path:ro is read-only" dabba_user run --rm -v v1:/data:ro "$BUSYBOX" \
  sh -c 'echo x > /data/g'
check_eq "a volume made on first use" "root" \
  "$(dabba_user run --rm -v fresh:/etc "$BUSYBOX" sh -c 'head -1 /etc/passwd | cut -d: -f1')"
check "... filled from the image's directory at that path" test -s "$STORE/volumes/fresh/_data/passwd"
check_eq "... and listed" "fresh v1" "$(dabba_user volume ls -q | sort | xargs)"
check_eq "a volume already used keeps its content (not filled again)" "kept" \
  "$(dabba_user run --rm -v v1:/etc "$BUSYBOX" /bin/cat /etc/f)"

# --- copy-up of a `volume create`d volume (podman's 160-volumes: NeedsCopyUp, NeedsChown) --------
dabba_user volume create made >/dev/null
check_eq "a new volume: NeedsCopyUp and NeedsChown" "true true" \
  "$(dabba_user volume inspect -f '{{.NeedsCopyUp}} {{.NeedsChown}}' made)"
dabba_user run --rm -v made:/nothing-here "$BUSYBOX" true
check_eq "... mounted where the image has nothing: still NeedsCopyUp, no more NeedsChown" \
  "true false" "$(dabba_user volume inspect -f '{{.NeedsCopyUp}} {{.NeedsChown}}' made)"
check_eq "... mounted on the image's /etc: filled from it (it was still empty)" /etc/passwd \
  "$(dabba_user run --rm -v made:/etc "$BUSYBOX" ls /etc/passwd)"
check_eq "... NeedsCopyUp false now" false "$(dabba_user volume inspect -f '{{.NeedsCopyUp}}' made)"
check "... the image's file is in the volume" test -e "$STORE/volumes/made/_data/passwd"
dabba_user volume rm made >/dev/null

# --- in use -------------------------------------------------------------------------------------
dabba_user run --name holder -v v1:/data "$BUSYBOX" true >/dev/null
check_eq "volume rm of a volume in use: exit 2" 2 "$(exit_code dabba_user volume rm v1)"
check "... with podman's phrase" grep -q "volume v1 is being used by the following container(s): .*: volume is being used" \
  <<<"$(dabba_user volume rm v1 2>&1 || true)"
out=$(dabba_user volume prune <<<N)
check_eq "volume prune's question lists the unused volumes, a name a line (podman's)" fresh \
  "$(sed -n 2p <<<"$out")"
check_eq "... and N keeps them" "fresh v1" "$(dabba_user volume ls -q | xargs)"
check_eq "volume prune leaves a volume in use" "fresh" "$(dabba_user volume prune -f)"
check_eq "volume rm --force of a missing volume: 0, nothing said (podman 4.3)" "0 " \
  "$(exit_code dabba_user volume rm --force bogus) $(dabba_user volume rm --force bogus 2>&1)"
check_eq "volume rm -f removes the container too" "v1" "$(dabba_user volume rm -f v1)"
check_eq "... no container left" "" "$(dabba_user ps -a -q)"
check_eq "... no volume left" "" "$(dabba_user volume ls -q)"
check "... its directory is gone" test ! -e "$STORE/volumes/v1"

# --- anonymous volumes --------------------------------------------------------------------------
dabba_user run --name anon -v /scratch "$BUSYBOX" sh -c 'echo a > /scratch/x' >/dev/null
A=$(dabba_user volume ls -q)
check "-v /path makes an anonymous volume (64 hex)" grep -Eqx '[0-9a-f]{64}' <<<"$A"
check_eq "... holding what the container wrote" "a" "$(cat "$STORE/volumes/$A/_data/x")"
dabba_user rm anon >/dev/null
dabba_user volume prune -f >/dev/null
dabba_user run --name vc "$BUSYBOX" true >/dev/null
dabba_user commit -q -c 'VOLUME /etc' vc withvol >/dev/null
dabba_user rm vc >/dev/null
check_eq "an image's VOLUME: an anonymous volume filled from the image" "root" \
  "$(dabba_user run --name img-vol withvol sh -c 'head -1 /etc/passwd | cut -d: -f1')"
check_eq "... one volume made" 1 "$(dabba_user volume ls -q | wc -l)"
dabba_user rm img-vol >/dev/null
dabba_user volume prune -f >/dev/null
dabba_user run --rm withvol true
check_eq "run --rm removes its anonymous volumes" "" "$(dabba_user volume ls -q)"
dabba_user run --rm -v named2:/etc withvol true
check_eq "-v NAME over an image's VOLUME: no anonymous one, the named one stays" "named2" \
  "$(dabba_user volume ls -q)"

# --- inspect's Mounts, --volumes-from -----------------------------------------------------------
HOSTDIR=$WORK/vf-host
install -d -o dabba-test "$HOSTDIR"
dabba_user create --name src -v vf:/data -v "$HOSTDIR":/host:ro -v /anon --tmpfs /t "$BUSYBOX" \
  true >/dev/null
J=$(dabba_user inspect src)
check_eq "inspect .Mounts: binds and volumes (not tmpfs), as podman" \
  "volume vf /data true local|bind  /host false " \
  "$(jq -r '[.[0].Mounts[] | select(.Destination != "/anon") |
     "\(.Type) \(.Name // "") \(.Destination) \(.RW) \(.Driver)"] | join("|")' <<<"$J")"
check_eq "... a volume's Source is its _data directory" "$STORE/volumes/vf/_data" \
  "$(jq -r '.[0].Mounts[] | select(.Name == "vf") | .Source' <<<"$J")"
check_eq "... HostConfig.Binds" "vf:/data:rw,rprivate,nosuid,nodev,rbind $HOSTDIR:/host:ro,rprivate,rbind" \
  "$(jq -r '[.[0].HostConfig.Binds[] | select(test(":/anon:") | not)] | join(" ")' <<<"$J")"
check_eq "... HostConfig.Tmpfs" "/t" "$(jq -r '.[0].HostConfig.Tmpfs | keys | join(" ")' <<<"$J")"
PS_MOUNTS=$(dabba_user ps -a --filter name=src --format '{{.Mounts}}')
check "ps --format {{.Mounts}}: a Go list [...]" grep -Eqx '\[[^]]+\]' <<<"$PS_MOUNTS"
check_eq "... of the destinations" "/anon /data /host /t" \
  "$(tr -d '[]' <<<"$PS_MOUNTS" | xargs -n1 | sort | xargs)"
echo host-file > "$HOSTDIR/h"
dabba_user run --rm -v vf:/data "$BUSYBOX" sh -c 'echo from-vf > /data/f' >/dev/null
check_eq "--volumes-from: the source's volumes, anonymous ones and binds, not its tmpfs" \
  "from-vf host-file yes no" \
  "$(dabba_user run --rm --volumes-from src "$BUSYBOX" sh -c \
     'echo $(cat /data/f) $(cat /host/h) $(test -d /anon && echo yes) \
      $(grep -q " /t tmpfs" /proc/mounts && echo yes || echo no)')"
check_fails "... in the source's mode (/host was :ro)" dabba_user run --rm --volumes-from src \
  "$BUSYBOX" sh -c 'echo x > /host/y'
dabba_user run --rm --volumes-from src "$BUSYBOX" sh -c 'echo w > /data/w'
check_eq "... a volume read-write in the source is read-write" "w" \
  "$(cat "$STORE/volumes/vf/_data/w")"
check_fails "--volumes-from src:ro makes them all read-only" dabba_user run --rm \
  --volumes-from src:ro "$BUSYBOX" sh -c 'echo x > /data/y'
check_eq "... and :rw read-write" "" "$(dabba_user run --rm --volumes-from src:rw \
  "$BUSYBOX" sh -c 'echo x > /host/rw-ok; rm /host/rw-ok')"
check_eq "the container's own -v at the same place wins" "" \
  "$(dabba_user run --rm --volumes-from src -v other:/data "$BUSYBOX" sh -c 'ls /data')"
dabba_user create --name vfc --volumes-from src "$BUSYBOX" true >/dev/null
check_eq "a container made with --volumes-from shows the mounts in inspect" "/anon /data /host" \
  "$(dabba_user inspect --format '{{range .Mounts}}{{.Destination}} {{end}}' vfc | xargs -n1 |
     sort | xargs)"
check_eq "--volumes-from a missing container: exit 125" 125 \
  "$(exit_code dabba_user run --rm --volumes-from nope "$BUSYBOX" true)"
check "... podman's phrase" grep -q 'looking up container "nope" for volumes-from: no container with name or ID "nope" found: no such container' \
  <<<"$(dabba_user run --rm --volumes-from nope "$BUSYBOX" true 2>&1 || true)"
check_eq "a bad option: exit 125" 125 \
  "$(exit_code dabba_user run --rm --volumes-from src:Z "$BUSYBOX" true)"
check "... podman's phrase" grep -q 'invalid option "Z" specified - volumes from another container can only use z,ro,rw options' \
  <<<"$(dabba_user run --rm --volumes-from src:Z "$BUSYBOX" true 2>&1 || true)"
check_eq "ro twice: podman's phrase" 1 "$(dabba_user run --rm --volumes-from src:ro,rw \
  "$BUSYBOX" true 2>&1 | grep -c 'cannot set ro or rw options more than once')"
SRC_ANON=$(dabba_user inspect --format '{{range .Mounts}}{{if eq .Destination "/anon"}}{{.Name}}{{end}}{{end}}' src)
check "src's anonymous volume is named (64 hex)" grep -Eqx '[0-9a-f]{64}' <<<"$SRC_ANON"
dabba_user rm -v src >/dev/null
check_eq "rm -v keeps an anonymous volume another container uses" 0 \
  "$(exit_code dabba_user volume exists "$SRC_ANON")"
dabba_user rm -v vfc >/dev/null
check_eq "... and removes it with the last one (rm -v)" 1 \
  "$(exit_code dabba_user volume exists "$SRC_ANON")"
check_eq "... named volumes stay" 0 "$(exit_code dabba_user volume exists vf)"
dabba_user rm -a -f >/dev/null

# --- the local driver's options, export/import, mount ------------------------------------------
out=$(dabba_user volume create -o type=bind -o device=/bogus vbad 2>&1) && rc=0 || rc=$?
check_eq "type=bind with a missing device: exit 125" 125 "$rc"
check "... podman's words" grep -qx "Error: invalid volume option device for driver 'local': stat /bogus: no such file or directory" <<<"$out"
out=$(dabba_user volume create -o bogus=1 vbad 2>&1) && rc=0 || rc=$?
check "an unknown option: podman's words" grep -q "invalid mount option bogus for driver 'local'" <<<"$out"
mkdir -p "$WORK/bindvol" && echo bound >"$WORK/bindvol/f" && chown -R dabba-test "$WORK/bindvol"
dabba_user volume create -o type=bind -o "device=$WORK/bindvol" vbind >/dev/null
check_eq "a type=bind volume mounts its device" "bound" \
  "$(dabba_user run --rm -v vbind:/v "$BUSYBOX" cat /v/f)"
dabba_user volume create -o type=tmpfs -o device=tmpfs -o o=size=2m vtmp >/dev/null
check_eq "a type=tmpfs volume is a tmpfs (o=size= applied)" "tmpfs 2048" \
  "$(dabba_user run --rm -v vtmp:/v "$BUSYBOX" sh -c 'stat -f -c %T /v; df -k /v | tail -1' | awk 'NR==1{t=$0} NR==2{print t, $2}')"
dabba_user volume create -o uid=1000 -o gid=2000 vown >/dev/null
check_eq "-o uid= -o gid= own the volume" "1000:2000" \
  "$(dabba_user run --rm -v vown:/v "$BUSYBOX" stat -c %u:%g /v)"
dabba_user volume create vexp >/dev/null && dabba_user volume create vimp >/dev/null
dabba_user run --rm -v vexp:/d "$BUSYBOX" sh -c 'echo exported > /d/x; mkdir /d/sub; echo s > /d/sub/y'
mkdir -p "$WORK/exp" && chown dabba-test "$WORK/exp"
check "volume export -o FILE" dabba_user volume export vexp --output="$WORK/exp/vexp.tar"
check "... a tar of the content" grep -q '^./sub/y$\|^sub/y$' <(tar -tf "$WORK/exp/vexp.tar")
check "volume import NAME - (stdin)" as_user sh -c "'$TEST_DABBA' --root '$STORE' volume import vimp - < '$WORK/exp/vexp.tar'"
check_eq "... the content arrives" "exported s" \
  "$(dabba_user run --rm -v vimp:/d "$BUSYBOX" sh -c 'cat /d/x /d/sub/y' | xargs)"
out=$(dabba_user volume mount vexp 2>&1) && rc=0 || rc=$?
check_eq "volume mount rootless: exit 125" 125 "$rc"
check "... podman's words" grep -q 'in rootless mode, must execute `podman unshare` first' <<<"$out"
check_eq "volume mount inside dabba unshare: the directory" \
  "$(dabba_user volume inspect vexp --format '{{.Mountpoint}}')" \
  "$(dabba_user unshare "$TEST_DABBA" --root "$STORE" volume mount vexp)"
dabba_user volume rm vbind vtmp vown vexp vimp >/dev/null
# :U, as podman's test: the source chowned to the container's user, again when its top changed,
# not when only a file below did.
mkdir -p "$WORK/uvol" && touch "$WORK/uvol/f" && chown -R dabba-test:dabba-test "$WORK/uvol"
check_eq "-v DIR:/data:U: owned by --user" "1000:2000 1000:2000" \
  "$(dabba_user run --name uown --user 1000:2000 -v "$WORK/uvol:/data:U" "$BUSYBOX" stat -c %u:%g /data /data/f | xargs)"
dabba_user unshare chown -R 100:200 "$WORK/uvol"
check_eq "... chowned again at the next start when its top changed" "1000:2000 1000:2000" \
  "$(dabba_user start --attach uown | xargs)"
dabba_user unshare chown 100:200 "$WORK/uvol/f"
dabba_user start --attach uown >/dev/null
check_eq "... not when only a file below did" "100:200" "$(dabba_user unshare stat -c %u:%g "$WORK/uvol/f")"
dabba_user rm uown >/dev/null

# --- --volumepath: volumes elsewhere ------------------------------------------------------------
mkdir -p "$WORK/vpath" && chown "$RIG_USER" "$WORK/vpath"
check_eq "--volumepath: info's VolumePath" "$WORK/vpath" \
  "$(dabba_user --volumepath "$WORK/vpath" info --format '{{.Store.VolumePath}}')"
dabba_user --volumepath "$WORK/vpath" run --rm -v vp:/data "$BUSYBOX" sh -c 'echo vp > /data/f'
check_eq "... a new volume lives there, and the container's file is in it" vp \
  "$(cat "$WORK/vpath/vp/_data/f")"
dabba_user --volumepath "$WORK/vpath" run -d --rm --name vpd -v /anon "$BUSYBOX" true >/dev/null
vpd_gone() { [ -z "$(dabba_user ps -a -q --filter name=^vpd\$)" ]; }
check "... -d --rm with an anonymous volume: gone" wait_for 10 vpd_gone
check_eq "... the supervisor's cleanup removed its volume there too" vp "$(ls "$WORK/vpath")"
check_eq "... volume rm removes it there" "vp gone" \
  "$(dabba_user --volumepath "$WORK/vpath" volume rm vp) $(test -e "$WORK/vpath/vp" && echo left || echo gone)"

# --- as root ------------------------------------------------------------------------------------
check_eq "root: volume create" "rv" "$(dabba_root volume create rv)"
dabba_root run --rm -v rv:/data "$BUSYBOX" sh -c 'echo r > /data/f' >/dev/null
check_eq "root: a named volume keeps what a container wrote" "r" \
  "$(dabba_root run --rm -v rv:/data "$BUSYBOX" cat /data/f)"
check_eq "root: volume rm" "rv" "$(dabba_root volume rm rv)"

check_done
