#!/bin/bash
# --network pasta[:OPTIONS] (issue 12), through the real binary as the test user: the container
# gets the host's default gateway, and a service the host binds on 127.0.0.1 only is reached
# through that gateway's address (pasta's map-gw, as podman's pasta mode); pasta's own options pass
# through; -p publishes into it; a pasta that cannot start is a clear error; no pasta process is
# left after rm -f nor after SIGKILL of the container's owner. Only 127.0.0.0/8 on the host is
# touched.
set -euo pipefail
# shellcheck source=lib/run.sh
source "$(dirname "$0")/lib/run.sh"
run_setup network_pasta

if ! command -v pasta >/dev/null; then
  echo "SKIP: pasta (Debian package passt) is not installed"
  exit 77
fi
HOST_GW=$(ip route show default | awk '/^default/ {print $3; exit}')
if [ -z "$HOST_GW" ]; then
  echo "SKIP: the host has no default route, which pasta copies into the container"
  exit 77
fi

# pasta_processes: the test user's pasta processes that are not zombies.
pasta_processes() {
  local pid
  for pid in $(pgrep -u "$RIG_USER" -f '^[^ ]*(pasta|passt)[^ ]* .*--config-net' 2>/dev/null); do
    [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = Z ] || echo "$pid"
  done
  return 0
}
no_pasta() { [ -z "$(pasta_processes)" ]; }
some_pasta() { [ -n "$(pasta_processes)" ]; }

# host_call ADDRESS: a shell snippet for the container: what a TCP connection to ADDRESS:HOST_PORT
# receives within 2 s, tried up to 5 times until something arrives.
host_call() {
  echo "for i in 1 2 3 4 5; do nc $1 $HOST_PORT </dev/null >/tmp/got 2>/dev/null & p=\$!; sleep 2;
    kill \$p 2>/dev/null; [ -s /tmp/got ] && { cat /tmp/got; break; }; done"
}

# start_host_server: a TCP service on the host's 127.0.0.1:HOST_PORT only (60 s at most) that
# greets every connection with hello-from-host-loopback; its pid in SERVER.
start_host_server() {
  timeout 60 python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8)
while True:
    c, _ = s.accept(); c.sendall(b"hello-from-host-loopback\n"); c.close()' "$HOST_PORT" &
  SERVER=$!
}

# --- the host's loopback through the gateway ---------------------------------------------------
check_eq "the container's default gateway is the host's" "$HOST_GW" \
  "$(dabba_user run --rm --network pasta "$BUSYBOX" sh -c "ip route | awk '/^default/ {print \$3}'")"
HOST_PORT=$(free_port)
start_host_server
# The client reads what arrives for 2 s, then is stopped: Debian's pasta (2023-03) sometimes loses
# the host side's FIN, and nc would wait for ever (docs/network.md).
check_eq "a service on the host's 127.0.0.1 answers through the gateway's address" hello-from-host-loopback \
  "$(dabba_user run --rm --network pasta "$BUSYBOX" sh -c "gw=\$(ip route | awk '/^default/ {print \$3}')
     $(host_call "\$gw")")"
kill "$SERVER" 2>/dev/null || true
wait "$SERVER" 2>/dev/null || true
check_eq "pasta's options pass through (pasta:--mtu,1400)" 1400 \
  "$(dabba_user run --rm --network pasta:--mtu,1400 "$BUSYBOX" sh -c \
     "ip link show \$(ip route | awk '/^default/ {print \$5}') | grep -o 'mtu [0-9]*' | cut -d' ' -f2")"
out=$(dabba_user run --rm --network pasta:--no-such-pasta-option "$BUSYBOX" true 2>&1) && rc=0 || rc=$?
check_eq "options pasta refuses: 126 (a failed start)" 126 $rc
check "... the error names pasta and its log" grep -q 'pasta' <<<"$out"
check "... no pasta left" wait_for 10 no_pasta

# --- -p into a pasta container ----------------------------------------------------------------------
PORT=$(free_port)
dabba_user run -d --name pub --network pasta -p "127.0.0.1:$PORT:8080" "$BUSYBOX" \
  sh -c "echo $MARK >/dev/null; while true; do echo published | nc -l -p 8080; done" >/dev/null
check "-p: the host reaches the container's port" wait_for 10 sh -c "nc -w 2 127.0.0.1 $PORT </dev/null | grep -q published"
check_eq "ps shows the port" "127.0.0.1:$PORT->8080/tcp" "$(dabba_user ps --filter name=^pub\$ --format '{{.Ports}}')"
check_eq "inspect: NetworkMode pasta" pasta "$(dabba_user inspect pub --format '{{.HostConfig.NetworkMode}}')"
check "pasta runs while the container does" some_pasta
check_eq "rm -f" pub "$(dabba_user rm -f -t 0 pub)"
check "... no pasta left after rm -f" wait_for 10 no_pasta

# --- containers.conf: default_rootless_network_cmd = "pasta" -------------------------------------
# The default mode becomes pasta, and the user's networks' namespace goes out through pasta: a
# container on a network reaches the host's loopback through the host's gateway address.
install -d -o "$RIG_USER" "$WORK/home/.config/containers"
printf '[network]\ndefault_rootless_network_cmd = "pasta"\n' >"$WORK/home/.config/containers/containers.conf"
chmod 0644 "$WORK/home/.config/containers/containers.conf"
check_eq "the default mode is pasta (the host's gateway)" "$HOST_GW" \
  "$(dabba_user run --rm "$BUSYBOX" sh -c "ip route | awk '/^default/ {print \$3}'")"
start_host_server
dabba_user network create viapasta >/dev/null
check_eq "a container on a network reaches the host's loopback through the networks' pasta" \
  hello-from-host-loopback \
  "$(dabba_user run --rm --network viapasta "$BUSYBOX" sh -c \
     "$(host_call "$HOST_GW")")"
kill "$SERVER" 2>/dev/null || true
wait "$SERVER" 2>/dev/null || true
holder_pasta() {
  local pid
  for pid in $(pasta_processes); do
    [ "$(cat "/proc/$(awk '{print $4}' "/proc/$pid/stat")/comm" 2>/dev/null)" = dabba-netns ] && return 0
  done
  return 1
}
dabba_user run -d --name onnet --network viapasta "$BUSYBOX" sh -c "echo $MARK; sleep 300" >/dev/null
check "the networks' namespace holder runs pasta" wait_for 10 holder_pasta
dabba_user rm -f -t 0 onnet >/dev/null
check "... which goes with the last container on a network" wait_for 10 no_pasta
dabba_user network rm viapasta >/dev/null
rm "$WORK/home/.config/containers/containers.conf"

# --- SIGKILL of the container's owner -------------------------------------------------------------
dabba_user run -d --name k --network pasta "$BUSYBOX" sh -c "echo $MARK; sleep 300" >/dev/null
check "a detached pasta container runs" wait_for 10 some_pasta
kill -KILL $(test_dabba_pids) 2>/dev/null || true
check "after SIGKILL of every dabba process of the test: no pasta left" wait_for 10 no_pasta
dabba_user rm -f -t 0 k >/dev/null 2>&1 || true
check_no_container_leftovers dabba_user "$STORE"
check_done
