#!/bin/bash
# Pull and push progress on a real terminal (tmux), as podman users know it: one line per layer
# redrawn in place. A warning printed while the lines are live (here: rootless dabba skips a
# layer's device node) lands above them; it used to push them down, leaving the first layer's
# "0 B / N MB" line on the screen above its own updating copy.
set -euo pipefail
source "$(dirname "$0")/lib/pull.sh"
# shellcheck source=../fixtures/oci.sh
source "$(dirname "$0")/../fixtures/oci.sh"
rig_setup progress_tty
start_proxy
command -v tmux >/dev/null || { echo "SKIP: no tmux"; exit 77; }

# An image whose one layer has a device node first, then 2 MB of random data.
img=$WORK/img
mkdir -p "$img"
"$RIG_PYTHON" - "$img/layer.tar" <<'EOF'
import io, os, sys, tarfile
with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT) as t:
    d = tarfile.TarInfo("dev"); d.type = tarfile.DIRTYPE; d.mode = 0o755; t.addfile(d)
    n = tarfile.TarInfo("dev/null"); n.type = tarfile.CHRTYPE; n.devmajor, n.devminor = 1, 3
    n.mode = 0o666; t.addfile(n)
    data = os.urandom(2 << 20)
    f = tarfile.TarInfo("data.bin"); f.size = len(data); f.mode = 0o644
    t.addfile(f, io.BytesIO(data))
EOF
diff_id=sha256:$(sha256sum "$img/layer.tar" | cut -d' ' -f1)
gzip -1 -n "$img/layer.tar"
layer=$(sha256sum "$img/layer.tar.gz" | cut -d' ' -f1)
mv "$img/layer.tar.gz" "$img/$layer"
printf '{"architecture":"%s","os":"linux","rootfs":{"type":"layers","diff_ids":["%s"]}}' \
  "$(dpkg --print-architecture)" "$diff_id" >"$img/config.json"
config=$(sha256sum "$img/config.json" | cut -d' ' -f1)
mv "$img/config.json" "$img/$config"
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%d},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%d}]}' \
  "$config" "$(stat -c %s "$img/$config")" "$layer" "$(stat -c %s "$img/$layer")" >"$img/manifest.json"
oci_push_dir "$img" "$REGISTRY" progress/devnode 1 >/dev/null

# tty_run NAME ARGS...: dabba ARGS as the test user (as as_user runs it) in a 120x30 tmux
# terminal; the screen as it is at the end, blank lines dropped, in $WORK/NAME.screen.
tty_run() {
  local name=$1 i
  shift
  rm -f "$WORK/$name.done"
  printf '%q ' runuser -u "$RIG_USER" -- env -i -C "$WORK" PATH=/usr/bin:/bin \
    HOME="$WORK/home" USER="$RIG_USER" XDG_RUNTIME_DIR="$WORK/run" \
    XDG_DATA_HOME="$WORK/home/.local/share" XDG_CONFIG_HOME="$WORK/home/.config" TERM=xterm \
    "$TEST_DABBA" --root "$STORE" "$@" >"$WORK/$name.cmd"
  tmux new-session -d -s "dabba-$name-$$" -x 120 -y 30 \
    "bash $WORK/$name.cmd; touch $WORK/$name.done; sleep 60"
  for i in $(seq 600); do
    [ -e "$WORK/$name.done" ] && break
    sleep 0.1
  done
  tmux capture-pane -p -t "dabba-$name-$$" | grep -v '^ *$' >"$WORK/$name.screen" || true
  tmux kill-session -t "dabba-$name-$$" 2>/dev/null || true
}

# The download stalls after 64 KiB: the first drawing shows the layer partly there, then the
# device node is met (the warning), then the rest comes.
proxy_rule delay "match=sha256:$layer&ms=1500&after=65536"
tty_run pull pull "$PROXY/progress/devnode:1"
short=${layer:0:12}
check "the pull finished" grep -q "^sha256:" "$WORK/pull.screen"
check_eq "the layer's line is on the screen once" 1 "$(grep -c "^$short " "$WORK/pull.screen" || true)"
check "and says done" grep -q "^$short  done" "$WORK/pull.screen"
check_eq "the warning once" 1 "$(grep -c "device nodes in image layers are skipped" "$WORK/pull.screen" || true)"
check "above the layer line" bash -c "grep -n . '$WORK/pull.screen' | awk -F: '/device nodes/ { w = \$1 } /^[0-9]+:$short / { l = \$1 } END { exit !(w && l && w < l) }'"
sed 's/^/       screen| /' "$WORK/pull.screen"

# Push: podman's lines, one per blob, then the manifest line below them.
tty_run push push "$PROXY/progress/devnode:1" "$PROXY/progress/pushed:1"
check_eq "one line per layer" 1 "$(grep -c "^Copying blob $short " "$WORK/push.screen" || true)"
check "the config's line" grep -q "^Copying config ${config:0:12} " "$WORK/push.screen"
check "the manifest line last" bash -c "tail -n 1 '$WORK/push.screen' | grep -qx 'Writing manifest to image destination'"
sed 's/^/       screen| /' "$WORK/push.screen"

# Off a terminal: plain lines only, no escape codes.
out=$(dabba_user push "$PROXY/progress/devnode:1" "$PROXY/progress/pushed:2" 2>&1)
check "off a terminal: Copying blob sha256:..." grep -qx "Copying blob sha256:$layer" <<<"$out"
check "no escape codes" bash -c '! grep -q $'"'"'\x1b'"'"' <<<"$1"' _ "$out"

check_done
