#!/bin/bash
# A hostile image cannot make the runner read or write host paths: /etc/passwd as an absolute
# symlink to a host file is resolved inside the container (the host file is never read), an
# /etc/group that is a FIFO does not hang the start, and a volume target reached through an
# absolute symlink to a host directory is created inside the container, not on the host.
set -euo pipefail
# shellcheck source=lib/runner.sh
source "$(dirname "$0")/lib/runner.sh"
runner_setup runner_image_safety

L=$WORK/user/layers
as_test_user() { runuser -u "$TEST_USER" -- "$@"; }

# Host-side bait, readable and writable by the test user.
install -d -m 0755 -o "$TEST_USER" "$WORK/host"
echo 'evil:x:4242:4242:evil:/evil:/bin/sh' >"$WORK/host/passwd"
chown "$TEST_USER" "$WORK/host/passwd"
install -d -m 0755 -o "$TEST_USER" "$WORK/host/target"

as_test_user sh -c "set -e; mkdir -p $L/evil/etc; cd $L/evil
  ln -s $WORK/host/passwd etc/passwd
  mkfifo etc/group
  ln -s $WORK/host/target data"
run() { drv_user --layer "$L/evil" --layer "$BASE" \
  --container-dir "$(mktemp -u "$WORK/user/c.XXXXXX")" "$@"; }

out=$(timeout 20 bash -c "$(declare -f run drv_user); DRIVER=$DRIVER WORK=$WORK TEST_USER=$TEST_USER BASE=$BASE L=$L; run -u evil -- id" 2>&1) && rc=0 || rc=$?
check_eq "a passwd symlink to a host file is not followed out of the image: user unknown (125)" 125 $rc
check "the error is the usual one" grep -q "unable to find user evil" <<<"$out"
# (The workload's own `id` would block on the FIFO; dabba must not.)
check_eq "a FIFO /etc/group does not hang the start" "started" \
  "$(timeout 20 bash -c "$(declare -f run drv_user); DRIVER=$DRIVER WORK=$WORK TEST_USER=$TEST_USER BASE=$BASE L=$L; run -u 0 -- echo started")"

install -d -m 0755 -o "$TEST_USER" "$WORK/vol"
echo vol >"$WORK/vol/f"
chown "$TEST_USER" "$WORK/vol/f"
check_eq "a volume under an absolute symlink lands inside the container" vol \
  "$(run -v "$WORK/vol:/data/sub" -- cat /data/sub/f)"
check_eq "nothing was created in the host directory the symlink names" "" \
  "$(ls -A "$WORK/host/target")"
check_eq "a file volume under a dangling relative symlink lands inside too" vol \
  "$(as_test_user sh -c "ln -sfn ../nowhere/deeper $L/evil/rel" &&
    run -v "$WORK/vol/f:/rel/f:ro" -- cat /nowhere/deeper/f)"

check_no_leftovers
check_done
