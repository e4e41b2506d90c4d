#!/bin/bash
# Many containers (issue 11): N detached `sleep 1000` containers with dabba and with podman 4.3,
# the same unprivileged user, the same busybox image from the rig's registry, private storage for
# each tool (podman: overlay driver, runc, cgroupfs), --network none (NET=slirp4netns to change).
# Per round and tool, timed with the wall clock:
#   run -d  x N     started one after another (the total)
#   stop -a         default grace period: busybox `sleep` as PID 1 ignores SIGTERM (the kernel
#                   drops signals to a namespace's init that it has no handler for), so every
#                   stop waits the 10 s and then SIGKILLs: this measures how many wait at once
#   start (all N)   one command with every id
#   stop -a -t 1    the same with a 1 s grace period
#   rm -a -f -t 0   (after starting them again) SIGKILL and remove every one
# and, while the N run, the memory of the process that keeps each one (dabba's supervisor, titled
# "dabba-supervise ID"; podman's conmon): VmRSS from /proc/PID/status and Pss from
# /proc/PID/smaps_rollup (shared pages, such as a library's, divided among the processes sharing
# them), the median over the N.
#
#   sudo benchmarks/many_vs_podman.sh [BUILD_DIR]    (default: build; needs a rig: scripts/rig up)
#   N=50 ROUNDS=2 change the counts; NO_PODMAN=1 skips podman; NO_DEFAULT_STOP=1 skips `stop -a`.
set -euo pipefail
BUILD=$(realpath "${1:-build}")
N=${N:-50}
ROUNDS=${ROUNDS:-2}
NET=${NET:-none}
SRC=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
# shellcheck source=benchmarks/lib/bench_setup.sh
source "$SRC/benchmarks/lib/bench_setup.sh"
bench_setup many runuser python3 pgrep
USER_ID=$(id -u "$USER_NAME")
install -d -m 0700 -o "$USER_NAME" "$W/home" "$W/run" "$W/store" "$W/podman"
install -d -m 0755 -o "$USER_NAME" "$W/cwd"
install -m 0755 "$BUILD/dabba" "$W/dabba"
install -m 0755 "$BUILD/dabba-supervise" "$W/dabba-supervise"  # found beside dabba
write_podman_storage_conf "$W"
PODMAN="podman --runtime runc --cgroup-manager=cgroupfs"
cleanup() {
  set +e
  as_user "$W/dabba" rm -a -f -t 0 >/dev/null 2>&1
  [ -s "$W/run/dabba/pause.pid" ] && kill "$(cut -d' ' -f1 "$W/run/dabba/pause.pid")" 2>/dev/null
  # shellcheck disable=SC2086
  as_user $PODMAN rm -a -f -t 0 >/dev/null 2>&1
  # shellcheck disable=SC2086
  as_user $PODMAN system reset -f >/dev/null 2>&1
  runuser -u "$USER_NAME" -- unshare -Ur rm -rf "$W/home" "$W/store" "$W/podman" 2>/dev/null
  rm -rf "$W"
}
trap cleanup EXIT
# Both tools see only this benchmark's home, runtime dir and storage.
as_user() {
  runuser -u "$USER_NAME" -- env -i -C "$W/cwd" PATH=/usr/local/bin:/usr/bin:/bin \
    HOME="$W/home" XDG_RUNTIME_DIR="$W/run" DABBA_ROOT="$W/store" \
    CONTAINERS_STORAGE_CONF="$W/storage.conf" "$@"
}

# timed LABEL CMD...: runs CMD as the user; appends "LABEL seconds" to $W/times.
timed() {
  local label=$1 t0 t1
  shift
  t0=$(date +%s.%N)
  as_user "$@" >"$W/out" 2>&1 || { echo "failed: $*"; tail -3 "$W/out"; }
  t1=$(date +%s.%N)
  echo "$label $(echo "$t1 - $t0" | bc)" >>"$W/times"
}

# memory LABEL PID...: appends "LABEL-rss KB" and "LABEL-pss KB" per pid to $W/mem.
memory() {
  local label=$1 pid
  shift
  for pid in "$@"; do
    awk -v l="$label-rss" '/^VmRSS:/ { print l, $2 }' "/proc/$pid/status" >>"$W/mem"
    awk -v l="$label-pss" '/^Pss:/ { print l, $2 }' "/proc/$pid/smaps_rollup" >>"$W/mem"
  done
}

# The processes that keep this benchmark's containers: the user's supervisors working in $W/cwd;
# the user's conmons with our directory on their command line.
dabba_keepers() {
  local pid
  for pid in $(pgrep -U "$USER_ID" -f '^dabba-supervise ' || true); do
    [ "$(readlink "/proc/$pid/cwd")" = "$W/cwd" ] && echo "$pid"
  done
  return 0
}
podman_keepers() {
  local pid
  for pid in $(pgrep -U "$USER_ID" -x conmon || true); do
    grep -qF "$W/" "/proc/$pid/cmdline" && echo "$pid"
  done
  return 0
}

# one_tool NAME CLI...: a round of the verbs above with the tool CLI.
one_tool() {
  local name=$1 ids
  shift
  local t0 t1
  t0=$(date +%s.%N)
  for _ in $(seq "$N"); do
    as_user "$@" run -d --network "$NET" "$IMAGE" sleep 1000 >/dev/null
  done
  t1=$(date +%s.%N)
  echo "$name:run-d-x$N $(echo "$t1 - $t0" | bc)" >>"$W/times"
  sleep 1
  if [ "$name" = dabba ]; then
    # shellcheck disable=SC2046
    memory "$name" $(dabba_keepers)
  else
    # shellcheck disable=SC2046
    memory "$name" $(podman_keepers)
  fi
  ids=$(as_user "$@" ps -aq | tr '\n' ' ')
  if [ -z "${NO_DEFAULT_STOP:-}" ]; then
    timed "$name:stop-a" "$@" stop -a
    # shellcheck disable=SC2086
    timed "$name:start-x$N" "$@" start $ids
  fi
  timed "$name:stop-a-t1" "$@" stop -a -t 1
  # shellcheck disable=SC2086
  as_user "$@" start $ids >/dev/null
  timed "$name:rm-a-f-t0" "$@" rm -a -f -t 0
  [ -z "$(as_user "$@" ps -aq)" ] || echo "$name: containers left after rm -a -f"
}

as_user "$W/dabba" pull -q "$IMAGE" >/dev/null
TOOLS=("dabba|$W/dabba")
if [ -z "${NO_PODMAN:-}" ] && command -v podman >/dev/null; then
  # shellcheck disable=SC2086
  as_user $PODMAN pull -q --tls-verify=false "$IMAGE" >/dev/null
  TOOLS+=("podman|$PODMAN")
  # shellcheck disable=SC2086
  echo "podman: $(podman --version), conmon $(conmon --version | head -1 | awk '{print $3}')," \
    "driver $(as_user $PODMAN info --format '{{.Store.GraphDriverName}}')"
fi

echo "machine: $(nproc) cores, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg);" \
  "N=$N, --network $NET"
for round in $(seq "$ROUNDS"); do
  for t in "${TOOLS[@]}"; do
    IFS='|' read -r name cli <<<"$t"
    # shellcheck disable=SC2086
    one_tool "$name" $cli
  done
  echo "round $round done, load $(cut -d' ' -f1-3 /proc/loadavg)"
done
python3 - "$W/times" "$W/mem" <<'EOF'
import collections, statistics, sys
def load(path):
    d = collections.defaultdict(list)
    try:
        for line in open(path):
            k, v = line.split()
            d[k].append(float(v))
    except OSError:
        pass
    return d
times, mem = load(sys.argv[1]), load(sys.argv[2])
print("| case | " + " | ".join(t for t in ("dabba", "podman")) + " |")
print("|---|---:|---:|")
cases = []
for k in times:
    c = k.split(":", 1)[1]
    if c not in cases:
        cases.append(c)
for c in cases:
    cells = []
    for t in ("dabba", "podman"):
        v = times.get(t + ":" + c)
        cells.append("%.2f s (%s)" % (statistics.median(v), " ".join("%.2f" % x for x in v))
                     if v else "-")
    print("| %s | %s |" % (c, " | ".join(cells)))
for m, what in (("rss", "VmRSS"), ("pss", "Pss")):
    cells = []
    for t in ("dabba", "podman"):
        v = mem.get(t + "-" + m)
        cells.append("%.0f kB (min %.0f, max %.0f, n %d)" % (statistics.median(v), min(v), max(v),
                                                            len(v)) if v else "-")
    print("| keeper %s, median | %s |" % (what, " | ".join(cells)))
EOF
