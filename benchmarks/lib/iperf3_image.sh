# shellcheck shell=bash
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
