# shellcheck shell=bash
# Helpers for integration tests (tests/integration/*.sh, run by CTest as root with DABBA and
# DABBA_SOURCE_DIR set, and DABBA_RIG_ENV naming the rig's env file). Start a test with:
#
#   source "$(dirname "$0")/lib/rig.sh"
#   rig_setup my-test        # skip (exit 77) without a rig; private $WORK, $STORE, $TEST_DABBA
#   check "pull of rig/layers succeeds" dabba_user pull "$FIXTURE_LAYERS"
#   check_fails "pull of a missing tag fails" dabba_user pull "$REGISTRY/rig/nope:x"
#   check_done               # last line: exit 1 if any check failed
#
# Every test gets its own directory under $RIG_WORK (so tests can run in parallel), owned by
# the unprivileged $RIG_USER and removed at exit (kept with DABBA_KEEP_WORK=1).
# tests/fixtures/README.md lists the variables the rig env file provides.

CHECKS_RUN=0
CHECKS_FAILED=0

# rig_setup NAME: loads the rig env (or exits 77) and makes this test's private directories.
rig_setup() {
  local name=$1
  if [ -z "${DABBA_RIG_ENV:-}" ] || [ ! -r "${DABBA_RIG_ENV}" ]; then
    echo "SKIP: no rig (DABBA_RIG_ENV unset or unreadable; run scripts/test, or" \
      "sudo scripts/rig up and export DABBA_RIG_ENV=\$(scripts/rig env))"
    exit 77
  fi
  # shellcheck source=/dev/null
  source "$DABBA_RIG_ENV"
  if [ "$(id -u)" -ne 0 ]; then
    echo "SKIP: integration tests run as root (they switch to $RIG_USER themselves)"
    exit 77
  fi
  WORK=$(mktemp -d "$RIG_WORK/$name.XXXXXX")
  chmod 0755 "$WORK"
  install -d -m 0700 -o "$RIG_USER" -g "$RIG_USER" "$WORK/home" "$WORK/run" "$WORK/store"
  STORE=$WORK/store
  # The binary under test is the one CTest names (build/ or build-asan/), copied where the
  # test user can reach it; without CTest, the rig's copy.
  install -d -m 0755 "$WORK/bin"
  # run -d's supervisor program comes along: it is found beside dabba (runner/supervisor.h).
  local bin=$RIG_DABBA
  [ -z "${DABBA:-}" ] || [ ! -x "$DABBA" ] || bin=$DABBA
  install -m 0755 "$bin" "$WORK/bin/dabba"
  [ ! -x "$(dirname "$bin")/dabba-supervise" ] ||
    install -m 0755 "$(dirname "$bin")/dabba-supervise" "$WORK/bin/dabba-supervise"
  TEST_DABBA=$WORK/bin/dabba
  echo '{"default": [{"type": "insecureAcceptAnything"}]}' >"$WORK/policy.json"
  chmod 0644 "$WORK/policy.json"
  trap rig_cleanup EXIT
  echo "test $name: work dir $WORK"
}

rig_cleanup() {
  local rc=$?
  local pid
  for pid in ${RIG_TEST_PIDS:-}; do
    kill "$pid" 2>/dev/null || true
  done
  # The pause process holding this test's shared user namespace (its XDG_RUNTIME_DIR is private).
  kill_pause "$WORK/run"
  if [ "${DABBA_KEEP_WORK:-0}" = 1 ]; then
    echo "kept $WORK"
  else
    rm -rf --one-file-system "$WORK"
  fi
  exit $rc
}

# kill_pause RUNTIME_DIR: ends the dabba-pause process whose pid file is in RUNTIME_DIR (the
# XDG_RUNTIME_DIR dabba ran with), if any.
kill_pause() {
  if [ -s "$1/dabba/pause.pid" ]; then
    kill -9 "$(cut -d' ' -f1 "$1/dabba/pause.pid")" 2>/dev/null || true
  fi
}

# processes_of PATTERN: "PID ARGS" of every process whose command line matches PATTERN (pgrep
# -f), but this shell and dabba's pause process (which holds a test's user namespace by design).
processes_of() {
  local pid
  for pid in $(pgrep -f -- "$1" 2>/dev/null); do
    [ "$pid" = $$ ] && continue
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dabba-pause ] && continue
    echo "$pid $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)"
  done
}

# as_user CMD...: runs CMD as $RIG_USER in $WORK, with a clean environment whose HOME and
# XDG dirs are private to this test.
as_user() {
  local keep=() v
  for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS DABBA_LOG_LEVEL TERM; do
    [ -z "${!v:-}" ] || keep+=("$v=${!v}")
  done
  runuser -u "$RIG_USER" -- env -i -C "$WORK" \
    PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME="$WORK/home" USER="$RIG_USER" \
    XDG_RUNTIME_DIR="$WORK/run" XDG_DATA_HOME="$WORK/home/.local/share" \
    XDG_CONFIG_HOME="$WORK/home/.config" DABBA_HINTS=1 "${keep[@]}" "$@"
}

# user_dir NAME: makes $WORK/NAME, a directory the test user owns (0755), and prints its path.
user_dir() {
  install -d -m 0755 -o "$RIG_USER" -g "$RIG_USER" "$WORK/$1"
  echo "$WORK/$1"
}

# dabba_user ARGS...: the binary under test, as the test user, on this test's store.
dabba_user() { as_user "$TEST_DABBA" --root "$STORE" "$@"; }

# skopeo_user ARGS...: skopeo as the test user (plain HTTP to the rig's registries).
skopeo_user() { as_user skopeo --policy "$WORK/policy.json" "$@"; }

# check NAME CMD...: CMD must succeed. Output is shown only on failure.
check() { run_check pass "$@"; }

# The exit status scripts/test gives ASan, UBSan and LeakSanitizer reports (exitcode=86 in their
# options): a sanitizer finding on an error path is never an expected failure.
SANITIZER_EXIT=86

# check_fails NAME CMD...: CMD must fail (exit non-zero, not by a signal from a crash, not by a
# sanitizer report).
check_fails() { run_check fail "$@"; }

# run_check pass|fail NAME CMD...: what check and check_fails share: runs CMD, counts the check
# and reports it (CMD's output only on failure).
run_check() {
  local want=$1 name=$2 out rc=0
  shift 2
  CHECKS_RUN=$((CHECKS_RUN + 1))
  out=$("$@" 2>&1) || rc=$?
  if [ "$want" = pass ] && [ $rc -eq 0 ]; then
    echo "ok   - $name"
  elif [ "$want" = fail ] && [ $rc -ne 0 ] && [ $rc -lt 128 ] && [ $rc -ne $SANITIZER_EXIT ]; then
    echo "ok   - $name (exit $rc)"
  else
    CHECKS_FAILED=$((CHECKS_FAILED + 1))
    if [ "$want" = pass ]; then
      echo "FAIL - $name (exit $rc): $*"
    else
      echo "FAIL - $name: expected a clean failure, got exit $rc$(
        [ $rc -eq $SANITIZER_EXIT ] && echo ' (a sanitizer report)'): $*"
    fi
    sed 's/^/       | /' <<<"$out" | tail -n 40
  fi
  return 0
}

# exit_code CMD...: prints CMD's exit status (its output discarded).
exit_code() {
  local rc=0
  "$@" >/dev/null 2>&1 || rc=$?
  echo $rc
}

# check_eq NAME EXPECTED ACTUAL
check_eq() {
  CHECKS_RUN=$((CHECKS_RUN + 1))
  if [ "$2" = "$3" ]; then
    echo "ok   - $1"
  else
    CHECKS_FAILED=$((CHECKS_FAILED + 1))
    echo "FAIL - $1: expected [$2], got [$3]"
  fi
}

# check_done: the summary line and the exit status of the test.
check_done() {
  echo "$((CHECKS_RUN - CHECKS_FAILED))/$CHECKS_RUN checks passed"
  [ "$CHECKS_FAILED" -eq 0 ]
}

# start_proxy: a private fault proxy in front of the plain registry (so a test's faults and
# request counts are its own). Sets PROXY (host:port), PROXY_LOG and PROXY_CONTROL (URL).
start_proxy() {
  local dir=$WORK/proxy i
  mkdir -p "$dir"
  "$RIG_PYTHON" "$RIG_SOURCE_DIR/tests/fixtures/fault_proxy.py" --upstream "$REGISTRY" \
    --port-file "$dir/port" --log "$dir/proxy.log" </dev/null >>"$dir/stderr.log" 2>&1 &
  RIG_TEST_PIDS="${RIG_TEST_PIDS:-} $!"
  for i in $(seq 100); do
    [ -s "$dir/port" ] && break
    sleep 0.05
  done
  [ -s "$dir/port" ] || { cat "$dir/stderr.log"; echo "start_proxy: no port"; return 1; }
  PROXY=127.0.0.1:$(cat "$dir/port")
  PROXY_LOG=$dir/proxy.log
  PROXY_CONTROL=http://$PROXY/_proxy
}

# registry_get REGISTRY PATH [CURL OPTIONS...]: GET http://REGISTRY/v2/PATH with the Accept
# header of a client that knows OCI and Docker manifests and indexes.
registry_get() {
  local registry=$1 path=$2
  shift 2
  curl -fsS -m 60 -H 'Accept: application/vnd.oci.image.index.v1+json' \
    -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    -H 'Accept: application/vnd.docker.distribution.manifest.list.v2+json' \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    "$@" "http://$registry/v2/$path"
}

# count_blob_gets LOG REPO: how many blob GETs of REPO a registry's access log holds.
count_blob_gets() { grep -c "\"GET /v2/$2/blobs/sha256:" "$1" || true; }
