#!/bin/bash
# login/logout as podman's: the login is checked, saved where podman keeps it
# ($XDG_RUNTIME_DIR/containers/auth.json) so skopeo sees dabba's logins and dabba sees skopeo's;
# --authfile and REGISTRY_AUTH_FILE; --get-login; logout and logout --all; Docker's config.json;
# credential helpers (a small docker-credential-* script written here).
set -euo pipefail
source "$(dirname "$0")/lib/pull.sh"
rig_setup login_auth

AUTH=$WORK/run/containers/auth.json

out=$(dabba_user login -u "$REGISTRY_BASIC_USER" -p "wrong-$REGISTRY_BASIC_PASS" "$REGISTRY_BASIC" 2>&1 || true)
check "a wrong password is podman's message" grep -qF "logging into \"$REGISTRY_BASIC\": invalid username/password" <<<"$out"
check "and never shows the password" bash -c '! grep -q "$1" <<<"$2"' _ "$REGISTRY_BASIC_PASS" "$out"
check_fails "nothing saved" test -e "$AUTH"

out=$(echo "$REGISTRY_BASIC_PASS" | as_user "$TEST_DABBA" login -u "$REGISTRY_BASIC_USER" \
  --password-stdin -v "$REGISTRY_BASIC" 2>&1)
check "login --password-stdin: Login Succeeded!" grep -qx "Login Succeeded!" <<<"$out"
check "-v names the file" grep -qF "Used:  $AUTH" <<<"$out"
check_eq "saved in podman's file, mode 0600" 600 "$(stat -c %a "$AUTH")"
check "skopeo (default auth file) sees dabba's login" skopeo_user inspect --tls-verify=false \
  "docker://$FIXTURE_BASIC_PRIVATE"
check_eq "login --get-login prints the user" "$REGISTRY_BASIC_USER" \
  "$(dabba_user login --get-login "$REGISTRY_BASIC")"
out=$(dabba_user login "$REGISTRY_BASIC" 2>&1)
check "login again without a password checks the saved one" grep -qF \
  "Existing credentials are valid. Already logged in to $REGISTRY_BASIC" <<<"$out"
check "dabba pulls with it" dabba_user pull -q "$FIXTURE_BASIC_PRIVATE"

out=$(dabba_user login --get-login "$REGISTRY_TOKEN" 2>&1 || true)
check "--get-login without a login: not logged into" grep -qF "not logged into $REGISTRY_TOKEN" <<<"$out"
check "skopeo logs in to the token registry" skopeo_user login --tls-verify=false \
  -u "$REGISTRY_TOKEN_USER" -p "$REGISTRY_TOKEN_PASS" "$REGISTRY_TOKEN"
check "dabba pulls with skopeo's login" dabba_user pull -q "$FIXTURE_TOKEN_PRIVATE"
check_eq "and sees it" "$REGISTRY_TOKEN_USER" "$(dabba_user login --get-login "$REGISTRY_TOKEN")"

check_fails "-p and --password-stdin together" dabba_user login -u x -p y --password-stdin "$REGISTRY"
check_fails "--password-stdin without -u" dabba_user login --password-stdin "$REGISTRY"

# --- logout ---------------------------------------------------------------------------------------
check_eq "logout" "Removed login credentials for $REGISTRY_BASIC" "$(dabba_user logout "$REGISTRY_BASIC")"
out=$(dabba_user logout "$REGISTRY_BASIC" 2>&1 || true)
check "logout again: not logged into" grep -qF "not logged into $REGISTRY_BASIC" <<<"$out"
check_fails "skopeo no longer gets in" skopeo_user inspect --tls-verify=false \
  "docker://$FIXTURE_BASIC_PRIVATE"
check_eq "logout --all" "Removed login credentials for all registries" "$(dabba_user logout --all)"
check_fails "the token login went too" dabba_user login --get-login "$REGISTRY_TOKEN"

# --- other auth files ---------------------------------------------------------------------------------
check "login --authfile writes there" dabba_user login --authfile "$WORK/home/my-auth.json" \
  -u "$REGISTRY_BASIC_USER" -p "$REGISTRY_BASIC_PASS" "$REGISTRY_BASIC"
check "the file has the registry" grep -qF "\"$REGISTRY_BASIC\"" "$WORK/home/my-auth.json"
check_fails "not the default one" grep -qF "\"$REGISTRY_BASIC\"" "$AUTH"
check "pull --authfile uses it" dabba_user pull -q --authfile "$WORK/home/my-auth.json" "$FIXTURE_BASIC_PRIVATE"
check_fails "pull --authfile of a missing file fails" dabba_user pull -q --authfile "$WORK/nope.json" \
  "$FIXTURE_BASIC_PRIVATE"
check "REGISTRY_AUTH_FILE too" as_user env REGISTRY_AUTH_FILE="$WORK/home/my-auth.json" \
  "$TEST_DABBA" --root "$STORE" pull -q "$FIXTURE_BASIC_PRIVATE"
check "logout --authfile" dabba_user logout --authfile "$WORK/home/my-auth.json" "$REGISTRY_BASIC"

as_user mkdir -p "$WORK/home/.docker"
printf '{"auths": {"%s": {"auth": "%s"}}}\n' "$REGISTRY_BASIC" \
  "$(printf '%s:%s' "$REGISTRY_BASIC_USER" "$REGISTRY_BASIC_PASS" | base64 -w0)" |
  as_user tee "$WORK/home/.docker/config.json" >/dev/null
check "~/.docker/config.json is read" dabba_user pull -q "$FIXTURE_BASIC_PRIVATE"
out=$(dabba_user logout "$REGISTRY_BASIC" 2>&1 || true)
check "logout of a docker login says so" grep -qF "Existing credentials were established via docker login" <<<"$out"
rm -f "$WORK/home/.docker/config.json"

# --- credential helpers -------------------------------------------------------------------------------
# A docker-credential-* helper that keeps its secrets in a file, and logs what it was asked.
install -d -m 0755 "$WORK/helper-bin"
cat >"$WORK/helper-bin/docker-credential-rigtest" <<EOF
#!/bin/sh
db=$WORK/home/helper.db
echo "\$1" >>$WORK/home/helper.log
case "\$1" in
  get) read -r server; line=\$(grep "^\$server " "\$db" 2>/dev/null | tail -n 1)
       [ -n "\$line" ] || { echo "credentials not found in native keychain"; exit 1; }
       set -- \$line; printf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}\n' "\$1" "\$2" "\$3" ;;
  store) req=\$(cat)
         server=\$(echo "\$req" | sed 's/.*"ServerURL":"\([^"]*\)".*/\1/')
         user=\$(echo "\$req" | sed 's/.*"Username":"\([^"]*\)".*/\1/')
         secret=\$(echo "\$req" | sed 's/.*"Secret":"\([^"]*\)".*/\1/')
         echo "\$server \$user \$secret" >>"\$db" ;;
  erase) read -r server; grep -q "^\$server " "\$db" 2>/dev/null || { echo "credentials not found in native keychain"; exit 1; }
         grep -v "^\$server " "\$db" >"\$db.new"; mv "\$db.new" "\$db" ;;
esac
EOF
chmod 0755 "$WORK/helper-bin/docker-credential-rigtest"
helper_dabba() { as_user env PATH="$WORK/helper-bin:/usr/bin:/bin" "$TEST_DABBA" --root "$STORE" "$@"; }
printf '{"credHelpers": {"%s": "rigtest"}}\n' "$REGISTRY_BASIC" | as_user tee "$AUTH" >/dev/null
check "login through the credential helper named in credHelpers" helper_dabba login \
  -u "$REGISTRY_BASIC_USER" -p "$REGISTRY_BASIC_PASS" "$REGISTRY_BASIC"
check "the helper stored it" grep -qF "$REGISTRY_BASIC $REGISTRY_BASIC_USER" "$WORK/home/helper.db"
check_fails "the auth file holds no secret" grep -q '"auth"' "$AUTH"
check "pull gets the credentials from the helper" helper_dabba pull -q "$FIXTURE_BASIC_PRIVATE"
check "it was asked (get)" grep -qx get "$WORK/home/helper.log"
check "logout erases them in the helper" helper_dabba logout "$REGISTRY_BASIC"
check_fails "gone from the helper's store" grep -qF "$REGISTRY_BASIC " "$WORK/home/helper.db"
# Docker's credsStore: the helper for every registry the file names no other way for.
echo "$REGISTRY_BASIC $REGISTRY_BASIC_USER $REGISTRY_BASIC_PASS" >>"$WORK/home/helper.db"
echo '{}' | as_user tee "$AUTH" >/dev/null
printf '{"credsStore": "rigtest"}\n' | as_user tee "$WORK/home/.docker/config.json" >/dev/null
check "Docker's credsStore is used" helper_dabba pull -q "$FIXTURE_BASIC_PRIVATE"

check_done
