#!/bin/bash
# `dabba run`'s network as a user types it, through the real binary, as the test user (and the
# key cases as root): published TCP ports of a -d container (-p IP:HOST:CONTAINER, and -p
# CONTAINER with the port read from ps), a published UDP port answering both ways, the host's
# loopback reachable as 10.0.2.2 only with allow_host_loopback, --network none, host and
# container:NAME (the other container's namespace, its loopback and resolv.conf), the
# container's /etc/resolv.conf and /etc/hosts, a host port in use, and nothing left behind:
# no slirp4netns, port relay or API socket after rm -f, after a foreground run, after SIGKILL of a
# supervisor. The port relay's TCP side: 20 connections at once, 20 MiB byte-exact both ways,
# half-close, a port with nothing listening closed promptly, no fd left once they are done. Only
# 127.0.0.0/8 and the container's own namespace are touched.
set -euo pipefail
# shellcheck source=lib/run.sh
source "$(dirname "$0")/lib/run.sh"
# shellcheck source=../fixtures/oci.sh
source "$(dirname "$0")/../fixtures/oci.sh"
run_setup run_network
dabba_root pull -q "$BUSYBOX" >/dev/null 2>&1
PY=/usr/bin/python3

# background CMD...: CMD in the background (at most 5 minutes), killed at exit.
background() {
  timeout 300 "$@" </dev/null >>"$WORK/background.log" 2>&1 &
  RIG_TEST_PIDS="${RIG_TEST_PIDS:-} $!"
}

# store_of WHO: the store WHO's dabba uses.
store_of() { if [ "$1" = dabba_user ]; then echo "$STORE"; else echo "$ROOT_STORE"; fi; }

# container_dir WHO NAME: where the runner keeps the container NAME (its state, logs).
container_dir() { echo "$(store_of "$1")/containers/$(ps_field "$1" "$2" id)"; }

# slirp_pids WHO: the slirp4netns processes of WHO's containers in this test (found by their log,
# which is under the store: fd 1 is the container's logs/slirp4netns.log).
slirp_pids() {
  local store pid
  store=$(store_of "$1")
  for pid in $(pgrep -x slirp4netns 2>/dev/null); do
    case "$(readlink "/proc/$pid/fd/1" 2>/dev/null)" in "$store"/*) echo "$pid" ;; esac
  done
}

# relay_pids WHO NAME: the port relay of the -d container NAME: the supervisor's child titled
# dabba-port-relay.
relay_pids() {
  local sup
  sup=$(sed -n 's/^supervisor_pid=//p' "$(container_dir "$1" "$2")/state")
  pgrep -P "$sup" -f "^dabba-port-relay" 2>/dev/null || true
}

# relay_fds_are PID "SOCKETS PIPES": whether the relay PID holds that many sockets and pipes.
relay_fds_are() {
  local links
  links=$(ls -l "/proc/$1/fd" 2>/dev/null) || return 1
  [ "$(grep -c 'socket:' <<<"$links") $(grep -c 'pipe:' <<<"$links")" = "$2" ]
}

# api_sockets WHO: the sockets left in WHO's store (slirp4netns's API socket is unlinked once the
# ports are published), but the attach socket the container's owner listens on.
api_sockets() { find "$(store_of "$1")" -type s ! -name attach 2>/dev/null || true; }

# gone PID...: whether every PID has exited.
gone() {
  local pid
  for pid in "$@"; do kill -0 "$pid" 2>/dev/null && return 1; done
  return 0
}

# nc.openbsd (busybox's nc has no UDP) with its libraries, bound into a container at /tools.
install -d -m 0755 "$WORK/tools"
cp -L /usr/bin/nc.openbsd "$WORK/tools/nc"
for lib in $(ldd /usr/bin/nc.openbsd | grep -o '/[^ ]*'); do cp -L "$lib" "$WORK/tools/"; done
chmod -R a+rX "$WORK/tools"
TOOLS=(-v "$WORK/tools:/tools:ro")
# The host's dynamic loader, whatever its architecture (ld-linux-x86-64.so.2, ld-linux-aarch64.so.1).
LOADER=$(basename "$(ldd /usr/bin/nc.openbsd | grep -o '/[^ ]*ld-linux[^ ]*' | head -n 1)")
NC_UDP="/tools/$LOADER --library-path /tools /tools/nc"

# udp_ask PORT TEXT: sends TEXT to 127.0.0.1:PORT (again every 0.2 s: the server may not be up
# yet) and prints the first reply; fails after 30 s without one.
udp_ask() {
  $PY - "$1" "$2" <<'EOF'
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.2)
deadline = time.time() + 30
while time.time() < deadline:
    s.sendto((sys.argv[2] + "\n").encode(), ("127.0.0.1", int(sys.argv[1])))
    try:
        print(s.recv(4096).decode().strip()); sys.exit(0)
    except socket.timeout:
        pass
sys.exit(1)
EOF
}

# tcp_half_close PORT FILE: sends FILE to 127.0.0.1:PORT, shuts down its write side, and prints
# the first word of the answer (read to EOF, 60 s at most).
tcp_half_close() {
  $PY - "$1" "$2" <<'EOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=60)
with open(sys.argv[2], "rb") as f:
    s.sendall(f.read())
s.shutdown(socket.SHUT_WR)
answer = b""
while True:
    got = s.recv(65536)
    if not got:
        break
    answer += got
answer = answer.decode().split()
if not answer:
    sys.exit(1)
print(answer[0])
EOF
}

# tcp_closed_within SECONDS PORT: connects to 127.0.0.1:PORT and prints "closed" if the connection
# is closed (EOF or reset) within SECONDS, "open" otherwise.
tcp_closed_within() {
  $PY - "$1" "$2" <<'EOF'
import socket, sys
try:
    # The reset may come before connect() returns (it polls when given a timeout).
    s = socket.create_connection(("127.0.0.1", int(sys.argv[2])), timeout=float(sys.argv[1]))
    print("closed" if s.recv(1) == b"" else "data")
except ConnectionResetError:
    print("closed")
except socket.timeout:
    print("open")
EOF
}

# 20 MiB of random bytes, served by (and sent to) a container.
install -d -m 0755 "$WORK/big"
head -c $((20 << 20)) /dev/urandom >"$WORK/big/big.bin"
chmod 0644 "$WORK/big/big.bin"
BIG_SUM=$(sha256sum "$WORK/big/big.bin" | cut -d' ' -f1)

# A web server on the host's loopback, for the container to reach as 10.0.2.2.
install -d -m 0755 "$WORK/hostweb"
echo "on-the-host-$$" >"$WORK/hostweb/index.html"
HOSTWEB=$(free_port)
background $PY -m http.server --bind 127.0.0.1 --directory "$WORK/hostweb" "$HOSTWEB"
check "the host's web server is up" wait_for 30 curl -fsS -m 2 "http://127.0.0.1:$HOSTWEB/"
GET="printf 'GET /index.html HTTP/1.0\r\n\r\n' | nc -w 5 10.0.2.2 $HOSTWEB"

for who in dabba_user dabba_root; do
  echo "--- [$who]"
  # --- a published TCP port of a -d container ---------------------------------------------------
  # Port 80: busybox httpd (its page, and a 20 MiB file); 81: sha256sum of what a client sends,
  # answered once the client has shut down its write side; 82: nothing listens.
  P=$(free_port) P81=$(free_port) P82=$(free_port)
  web="mkdir -p /www && echo web-$who >/www/index.html && httpd -f -p 80 -h /www # $MARK"
  webs="cp /big/big.bin /www/ && { nc -ll -p 81 -e sha256sum & } && $web"
  check "[$who] run -d -p 127.0.0.1:$P:80 (busybox httpd) -p $P81:81 -p $P82:82" \
    "$who" run -d --name web -v "$WORK/big:/big:ro" -p "127.0.0.1:$P:80" \
    -p "127.0.0.1:$P81:81" -p "127.0.0.1:$P82:82" "$BUSYBOX" sh -c "mkdir -p /www && $webs"
  check "[$who] httpd answers on the host's 127.0.0.1:$P" \
    wait_for 60 curl -fsS -m 2 "http://127.0.0.1:$P/"
  check_eq "[$who] ... with the container's page" "web-$who" \
    "$(curl -fsS -m 5 "http://127.0.0.1:$P/" 2>&1)"
  check_eq "[$who] ps --format json: the ports" \
    "[\"127.0.0.1:$P->80/tcp\",\"127.0.0.1:$P81->81/tcp\",\"127.0.0.1:$P82->82/tcp\"]" \
    "$("$who" ps --format json | jq -c '.[] | select(.Names[0] == "web") | .Ports')"
  # The relay (port_relay.h) carries every published port: many connections at once, large
  # transfers byte-exact both ways, half-close, and a port nobody listens on closed at once.
  rm -f "$WORK"/par-*
  curls=()
  for i in $(seq 20); do
    curl -fsS -m 30 -o "$WORK/par-$i" "http://127.0.0.1:$P/" &
    curls+=($!)
  done
  wait "${curls[@]}" || true
  check_eq "[$who] 20 requests at once: 20 pages" 20 \
    "$(cat "$WORK"/par-* 2>/dev/null | grep -cx "web-$who")"
  check_eq "[$who] 20 MiB from the container, byte-exact" "$BIG_SUM" \
    "$(curl -fsS -m 60 "http://127.0.0.1:$P/big.bin" | sha256sum | cut -d' ' -f1)"
  check "[$who] nc -e sha256sum is up on $P81" wait_for 60 tcp_half_close "$P81" /dev/null
  check_eq "[$who] 20 MiB to the container, byte-exact, answered after a half-close" \
    "$BIG_SUM" "$(tcp_half_close "$P81" "$WORK/big/big.bin" 2>&1)"
  check_eq "[$who] a port with nothing listening in the container: closed within 5 s" closed \
    "$(tcp_closed_within 5 "$P82" 2>&1)"
  web_relay=$(relay_pids "$who" web)
  check_eq "[$who] one relay for the container's ports" 1 "$(wc -w <<<"$web_relay")"
  check "[$who] ... its connections all closed: 3 listening sockets and the exit pipe left" \
    wait_for 10 relay_fds_are "$web_relay" "3 1"
  check "[$who] ps shows them" grep -q \
    "127.0.0.1:$P->80/tcp, 127.0.0.1:$P81->81/tcp, 127.0.0.1:$P82->82/tcp .*web$" <<<"$("$who" ps)"
  check_eq "[$who] one slirp4netns for it" 1 "$(slirp_pids "$who" | wc -l)"
  check_eq "[$who] its API socket is gone once the ports are published" "" "$(api_sockets "$who")"

  check "[$who] run -d -p 80 (a free host port)" \
    "$who" run -d --name web2 -p 80 "$BUSYBOX" sh -c "$web"
  ports=$("$who" ps --format json | jq -r '.[] | select(.Names[0] == "web2") | .Ports[]')
  check "[$who] ps --format json shows the chosen port ($ports)" \
    grep -Eqx '0\.0\.0\.0:[0-9]+->80/tcp' <<<"$ports"
  P2=$(sed -E 's/^0\.0\.0\.0:([0-9]+)->.*/\1/' <<<"$ports")
  check "[$who] ps shows it" grep -qF "$ports" <<<"$("$who" ps)"
  check "[$who] httpd answers on the chosen port $P2" \
    wait_for 60 curl -fsS -m 2 "http://127.0.0.1:$P2/"

  # --- a host port in use: exit 125 naming it, before the workload starts -----------------------
  install -d -m 0777 "$WORK/ran-$who"
  out=$("$who" run --rm -v "$WORK/ran-$who:/ran" -p "127.0.0.1:$P:80" "$BUSYBOX" \
    touch /ran/started 2>&1) && rc=0 || rc=$?
  check_eq "[$who] TCP port $P in use (by the first container): exit 126 (a failed start, as podman)" 126 "$rc"
  check "[$who] ... the error names the port" grep -q "Error: .*port $P/tcp.* in use" <<<"$out"
  check_eq "[$who] ... the workload never started" "" "$(ls "$WORK/ran-$who")"
  U=$(free_port udp)
  background $PY -c 'import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", int(sys.argv[1])))
open(sys.argv[2], "w").close(); time.sleep(300)' "$U" "$WORK/udp-held-$U"
  wait_for 30 test -e "$WORK/udp-held-$U" || true
  out=$("$who" run --rm -v "$WORK/ran-$who:/ran" -p "$U:$U/udp" "$BUSYBOX" \
    touch /ran/started 2>&1) && rc=0 || rc=$?
  check_eq "[$who] UDP port $U in use (by a host process): exit 126 (a failed start, as podman)" 126 "$rc"
  check "[$who] ... the error names the port" grep -q "Error: .*port $U/udp.* in use" <<<"$out"
  check_eq "[$who] ... the workload never started" "" "$(ls "$WORK/ran-$who")"

  check "[$who] rm -f of both web containers" "$who" rm -f web web2
  check_eq "[$who] after rm -f: no slirp4netns" "" "$(slirp_pids "$who")"
  # shellcheck disable=SC2086
  check "[$who] after rm -f: no port relay" gone $web_relay
  check "[$who] after rm -f: the ports are free again" \
    $PY -c 'import socket, sys; s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAITs of the curls stay
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen()' "$P"
  check_eq "[$who] after rm -f: no socket in the store" "" "$(api_sockets "$who")"

  # --- a published UDP port, answering both ways; then SIGKILL of its supervisor ----------------
  U=$(free_port udp)
  udp="mkfifo /tmp/f && $NC_UDP -u -l $U </tmp/f | while read l; do echo \"pong \$l\"; done >/tmp/f # $MARK"
  check "[$who] run -d -p $U:$U/udp (nc -u -l in the container)" \
    "$who" run -d --name udp "${TOOLS[@]}" -p "$U:$U/udp" "$BUSYBOX" sh -c "$udp"
  check_eq "[$who] a UDP datagram reaches the container, its answer the host" "pong ping-$who" \
    "$(udp_ask "$U" "ping-$who" 2>&1)"
  check_eq "[$who] ps shows the UDP port" "0.0.0.0:$U->$U/udp" \
    "$("$who" ps --format json | jq -r '.[] | select(.Names[0] == "udp") | .Ports[]')"
  slirp=$(slirp_pids "$who")
  relay=$(relay_pids "$who" udp)
  check_eq "[$who] it has one slirp4netns and one port relay" "1 1" \
    "$(wc -w <<<"$slirp") $(wc -w <<<"$relay")"
  sup=$(sed -n 's/^supervisor_pid=//p' "$(container_dir "$who" udp)/state")
  kill -KILL "$sup"
  # shellcheck disable=SC2086
  check "[$who] SIGKILL of the supervisor: slirp4netns exits" wait_for 30 gone $slirp
  # shellcheck disable=SC2086
  check "[$who] ... and the port relay" wait_for 30 gone $relay
  check "[$who] ... which frees its UDP port" $PY -c 'import socket, sys
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).bind(("127.0.0.1", int(sys.argv[1])))' "$U"
  check_eq "[$who] ps: no ports shown for it any more" "" \
    "$("$who" ps -a --format json | jq -r '.[] | select(.Names[0] == "udp") | .Ports[]')"
  check "[$who] rm -f of the container" "$who" rm -f udp
  check_eq "[$who] no slirp4netns left" "" "$(slirp_pids "$who")"
  check_eq "[$who] no socket left" "" "$(api_sockets "$who")"

  # --- the host's loopback, as 10.0.2.2 only when allowed ---------------------------------------
  check_eq "[$who] allow_host_loopback=true: 10.0.2.2 reaches the host's 127.0.0.1" \
    "on-the-host-$$" \
    "$("$who" run --rm --network slirp4netns:allow_host_loopback=true "$BUSYBOX" sh -c \
      "$GET" 2>&1 | tail -n 1)"
  out=$("$who" run --rm "$BUSYBOX" sh -c "$GET" 2>&1) || true
  check_eq "[$who] by default it does not" 0 "$(grep -c on-the-host <<<"$out")"
  F=$(free_port)
  check "[$who] a foreground run with -p 127.0.0.1:$F:80" \
    "$who" run --rm -p "127.0.0.1:$F:80" "$BUSYBOX" true
  check "[$who] ... its port is free once it returned (its relay is gone)" $PY -c 'import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen()' "$F"
  check_eq "[$who] after the foreground runs: no slirp4netns" "" "$(slirp_pids "$who")"
  check_eq "[$who] ... and no socket" "" "$(api_sockets "$who")"

  # --- interfaces -------------------------------------------------------------------------------
  check_eq "[$who] --network none: only lo, up" "lo UP" \
    "$("$who" run --rm --network none "$BUSYBOX" sh -c \
      'ip -o link | cut -d: -f2 | xargs; ip -o link show lo | grep -o "[<,]UP[,>]" | tr -d "<>,"' |
      xargs)"
  check_eq "[$who] slirp4netns: lo and tap0 (10.0.2.100/24, mtu 65520, default via 10.0.2.2)" \
    "lo tap0 10.0.2.100/24 65520 10.0.2.2" \
    "$("$who" run --rm "$BUSYBOX" sh -c 'ip -o link | cut -d: -f2 | xargs
      ip -o -4 addr show tap0 | awk "{print \$4}"; cat /sys/class/net/tap0/mtu
      ip route | awk "/^default/ {print \$3}"' | xargs)"
  check_eq "[$who] slirp4netns:mtu=1500" 1500 \
    "$("$who" run --rm --network slirp4netns:mtu=1500 "$BUSYBOX" cat /sys/class/net/tap0/mtu)"
  check_eq "[$who] --network host: the host's interfaces" \
    "$(tail -n +3 /proc/net/dev | cut -d: -f1 | sort | xargs)" \
    "$("$who" run --rm --network host "$BUSYBOX" sh -c 'tail -n +3 /proc/net/dev | cut -d: -f1' |
      sort | xargs)"
  # exec joins the container's namespaces but the ones it shares with us (setns into the host's
  # network namespace is refused from dabba's user namespace).
  HN=$("$who" run -d --network host "$BUSYBOX" sleep 600)
  check_eq "[$who] exec into a --network host container, in the host's network namespace" \
    "$(readlink /proc/self/ns/net)" "$("$who" exec "$HN" readlink /proc/self/ns/net)"
  "$who" rm -f -t 0 "$HN" >/dev/null
done

# --- /etc/resolv.conf and /etc/hosts --------------------------------------------------------------
# The host's resolv.conf is replaced (in a mount namespace of the test's own) by one with search
# domains and options, so what is copied from it shows.
printf 'search corp.example lab.example\nnameserver 192.0.2.1\noptions ndots:2\n' >"$WORK/resolv.conf"
chmod 0644 "$WORK/resolv.conf"
# with_host_resolv CMD...: CMD (dabba_user or dabba_root ...) seeing $WORK/resolv.conf as the
# host's /etc/resolv.conf.
with_host_resolv() {
  unshare --mount --propagation private -- bash -c "$(declare -f); $(declare -p WORK STORE \
    ROOT_STORE TEST_DABBA RIG_USER); mount --bind '$WORK/resolv.conf' /etc/resolv.conf && \"\$@\"" \
    bash "$@"
}
for who in dabba_user dabba_root; do
  check_eq "[$who] slirp4netns: nameserver 10.0.2.3, the host's search and options" \
    "search corp.example lab.example|nameserver 10.0.2.3|options ndots:2" \
    "$(with_host_resolv "$who" run --rm "$BUSYBOX" cat /etc/resolv.conf | paste -sd'|')"
  check_eq "[$who] --dns" "search corp.example lab.example|nameserver 192.0.2.53|options ndots:2" \
    "$(with_host_resolv "$who" run --rm --dns 192.0.2.53 "$BUSYBOX" cat /etc/resolv.conf |
      paste -sd'|')"
  check_eq "[$who] --network host: the host's resolv.conf" "$(cat "$WORK/resolv.conf")" \
    "$(with_host_resolv "$who" run --rm --network host "$BUSYBOX" cat /etc/resolv.conf)"
  check_eq "[$who] --network none: no nameserver" 0 \
    "$(with_host_resolv "$who" run --rm --network none "$BUSYBOX" cat /etc/resolv.conf |
      grep -c nameserver)"
done
check_eq "the real host's file: nameserver 10.0.2.3" "nameserver 10.0.2.3" \
  "$(dabba_user run --rm "$BUSYBOX" grep nameserver /etc/resolv.conf)"

hosts=$(dabba_user run --rm --hostname box --add-host db.example:192.0.2.7 "$BUSYBOX" \
  sh -c 'cat /etc/hostname; cat /etc/hosts')
check "/etc/hosts: localhost" grep -Pq '^127\.0\.0\.1\tlocalhost$' <<<"$hosts"
check "/etc/hosts: the hostname and the name at the container's address" grep -Pq '^10\.0\.2\.100\tbox [a-z]+_[a-z]+$' <<<"$hosts"
check "/etc/hosts: --add-host" grep -Pq '^192\.0\.2\.7\tdb\.example$' <<<"$hosts"
check "/etc/hostname" grep -qx box <<<"$hosts"
check_eq "/etc/hosts: host.containers.internal is the host's first address, as podman writes it" \
  "$(hostname -I | cut -f1 -d' ')" "$(awk '$2 == "host.containers.internal" {print $1}' <<<"$hosts")"
for who in dabba_user dabba_root; do
  check "[$who] allow_host_loopback: host.containers.internal is 10.0.2.2" grep -Pq \
    '^10\.0\.2\.2\thost\.containers\.internal' \
    <<<"$("$who" run --rm --network slirp4netns:allow_host_loopback=true "$BUSYBOX" cat /etc/hosts)"
done
check "--network none: localhost and the hostname" grep -Pzq '127\.0\.0\.1\tlocalhost\n(.*\n)*127\.0\.1\.1\tbox\n' \
  <<<"$(dabba_user run --rm --network none --hostname box "$BUSYBOX" cat /etc/hosts)"

# --- -P: every port the image exposes, on free host ports --------------------------------------------
# rig/busybox's config with ExposedPorts 80/tcp and 9999/udp, pushed beside it as another tag
# (oci_push_dir uploads the new config and skips the layer the registry already has).
accept='application/vnd.oci.image.manifest.v1+json,application/vnd.docker.distribution.manifest.v2+json'
manifest=$(curl -fsS -H "Accept: $accept" "http://$REGISTRY/v2/rig/busybox/manifests/latest")
mkdir -p "$WORK/exposed"
curl -fsS "http://$REGISTRY/v2/rig/busybox/blobs/$(jq -r .config.digest <<<"$manifest")" |
  jq -c '.config.ExposedPorts = {"80/tcp": {}, "9999/udp": {}}' >"$WORK/exposed/config"
config_hex=$(oci_sha256 "$WORK/exposed/config")
mv "$WORK/exposed/config" "$WORK/exposed/$config_hex"
jq -c --arg d "sha256:$config_hex" --argjson s "$(stat -c %s "$WORK/exposed/$config_hex")" \
  '.config.digest = $d | .config.size = $s' <<<"$manifest" >"$WORK/exposed/manifest.json"
oci_push_dir "$WORK/exposed" "$REGISTRY" rig/busybox "exposed-$$" >/dev/null
EXPOSED=$REGISTRY/rig/busybox:exposed-$$
check "-P: run -d publishes the image's ExposedPorts" dabba_user run -d --name pall -P "$EXPOSED" \
  sh -c "mkdir -p /www && echo exposed >/www/index.html && httpd -f -p 80 -h /www # $MARK"
ports=$(dabba_user ps --format json | jq -r '.[] | select(.Names[0] == "pall") | .Ports[]' | sort | xargs)
check "-P: ps shows 80/tcp on a free host port ($ports)" \
  grep -Eq '(^| )0\.0\.0\.0:[0-9]+->80/tcp( |$)' <<<"$ports"
check "-P: ... and 9999/udp" grep -Eq '(^| )0\.0\.0\.0:[0-9]+->9999/udp( |$)' <<<"$ports"
check_eq "-P: nothing else" 2 "$(wc -w <<<"$ports")"
PALL=$(tr ' ' '\n' <<<"$ports" | sed -nE 's/^0\.0\.0\.0:([0-9]+)->80\/tcp$/\1/p')
check_eq "-P: httpd answers on the chosen port" exposed \
  "$(wait_for 60 curl -fsS -m 2 "http://127.0.0.1:$PALL/" >/dev/null; curl -fsS -m 2 "http://127.0.0.1:$PALL/")"
dabba_user rm -f pall >/dev/null

# --- nothing left -----------------------------------------------------------------------------------
# --- --network container:NAME (issue 12): another container's namespace, joined ----------------
dabba_user run -d --name netowner "$BUSYBOX" sh -c 'while true; do nc -l -p 9000 >>/tmp/got; done' >/dev/null
check_eq "container:NAME: the very same network namespace as its PID 1" \
  "$(dabba_user exec netowner readlink /proc/1/ns/net)" \
  "$(dabba_user run --rm --network container:netowner "$BUSYBOX" readlink /proc/self/ns/net)"
check_eq "... its slirp4netns address (tap0)" "10.0.2.100/24" \
  "$(dabba_user run --rm --network container:netowner "$BUSYBOX" sh -c \
    "ip -4 -o addr show tap0 | awk '{ print \$4 }'")"
got_over_lo() { dabba_user exec netowner grep -q over-lo /tmp/got 2>/dev/null; }
# Sent again until it arrived: the owner's listener may not be up yet.
send_over_lo() {
  dabba_user run --rm --network container:netowner "$BUSYBOX" sh -c 'echo over-lo | nc 127.0.0.1 9000'
  got_over_lo
}
check "... its 127.0.0.1 too: a TCP connection reaches the owner's listener" wait_for 20 send_over_lo
check_eq "... its /etc/resolv.conf (podman shares it)" \
  "$(dabba_user exec netowner cat /etc/resolv.conf)" \
  "$(dabba_user run --rm --network container:netowner "$BUSYBOX" cat /etc/resolv.conf)"
SHARER=$(dabba_user create --network container:netowner "$BUSYBOX" true)
check_eq "inspect: HostConfig.NetworkMode container:ID (the full id, as podman)" \
  "container:$(dabba_user inspect -f '{{.Id}}' netowner)" \
  "$(dabba_user inspect -f '{{.HostConfig.NetworkMode}}' "$SHARER")"
check_eq "... and it starts later, joining the namespace again" 0 \
  "$(dabba_user start -a "$SHARER" >/dev/null 2>&1; dabba_user wait "$SHARER")"
out=$(dabba_user run --rm -p 8080:80 --network container:netowner "$BUSYBOX" echo ran 2>&1)
check "-p with container:NAME: podman's warning, and it runs" \
  grep -q "Port mappings have been discarded as one of the Host, Container, Pod, and None network modes are in use" <<<"$out"
check_eq "--sysctl net.* with container:NAME: 125" 125 \
  "$(exit_code dabba_user run --rm --sysctl net.ipv4.ip_forward=1 --network container:netowner "$BUSYBOX" true)"
check_eq "container:NAME of a missing container: 125" 125 \
  "$(exit_code dabba_user run --rm --network container:nosuch "$BUSYBOX" true)"
dabba_user stop -t 0 netowner >/dev/null
out=$(dabba_user run --rm --network container:netowner "$BUSYBOX" true 2>&1) && rc=0 || rc=$?
check_eq "container:NAME of a stopped container: 126 (a failed start)" 126 $rc
check "... saying it is not running" grep -q "cannot join the network namespace of container netowner: it is not running" <<<"$out"
out=$(dabba_user rm netowner 2>&1) && rc=0 || rc=$?
check_eq "rm of a container another shares the network of: 125" 125 $rc
check "... podman's words" grep -q "has dependent containers which must be removed before it: $SHARER" <<<"$out"
check_eq "rm --depend: the dependent first, then it" "$SHARER netowner" \
  "$(dabba_user rm --depend netowner | xargs)"
dabba_root run -d --name rootowner "$BUSYBOX" sleep 600 >/dev/null
check_eq "[dabba_root] container:NAME: refused as real root (not yet), 126" 126 \
  "$(exit_code dabba_root run --rm --network container:rootowner "$BUSYBOX" true)"
dabba_root rm -f -t 0 rootowner >/dev/null

# -p with ranges, as podman's: one relay per port.
R=$(python3 -c 'import socket
for base in range(20000, 60000, 7):
    ok = True
    for p in range(base, base + 3):
        s = socket.socket()
        try: s.bind(("127.0.0.1", p))
        except OSError: ok = False
        s.close()
    if ok: print(base); break')
dabba_user run -d --name ranged -p "$R-$((R + 2)):$R-$((R + 2))" "$BUSYBOX" sh -c \
  "for p in $R $((R + 1)) $((R + 2)); do nc -ll -p \$p -e /bin/cat & done; sleep 600" >/dev/null
for p in $R $((R + 1)) $((R + 2)); do
  wait_until sh -c "echo $p | nc -w 1 127.0.0.1 $p | grep -qx $p" || true
  check_eq "-p $R-$((R + 2)):$R-$((R + 2)): port $p reaches the container's $p" "$p" \
    "$(echo "$p" | nc -w 1 127.0.0.1 "$p")"
done
dabba_user rm -f -t 0 ranged >/dev/null
check_eq "-p with ranges of different lengths: 125" 125 \
  "$(exit_code dabba_user run --rm -p 8000-8002:80-81 "$BUSYBOX" true)"

check_eq "[dabba_user] no slirp4netns left" "" "$(slirp_pids dabba_user)"
check_eq "[dabba_root] no slirp4netns left" "" "$(slirp_pids dabba_root)"
check_no_container_leftovers dabba_user "$STORE"
check_no_container_leftovers dabba_root "$ROOT_STORE"
check_done
