#!/bin/bash
# containers-certs.d(5) against the rig's TLS registries (a private CA; one also wanting a client
# certificate): without the CA a pull is refused with a message that names the certificate and
# where its CA goes; with the CA in ~/.config/containers/certs.d, /etc/containers/certs.d or
# --cert-dir it works, and so do push and login; client.cert/client.key answer mutual TLS.
set -euo pipefail
source "$(dirname "$0")/lib/pull.sh"
rig_setup tls_certs
[ -n "${REGISTRY_TLS:-}" ] || { echo "SKIP: this rig has no TLS registries"; exit 77; }

USER_CERTS=$WORK/home/.config/containers/certs.d
# cert_dir DIR [client]: a certs.d-style directory owned by the test user, with the rig's CA and,
# for "client", the client certificate and key.
cert_dir() {
  install -d -m 0755 -o "$RIG_USER" -g "$RIG_USER" "$1"
  install -m 0644 -o "$RIG_USER" "$REGISTRY_TLS_CA" "$1/ca.crt"
  if [ "${2:-}" = client ]; then
    install -m 0644 -o "$RIG_USER" "$REGISTRY_MTLS_CLIENT_CERT" "$1/client.cert"
    install -m 0600 -o "$RIG_USER" "$REGISTRY_MTLS_CLIENT_KEY" "$1/client.key"
  fi
}
cert_dir "$WORK/skopeo-certs" client

# An image on each TLS registry (skopeo trusts the CA through --dest-cert-dir).
check "skopeo pushes busybox to the TLS registry" skopeo_user copy -q --src-tls-verify=false \
  --dest-cert-dir "$WORK/skopeo-certs" "docker://$FIXTURE_BUSYBOX" "docker://$REGISTRY_TLS/rig/busybox:1"
check "and to the mutual-TLS one" skopeo_user copy -q --src-tls-verify=false \
  --dest-cert-dir "$WORK/skopeo-certs" "docker://$FIXTURE_BUSYBOX" "docker://$REGISTRY_MTLS/rig/busybox:1"

# --- no CA: refused, and told why and what to do ----------------------------------------------------
out=$(dabba_user pull "$REGISTRY_TLS/rig/busybox:1" 2>&1 || true)
check "without the CA the pull fails" grep -qv "^sha256:" <<<"$out"
check "the message says the certificate is not trusted" grep -q "is not trusted" <<<"$out"
check "and names it and its issuer" grep -q "subject CN *= *dabba rig registry, issued by CN *= *dabba rig CA" <<<"$out"
check "the hint says where the CA goes" grep -qF "$USER_CERTS/$REGISTRY_TLS/ca.crt or /etc/containers/certs.d/$REGISTRY_TLS/ca.crt" <<<"$out"
check "never 'is the registry running?'" bash -c '! grep -q "is the registry running" <<<"$1"' _ "$out"

# --- the CA where podman looks ------------------------------------------------------------------------
cert_dir "$USER_CERTS/$REGISTRY_TLS"
check "with ca.crt in ~/.config/containers/certs.d/HOST:PORT the pull works" \
  dabba_user pull -q "$REGISTRY_TLS/rig/busybox:1"
check "push too" dabba_user push -q "$REGISTRY_TLS/rig/busybox:1" "$REGISTRY_TLS/dabba/busybox:2"
check "skopeo reads what dabba pushed" skopeo_user inspect --cert-dir "$WORK/skopeo-certs" \
  "docker://$REGISTRY_TLS/dabba/busybox:2"
check "login works over it (the registry needs none: saved unchecked)" dabba_user login -u u \
  -p p "$REGISTRY_TLS"
rm -rf "${USER_CERTS:?}/$REGISTRY_TLS"

cert_dir "$WORK/certs"
check "--cert-dir DIR instead" dabba_user pull -q --cert-dir "$WORK/certs" "$REGISTRY_TLS/dabba/busybox:2"
check "--tls-verify=false skips the check" dabba_user pull -q --tls-verify=false \
  "$REGISTRY_TLS/rig/busybox:1"
out=$(dabba_user pull --cert-dir "$WORK/home" "$REGISTRY_TLS/rig/busybox:1" 2>&1 || true)
check "a --cert-dir without the CA says so" grep -q "do not include the CA" <<<"$out"

# --- mutual TLS ------------------------------------------------------------------------------------
cert_dir "$USER_CERTS/$REGISTRY_MTLS"
out=$(dabba_user pull "$REGISTRY_MTLS/rig/busybox:1" 2>&1 || true)
check "without a client certificate the mTLS registry is refused" \
  grep -q "requires a client certificate" <<<"$out"
check "the hint says where client.cert and client.key go" grep -qF "client.cert and client.key" <<<"$out"
cert_dir "$USER_CERTS/$REGISTRY_MTLS" client
check "with client.cert/client.key beside the CA the pull works" dabba_user pull -q \
  "$REGISTRY_MTLS/rig/busybox:1"
check "and the push" dabba_user push -q "$REGISTRY_MTLS/rig/busybox:1" "$REGISTRY_MTLS/dabba/busybox:2"
rm -f "$USER_CERTS/$REGISTRY_MTLS/client.key"
out=$(dabba_user pull "$REGISTRY_MTLS/rig/busybox:1" 2>&1 || true)
check "a client.cert without its key is named" grep -q "missing key .*client.key" <<<"$out"

# --- /etc/containers/certs.d, as root (own store) -----------------------------------------------------
ETC_DIR=/etc/containers/certs.d/$REGISTRY_TLS
mkdir -p "$ETC_DIR"
cp "$REGISTRY_TLS_CA" "$ETC_DIR/ca.crt"
check "as root, with the CA in /etc/containers/certs.d" env HOME="$WORK/root-home" \
  XDG_RUNTIME_DIR="$WORK/root-run" "$TEST_DABBA" --root "$WORK/root-store" pull -q \
  "$REGISTRY_TLS/rig/busybox:1"
check "the test user too" dabba_user pull -q "$REGISTRY_TLS/dabba/busybox:2"
rm -rf "$ETC_DIR"
rm -rf "$WORK/root-store"

check_done
