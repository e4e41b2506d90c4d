#!/bin/bash
# The container attacks dabba (docs/security.md), as the unprivileged user and as root, and every
# attack must fail, every time:
#   - a static attacker in a -d container races hundreds of `dabba exec`s: ptrace-attach, an
#     O_PATH handle on /proc/PID/exe reopened for writing (a user-owned dabba binary: it must stay
#     unmodified), the fds of every new process (the caller passes one in at 251);
#   - a `#!/proc/self/exe` script (CVE-2019-5736's trick) run by run and exec;
#   - --init's reaper: not dumpable, not dabba's binary;
#   - stdio: pipes, never the caller's; a process left behind by exec reads the user's terminal
#     (tmux); a -d container rewrites its log;
#   - another local user reads every dabba process's command line (-e values);
#   - podman's masked and read-only paths, mask=/unmask=, --privileged;
#   - seccomp: every syscall podman's profile refuses gets podman's errno, numbers beyond the table
#     ENOSYS, argument conditions, dabba's additions, a profile of the user's, unconfined;
#   - -v onto an image symlink to / is refused.
# Every loop is bounded in time.
set -euo pipefail
# shellcheck source=lib/run.sh
source "$(dirname "$0")/lib/run.sh"
run_setup security
# shellcheck source=../fixtures/oci.sh
source "$DABBA_SOURCE_DIR/tests/fixtures/oci.sh"

PROBE_SRC=${SEC_PROBE:-$(dirname "$DABBA")/tests/sec_probe}
if [ ! -x "$PROBE_SRC" ]; then
  echo "SKIP: no sec_probe at $PROBE_SRC (build the sec_probe target)"
  exit 77
fi
install -m 0755 "$PROBE_SRC" "$WORK/bin/sec_probe"
PROBE=$WORK/bin/sec_probe
dabba_root pull -q "$BUSYBOX" >/dev/null
RACE_SECONDS=${SEC_RACE_SECONDS:-12}  # at most, per pass; 300 execs take ~5 s on a quiet machine
RACE_EXECS=${SEC_RACE_EXECS:-300}
# For `timeout` and the exec loop, which run the helpers in a shell of their own.
export WORK RIG_USER TEST_DABBA STORE ROOT_STORE
export -f as_user dabba_user dabba_root

# --- an image with a symlink to / ----------------------------------------------------------------
accept='application/vnd.oci.image.manifest.v1+json,application/vnd.docker.distribution.manifest.v2+json'
manifest=$(curl -fsS -H "Accept: $accept" "http://$REGISTRY/v2/rig/busybox/manifests/latest")
mkdir -p "$WORK/linkimg" "$WORK/linkroot"
ln -s / "$WORK/linkroot/rootlink"
ln -s ../.. "$WORK/linkroot/uplink"
tar -C "$WORK/linkroot" -cf "$WORK/link.tar" rootlink uplink
diff_id=sha256:$(oci_sha256 "$WORK/link.tar")
gzip -n -c "$WORK/link.tar" >"$WORK/linkimg/layer"
layer_hex=$(oci_sha256 "$WORK/linkimg/layer")
mv "$WORK/linkimg/layer" "$WORK/linkimg/$layer_hex"
curl -fsS "http://$REGISTRY/v2/rig/busybox/blobs/$(jq -r .config.digest <<<"$manifest")" |
  jq -c --arg d "$diff_id" '.rootfs.diff_ids += [$d]' >"$WORK/linkimg/config"
config_hex=$(oci_sha256 "$WORK/linkimg/config")
mv "$WORK/linkimg/config" "$WORK/linkimg/$config_hex"
jq -c --arg c "sha256:$config_hex" --argjson cs "$(stat -c %s "$WORK/linkimg/$config_hex")" \
  --arg l "sha256:$layer_hex" --argjson ls "$(stat -c %s "$WORK/linkimg/$layer_hex")" \
  '.config.digest = $c | .config.size = $cs
   | .layers += [{mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: $l, size: $ls}]' \
  <<<"$manifest" >"$WORK/linkimg/manifest.json"
oci_push_dir "$WORK/linkimg" "$REGISTRY" rig/busybox "rootlink-$$" >/dev/null
LINKIMG=$REGISTRY/rig/busybox:rootlink-$$

# What the test user and root run dabba as. For the exec race each gets a binary of its own:
# user-owned for the user (which a container escaping through it could rewrite), root's for root.
install -d -m 0755 -o "$RIG_USER" "$WORK/own"
install -m 0755 -o "$RIG_USER" "$TEST_DABBA" "$WORK/own/dabba-user"
install -m 0755 "$TEST_DABBA" "$WORK/own/dabba-root"
SUM_USER=$(sha256sum <"$WORK/own/dabba-user")
SUM_ROOT=$(sha256sum <"$WORK/own/dabba-root")
echo "caller-secret-$$" >"$WORK/own/secret"
chown "$RIG_USER" "$WORK/own/secret"
chmod 0600 "$WORK/own/secret"
own_user() { as_user "$WORK/own/dabba-user" --root "$STORE" "$@"; }
own_root() {
  env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME=/root "$WORK/own/dabba-root" \
    --root "$ROOT_STORE" "$@"
}

for who in dabba_user dabba_root; do
  if [ $who = dabba_user ]; then own=own_user; sum=$SUM_USER; bin=$WORK/own/dabba-user; else
    own=own_root; sum=$SUM_ROOT; bin=$WORK/own/dabba-root; fi
  echo "--- as ${who#dabba_}"
  run() { "$who" run --rm -v "$PROBE:/probe:ro" "$BUSYBOX" "$@"; }

  # --- seccomp: podman's refusals with podman's errnos, ENOSYS beyond the table ------------------
  python3 "$DABBA_SOURCE_DIR/tests/integration/lib/seccomp_expect.py" \
    "$DABBA_SOURCE_DIR/runner/seccomp_default.json" \
    CAP_CHOWN,CAP_DAC_OVERRIDE,CAP_FOWNER,CAP_FSETID,CAP_KILL,CAP_SETGID,CAP_SETUID,CAP_SETPCAP,CAP_NET_BIND_SERVICE,CAP_SYS_CHROOT,CAP_SETFCAP \
    >"$WORK/expect.$who"
  # dabba's additions (EPERM: keyctl, name_to_handle_at, setns; clone3 ENOSYS), numbers newer
  # than every table or beyond them.
  {
    printf '64 250 1 keyctl\n64 303 1 name_to_handle_at\n64 308 1 setns\n64 435 38 clone3\n'
    for nr in $(seq 451 470) 1000 4095; do echo "64 $nr 38 beyond"; done
  } >>"$WORK/expect.$who"
  awk '{print $1, $2}' "$WORK/expect.$who" >"$WORK/probe-in.$who"
  chmod 0644 "$WORK/probe-in.$who"
  "$who" run --rm -i -v "$PROBE:/probe:ro" "$BUSYBOX" /probe syscalls <"$WORK/probe-in.$who" \
    >"$WORK/probe-out.$who" 2>&1 || true
  bad=$(join <(awk '{print $1"_"$2, $3, $4}' "$WORK/expect.$who" | sort) \
    <(awk '{print $1"_"$2, $3}' "$WORK/probe-out.$who" | sort) | awk '$2 != $4' | head -20)
  check_eq "[$who] seccomp: every syscall podman refuses, refused with its errno ($(wc -l <"$WORK/expect.$who") checked)" \
    "" "$bad"
  check_eq "[$who] seccomp: the probe answered for each" "$(wc -l <"$WORK/expect.$who")" \
    "$(wc -l <"$WORK/probe-out.$who")"
  check_eq "[$who] seccomp: personality(ADDR_NO_RANDOMIZE) ENOSYS, (0) allowed" "38 0" \
    "$(run sh -c '/probe call64 135 0x40000; /probe call64 135 0' | xargs)"
  check_eq "[$who] seccomp: no audit netlink socket (EINVAL), other netlink fine" "22 0" \
    "$(run sh -c '/probe call64 41 16 3 9; /probe call64 41 16 3 0' | xargs)"
  check_eq "[$who] seccomp: clone with CLONE_NEWUSER EPERM, a plain fork works" "1 ok" \
    "$(run sh -c '/probe call64 56 0x10000011; (true) && echo ok' | xargs)"
  check_eq "[$who] seccomp=unconfined: io_uring_setup reaches the kernel" 14 \
    "$("$who" run --rm --security-opt seccomp=unconfined -v "$PROBE:/probe:ro" "$BUSYBOX" \
      /probe call64 425 1 0)"
  # A profile of the user's (Docker's format): mkdir refused with EACCES, the rest allowed.
  cat >"$WORK/profile.json" <<'JSON'
{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
 "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}
JSON
  chmod 0644 "$WORK/profile.json"
  check_eq "[$who] --security-opt seccomp=PROFILE.json: its rules, its errno" "13 14" \
    "$("$who" run --rm --security-opt "seccomp=$WORK/profile.json" -v "$PROBE:/probe:ro" \
      "$BUSYBOX" sh -c '/probe call64 83 0 0; /probe call64 425 1 0' | xargs)"
  check_fails "[$who] a broken profile is refused before anything runs" \
    "$who" run --rm --security-opt "seccomp=$WORK/expect.$who" "$BUSYBOX" true

  # --- masked and read-only paths ---------------------------------------------------------------
  mounts=$("$who" run --rm "$BUSYBOX" cat /proc/self/mountinfo)
  for p in /proc/acpi /proc/kcore /proc/keys /proc/latency_stats /proc/timer_list /proc/timer_stats \
    /proc/sched_debug /proc/scsi /sys/firmware /sys/fs/selinux /sys/dev/block; do
    [ -e "$p" ] || continue  # this kernel has not got it
    check "[$who] $p is masked" grep -q " $p " <<<"$mounts"
  done
  for p in /proc/asound /proc/bus /proc/fs /proc/irq /proc/sys /proc/sysrq-trigger; do
    [ -e "$p" ] || continue
    check "[$who] $p is read-only" grep -Eq " $p ro," <<<"$mounts"
  done
  check_eq "[$who] /proc/keys reads empty" 0 "$("$who" run --rm "$BUSYBOX" wc -c </dev/null \
    /proc/keys | awk '{print $1}')"
  check_eq "[$who] masked directories are empty" "" \
    "$("$who" run --rm "$BUSYBOX" sh -c 'ls -A /proc/acpi 2>/dev/null; ls -A /sys/firmware')"
  check_fails "[$who] /proc/sys/kernel/shmmax cannot be written" \
    "$who" run --rm "$BUSYBOX" sh -c 'echo 1000000 >/proc/sys/kernel/shmmax'
  check_fails "[$who] masked directories cannot be written" \
    "$who" run --rm "$BUSYBOX" sh -c 'touch /sys/firmware/x || touch /proc/acpi/x'
  um=$("$who" run --rm --security-opt unmask=/proc/keys:/proc/sys "$BUSYBOX" cat /proc/self/mountinfo)
  check_eq "[$who] unmask=/proc/keys:/proc/sys lifts those two" "0 0 1" \
    "$(grep -c ' /proc/keys ' <<<"$um") $(grep -c ' /proc/sys ' <<<"$um") $(grep -c ' /proc/acpi ' <<<"$um")"
  check_eq "[$who] unmask=ALL lifts every default" 0 \
    "$("$who" run --rm --security-opt unmask=ALL "$BUSYBOX" cat /proc/self/mountinfo |
      grep -cE ' /proc/(acpi|keys|sys|irq|bus|fs) ' || true)"
  check_eq "[$who] mask=/etc/hostname:/root: a file under /dev/null, a directory under empty tmpfs" \
    "0" "$("$who" run --rm --security-opt mask=/etc/hostname:/root "$BUSYBOX" \
      sh -c 'echo $(wc -c </etc/hostname) $(ls -A /root)')"
  priv=$("$who" run --rm --privileged "$BUSYBOX" sh -c \
    'grep -E "^(CapEff|Seccomp):" /proc/self/status | xargs; grep -c " /proc/keys " /proc/self/mountinfo; grep " /sys " /proc/self/mountinfo | grep -c " rw,"')
  check_eq "[$who] --privileged: every capability, no seccomp, no masks, /sys read-write" \
    "CapEff: 000001ffffffffff Seccomp: 0 0 1" "$(xargs <<<"$priv")"

  # --- -v onto an image path that resolves to the container's root ------------------------------
  "$who" pull -q "$LINKIMG" >/dev/null
  for target in /rootlink /uplink /; do
    out=$("$who" run --rm -v "$WORK/own:$target" "$LINKIMG" true 2>&1) && rc=0 || rc=$?
    # "/" is refused when the flag is read (125); a link that resolves to it, at the start (126,
    # podman's code for a failed start).
    check_eq "[$who] -v onto $target is refused (exit 125/126)" "$([[ $target == / ]] && echo 125 || echo 126)" "$rc"
    check "[$who] ... saying why" grep -Eq "resolves to the container's root directory|over the container's /" <<<"$out"
  done
  check_eq "[$who] --security-opt mask= onto the root is refused too (at the start: 126)" 126 \
    "$(exit_code "$who" run --rm --security-opt mask=/rootlink "$LINKIMG" true)"

  # --- stdio: pipes and /dev/null, never the caller's ------------------------------------------
  check_eq "[$who] run: 0 is /dev/null, 1 and 2 are pipes, nothing else is open" \
    "0 -> /dev/null 1 -> pipe 2 -> pipe" \
    "$("$who" run --rm -v "$PROBE:/probe:ro" "$BUSYBOX" /probe fds 251<"$WORK/own/secret" |
      sed 's/:\[[0-9]*\]//' | xargs)"
  check_eq "[$who] run -i: stdin is a pipe too" "0 -> pipe" \
    "$(echo | "$who" run --rm -i -v "$PROBE:/probe:ro" "$BUSYBOX" /probe fds | head -1 | sed 's/:\[[0-9]*\]//')"
  check_eq "[$who] a closed output reaches the container (EPIPE: yes | head ends)" y \
    "$(timeout 20 bash -c "$who run --rm $BUSYBOX yes | head -1")"

  # --- the exec race ------------------------------------------------------------------------------
  install -d -m 0777 "$WORK/race.$who"
  "$who" run -d --name race -v "$PROBE:/probe:ro" -v "$WORK/race.$who:/out" "$BUSYBOX" sh -c \
    ": >/out/report; /probe race $((RACE_SECONDS + 5)) /out/report /out/stop /bin/busybox /probe \
      >/out/attacked 2>/out/stats; echo done >/out/done; sleep 1000 # $MARK" >/dev/null
  wait_until test -e "$WORK/race.$who/report"
  # The execs, from one shell of the caller's (fd 251: something of the caller's the container
  # must never reach). Prints how many ran.
  as=()
  [ $who = dabba_user ] && as=(as_user)
  n=$("${as[@]}" bash -c '
    bin=$1 store=$2 max=$3 until=$((SECONDS + $4)) n=0
    while [ $n -lt $max ] && [ $SECONDS -lt $until ]; do
      timeout 10 "$bin" --root "$store" exec race true 251<"$5" >/dev/null 2>&1 || true
      n=$((n + 1))
    done
    echo $n' _ "$bin" "$([ $who = dabba_user ] && echo "$STORE" || echo "$ROOT_STORE")" \
    "$RACE_EXECS" "$RACE_SECONDS" "$WORK/own/secret" || echo 0)
  touch "$WORK/race.$who/stop"
  wait_until test -e "$WORK/race.$who/done" || true
  echo "    $n execs raced; $(cat "$WORK/race.$who/stats" 2>/dev/null)"
  check "[$who] the attacker saw the exec'd processes (>= $((n / 2)))" \
    test "$(cat "$WORK/race.$who/attacked" 2>/dev/null || echo 0)" -ge $((n / 2))
  check_eq "[$who] exec race: no ptrace, no handle on dabba's binary, no fd of the caller" "" \
    "$(head -20 "$WORK/race.$who/report")"
  check_eq "[$who] the dabba binary exec ran from is unmodified" "$sum" "$(sha256sum <"$bin")"
  check_eq "[$who] exec gets the container's seccomp filter" 38 "$($own exec race /probe call64 425 1 0)"

  # --- CVE-2019-5736's shebang: a workload whose interpreter is /proc/self/exe --------------------
  $own exec race sh -c 'printf "#!/proc/self/exe\n" >/tmp/evil; chmod +x /tmp/evil'
  rc=0
  $own exec race /tmp/evil >/dev/null 2>&1 || rc=$?
  check "[$who] exec of a #!/proc/self/exe script fails (exit $rc)" test $rc -ne 0
  rc=0
  "$who" run --rm --entrypoint /bin/sh "$BUSYBOX" -c \
    'printf "#!/proc/self/exe\n" >/tmp/evil && chmod +x /tmp/evil && exec /tmp/evil' >/dev/null 2>&1 || rc=$?
  check "[$who] run of a #!/proc/self/exe script fails (exit $rc)" test $rc -ne 0
  check_eq "[$who] ... and the dabba binary is unmodified" "$sum" "$(sha256sum <"$bin")"
  check_eq "[$who] exec'd processes never see dabba as /proc/self/exe" "/bin/busybox" \
    "$($own exec race readlink /proc/self/exe)"

  # --- --init's reaper ----------------------------------------------------------------------------
  check_eq "[$who] --init: PID 1 is dabba-init, not dumpable (no exe, no environ, no fds)" \
    "dabba-init denied denied denied" \
    "$("$who" run --rm --init "$BUSYBOX" sh -c 'echo $(cat /proc/1/comm) \
      $(readlink /proc/1/exe >/dev/null 2>&1 && echo readable || echo denied) \
      $(cat /proc/1/environ >/dev/null 2>&1 && echo readable || echo denied) \
      $(readlink /proc/1/fd/1 >/dev/null 2>&1 && echo readable || echo denied)')"

  # --- a -d container rewrites its log ------------------------------------------------------------
  "$who" run -d --name logger "$BUSYBOX" sh -c 'echo first; ls -l /proc/self/fd/ /proc/1/fd/;
    : >/proc/self/fd/1; truncate -s 0 /proc/self/fd/1 /proc/1/fd/2 2>&1;
    printf "2000-01-01T00:00:00Z stderr F forged\n"; printf "no newline"; sleep 1000' >/dev/null
  dir=$(ls -d "$([ $who = dabba_user ] && echo "$STORE" || echo "$ROOT_STORE")"/containers/"$(ps_field $who logger id)")
  wait_until grep -q "no newline" "$dir/logs/ctr.log"
  logs=$("$who" logs logger 2>/dev/null)
  check "[$who] the log keeps the first line" grep -qx first <<<"$logs"
  check "[$who] the container's fds are pipes, not its log" grep -q "1 -> pipe:" <<<"$logs"
  check_eq "[$who] nothing in the container holds the log file" "" "$(grep -F ctr.log <<<"$logs" || true)"
  check "[$who] a forged record is text in a record of dabba's" \
    grep -q '^[0-9T:.-]*Z stdout F 2000-01-01T00:00:00Z stderr F forged$' "$dir/logs/ctr.log"
  check_eq "[$who] every line of the log is a record (k8s-file)" "" \
    "$(grep -vE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{9}Z (stdout|stderr) [FP] ' "$dir/logs/ctr.log" || true)"
  check "[$who] a partial line is a P record" grep -qE ' stdout P no newline$' "$dir/logs/ctr.log"

  # --- another local user reads the command lines -------------------------------------------------
  "$who" run -d --name secret -e SECRET_VALUE=hunter2-$$ "$BUSYBOX" sleep 1000 >/dev/null
  cmdlines=$(runuser -u nobody -- sh -c 'for f in /proc/[0-9]*/cmdline; do tr "\0" " " <$f; echo; done' 2>/dev/null)
  check_eq "[$who] no process shows -e's value to another user" "" "$(grep "hunter2-$$" <<<"$cmdlines" || true)"
  sup=$(sed -n 's/^supervisor_pid=//p' "$(dirname "$dir")/$(ps_field $who secret id)/state")
  check_eq "[$who] the supervisor is 'dabba-supervise <id>'" "dabba-supervise $(ps_field $who secret id) " \
    "$(tr '\0' ' ' </proc/"$sup"/cmdline)"
  if [ $who = dabba_user ]; then
    check_eq "[$who] the pause process is 'dabba-pause'" "dabba-pause " \
      "$(tr '\0' ' ' </proc/"$(cut -d' ' -f1 "$WORK/run/dabba/pause.pid")"/cmdline)"
  fi
  "$who" rm -f race logger secret >/dev/null
done

# --- a process left behind by exec reads the user's terminal ---------------------------------------
# A shell of the user (and of root) in tmux, a real terminal: exec starts background processes
# that keep the exec's stdio and, once exec has returned, read them; the user types a line into
# the shell.
TMUX_SOCKET=$WORK/tmux.sock
trap 'tmux -S "$TMUX_SOCKET" kill-server 2>/dev/null || true; run_cleanup' EXIT
pane() { tmux -S "$TMUX_SOCKET" capture-pane -p -t "$1"; }
for who in dabba_user dabba_root; do
  "$who" run -d --name victim "$BUSYBOX" sleep 1000 >/dev/null
  # Three readers left behind, one per fd exec gave its process.
  "$who" exec -i victim sh -c 'cat >/tmp/leave.sh' <<'SH'
for fd in 0 1 2; do (sleep 1; timeout 3 cat <&$fd >/tmp/stolen$1.$fd 2>/dev/null) & done
SH
  if [ $who = dabba_user ]; then
    cat >"$WORK/shell.sh" <<EOF
exec runuser -u "$RIG_USER" -- env -i -C "$WORK" PATH=/usr/bin:/bin HOME="$WORK/home" \\
  XDG_RUNTIME_DIR="$WORK/run" TERM=xterm PS1='prompt$ ' bash --norc --noprofile -i
EOF
    store=$STORE flags_list=("" "-i" "-t" "-it")
  else
    cat >"$WORK/shell.sh" <<EOF
exec env -i -C "$WORK" PATH=/usr/bin:/bin HOME=/root TERM=xterm PS1='prompt$ ' \\
  bash --norc --noprofile -i
EOF
    store=$ROOT_STORE flags_list=("" "-it")
  fi
  tmux -S "$TMUX_SOCKET" new-session -d -s "$who" -x 160 -y 30 "bash $WORK/shell.sh"
  wait_until sh -c "tmux -S '$TMUX_SOCKET' capture-pane -p -t $who | grep -q 'prompt\\$'"
  for flags in "${flags_list[@]}"; do
    tag=${flags:-none}
    tmux -S "$TMUX_SOCKET" send-keys -t "$who" \
      "$TEST_DABBA --root $store exec $flags victim sh /tmp/leave.sh $tag; echo exec-done-$tag" Enter
    wait_until sh -c "tmux -S '$TMUX_SOCKET' capture-pane -p -t $who | grep -q '^exec-done-$tag'"
    tmux -S "$TMUX_SOCKET" send-keys -t "$who" "echo typed-secret-$tag-$$" Enter
    sleep 1.5
    check "[$who exec $flags] the shell got the line typed after exec returned" \
      grep -q "^typed-secret-$tag-$$" <<<"$(pane "$who")"
    check_eq "[$who exec $flags] the left-behind processes read none of it" "" \
      "$("$who" exec victim sh -c "cat /tmp/stolen$tag.* 2>/dev/null" | grep "typed-secret" || true)"
  done
  tmux -S "$TMUX_SOCKET" kill-session -t "$who" 2>/dev/null || true
  "$who" rm -f victim >/dev/null
done
tmux -S "$TMUX_SOCKET" kill-server 2>/dev/null || true

check_no_container_leftovers dabba_user "$STORE"
check_done
