#!/bin/bash
# save and load of a ~200 MB image (one gzip layer: the debootstrap minbase of bookworm that
# pull_vs_podman.sh and unpack_vs_tar.sh use), dabba beside podman (rootless, overlay driver), by
# the same unprivileged user, on the same fresh ext4 filesystem:
#
#   save:   dabba save -o F IMAGE          podman save -o F IMAGE            (docker-archive)
#           dabba save --format oci-archive podman save --format oci-archive
#   load:   dabba load -i F                podman load -i F                  (podman's docker-archive)
#           DABBA_SYNC=0 dabba load -i F   (no flush: what podman does)
#
# Each case runs RUNS times, interleaved, each load into fresh storage, with an untimed `sync`
# before every run so no case pays for another's dirty pages. Wall time from GNU time.
#
#   sudo benchmarks/save_load_vs_podman.sh [BUILD_DIR]      (default: build)
#   RUNS=5, BENCH_USER=dabba-test, DABBA_BENCH_DIR=/var/tmp/dabba-bench (the layer's cache)
set -euo pipefail
# shellcheck source=lib/debian_layer.sh
source "$(dirname "$(readlink -f "$0")")/lib/debian_layer.sh"
bench_settings "${1:-build}"
W=$BENCH/saveload
PY=/usr/bin/python3

[ "$(id -u)" -eq 0 ] || { echo "run as root (it mounts a scratch filesystem)"; exit 1; }
[ -x "$DABBA" ] || { echo "build $DABBA first"; exit 1; }
for tool in podman igzip jq tar mkfs.ext4 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "needs $tool"; exit 1; }
done
id "$BUSER" >/dev/null || { echo "no user $BUSER (scripts/rig user $BUSER makes one)"; exit 1; }
mkdir -p "$BENCH" "$W"
debian_layer "$LAYER"

# --- the image as a dir: layout (both `dabba load` and `podman load` read it) --------------------
IMG=$W/image
debian_image_dir "$LAYER" "$IMG"
chmod -R a+rX "$W"

# --- a fresh ext4 for the runs ---------------------------------------------------------------------
MNT=$W/mnt
RUNTIME=""
cleanup() {
  if [ -n "$RUNTIME" ]; then
    local p
    for p in "$RUNTIME"/*/libpod/tmp/pause.pid; do
      [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null || true
    done
    rm -rf --one-file-system "$RUNTIME"
  fi
  umount "$MNT" 2>/dev/null || true
  rm -f "$W/fs.img"
  rmdir "$MNT" 2>/dev/null || true
}
trap cleanup EXIT
mkdir -p "$MNT"
rm -f "$W/fs.img"
truncate -s 40G "$W/fs.img"
mkfs.ext4 -q -F "$W/fs.img"
mount -o loop "$W/fs.img" "$MNT"
chown "$BUSER:" "$MNT"
RUNTIME=$(mktemp -d /tmp/dsl.XXXX)
chown "$BUSER:" "$RUNTIME"
as_user() { runuser -u "$BUSER" -- env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
  HOME="$MNT" USER="$BUSER" "$@"; }
podman_at() {  # podman_at ROOT RUNROOT ARGS...
  local root=$1 run=$2
  shift 2
  echo "podman --root $root --runroot $run --storage-driver overlay --events-backend file \
--cgroup-manager cgroupfs $*"
}

# The stores save reads from, loaded once (untimed).
REF=localhost/bench/debian:latest
as_user mkdir -p "$MNT/src" "$RUNTIME/src"
as_user chmod 0700 "$RUNTIME/src"
as_user env XDG_RUNTIME_DIR="$RUNTIME/src" "$DABBA" --root "$MNT/src/dabba" load -q -i "$IMG" >/dev/null
as_user env XDG_RUNTIME_DIR="$RUNTIME/src" "$DABBA" --root "$MNT/src/dabba" tag "$(
  as_user env XDG_RUNTIME_DIR="$RUNTIME/src" "$DABBA" --root "$MNT/src/dabba" images -q)" "$REF"
as_user env XDG_RUNTIME_DIR="$RUNTIME/src" bash -c \
  "$(podman_at "$MNT/src/podman" "$RUNTIME/src/podman" load -q -i "$IMG") >/dev/null"
as_user env XDG_RUNTIME_DIR="$RUNTIME/src" bash -c \
  "$(podman_at "$MNT/src/podman" "$RUNTIME/src/podman" tag "$(
    as_user env XDG_RUNTIME_DIR="$RUNTIME/src" bash -c "$(podman_at "$MNT/src/podman" \
      "$RUNTIME/src/podman" images -q)")" "$REF")"
# The archive both loads read: podman's own docker-archive.
ARCHIVE=$MNT/src/podman-save.tar
as_user env XDG_RUNTIME_DIR="$RUNTIME/src" bash -c \
  "$(podman_at "$MNT/src/podman" "$RUNTIME/src/podman" save -q -o "$ARCHIVE" "$REF")"
echo "image: layer $(stat -c %s "$LAYER") bytes gzip; docker-archive $(stat -c %s "$ARCHIVE") bytes"

RESULTS=$W/results.txt
: >"$RESULTS"
run_case() {
  local name=$1 i=$2 d=$MNT/runs/$1-$2 run=$RUNTIME/$1-$2 cmd
  # save reads the source stores, whose runroot podman recorded when they were made.
  [[ $name == *save* ]] && run=$RUNTIME/src
  as_user mkdir -p "$d" "$run"
  as_user chmod 0700 "$run"
  case $name in
    dabba-save) cmd="$DABBA --root $MNT/src/dabba save -q -o $d/out.tar $REF" ;;
    podman-save) cmd="$(podman_at "$MNT/src/podman" "$run/podman" save -q -o "$d/out.tar" "$REF")" ;;
    dabba-save-oci) cmd="$DABBA --root $MNT/src/dabba save -q --format oci-archive -o $d/out.tar $REF" ;;
    podman-save-oci) cmd="$(podman_at "$MNT/src/podman" "$run/podman" save -q --format oci-archive -o "$d/out.tar" "$REF")" ;;
    dabba-load) cmd="$DABBA --root $d/store load -q -i $ARCHIVE >/dev/null" ;;
    dabba-load-nosync) cmd="DABBA_SYNC=0 $DABBA --root $d/store load -q -i $ARCHIVE >/dev/null" ;;
    podman-load) cmd="$(podman_at "$d/root" "$run/podman" load -q -i "$ARCHIVE") >/dev/null" ;;
  esac
  sync
  as_user env XDG_RUNTIME_DIR="$run" TMPDIR="$d" /usr/bin/time -o "$d/time" -f "%e %M" \
    bash -c "$cmd" || { echo "$name run $i failed"; exit 1; }
  echo "$name $(tail -n 1 "$d/time")" >>"$RESULTS"
  rm -f "$d/out.tar"
  if [[ $name != *save* ]] && [ -f "$run/libpod/tmp/pause.pid" ]; then
    kill "$(cat "$run/libpod/tmp/pause.pid")" 2>/dev/null || true
  fi
}

CASES="dabba-save podman-save dabba-save-oci podman-save-oci dabba-load dabba-load-nosync podman-load"
for i in $(seq "$RUNS"); do
  for name in $CASES; do run_case "$name" "$i"; done
  echo "run $i done"
done

echo
echo "| case | min s | median s | max peak RSS |"
echo "|---|---|---|---|"
for name in $CASES; do
  awk -v n="$name" '$1 == n { print $2, $3 }' "$RESULTS" | $PY -c '
import sys, statistics
rows = [list(map(float, l.split())) for l in sys.stdin if l.strip()]
t = sorted(r[0] for r in rows)
print("| %s | %.2f | %.2f | %.1f MiB |" % (sys.argv[1], t[0], statistics.median(t),
      max(r[1] for r in rows) / 1024))' "$name"
done
