#!/bin/bash
# A compose-style stack of three services, web -> app -> db, each finding the next by its service
# name on a network of its own, web's port published on the host's loopback (issue 12): started
# and torn down by a script as podman users write one, then by podman-compose (Debian's 1.0.3)
# pointed at dabba with --podman-path. The host reads "web:app:db-ok" through the published port;
# after the teardown no container, and no network process, is left.
set -euo pipefail
# shellcheck source=lib/run.sh
source "$(dirname "$0")/lib/run.sh"
run_setup compose

PORT=$(free_port)
# The whole chain answered through the published port.
chain_answers() { [ "$(nc -w 2 127.0.0.1 "$PORT" </dev/null)" = web:app:db-ok ]; }
network_processes() { pgrep -u dabba-test -f '^(dabba-netns|/usr/lib/podman/aardvark-dns)' | while read -r pid; do
  [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = Z ] || echo "$pid"; done; }
no_network_processes() { [ -z "$(network_processes)" ]; }

DB="while true; do echo db-ok | nc -l -p 5432; done"
APP='while true; do echo "app:$(nc -w 2 db 5432 </dev/null)" | nc -l -p 8000; done'
WEB='while true; do echo "web:$(nc -w 2 app 8000 </dev/null)" | nc -l -p 80; done'

# --- as a script ------------------------------------------------------------------------------
dabba_user network create stack >/dev/null
dabba_user run -d --name stack-db --network stack --network-alias db "$BUSYBOX" sh -c "$DB" >/dev/null
dabba_user run -d --name stack-app --network stack --network-alias app "$BUSYBOX" sh -c "$APP" >/dev/null
dabba_user run -d --name stack-web --network stack --network-alias web -p "127.0.0.1:$PORT:80" \
  "$BUSYBOX" sh -c "$WEB" >/dev/null
check "script: the host reads web:app:db-ok through web's published port" wait_for 20 chain_answers
check_eq "... three containers up" 3 "$(dabba_user ps -q --filter network=stack | wc -l)"
check_eq "teardown: rm -f -t 0 of the three" 3 "$(dabba_user rm -f -t 0 stack-web stack-app stack-db | wc -l)"
check_eq "... network rm" stack "$(dabba_user network rm stack)"
check "... no network process left" wait_for 10 no_network_processes

# --- with podman-compose ------------------------------------------------------------------------
PROJECT=$WORK/shop
mkdir -p "$PROJECT"
cat >"$PROJECT/docker-compose.yml" <<YAML
version: "3"
services:
  db:
    image: $BUSYBOX
    command: ["sh", "-c", "$DB"]
  app:
    image: $BUSYBOX
    command: ["sh", "-c", "$(sed 's/\$/$$/g; s/"/\\"/g' <<<"$APP")"]
    depends_on: [db]
  web:
    image: $BUSYBOX
    command: ["sh", "-c", "$(sed 's/\$/$$/g; s/"/\\"/g' <<<"$WEB")"]
    ports: ["127.0.0.1:$PORT:80"]
    depends_on: [app]
YAML
chmod -R a+rwX "$PROJECT"
compose() {
  as_user bash -c "cd '$PROJECT' && timeout 120 podman-compose --podman-path '$TEST_DABBA' --podman-args '--root $STORE' $*" >>"$WORK/compose.log" 2>&1
}
check "podman-compose up -d (exit 0)" compose up -d
check "... the host reads web:app:db-ok" wait_for 20 chain_answers
check_eq "... the three services' containers, on the project's network" \
  "shop_app_1 shop_db_1 shop_web_1" \
  "$(dabba_user ps --filter network=shop_default --format '{{.Names}}' | sort | xargs)"
check "podman-compose ps (exit 0)" compose ps
check "podman-compose down -t 0 (exit 0)" compose down -t 0
check_eq "... no container left" 0 "$(container_count dabba_user)"
check "... no network process left" wait_for 10 no_network_processes
check_done
