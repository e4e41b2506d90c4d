#!/bin/bash
# containers-registries.conf(5) changes pulls as it does podman's: the search list, aliases (in
# the file, a drop-in and short-name-aliases.conf), short-name-mode, mirrors (and which pulls
# they serve), location rewriting, blocked registries; CONTAINERS_REGISTRIES_CONF; the warning
# about an old registries.json. The test user's own ~/.config/containers/registries.conf is
# the main file, so /etc's drop-ins (Debian's shortnames.conf) stay out of it.
set -euo pipefail
source "$(dirname "$0")/lib/pull.sh"
rig_setup registries_conf
start_proxy

CONF_DIR=$WORK/home/.config/containers
CONF=$CONF_DIR/registries.conf
as_user mkdir -p "$CONF_DIR/registries.conf.d" "$WORK/home/.cache/containers"
conf() { as_user tee "$CONF" >/dev/null; }
# mirrored: conf with mirror.invalid/rig, a namespace that lives at the plain registry, and the
# [[registry.mirror]] tables on stdin.
mirrored() {
  {
    printf '[[registry]]\nprefix = "mirror.invalid/rig"\nlocation = "%s/rig"\n' "$REGISTRY"
    cat
  } | conf
}
names() { dabba_user images --format '{{.Repository}}:{{.Tag}}' | sort | tr '\n' ' '; }
STORES=0
# reset_store: a new, empty store for what follows.
reset_store() {
  STORES=$((STORES + 1))
  STORE=$WORK/store-$STORES
  install -d -m 0700 -o "$RIG_USER" -g "$RIG_USER" "$STORE"
}

# --- the search list -----------------------------------------------------------------------------
conf <<EOF
unqualified-search-registries = ["$REGISTRY"]
EOF
out=$(dabba_user pull rig/busybox 2>&1)
check "a short name pulls from the search registry" grep -q "^sha256:" <<<"$out"
check "podman's resolution line" grep -qF "Resolving \"rig/busybox\" using unqualified-search registries ($CONF)" <<<"$out"
check "podman's trying line" grep -qF "Trying to pull $REGISTRY/rig/busybox:latest..." <<<"$out"
check "it is named after the registry it came from" grep -qF "$REGISTRY/rig/busybox:latest" <<<"$(names)"
check "run finds it by its short name (no pull)" dabba_user run --rm --pull never --network none \
  rig/busybox true

# The first search registry does not have it (the basic registry refuses anonymous access): the
# second one does; both are tried, in order.
conf <<EOF
unqualified-search-registries = ["$REGISTRY_BASIC", "$PROXY"]
EOF
out=$(dabba_user pull rig/shared 2>&1)
check "permissive (the default) tries every search registry" grep -q "^sha256:" <<<"$out"
check "the first one first" grep -qF "Trying to pull $REGISTRY_BASIC/rig/shared:latest..." <<<"$out"
check "then the second" grep -qF "Trying to pull $PROXY/rig/shared:latest..." <<<"$out"
out=$(dabba_user pull rig/nothing-here 2>&1 || true)
check "when all fail, each failure is listed" grep -qF "2 errors occurred while pulling:" <<<"$out"

cat >>"$CONF" <<EOF
short-name-mode = "enforcing"
EOF
out=$(dabba_user pull rig/shared 2>&1 || true)
check "enforcing with two search registries fails as podman does without a TTY" \
  grep -qF "short-name resolution enforced but cannot prompt without a TTY" <<<"$out"
check "a fully qualified name is not affected" dabba_user pull -q "$FIXTURE_SHARED"

conf <<EOF
# nothing
EOF
out=$(dabba_user pull rig/shared 2>&1 || true)
check "no alias and no search registry: podman's message naming the file" grep -qF \
  "short-name \"rig/shared\" did not resolve to an alias and no unqualified-search registries are defined in \"$CONF\"" \
  <<<"$out"

# --- aliases ---------------------------------------------------------------------------------------
conf <<EOF
[aliases]
"layers-alias" = "$REGISTRY/rig/layers"
EOF
out=$(dabba_user pull layers-alias:v2s2 2>&1)
check "an alias pulls what it names (the tag kept)" grep -q "^sha256:" <<<"$out"
check "podman's alias line" grep -qF "Resolved \"layers-alias\" as an alias ($CONF)" <<<"$out"
check "named as the alias's target" grep -qF "$REGISTRY/rig/layers:v2s2" <<<"$(names)"
# alias_wins NAME FILE TARGET: with FILE aliasing layers-alias to TARGET, `pull layers-alias`
# says that it resolved it through FILE (the check NAME).
alias_wins() {
  local name=$1 file=$2 out
  as_user tee "$file" >/dev/null <<EOF
[aliases]
"layers-alias" = "$3"
EOF
  out=$(dabba_user pull layers-alias 2>&1)
  check "$name" grep -qF "Resolved \"layers-alias\" as an alias ($file)" <<<"$out"
}
alias_wins "a drop-in overrides the main file's alias" \
  "$CONF_DIR/registries.conf.d/50-mine.conf" "$REGISTRY/rig/shared"
alias_wins "short-name-aliases.conf wins over every registries.conf" \
  "$WORK/home/.cache/containers/short-name-aliases.conf" "$REGISTRY/rig/busybox"
rm -f "$CONF_DIR/registries.conf.d/50-mine.conf" "$WORK/home/.cache/containers/short-name-aliases.conf"

# --- mirrors and location rewriting --------------------------------------------------------------
# mirror.invalid does not exist: its namespace lives at the plain registry, and the private
# proxy (in front of the same registry) mirrors it; the proxy's log shows what it served.
mirrored <<EOF
[[registry.mirror]]
location = "127.0.0.1:1/nothing"
[[registry.mirror]]
location = "$PROXY/rig"
EOF
reset_store
: >"$PROXY_LOG"
check "pull through a mirror (the first one dead)" dabba_user pull -q mirror.invalid/rig/shared:latest
check "the live mirror served the manifest" grep -q '^GET /v2/rig/shared/manifests/latest ' "$PROXY_LOG"
check "and the blobs" grep -q '^GET /v2/rig/shared/blobs/' "$PROXY_LOG"
check "named as asked, not as the mirror" grep -qF "mirror.invalid/rig/shared:latest" <<<"$(names)"

mirrored <<EOF
[[registry.mirror]]
location = "$PROXY/rig"
pull-from-mirror = "digest-only"
EOF
reset_store
: >"$PROXY_LOG"
check "a pull by tag with a digest-only mirror" dabba_user pull -q mirror.invalid/rig/busybox:latest
check_eq "does not touch the mirror" 0 "$(grep -c '^GET /v2/rig/busybox/' "$PROXY_LOG" || true)"
reset_store
check "a pull by digest" dabba_user pull -q "mirror.invalid/rig/busybox@$FIXTURE_BUSYBOX_DIGEST"
check "uses it" grep -q "^GET /v2/rig/busybox/manifests/$FIXTURE_BUSYBOX_DIGEST " "$PROXY_LOG"

conf <<EOF
[[registry]]
prefix = "elsewhere.invalid/team"
location = "$REGISTRY/rig"
EOF
check "a prefix rewritten to its location" dabba_user pull -q elsewhere.invalid/team/layers:latest
check "named as asked" grep -qF "elsewhere.invalid/team/layers:latest" <<<"$(names)"

# --- blocked ----------------------------------------------------------------------------------------
conf <<EOF
[[registry]]
location = "$REGISTRY"
blocked = true
EOF
# A repository no other script asks for: the registry's log is shared with the scripts running
# beside this one, so only a name of this run's own can show that dabba sent nothing.
probe="blocked-probe-$$-$RANDOM"
out=$(dabba_user pull "$REGISTRY/rig/$probe:latest" 2>&1 || true)
check "a pull from a blocked registry is refused" grep -qF "registry $REGISTRY is blocked in $CONF" <<<"$out"
check "before any request" bash -c "! grep -q 'rig/$probe' '$REGISTRY_LOG'"
out=$(dabba_user push elsewhere.invalid/team/layers:latest "$REGISTRY/blocked/x:1" 2>&1 || true)
check "so is a push" grep -qF "is blocked in" <<<"$out"
check "another registry is not" dabba_user pull -q "$PROXY/rig/busybox:latest"

# --- CONTAINERS_REGISTRIES_CONF, and the old registries.json ----------------------------------------
echo "unqualified-search-registries = [\"$PROXY\"]" >"$WORK/other.conf"
chmod 0644 "$WORK/other.conf"
out=$(as_user env CONTAINERS_REGISTRIES_CONF="$WORK/other.conf" "$TEST_DABBA" --root "$STORE" \
  pull rig/busybox 2>&1)
check "CONTAINERS_REGISTRIES_CONF replaces the main file" grep -qF \
  "using unqualified-search registries ($WORK/other.conf)" <<<"$out"
check_fails "a CONTAINERS_REGISTRIES_CONF that does not exist is an error" as_user \
  env CONTAINERS_REGISTRIES_CONF="$WORK/missing.conf" "$TEST_DABBA" --root "$STORE" pull rig/busybox
as_user mkdir -p "$WORK/home/.config/dabba"
echo '{"registries": {}}' | as_user tee "$WORK/home/.config/dabba/registries.json" >/dev/null
out=$(dabba_user pull "$PROXY/rig/busybox:latest" 2>&1)
check "an old registries.json gets a warning naming it and the new file" grep -qF \
  "$WORK/home/.config/dabba/registries.json is no longer read" <<<"$out"
check "which says where its settings go" grep -qF ".config/containers/registries.conf" <<<"$out"

conf <<EOF
unqualified-search-registries = [
EOF
out=$(dabba_user pull rig/busybox 2>&1 || true)
check "a broken registries.conf names the file and the line" grep -qF "$CONF: not valid TOML (line" <<<"$out"

check_done
