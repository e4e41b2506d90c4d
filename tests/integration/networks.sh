#!/bin/bash
# Containers on networks of `network create` (issue 12), through the real binary as the test user:
# two containers on one network reach each other by name and by alias, TCP and UDP both ways;
# a container on another network cannot resolve them; /etc/hosts and /etc/resolv.conf as podman
# writes them; --ip and a taken address; an --internal network has no way out; -p into a container
# on a network; inspect's NetworkSettings.Networks and ps's Networks; network rm of a network in
# use (2, podman's words) and rm -f; network connect/disconnect of a running container; and
# nothing left: the user's networks' namespace
# (dabba-netns), slirp4netns and aardvark-dns go with the last container, after rm -f and after
# SIGKILL of every dabba process. Only 127.0.0.0/8 and the namespaces dabba makes are touched.
set -euo pipefail
# shellcheck source=lib/run.sh
source "$(dirname "$0")/lib/run.sh"
run_setup networks

# The host's python3 inside busybox containers (for UDP): its files bound read-only (which puts the
# host's /usr/bin before busybox's /bin in PATH: only for the python3 containers).
PYMOUNTS=(-v /usr:/usr:ro -v /lib:/lib:ro -v /lib64:/lib64:ro)

# network_processes: the user's networks' namespace and what lives in it.
network_processes() {
  local pid
  for pid in $(pgrep -u dabba-test -f '^(dabba-netns|/usr/bin/slirp4netns .*tap0|/usr/lib/podman/aardvark-dns)' 2>/dev/null); do
    [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = Z ] || echo "$pid $(tr '\0' ' ' <"/proc/$pid/cmdline")"
  done
  return 0
}
no_network_processes() { [ -z "$(network_processes)" ]; }

check_eq "network create front" front "$(dabba_user network create front)"
check_eq "network create back" back "$(dabba_user network create back)"

# --- by name and alias, TCP and UDP both ways ---------------------------------------------------
dabba_user run -d --name web --network front --network-alias www "$BUSYBOX" \
  sh -c "echo $MARK >/dev/null; while true; do echo hello-from-web | nc -l -p 8080; done" >/dev/null
dabba_user run -d --name udp --network front "${PYMOUNTS[@]}" "$BUSYBOX" /usr/bin/python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 5353))
while True:
    data, peer = s.recvfrom(100)
    s.sendto(b"echo:" + data, peer)' >/dev/null
web_runs() { [ "$(ps_field dabba_user web state)" = running ]; }
check "the server containers run" wait_for 10 web_runs
check_eq "a client on the network reaches it by container name (TCP)" hello-from-web \
  "$(dabba_user run --rm --network front "$BUSYBOX" sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do nc -w 2 web 8080 </dev/null && break; sleep 0.2; done')"
check_eq "... and by its alias" hello-from-web \
  "$(dabba_user run --rm --network front "$BUSYBOX" sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do nc -w 2 www 8080 </dev/null && break; sleep 0.2; done')"
check_eq "UDP by name, the answer coming back" echo:ping \
  "$(dabba_user run --rm --network front "${PYMOUNTS[@]}" "$BUSYBOX" /usr/bin/python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
for _ in range(10):
    try:
        s.sendto(b"ping", ("udp", 5353)); print(s.recvfrom(100)[0].decode()); break
    except OSError:
        pass')"
WEB_IP=$(dabba_user inspect web --format '{{(index .NetworkSettings.Networks "front").IPAddress}}')
check "inspect: web's address on front" grep -Eq '^10\.89\.[0-9]+\.[0-9]+$' <<<"$WEB_IP"
check_eq "... NetworkMode bridge, the alias among Aliases" "bridge www" \
  "$(dabba_user inspect web --format '{{.HostConfig.NetworkMode}} {{index (index .NetworkSettings.Networks "front").Aliases 1}}')"
check_eq "ps --format {{.Networks}}" front "$(dabba_user ps --filter name=^web\$ --format '{{.Networks}}')"
check_eq "the other way: web resolves a container that joined later" ok \
  "$(dabba_user run -d --name late --network front "$BUSYBOX" sleep 60 >/dev/null
     dabba_user exec web sh -c 'nslookup late >/dev/null 2>&1 && echo ok')"
check_eq "exec into web reaches late by name (a closed port answers: refused)" refused \
  "$(dabba_user exec web sh -c 'nc -w 2 late 9 </dev/null; true' 2>&1 | grep -o refused)"

GW=$(dabba_user network inspect front --format '{{(index .Subnets 0).Gateway}}')

# --- what the container sees ------------------------------------------------------------------
FILES=$(dabba_user run --rm --name seer --network front "$BUSYBOX" sh -c 'cat /etc/resolv.conf; echo ---; cat /etc/hosts; echo ---; ip -o -4 addr show eth0; ip route')
check "resolv.conf: search dns.podman" grep -q '^search dns.podman' <<<"$FILES"
check "... the network's gateway (aardvark-dns) as nameserver" grep -qx "nameserver $GW" <<<"$FILES"
check "hosts: its address beside its hostname and name" grep -Eq "^10\.89\.[0-9.]+	[0-9a-f]{12} seer$" <<<"$FILES"
check "eth0 has an address of the network" grep -q 'eth0    inet 10\.89\.' <<<"$FILES"
check "the default route goes through the gateway" grep -q "default via $GW dev eth0" <<<"$FILES"

# --- networks are separate ----------------------------------------------------------------------
check_eq "a container on another network does not resolve web" unresolved \
  "$(dabba_user run --rm --network back "$BUSYBOX" sh -c 'nslookup web >/dev/null 2>&1 && echo resolved || echo unresolved')"
# (Each network's aardvark-dns answers for its own containers: as in podman, a resolver that stops
# at the first server's NXDOMAIN needs the other network's server named.)
check_eq "two networks: an interface on each, web's name from front's DNS server" "eth1 ok" \
  "$(dabba_user run --rm --network back --network front "$BUSYBOX" sh -c "ip -o addr show eth1 | grep -q 10.89 && echo -n 'eth1 '; nslookup web $GW >/dev/null 2>&1 && echo ok")"

# --- connect and disconnect a running container ---------------------------------------------
dabba_user run -d --name lone --network back "$BUSYBOX" sh -c "echo $MARK; sleep 300" >/dev/null
check_eq "before connect: web (on front) cannot reach lone (on back) by name" no \
  "$(dabba_user exec web sh -c 'nslookup lone >/dev/null 2>&1 && echo yes || echo no')"
check_eq "network connect --alias back web (exit 0)" 0 "$(exit_code dabba_user network connect --alias webby back web)"
check "... web has an interface on back" dabba_user exec web sh -c 'ip -o -4 addr show eth1 | grep -q 10.89'
check_eq "... lone resolves web by its new alias" 1 \
  "$(dabba_user exec lone sh -c 'nslookup webby >/dev/null 2>&1 && echo 1')"
check_eq "... and reaches it (TCP, by name)" hello-from-web \
  "$(dabba_user exec lone sh -c 'for i in 1 2 3 4 5; do nc -w 2 webby 8080 </dev/null && break; sleep 0.2; done')"
BACK_IP=$(dabba_user inspect web --format '{{(index .NetworkSettings.Networks "back").IPAddress}}')
check "... its /etc/hosts names its address on back at once" \
  grep -q "^$BACK_IP	" <<<"$(dabba_user exec web cat /etc/hosts)"
check_eq "... inspect lists both networks" "back front" \
  "$(dabba_user inspect web --format '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}' | xargs)"
out=$(dabba_user network connect back web 2>&1) && rc=0 || rc=$?
check_eq "connect again: 125" 125 $rc
check "... podman's words" grep -q 'is already connected to network back' <<<"$out"
check_eq "network disconnect back web (exit 0)" 0 "$(exit_code dabba_user network disconnect back web)"
check_eq "... its interface on back is gone" gone \
  "$(dabba_user exec web sh -c 'ip -o addr show eth1 >/dev/null 2>&1 && echo there || echo gone')"
check_eq "... lone no longer resolves its alias" no \
  "$(dabba_user exec lone sh -c 'nslookup webby >/dev/null 2>&1 && echo yes || echo no')"
check_eq "... its /etc/hosts no longer has that address" 0 \
  "$(dabba_user exec web grep -c "^$BACK_IP	" /etc/hosts || true)"
check_eq "... inspect lists front only" front \
  "$(dabba_user inspect web --format '{{range $k, $v := .NetworkSettings.Networks}}{{$k}}{{end}}')"
dabba_user rm -f -t 0 lone >/dev/null
# -p follows the container to its new address after disconnect and connect (podman's test).
PF=$(free_port)
dabba_user run -d --name pfwd --network front -p "$PF:80" "$BUSYBOX" \
  sh -c 'while :; do echo served | nc -l -p 80; done' >/dev/null
wait_until sh -c "nc -w 2 127.0.0.1 $PF </dev/null | grep -q served"
old_ip=$(dabba_user inspect pfwd --format '{{(index .NetworkSettings.Networks "front").IPAddress}}')
old_mac=$(dabba_user inspect pfwd --format '{{(index .NetworkSettings.Networks "front").MacAddress}}')
check "inspect: its MacAddress, the interface's" test -n "$old_mac" -a \
  "$old_mac" = "$(dabba_user exec pfwd cat /sys/class/net/eth0/address)"
check_eq "network reload: the id printed" "$(dabba_user inspect pfwd --format '{{.Id}}')" \
  "$(dabba_user network reload pfwd)"
check_eq "... the same address and MAC after it" "$old_ip $old_mac" "$(dabba_user inspect pfwd \
  --format '{{(index .NetworkSettings.Networks "front").IPAddress}} {{(index .NetworkSettings.Networks "front").MacAddress}}')"
check_eq "... its published port still reaches it" served "$(nc -w 2 127.0.0.1 "$PF" </dev/null)"
dabba_user network disconnect front pfwd
dabba_user network connect front pfwd
new_ip=$(dabba_user inspect pfwd --format '{{(index .NetworkSettings.Networks "front").IPAddress}}')
check "... reconnected at another address ($old_ip -> $new_ip)" test "$old_ip" != "$new_ip"
check "... and another MAC" test "$old_mac" != \
  "$(dabba_user inspect pfwd --format '{{(index .NetworkSettings.Networks "front").MacAddress}}')"
check_eq "... its published port reaches it there" served "$(nc -w 2 127.0.0.1 "$PF" </dev/null)"
dabba_user rm -f -t 0 pfwd >/dev/null

# --- addresses ------------------------------------------------------------------------------------
SUBNET_BASE=$(sed 's/\.[0-9]*$//' <<<"$GW")
check_eq "--ip gives the address asked for" "$SUBNET_BASE.200" \
  "$(dabba_user run --rm --network front --ip "$SUBNET_BASE.200" "$BUSYBOX" sh -c "ip -o -4 addr show eth0 | sed 's/.*inet \([0-9.]*\).*/\1/'")"
out=$(dabba_user run --rm --network front --ip "$WEB_IP" "$BUSYBOX" true 2>&1) && rc=0 || rc=$?
check_eq "an address another container has: 125" 125 $rc
check "... podman's words" grep -q "requested ip address $WEB_IP is already allocated to container ID" <<<"$out"
out=$(dabba_user run --rm --network nosuch "$BUSYBOX" true 2>&1) && rc=0 || rc=$?
check_eq "a network that does not exist: 125" 125 $rc
check "... podman's words" grep -q 'unable to find network with name or ID nosuch: network not found' <<<"$out"

# --- internal: no way out; published ports ------------------------------------------------------
dabba_user network create --internal sealed >/dev/null
check_eq "--internal: no route out of the network" unreachable \
  "$(dabba_user run --rm --network sealed "$BUSYBOX" sh -c 'nc -w 2 10.0.2.2 22 </dev/null 2>&1 | grep -q unreachable && echo unreachable || echo reached')"
check_eq "a normal network has the default route (the way out)" yes \
  "$(dabba_user run --rm --network front "$BUSYBOX" sh -c 'ip route | grep -q ^default && echo yes')"
PORT=$(free_port)
dabba_user run -d --name pub --network front -p "127.0.0.1:$PORT:8080" "$BUSYBOX" \
  sh -c "echo $MARK >/dev/null; while true; do echo published | nc -l -p 8080; done" >/dev/null
check "-p into a container on a network: the host reaches it" wait_for 10 sh -c "nc -w 2 127.0.0.1 $PORT </dev/null | grep -q published"
check_eq "ps shows the port" "127.0.0.1:$PORT->8080/tcp" "$(dabba_user ps --filter name=^pub\$ --format '{{.Ports}}')"

# --- the default network: --network bridge and podman (podman's rootless bridge mode) -----------
check "--network bridge: an address of the default network podman (10.88.0.0/16)" grep -q \
  'eth0    inet 10\.88\.' <<<"$(dabba_user run --rm --network bridge "$BUSYBOX" ip -o -4 addr show eth0)"
check_eq "--network podman:mac=M and --mac-address: the MAC asked for" \
  "02:11:22:33:44:55 02:aa:bb:cc:dd:ee" \
  "$(dabba_user run --rm --network podman:mac=02:11:22:33:44:55 "$BUSYBOX" cat /sys/class/net/eth0/address) $(
    dabba_user run --rm --network podman --mac-address 02:AA:BB:CC:DD:EE "$BUSYBOX" cat /sys/class/net/eth0/address)"
check_eq "--mac-address without a network: 125" 125 \
  "$(exit_code dabba_user run --rm --mac-address 02:11:22:33:44:55 "$BUSYBOX" true)"
check_eq "a multicast --mac-address: 125" 125 \
  "$(exit_code dabba_user run --rm --network bridge --mac-address 01:11:22:33:44:55 "$BUSYBOX" true)"
dabba_user run -d --name onpodman --network podman "$BUSYBOX" sleep 60 >/dev/null
check "inspect: NetworkSettings.Networks.podman has its address" grep -q '^10\.88\.' \
  <<<"$(dabba_user inspect onpodman --format '{{(index .NetworkSettings.Networks "podman").IPAddress}}')"
dabba_user rm -f -t 0 onpodman >/dev/null

# --- network rm of a network in use ---------------------------------------------------------------
out=$(dabba_user network rm front 2>&1) && rc=0 || rc=$?
check_eq "network rm of a network in use: 2" 2 $rc
check "... podman's words" grep -q '"front" has associated containers with it. Use -f to forcibly delete containers and pods: network is being used' <<<"$out"
check_eq "network prune keeps it (and removes the unused ones)" "back sealed" "$(dabba_user network prune -f | sort | xargs)"
check "the namespace holder runs while containers are on networks" test -n "$(network_processes)"
check_eq "network rm -f removes its containers, then it" front "$(dabba_user network rm -f -t 0 front)"
check_eq "... no container left" 0 "$(container_count dabba_user)"
check "... the namespace, slirp4netns and aardvark-dns went with the last container" wait_for 10 no_network_processes

# --- SIGKILL of every dabba process ---------------------------------------------------------------
dabba_user network create front >/dev/null
dabba_user run -d --name k1 --network front "$BUSYBOX" sh -c "echo $MARK; sleep 300" >/dev/null
dabba_user run -d --name k2 --network front -p "127.0.0.1:$PORT:80" "$BUSYBOX" sh -c "echo $MARK; sleep 300" >/dev/null
check "two containers on a network run" test -n "$(network_processes)"
kill -KILL $(test_dabba_pids) 2>/dev/null || true
check "after SIGKILL of every dabba process: no holder, slirp4netns or aardvark-dns" wait_for 10 no_network_processes
check "... nor a container process" wait_for 10 sh -c "! pgrep -u dabba-test -f 'sleep 300' | xargs -r -n1 sh -c '[ \"\$(awk \"{print \\\$3}\" /proc/\$0/stat)\" != Z ] && echo x' | grep -q x"
dabba_user rm -f k1 k2 >/dev/null
check_eq "a new container on the network after that: names resolve again" ok \
  "$(dabba_user run -d --name k3 --network front "$BUSYBOX" sleep 60 >/dev/null
     dabba_user run --rm --network front "$BUSYBOX" sh -c 'nslookup k3 >/dev/null 2>&1 && echo ok')"
dabba_user rm -f -t 0 k3 >/dev/null
check "... and nothing left once it is removed" wait_for 10 no_network_processes
dabba_user network rm front >/dev/null
# --- the first container on a network leaves before the others --------------------------------------
# A network's first container is set up by netavark (bridge, firewall rules, aardvark-dns); the others
# join its bridge without it (runner/net/bridge_attach.h). Whichever goes first, the rest keep working.
dabba_user network create order >/dev/null
dabba_user run -d --name first --network order "$BUSYBOX" sh -c "echo $MARK; sleep 300" >/dev/null
dabba_user run -d --name second --network order --network-alias two "$BUSYBOX" \
  sh -c "echo $MARK >/dev/null; while true; do echo from-second | nc -l -p 8080; done" >/dev/null
dabba_user rm -f -t 0 first >/dev/null
check_eq "the network's first container gone: a new one reaches another by alias" from-second \
  "$(dabba_user run --rm --network order "$BUSYBOX" sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do nc -w 2 two 8080 </dev/null && break; sleep 0.2; done')"
dabba_user run -d --name third --network order "$BUSYBOX" sh -c "echo $MARK; sleep 300" >/dev/null
second_resolves_third() { dabba_user exec second nslookup third >/dev/null 2>&1; }
check "... is resolved by the others" wait_for 10 second_resolves_third
check_eq "... and has its default route" yes \
  "$(dabba_user exec third sh -c 'ip route | grep -q "^default via" && echo yes')"
dabba_user rm -f -t 0 third >/dev/null
check "a removed container's name no longer resolves" wait_for 10 eval '! second_resolves_third'
dabba_user rm -f -t 0 second >/dev/null
check "... and nothing is left once they are all removed" wait_for 10 no_network_processes
dabba_user network rm order >/dev/null

check_no_container_leftovers dabba_user "$STORE"
check_done
