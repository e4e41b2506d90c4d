#!/bin/bash
# The side-by-side of docs/benchmarks.md: unpacking one ~200 MB gzip layer (a debootstrap minbase
# of bookworm, made here on first use) with dabba's store ingest and with shell pipelines, into
# the same filesystem, page cache warm. Runs are interleaved (A B C A B C ...) so a noisy machine
# hurts every case alike; min and median are printed.
#
# Nothing is deleted until the end: ext4 skips inodes freed in the last minutes when it
# allocates (recently_deleted()), which makes whoever runs right after an `rm -rf` of 7,000
# files much slower. By default every case writes into a fresh ext4 filesystem (a sparse 40 GB
# image, loop-mounted, made and removed by this script); BENCH_FS=/some/dir uses a directory of
# an existing filesystem instead.
#
#   benchmarks/unpack_vs_tar.sh [BUILD_DIR]      (default: build)   RUNS=7 to change the count
set -euo pipefail
# shellcheck source=lib/debian_layer.sh
source "$(dirname "$(readlink -f "$0")")/lib/debian_layer.sh"
BUILD=${1:-build}
UNPACK=$(realpath "$BUILD")/benchmarks/unpack_bench
BENCH=${DABBA_BENCH_DIR:-/var/tmp/dabba-bench}
RUNS=${RUNS:-5}
LAYER=$BENCH/layer.tar.gz
[ -x "$UNPACK" ] || {
  echo "build $UNPACK first (cmake --build $BUILD --target unpack_bench)"
  exit 1
}
for tool in igzip zcat tar mkfs.ext4; do
  command -v $tool >/dev/null || {
    echo "needs $tool"
    exit 1
  }
done

mkdir -p "$BENCH"
debian_layer "$LAYER"
DIGEST=sha256:$(sha256sum "$LAYER" | cut -d' ' -f1)
echo "layer: $LAYER ($(stat -c %s "$LAYER") bytes gzip, $(zcat "$LAYER" | wc -c) bytes tar," \
  "$(zcat "$LAYER" | tar -t | wc -l) entries)"

MNT=""
cleanup() {
  [ -z "$MNT" ] || scratch_ext4_remove "$BENCH/fs.img" "$MNT"
}
trap cleanup EXIT
if [ -z "${BENCH_FS:-}" ]; then
  MNT=$BENCH/mnt
  scratch_ext4 "$BENCH/fs.img" "$MNT"
  FS=$MNT
  echo "filesystem: a fresh ext4 on a loop device ($MNT)"
else
  FS=$BENCH_FS/dabba-unpack-runs.$$
  mkdir -p "$FS"
  echo "filesystem: $(df --output=fstype,target "$BENCH_FS" | tail -1)"
fi
cp "$LAYER" "$FS/layer.tar.gz"
LAYER=$FS/layer.tar.gz
cat "$LAYER" >/dev/null

# Each command runs with $OUT set to its own empty directory.
declare -A CASES=(
  [1_igzip_tar]="igzip -dc '$LAYER' | tar -x -C \$OUT"
  [2_zcat_tar]="zcat '$LAYER' | tar -x -C \$OUT"
  [3_tee_igzip_tar]="tee \$OUT/blob <'$LAYER' | igzip -dc | tar -x -C \$OUT"
  [4_igzip_tar_sync]="igzip -dc '$LAYER' | tar -x -C \$OUT && sync -f \$OUT"
  [5_dabba_nosync]="'$UNPACK' --unpack '$LAYER' \$OUT/store --digest $DIGEST --no-sync 2>/dev/null"
  [6_dabba_sync]="'$UNPACK' --unpack '$LAYER' \$OUT/store --digest $DIGEST 2>/dev/null"
  [7_dabba_onethread]="'$UNPACK' --unpack '$LAYER' \$OUT/store --digest $DIGEST --no-sync --one-thread 2>/dev/null"
  [8_dabba_zlib]="'$UNPACK' --unpack '$LAYER' \$OUT/store --digest $DIGEST --no-sync --zlib 2>/dev/null"
)
NAMES=$(printf '%s\n' "${!CASES[@]}" | sort)
declare -A TIMES
for run in $(seq "$RUNS"); do
  for name in $NAMES; do
    OUT=$FS/$name-$run
    mkdir -p "$OUT"
    sync
    t0=$(date +%s%N)
    OUT=$OUT bash -c "${CASES[$name]}"
    t1=$(date +%s%N)
    TIMES[$name]+="$(((t1 - t0) / 1000000)) "
  done
done
[ -n "$MNT" ] || rm -rf "$FS"
printf '%-20s %8s %9s   %s\n' case min_ms median_ms "all runs (ms)"
for name in $NAMES; do
  sorted=$(tr ' ' '\n' <<<"${TIMES[$name]}" | grep . | sort -n)
  min=$(head -1 <<<"$sorted")
  median=$(sed -n "$((($(wc -l <<<"$sorted") + 1) / 2))p" <<<"$sorted")
  printf '%-20s %8s %9s   %s\n' "${name#*_}" "$min" "$median" "${TIMES[$name]}"
done
