#!/bin/bash
# Pulls from the basic-auth and the bearer-token registries, anonymously, with right and wrong
# credentials, given by `dabba login` (checked against the registry before it is saved, written
# where podman keeps its logins), by a podman auth.json (the runtime one and the one in
# ~/.config) and by a docker config.json. No output ever shows a password.
set -euo pipefail
# shellcheck source=lib/pull.sh
source "$(dirname "$0")/lib/pull.sh"
rig_setup pull_auth

ALL_OUTPUT=$WORK/all-output.log
# run_logged ARGS: dabba as the test user, its output also kept for the password check.
run_logged() { dabba_user "$@" 2>&1 | tee -a "$ALL_OUTPUT"; return "${PIPESTATUS[0]}"; }
login() { # login REGISTRY USER PASSWORD
  printf '%s\n' "$3" | as_user "$TEST_DABBA" --root "$STORE" login -u "$2" --password-stdin "$1" \
    2>&1 | tee -a "$ALL_OUTPUT"
  return "${PIPESTATUS[1]}"
}
PODMAN_AUTH=$WORK/run/containers/auth.json
DABBA_AUTH=$PODMAN_AUTH  # dabba login writes podman's file
CONFIG_AUTH=$WORK/home/.config/containers/auth.json
DOCKER_AUTH=$WORK/home/.docker/config.json
auth_json() { # auth_json REGISTRY USER PASSWORD
  printf '{"auths": {"%s": {"auth": "%s"}}}\n' "$1" "$(printf '%s:%s' "$2" "$3" | base64 -w0)"
}
put_file() { # put_file PATH CONTENT: a file of the test user's
  install -d -m 0700 -o "$RIG_USER" -g "$RIG_USER" "$(dirname "$1")"
  printf '%s\n' "$2" >"$1"
  chown "$RIG_USER:$RIG_USER" "$1"
  chmod 0600 "$1"
}
WRONG=not-the-password-$RANDOM

# --- basic auth ---------------------------------------------------------------------------
check_eq "basic: anonymous pull is refused, exit 125 as podman's" 125 \
  "$(exit_code run_logged pull -q "$FIXTURE_BASIC_PRIVATE")"
out=$(dabba_user pull -q "$FIXTURE_BASIC_PRIVATE" 2>&1 || true)
check "basic: ... with a hint to log in" grep -q "dabba login" <<<"$out"
check_eq "basic: login with a wrong password fails, exit 125" 125 \
  "$(exit_code login "$REGISTRY_BASIC" "$REGISTRY_BASIC_USER" "$WRONG")"
check "basic: ... and saves nothing" test ! -e "$DABBA_AUTH"
check "basic: login with the right password" \
  login "$REGISTRY_BASIC" "$REGISTRY_BASIC_USER" "$REGISTRY_BASIC_PASS"
check_eq "basic: auth.json is private (0600)" 600 "$(stat -c %a "$DABBA_AUTH" 2>/dev/null)"
check_eq "basic: pull with the saved login" "$FIXTURE_BASIC_PRIVATE_DIGEST" \
  "$(run_logged pull -q "$FIXTURE_BASIC_PRIVATE" | tail -n 1)"
check "basic: logout" run_logged logout "$REGISTRY_BASIC"
check_eq "basic: logout again fails (not logged in), exit 125" 125 \
  "$(exit_code run_logged logout "$REGISTRY_BASIC")"
check_fails "basic: after logout, even a pull of the stored tag is refused (it asks the registry)" \
  run_logged pull -q "$FIXTURE_BASIC_PRIVATE"
dabba_user rmi "$FIXTURE_BASIC_PRIVATE" >/dev/null 2>&1 || true
dabba_user gc >/dev/null 2>&1 || true

# Credentials from podman's auth.json, then docker's config.json.
put_file "$PODMAN_AUTH" "$(auth_json "$REGISTRY_BASIC" "$REGISTRY_BASIC_USER" "$REGISTRY_BASIC_PASS")"
check "basic: pull with podman's auth.json" run_logged pull -q "$FIXTURE_BASIC_PRIVATE"
rm -f "$PODMAN_AUTH"
dabba_user rmi "$FIXTURE_BASIC_PRIVATE" >/dev/null 2>&1; dabba_user gc >/dev/null 2>&1 || true
put_file "$CONFIG_AUTH" "$(auth_json "$REGISTRY_BASIC" "$REGISTRY_BASIC_USER" "$REGISTRY_BASIC_PASS")"
check "basic: pull with ~/.config/containers/auth.json" run_logged pull -q "$FIXTURE_BASIC_PRIVATE"
rm -f "$CONFIG_AUTH"
dabba_user rmi "$FIXTURE_BASIC_PRIVATE" >/dev/null 2>&1; dabba_user gc >/dev/null 2>&1 || true
put_file "$DOCKER_AUTH" "$(auth_json "$REGISTRY_BASIC" "$REGISTRY_BASIC_USER" "$REGISTRY_BASIC_PASS")"
check "basic: pull with docker's config.json" run_logged pull -q "$FIXTURE_BASIC_PRIVATE"
dabba_user rmi "$FIXTURE_BASIC_PRIVATE" >/dev/null 2>&1; dabba_user gc >/dev/null 2>&1 || true
put_file "$DOCKER_AUTH" "$(auth_json "$REGISTRY_BASIC" "$REGISTRY_BASIC_USER" "$WRONG")"
check_fails "basic: wrong password in docker's config.json is refused" \
  run_logged pull -q "$FIXTURE_BASIC_PRIVATE"
out=$(dabba_user pull -q "$FIXTURE_BASIC_PRIVATE" 2>&1 || true)
check "basic: ... naming the file the credentials came from" grep -q "config.json" <<<"$out"
rm -f "$DOCKER_AUTH"

# --- bearer tokens ------------------------------------------------------------------------
check_eq "token: anonymous pull of a public repository" "$FIXTURE_TOKEN_PUBLIC_DIGEST" \
  "$(run_logged pull -q "$FIXTURE_TOKEN_PUBLIC" | tail -n 1)"
check_fails "token: anonymous pull of a private repository is refused" \
  run_logged pull -q "$FIXTURE_TOKEN_PRIVATE"
check_fails "token: login with a wrong password fails" \
  login "$REGISTRY_TOKEN" "$REGISTRY_TOKEN_USER" "$WRONG"
check "token: login with the right password" \
  login "$REGISTRY_TOKEN" "$REGISTRY_TOKEN_USER" "$REGISTRY_TOKEN_PASS"
check_eq "token: pull of the private repository with the login" "$FIXTURE_TOKEN_PRIVATE_DIGEST" \
  "$(run_logged pull -q "$FIXTURE_TOKEN_PRIVATE" | tail -n 1)"
check "token: a token was issued to the user" \
  grep -q "user=$REGISTRY_TOKEN_USER .*rig/private:pull" "$REGISTRY_TOKEN_ISSUER_LOG"
check "token: logout" run_logged logout "$REGISTRY_TOKEN"
dabba_user rmi "$FIXTURE_TOKEN_PRIVATE" >/dev/null 2>&1; dabba_user gc >/dev/null 2>&1 || true
put_file "$PODMAN_AUTH" "$(auth_json "$REGISTRY_TOKEN" "$REGISTRY_TOKEN_USER" "$REGISTRY_TOKEN_PASS")"
check "token: pull with podman's auth.json" run_logged pull -q "$FIXTURE_TOKEN_PRIVATE"
put_file "$PODMAN_AUTH" "$(auth_json "$REGISTRY_TOKEN" "$REGISTRY_TOKEN_USER" "$WRONG")"
dabba_user rmi "$FIXTURE_TOKEN_PRIVATE" >/dev/null 2>&1; dabba_user gc >/dev/null 2>&1 || true
check_fails "token: wrong password in podman's auth.json is refused" \
  run_logged pull -q "$FIXTURE_TOKEN_PRIVATE"
rm -f "$PODMAN_AUTH"

check "no output ever showed a password" sh -c \
  "! grep -qF -e '$REGISTRY_BASIC_PASS' -e '$REGISTRY_TOKEN_PASS' -e '$WRONG' '$ALL_OUTPUT'"
check "the store checks clean" dabba_user check
check_done
