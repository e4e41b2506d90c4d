#!/bin/bash
# containers.conf(5) changes `run` as it changes podman's: the test user's
# $XDG_CONFIG_HOME/containers/containers.conf and its containers.conf.d (a drop-in overrides the
# main file), env (below the image's Env and -e), dns_servers/dns_searches/dns_options in
# /etc/resolv.conf (--dns wins), default_capabilities (CapEff; --cap-add adds to it),
# default_sysctls/default_ulimits/devices (added to the flags; a flag's name wins), init,
# pids_limit, tz; CONTAINERS_CONF replaces every file (also as root); a malformed file is exit 125
# naming the file and line; unknown keys are ignored.
set -euo pipefail
# shellcheck source=lib/run.sh
source "$(dirname "$0")/lib/run.sh"
run_setup containers_conf

CONF_DIR=$WORK/home/.config/containers
as_user mkdir -p "$CONF_DIR/containers.conf.d"
conf() { as_user tee "$CONF_DIR/containers.conf" >/dev/null; }
dropin() { as_user tee "$CONF_DIR/containers.conf.d/$1" >/dev/null; }
in_ctr() { dabba_user run --rm --network none "$@"; }

conf <<'EOF2'
# a file as podman users write it: tables dabba has no use for, keys it does not know
[containers]
env = ["CONF_ONLY=from-conf", "RIG_OVERRIDE=conf", "SHARED=conf"]
default_capabilities = ["CHOWN", "KILL"]
dns_servers = ["192.0.2.53"]
dns_searches = ["conf.example"]
dns_options = ["ndots:3"]
tz = "Asia/Tokyo"
default_sysctls = ["kernel.shmmni=4000", "net.ipv4.ping_group_range=0 1000"]
default_ulimits = ["nofile=1000:2000"]
devices = ["/dev/zero:/dev/confzero"]
netns = "private"
some_future_key = true
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
[network]
network_backend = "netavark"
EOF2

dabba_user pull -q "$FIXTURE_BUSYBOX_APP" >/dev/null  # (a pull's progress is not a warning)
out=$(in_ctr "$FIXTURE_BUSYBOX_APP" 2>&1 >/dev/null || true)
check_eq "unknown keys and tables: no warning, no error" "" "$out"
env_out=$(in_ctr --entrypoint env "$FIXTURE_BUSYBOX_APP")
check "env from containers.conf is in the container" grep -qx "CONF_ONLY=from-conf" <<<"$env_out"
check "the image's Env is above containers.conf's" grep -qx "RIG_OVERRIDE=image" <<<"$env_out"
check_eq "-e is above containers.conf's" "SHARED=flag" \
  "$(in_ctr -e SHARED=flag "$BUSYBOX" env | grep '^SHARED=')"

resolv=$(dabba_user run --rm "$BUSYBOX" cat /etc/resolv.conf)
check "dns_servers: the nameserver in /etc/resolv.conf" grep -qx "nameserver 192.0.2.53" <<<"$resolv"
check_eq "dns_servers: the only one" 1 "$(grep -c '^nameserver' <<<"$resolv")"
check "dns_searches: the search line" grep -qx "search conf.example" <<<"$resolv"
check "dns_options: the options line" grep -qx "options ndots:3" <<<"$resolv"
resolv=$(dabba_user run --rm --dns 192.0.2.99 "$BUSYBOX" cat /etc/resolv.conf)
check "--dns wins over dns_servers" grep -qx "nameserver 192.0.2.99" <<<"$resolv"
check "... and only it" bash -c "! grep -q 192.0.2.53 <<<'$resolv'"

check_eq "default_capabilities: CapEff is CHOWN and KILL" "0000000000000021" \
  "$(in_ctr "$BUSYBOX" awk '/^CapEff/ {print $2}' /proc/self/status)"
check_eq "--cap-add adds to containers.conf's set" "0000000000002021" \
  "$(in_ctr --cap-add NET_RAW "$BUSYBOX" awk '/^CapEff/ {print $2}' /proc/self/status)"
check_eq "default_sysctls: set in the container" "4000 0 1000" \
  "$(in_ctr "$BUSYBOX" sh -c 'echo $(cat /proc/sys/kernel/shmmni /proc/sys/net/ipv4/ping_group_range)')"
check_eq "--sysctl wins over default_sysctls" 5000 \
  "$(in_ctr --sysctl kernel.shmmni=5000 "$BUSYBOX" cat /proc/sys/kernel/shmmni)"
# (the host's value as dabba's user namespace shows it: gids it does not map read 65534)
check_eq "--network host: the default net.* sysctl left out, no error" \
  "$(dabba_user unshare cat /proc/sys/net/ipv4/ping_group_range | tr '\t' ' ')" \
  "$(dabba_user run --rm --network host "$BUSYBOX" cat /proc/sys/net/ipv4/ping_group_range | tr '\t' ' ')"
check_eq "default_ulimits: ulimit -n, soft and hard" "1000 2000" \
  "$(in_ctr "$BUSYBOX" sh -c 'echo $(ulimit -n) $(ulimit -Hn)')"
check_eq "--ulimit wins over default_ulimits" 500 "$(in_ctr --ulimit nofile=500:600 "$BUSYBOX" sh -c 'ulimit -n')"
check "devices: the host's node in the container" in_ctr "$BUSYBOX" test -c /dev/confzero
check_eq "tz: /etc/localtime is Asia/Tokyo's" "JST" "$(in_ctr "$BUSYBOX" date +%Z)"
check_eq "--tz wins over tz" "UTC" "$(in_ctr --tz UTC "$BUSYBOX" date +%Z)"

# A drop-in overrides the keys it sets, later drop-ins (lexical order) override earlier ones.
dropin 10-caps.conf <<'EOF2'
[containers]
default_capabilities = ["CHOWN"]
init = true
EOF2
dropin 20-caps.conf <<'EOF2'
[containers]
default_capabilities = ["KILL", "SETUID"]
EOF2
echo '[containers]' | dropin 30-ignored.txt
check_eq "a drop-in overrides the main file (the last one wins)" "00000000000000a0" \
  "$(in_ctr "$BUSYBOX" awk '/^CapEff/ {print $2}' /proc/self/status)"
check "keys a drop-in does not set stay (env)" grep -qx "CONF_ONLY=from-conf" \
  <<<"$(in_ctr "$BUSYBOX" env)"
check_eq "init from a drop-in: PID 1 is the init, not the command" "no" \
  "$(in_ctr "$BUSYBOX" sh -c 'test $$ = 1 && echo yes || echo no')"
check_eq "--init=false wins over init" "yes" \
  "$(in_ctr --init=false "$BUSYBOX" sh -c 'test $$ = 1 && echo yes || echo no')"

# CONTAINERS_CONF: that file alone.
as_user tee "$WORK/home/only.conf" >/dev/null <<'EOF2'
[containers]
env = ["ONLY=yes"]
EOF2
env_out=$(as_user env CONTAINERS_CONF="$WORK/home/only.conf" "$TEST_DABBA" --root "$STORE" \
  run --rm --network none "$BUSYBOX" sh -c 'env; awk "/^CapEff/ {print \$2}" /proc/self/status')
check "CONTAINERS_CONF: its env" grep -qx "ONLY=yes" <<<"$env_out"
check "CONTAINERS_CONF: the user's files are not read" bash -c "! grep -q CONF_ONLY <<<'$env_out'"
check "CONTAINERS_CONF: the default capabilities again" grep -qx "00000000800405fb" <<<"$env_out"
# podman's test: conmon keeps CONTAINERS_CONF (its cleanup reads the same file); so does dabba's
# supervisor, whose environment stays readable under its title.
ccid=$(as_user env CONTAINERS_CONF="$WORK/home/only.conf" "$TEST_DABBA" --root "$STORE" \
  run -d --network none "$BUSYBOX" sleep 60)
cpid=$(dabba_user inspect --format '{{.State.ConmonPid}}' "$ccid")
check_eq "... the supervisor's environment has it" "CONTAINERS_CONF=$WORK/home/only.conf" \
  "$(tr '\0' '\n' <"/proc/$cpid/environ" | grep '^CONTAINERS_CONF=')"
check_eq "... its title is still dabba-supervise ID" "dabba-supervise $ccid" \
  "$(tr '\0' ' ' <"/proc/$cpid/cmdline" | sed 's/ *$//')"
dabba_user rm -f -t 0 "$ccid" >/dev/null
rc=0
out=$(as_user env CONTAINERS_CONF="$WORK/home/missing.conf" "$TEST_DABBA" --root "$STORE" \
  run --rm --network none "$BUSYBOX" true 2>&1) || rc=$?
check_eq "CONTAINERS_CONF naming no file: exit 125" 125 "$rc"
check "... naming it" grep -qF "$WORK/home/missing.conf" <<<"$out"
out=$(env -i PATH=/usr/bin:/bin HOME=/root CONTAINERS_CONF="$WORK/home/only.conf" \
  "$TEST_DABBA" --root "$ROOT_STORE" run --rm --network none "$BUSYBOX" env 2>&1 || true)
check "[root] CONTAINERS_CONF: its env" grep -qx "ONLY=yes" <<<"$out"

# A malformed file: exit 125, the file and the line named; nothing runs.
dropin 40-bad.conf <<'EOF2'
[containers]
env = ["A=1",
init = true
EOF2
rc=0
out=$(in_ctr "$BUSYBOX" echo ran 2>&1) || rc=$?
check_eq "a malformed drop-in: exit 125" 125 "$rc"
check "... naming the file" grep -qF "$CONF_DIR/containers.conf.d/40-bad.conf" <<<"$out"
check "... and the line" grep -q "line [0-9]" <<<"$out"
check "... podman's Error: prefix" grep -q "^Error: " <<<"$out"
check "... nothing ran" bash -c "! grep -qx ran <<<'$out'"
echo '[containers]
init = "yes"' | dropin 40-bad.conf
rc=0
out=$(in_ctr "$BUSYBOX" true 2>&1) || rc=$?
check_eq "a key of the wrong type: exit 125" 125 "$rc"
check "... naming the key and the line" grep -qF "40-bad.conf: line 2: containers.init must be true or false" <<<"$out"
check "other verbs do not read containers.conf" dabba_user images -q
as_user rm "$CONF_DIR/containers.conf.d/40-bad.conf"

# [containers] userns: the default --userns (podman's test "userns=auto in config file").
echo '[containers]
userns = "auto"' | dropin 50-userns.conf
check_eq "userns = \"auto\": a namespace of its own, the caller not in it" "0 1 1024" \
  "$(in_ctr "$BUSYBOX" cat /proc/self/uid_map | xargs)"
cid=$(dabba_user create "$BUSYBOX" true)
check_eq "... inspect's UsernsMode private, as podman's" private \
  "$(dabba_user inspect --format '{{.HostConfig.UsernsMode}}' "$cid")"
check_eq "... --userns given wins (dabba's own namespace: the caller is root)" "0 $(id -u dabba-test) 1" \
  "$(in_ctr --userns host "$BUSYBOX" head -1 /proc/self/uid_map | xargs)"
dabba_user rm "$cid" >/dev/null
as_user rm "$CONF_DIR/containers.conf.d/50-userns.conf"

# base_hosts_file and host_containers_internal_ip, as podman's test of them.
printf '10.1.2.3 base1\n10.4.5.6 base2 #a comment\n' | as_user tee "$WORK/home/basehosts" >/dev/null
printf '[containers]\nbase_hosts_file = "%s"\nhost_containers_internal_ip = "10.9.9.9"\n' \
  "$WORK/home/basehosts" | dropin 60-hosts.conf
hosts=$(dabba_user run --rm --add-host extra:10.7.7.7 "$BUSYBOX" cat /etc/hosts)
check_eq "base_hosts_file: its lines first, then localhost, the container, host.containers.internal, --add-host" \
  "10.1.2.3 10.4.5.6 127.0.0.1 ::1 10.0.2.100 10.9.9.9 10.7.7.7" "$(awk '{print $1}' <<<"$hosts" | xargs)"
check "... host_containers_internal_ip names the host" grep -Pq '^10\.9\.9\.9\thost\.containers\.internal$' <<<"$hosts"
check_eq "... a container named as a base entry adds no line of its own" 5 \
  "$(dabba_user run --rm --name base1 --hostname base1 "$BUSYBOX" cat /etc/hosts | wc -l)"
as_user rm "$CONF_DIR/containers.conf.d/60-hosts.conf"

check_done
