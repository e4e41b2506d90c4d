# shellcheck shell=bash
# What the iperf3 benchmarks (net_vs_podman.sh, networks_vs_podman.sh) share: their image, reading
# iperf3's JSON reports, the interleaved rounds and the summary of each case.

# iperf_preflight TOOL...: root, $BUILD/dabba built, the rig's env (DABBA_RIG_ENV) sourced, and
# iperf3, skopeo, jq, ldd, python3 and each TOOL at hand; exits with what is missing.
iperf_preflight() {
  local tool
  [ "$(id -u)" -eq 0 ] || { echo "run as root (it switches to the rig's user)"; exit 1; }
  [ -x "$BUILD/dabba" ] || { echo "build $BUILD/dabba first"; exit 1; }
  [ -r "${DABBA_RIG_ENV:-}" ] || { echo "needs the rig: export DABBA_RIG_ENV=\$(scripts/rig env)"; exit 1; }
  # shellcheck source=/dev/null
  source "$DABBA_RIG_ENV"
  for tool in iperf3 skopeo jq ldd /usr/bin/python3 "$@"; do
    command -v "$tool" >/dev/null || { echo "needs $tool"; exit 1; }
  done
}

# push_iperf3_image W IMAGE: the network benchmarks' image, the rig's busybox plus the host's
# /usr/bin/iperf3 (as /usr/local/bin/iperf3) and the libraries ldd lists, built in W with
# tests/fixtures/oci.sh (sourced by the caller) and skopeo, pushed to IMAGE (plain HTTP).
push_iperf3_image() {
  local w=$1 image=$2 root=$1/iperf-root lib
  echo '{"default": [{"type": "insecureAcceptAnything"}]}' >"$w/policy.json"
  install -d "$root/usr/local/bin"
  cp -L /usr/bin/iperf3 "$root/usr/local/bin/iperf3"
  for lib in $(ldd /usr/bin/iperf3 | grep -o '/[^ ]*'); do
    install -d "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
  tar -C "$root" --owner=0 --group=0 --numeric-owner -cf "$w/iperf3.tar" .
  skopeo --policy "$w/policy.json" copy -q --src-tls-verify=false \
    "docker://$FIXTURE_BUSYBOX" "oci:$w/layout:base"
  oci_append_layers "$w/layout" base iperf3 "bench: the host's iperf3 and its libraries" "$w/iperf3.tar"
  skopeo --policy "$w/policy.json" copy -q --dest-tls-verify=false "oci:$w/layout:iperf3" \
    "docker://$image"
}

# gbits JSON: the receiver's throughput of an iperf3 -J report, in Gbit/s.
gbits() { jq -r '.end.sum_received.bits_per_second / 1e9 * 100 | round / 100' <<<"$1"; }

# valid JSON: whether an iperf3 -J report holds a result (a refused or reset try holds an error).
valid() { jq -e '.end.sum_received.bits_per_second > 0' <<<"$1" >/dev/null 2>&1; }

# iperf_until_valid TRIES CMD...: CMD (an iperf3 -J client) again every 0.2 s until its report holds
# a result (the server may not listen yet), TRIES times at most; prints the report, or nothing.
iperf_until_valid() {
  local tries=$1 i out
  shift
  for i in $(seq "$tries"); do
    out=$("$@" 2>/dev/null) || true
    if valid "$out"; then
      echo "$out"
      return 0
    fi
    sleep 0.2
  done
}

# iperf_rounds CASE...: RUNS rounds, each running every CASE (a function CASE TOOL printing Gbit/s)
# for every tool of TOOLS, interleaved so that a noisy machine hurts each alike; the figures
# collected in RESULTS[TOOL.CASE], space-separated.
declare -A RESULTS
iperf_rounds() {
  local round tool case g
  for round in $(seq "$RUNS"); do
    for tool in "${TOOLS[@]}"; do
      for case in "$@"; do
        g=$("$case" "$tool")
        RESULTS[$tool.$case]+="$g "
        echo "round $round: $tool $case $g Gbit/s"
      done
    done
  done
}

# stats FIGURES: "median M (min A, max B, N runs)" of space-separated figures.
stats() {
  tr ' ' '\n' <<<"$1" | grep . | sort -g |
    awk '{v[NR] = $1} END {m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
      printf "median %.2f (min %.2f, max %.2f, %d runs)", m, v[1], v[NR], NR}'
}
