#!/bin/bash
# cp, diff and top through the real binary, as the test user (key cases as root): cp both ways
# for a running and a stopped container, files and directories, `-` tar streams, owners; symlink
# attacks (links in the container to /, ../.. and host paths must keep cp inside the container's
# root, reading and writing); diff's A/C/D lines and --format json; top's default columns and
# descriptors.
set -euo pipefail
# shellcheck source=lib/run.sh
source "$(dirname "$0")/lib/run.sh"
run_setup cp_diff_top
dabba_root pull -q "$BUSYBOX" >/dev/null 2>&1
LOOP="while :; do sleep 0.1; done # $MARK"
H=$WORK/host
mkdir -p "$H/dir/sub" && echo hello >"$H/file" && echo deep >"$H/dir/sub/x"
chown -R dabba-test "$H"
U=$(id -u dabba-test)

dabba_user run -d --name live "$BUSYBOX" sh -c "$LOOP" >/dev/null
wait_until dabba_user exec live true

# --- cp into a running container ---------------------------------------------------------------
dabba_user cp "$H/file" live:/tmp/
check_eq "cp FILE ctr:/dir/: lands under its name" "hello" "$(dabba_user exec live cat /tmp/file)"
check_eq "... owned by the container's root" "0:0" "$(dabba_user exec live stat -c %u:%g /tmp/file)"
dabba_user cp "$H/file" live:/tmp/renamed
check_eq "cp FILE ctr:/new-name" "hello" "$(dabba_user exec live cat /tmp/renamed)"
dabba_user cp "$H/dir" live:/tmp/
check_eq "cp DIR ctr:/existing-dir: DIR inside it" "deep" "$(dabba_user exec live cat /tmp/dir/sub/x)"
dabba_user cp "$H/dir/." live:/opt
check_eq "cp DIR/. ctr:/dir: the contents" "deep" "$(dabba_user exec live cat /opt/sub/x)"
check_eq "cp to a missing parent: exit 125" 125 "$(exit_code dabba_user cp "$H/file" live:/no/such/x)"
check_eq "cp from a missing host path: exit 125" 125 "$(exit_code dabba_user cp "$H/nope" live:/tmp)"

# --- cp out of a running container -------------------------------------------------------------
OUT=$WORK/out && mkdir -p "$OUT" && chown dabba-test "$OUT"
dabba_user cp live:/etc/passwd "$OUT/"
check "cp ctr:FILE HOSTDIR/" cmp "$OUT/passwd" <(dabba_user exec live cat /etc/passwd)
check_eq "... owned by the caller" "$U" "$(stat -c %u "$OUT/passwd")"
dabba_user cp live:/tmp/dir "$OUT/copied"
check_eq "cp ctr:DIR HOST-NEW: a copy of DIR" "deep" "$(cat "$OUT/copied/sub/x")"
check_eq "cp of a missing path: exit 125" 125 "$(exit_code dabba_user cp live:/nope "$OUT/")"
check "... says it could not be found" grep -q '"/nope" could not be found on container live' \
  <<<"$(dabba_user cp live:/nope "$OUT/" 2>&1 || true)"

# --- tar streams --------------------------------------------------------------------------------
check_eq "cp ctr:DIR -: a tar of DIR under its name" "dir/sub/x" \
  "$(dabba_user cp live:/tmp/dir - | tar -t | grep 'sub/x$')"
dabba_user exec live mkdir /srv
tar -C "$H" -c file dir | dabba_user cp - live:/srv
check_eq "cp - ctr:DIR: the tar unpacked into DIR" "hello deep" \
  "$(dabba_user exec live cat /srv/file /srv/dir/sub/x | xargs)"

# --- symlinks stay inside the container ---------------------------------------------------------
SECRET=$WORK/secret && echo host-secret >"$SECRET" && chmod 644 "$SECRET"
dabba_user exec live sh -c "mkdir -p '$WORK' && echo ctr-copy > '$SECRET' &&
  ln -s / /tmp/root && ln -s ../../../../../../.. /tmp/up && ln -s '$WORK' /tmp/wl &&
  ln -s '$SECRET' /tmp/sl"
dabba_user cp live:/tmp/sl "$OUT/sl" 2>/dev/null || true
check_eq "cp out through a link to a host path reads the container's file, not the host's" \
  "ctr-copy" "$(cat "$OUT/sl" 2>/dev/null)"
dabba_user cp "live:/tmp/up$SECRET" "$OUT/up" 2>/dev/null || true
check_eq "cp out through ../.. stops at the container's root" "ctr-copy" "$(cat "$OUT/up" 2>/dev/null)"
dabba_user cp "live:/tmp/root/etc/hostname" "$OUT/hn"
check_eq "a link to / is the container's /" "$(dabba_user exec live cat /etc/hostname)" "$(cat "$OUT/hn")"
dabba_user cp "$H/file" live:/tmp/wl/planted 2>/dev/null || true
check "cp in through a link to a host dir writes inside the container ..." \
  dabba_user exec live test -f "$WORK/planted"
check "... and never on the host" test ! -e "$WORK/planted"
dabba_user cp "$H/file" "live:/tmp/up$WORK/planted2" 2>/dev/null || true
check "cp in through ../.. never writes on the host" test ! -e "$WORK/planted2"
check_eq "the host's file is untouched" "host-secret" "$(cat "$SECRET")"
printf 'evil\n' >"$WORK/evil" && tar -C "$WORK" -c --transform 's|^evil$|../../../../../../tmp/escaped-'$$'|' evil \
  | dabba_user cp - live:/tmp 2>/dev/null || true
check "a tar with ../ names writes nothing outside" test ! -e "/tmp/escaped-$$"

# --- top ----------------------------------------------------------------------------------------
T=$(dabba_user top live)
check_eq "top: podman's default columns" "USER PID PPID %CPU ELAPSED TTY TIME COMMAND" \
  "$(head -1 <<<"$T" | xargs)"
check "top: PID 1 is the container's sh, as root" grep -Eq '^root +1 +0 +[0-9.]+ +[0-9hms.]+ +\? +[0-9hms.]+ +sh -c' <<<"$T"
check_eq "top with descriptors (comma list)" "PID COMMAND 1 sh" \
  "$(dabba_user top live pid,comm | head -2 | xargs)"
check_eq "top with AIX descriptors" "PID USER 1 root" "$(dabba_user top live %p %U | head -2 | xargs)"
check_eq "top with an unknown descriptor: exit 125" 125 "$(exit_code dabba_user top live bogus)"

# --- a stopped container ------------------------------------------------------------------------
dabba_user run --name stopped "$BUSYBOX" sh -c 'echo made > /made; rm /etc/group; mkdir /newdir' >/dev/null
dabba_user cp stopped:/made "$OUT/made"
check_eq "cp out of a stopped container" "made" "$(cat "$OUT/made")"
dabba_user cp "$H/file" stopped:/etc/
check "cp into a stopped container: in its upper dir" test -f "$STORE/containers/$(dabba_user ps -a -q --no-trunc --filter name=stopped 2>/dev/null || dabba_user ps -a --format json | jq -r '.[] | select(.name=="stopped") | .id')/upper/etc/file"
# podman's cases: a created container's volumes and tmpfs, container to container, --overwrite,
# compressed tars on stdin, podman's error words.
dabba_user volume create cpv1 >/dev/null && dabba_user volume create cpv2 >/dev/null
dabba_user create --name withvols -v cpv1:/tmp/volume -v cpv2:/tmp/volume/sub "$BUSYBOX" >/dev/null
check "cp into a created container's nested volume" dabba_user cp "$H/file" withvols:/tmp/volume/sub
check_eq "... lands in that volume" "hello" \
  "$(cat "$(dabba_user volume inspect cpv2 --format '{{.Mountpoint}}')/file")"
check_eq "... and nothing in the outer one (not even a mount point)" "" \
  "$(ls -A "$(dabba_user volume inspect cpv1 --format '{{.Mountpoint}}')")"
check "cp out of a created container's volume" dabba_user cp withvols:/tmp/volume/sub/file "$OUT/fromvol"
check_eq "... reads the volume" "hello" "$(cat "$OUT/fromvol")"
check "cp of a created container's volume directory to a host directory" \
  dabba_user cp withvols:/tmp/volume/sub "$OUT"
check_eq "... lands under the container path's name" "hello" "$(cat "$OUT/sub/file")"
echo bound >"$H/bound.conf" && chown dabba-test "$H/bound.conf"
dabba_user create --name withfile -v "$H/bound.conf:/etc/app.conf" "$BUSYBOX" >/dev/null
check "cp out of a created container's file bind" dabba_user cp withfile:/etc/app.conf "$OUT/app.conf"
check_eq "... reads the bound file" "bound" "$(cat "$OUT/app.conf")"
dabba_user rm withfile >/dev/null
dabba_user create --name withtmpfs --mount type=tmpfs,dst=/tmp "$BUSYBOX" sleep 100 >/dev/null
dabba_user cp "$H/file" withtmpfs:/tmp
dabba_user start withtmpfs >/dev/null
check_eq "cp into a created container's tmpfs path: there after start (tmpcopyup)" "hello" \
  "$(dabba_user exec withtmpfs cat /tmp/file)"
check_eq "--tmpfs ...:notmpcopyup starts empty" "0" \
  "$(dabba_user run --rm --tmpfs /etc:notmpcopyup "$BUSYBOX" sh -c 'ls /etc | wc -l')"
dabba_user exec live sh -c 'mkdir -p /tmp/odir; echo other > /tmp/odir/o'
check "cp between two containers (a file)" dabba_user cp live:/tmp/odir/o withtmpfs:/
check_eq "... arrives" "other" "$(dabba_user exec withtmpfs cat /o)"
check "cp between two containers (a directory)" dabba_user cp live:/tmp/odir withtmpfs:/tmp
check_eq "... arrives under its name" "other" "$(dabba_user exec withtmpfs cat /tmp/odir/o)"
dabba_user exec withtmpfs sh -c 'mkdir /tmp/clash'
echo file >"$H/clash" && chown dabba-test "$H/clash"
out=$(dabba_user cp "$H/clash" withtmpfs:/tmp 2>&1) && rc=0 || rc=$?
check_eq "a file over a directory without --overwrite: exit 125" 125 "$rc"
check "... podman's words" grep -q 'error creating "/tmp/clash": .*: file exists' <<<"$out"
check "--overwrite replaces the directory" dabba_user cp --overwrite "$H/clash" withtmpfs:/tmp
check_eq "... by the file" "file" "$(dabba_user exec withtmpfs cat /tmp/clash)"
out=$(dabba_user cp "$H/dir" withtmpfs:/tmp/clash 2>&1) && rc=0 || rc=$?
check "a directory onto a file: podman's words" \
  grep -qx 'Error: destination must be a directory when copying a directory' <<<"$out"
(cd "$H" && tar czf "$WORK/in.tgz" file)
as_user sh -c "'$TEST_DABBA' --root '$STORE' cp - withtmpfs:/tmp/odir < '$WORK/in.tgz'"
check_eq "... unpacked" "hello" "$(dabba_user exec withtmpfs cat /tmp/odir/file)"
out=$(as_user sh -c "'$TEST_DABBA' --root '$STORE' cp - withtmpfs:/tmp < '$H/file'" 2>&1) && rc=0 || rc=$?
check "cp - of a non-tar: podman's words" \
  grep -qx 'Error: source must be a (compressed) tar archive when copying from stdin' <<<"$out"
out=$(as_user sh -c "'$TEST_DABBA' --root '$STORE' cp - withtmpfs:/nodir < '$WORK/in.tgz'" 2>&1) && rc=0 || rc=$?
check "cp - to a missing directory: podman's words" \
  grep -qx 'Error: destination must be a directory when copying from stdin' <<<"$out"
out=$(as_user sh -c "'$TEST_DABBA' --root '$STORE' cp live:/etc/hostname /dev/stdout | cat" 2>&1)
check "cp to /dev/stdout (a pipe): podman's words" grep -q '"/dev/stdout" must be a directory or a regular file' <<<"$out"
out=$(dabba_user cp 'live:nope*' "$OUT" 2>&1) && rc=0 || rc=$?
check "a missing relative path is named as typed" grep -q '"nope\*" could not be found on container live' <<<"$out"
check "--pause=false is accepted" dabba_user cp --pause=false "$H/file" live:/tmp/paused
dabba_user rm -f -t 0 withvols withtmpfs >/dev/null

D=$(dabba_user diff stopped)
check "diff: A for a new file" grep -qx 'A /made' <<<"$D"
check "diff: A for a new directory" grep -qx 'A /newdir' <<<"$D"
check "diff: C for a changed directory" grep -qx 'C /etc' <<<"$D"
check "diff: D for a deleted file" grep -qx 'D /etc/group' <<<"$D"
check "diff: A for what cp put in" grep -qx 'A /etc/file' <<<"$D"
check_eq "diff --format json" '/etc/group' "$(dabba_user diff --format json stopped | jq -r '.deleted[0]')"
check_eq "diff of a missing container: exit 125" 125 "$(exit_code dabba_user diff nope)"

# --- as root ------------------------------------------------------------------------------------
dabba_root run -d --name rlive "$BUSYBOX" sh -c "$LOOP" >/dev/null
wait_until dabba_root exec rlive true
dabba_root cp "$H/file" rlive:/tmp/
check_eq "root: cp into a running container" "hello" "$(dabba_root exec rlive cat /tmp/file)"
dabba_root exec rlive ln -s / /tmp/root
dabba_root cp rlive:/tmp/root/etc/hostname "$OUT/rhn"
check_eq "root: a link to / is the container's /" "$(dabba_root exec rlive cat /etc/hostname)" "$(cat "$OUT/rhn")"
check_eq "root: top's first row" "root 1" "$(dabba_root top rlive user,pid | sed -n 2p | xargs)"
dabba_root rm -f rlive >/dev/null
dabba_user rm -f live stopped >/dev/null

check_done
