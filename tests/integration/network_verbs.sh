#!/bin/bash
# Network configs through the real binary as the test user (issue 12, its first part): network
# create (podman's subnet, gateway and interface picks, --subnet/--gateway/--internal/
# --disable-dns/--label, a taken name, a bad one, an overlapping subnet, --ignore), ls (podman's
# table, -q, --format, --filter, json), inspect (podman's JSON, its file on disk, a template, a
# missing one: [] then 125), exists, rm (1 for none, 125 for the default), prune. The texts are
# podman 4.3's, taken from it on this machine. Containers on networks: networks.sh.
set -euo pipefail
# shellcheck source=lib/run.sh
source "$(dirname "$0")/lib/run.sh"
run_setup network_verbs

check_eq "network ls: only the default network, podman's table" "NETWORK ID    NAME        DRIVER
2f259bab93aa  podman      bridge" "$(dabba_user network ls)"
check_eq "network create prints the name" app "$(dabba_user network create app)"
check_eq "... a second, with its own subnet, internal, no DNS, a label" app2 \
  "$(dabba_user network create --subnet 10.90.0.0/24 --internal --disable-dns --label a=b app2)"
check_eq "ls: by name, ids cut to 12" "app bridge 12
app2 bridge 12
podman bridge 12" "$(dabba_user network ls --format '{{.Name}} {{.Driver}} {{len .ID}}')"
check_eq "ls -q" "$(printf 'app\napp2\npodman')" "$(dabba_user network ls -q)"
check_eq "ls --filter label=a=b" app2 "$(dabba_user network ls -q --filter label=a=b)"
check_eq "ls --filter name=^app\$" app "$(dabba_user network ls -q --filter 'name=^app$')"
check_eq "ls --format json: podman's objects" "app app2 podman" \
  "$(dabba_user network ls --format json | jq -r '[.[].name] | join(" ")')"
INSPECT=$(dabba_user network inspect app)
check_eq "inspect: podman's first subnet, gateway and interface" "10.89.0.0/24 10.89.0.1 podman1 true false" \
  "$(jq -r '.[0] | "\(.subnets[0].subnet) \(.subnets[0].gateway) \(.network_interface) \(.dns_enabled) \(.internal)"' <<<"$INSPECT")"
check "... podman's key order and 5-space indent" grep -qx '          "network_interface": "podman1",' <<<"$INSPECT"
check "... its id is 64 hex digits" grep -Eqx '[0-9a-f]{64}' <<<"$(jq -r '.[0].id' <<<"$INSPECT")"
check_eq "inspect app2: no gateway (internal), the label" "10.90.0.0/24 null podman2 false true b" \
  "$(dabba_user network inspect app2 | jq -r '.[0] | "\(.subnets[0].subnet) \(.subnets[0].gateway) \(.network_interface) \(.dns_enabled) \(.internal) \(.labels.a)"')"
check_eq "the file in the store, as podman keeps it (graph root/networks/NAME.json)" app \
  "$(jq -r .name "$STORE/networks/app.json")"
check_eq "inspect -f a template" "app podman1 true" \
  "$(dabba_user network inspect -f '{{.Name}} {{.NetworkInterface}} {{.DNSEnabled}}' app)"
check_eq "inspect podman: the default network" "10.88.0.0/16 10.88.0.1 podman0 false" \
  "$(dabba_user network inspect podman | jq -r '.[0] | "\(.subnets[0].subnet) \(.subnets[0].gateway) \(.network_interface) \(.dns_enabled)"')"
out=$(dabba_user network inspect nope 2>&1) && rc=0 || rc=$?
check_eq "inspect of a missing network: 125" 125 $rc
check "... [] then podman's error" grep -qx 'Error: inspecting object: network nope: unable to find network with name or ID nope: network not found' <<<"$out"
check_eq "exists app: 0" 0 "$(exit_code dabba_user network exists app)"
check_eq "exists nope: 1" 1 "$(exit_code dabba_user network exists nope)"

# --- refusals -----------------------------------------------------------------------------------
out=$(dabba_user network create app 2>&1) && rc=0 || rc=$?
check_eq "a taken name: 125" 125 $rc
check "... podman's phrase" grep -qx 'Error: network name app already used: network already exists' <<<"$out"
check_eq "--ignore: a taken name is fine" app "$(dabba_user network create --ignore app)"
out=$(dabba_user network create 'b@d' 2>&1) && rc=0 || rc=$?
check_eq "a bad name: 125" 125 $rc
check "... podman's phrase" grep -q 'names must match \[a-zA-Z0-9\]\[a-zA-Z0-9_.-\]\*' <<<"$out"
out=$(dabba_user network create --subnet 10.88.5.0/24 x 2>&1) && rc=0 || rc=$?
check_eq "a subnet inside the default network's: 125" 125 $rc
check "... podman's phrase" grep -q 'subnet 10.88.5.0/24 is already used on the host or by another config' <<<"$out"
check_eq "-d macvlan: 125" 125 "$(exit_code dabba_user network create -d macvlan m)"
check_eq "run --network podman:alias=x: the default network, as podman's rootless bridge mode" 0 \
  "$(exit_code dabba_user run --rm --network podman:alias=x "$BUSYBOX" true)"

# --- rm, prune ----------------------------------------------------------------------------------
out=$(dabba_user network rm podman 2>&1) && rc=0 || rc=$?
check_eq "rm of the default network: 125" 125 $rc
check "... podman's phrase" grep -qx 'Error: default network podman cannot be removed' <<<"$out"
check_eq "rm of a missing network: 1" 1 "$(exit_code dabba_user network rm nope)"
check_eq "rm app prints the name" app "$(dabba_user network rm app)"
check_eq "... gone from the store" no "$([ -e "$STORE/networks/app.json" ] && echo yes || echo no)"
check_eq "create reuses the freed subnet and interface" "10.89.0.0/24 podman1" \
  "$(dabba_user network create again >/dev/null; dabba_user network inspect again | jq -r '.[0] | "\(.subnets[0].subnet) \(.network_interface)"')"
check_eq "prune without -f and no answer: 125 (podman: Error: EOF)" 125 \
  "$(exit_code dabba_user network prune </dev/null)"
check_eq "prune -f removes all but the default" "again app2" \
  "$(dabba_user network prune -f | sort | xargs)"
check_eq "... leaving the default" podman "$(dabba_user network ls -q)"
check_done
