#!/bin/bash
# Shell completion and man pages, both generated from the CLI's own definitions: the bash script
# of `dabba completion bash` run as bash runs it on TAB (COMP_LINE/COMP_POINT, then COMPREPLY),
# offering verbs, flags, flag values and the names in the test user's store; zsh's and fish's
# scripts are checked by their shells where installed. The build's man pages (build/share/man1)
# render with man(1), one per verb, each listing the flags the verb takes.
set -euo pipefail
# shellcheck source=lib/run.sh
source "$(dirname "$0")/lib/run.sh"
run_setup completion_man

as_user "$TEST_DABBA" completion bash >"$WORK/dabba.bash"
# complete LINE: what TAB offers at the end of LINE, one per line, in bash with the script loaded.
complete_line() {
  as_user env -i PATH="$WORK/bin:/usr/bin:/bin" HOME="$WORK/home" bash -c '
    source "$1"; COMP_LINE=$2; COMP_POINT=${#2}
    _dabba; printf "%s\n" "${COMPREPLY[@]}"' _ "$WORK/dabba.bash" "$1"
}
check "the bash script parses" bash -n "$WORK/dabba.bash"
check_eq "dabba ru<TAB>: run" run "$(complete_line "dabba ru")"
check "dabba network <TAB>: its verbs" grep -qx reload <<<"$(complete_line "dabba network ")"
check "dabba run --detach-k<TAB>: the flag" grep -qx -- --detach-keys \
  <<<"$(complete_line "dabba run --detach-k")"
check_eq "dabba run --restart=un<TAB>: the value" unless-stopped \
  "$(complete_line "dabba run --restart=un")"
dabba_user create --name tabbed "$BUSYBOX" true >/dev/null
check_eq "dabba --root STORE rm ta<TAB>: the container's name" tabbed \
  "$(complete_line "dabba --root $STORE rm ta")"
check "dabba --root STORE run <TAB>: the image's name" grep -qxF "$BUSYBOX" \
  <<<"$(complete_line "dabba --root $STORE run ")"
check_eq "... after the image: paths in the image (podman's), not the host's" "/etc/" \
  "$(complete_line "dabba --root $STORE run $BUSYBOX /et")"
check "... relative ones stay in the image" grep -qx '../../etc/' \
  <<<"$(complete_line "dabba --root $STORE create $BUSYBOX ../../")"
check_eq "... the command's arguments: the shell's file names" "$WORK/dabba.bash" \
  "$(complete_line "dabba --root $STORE run $BUSYBOX sh $WORK/dabba.ba")"
check_eq "cp <TAB>: the containers' names with ':'" "tabbed:" \
  "$(complete_line "dabba --root $STORE cp tab")"
dabba_user cp "$WORK/dabba.bash" tabbed:/tmp/placed
check_eq "cp NAME:/tmp/pl<TAB>: a path in the (stopped) container" "tabbed:/tmp/placed" \
  "$(complete_line "dabba --root $STORE cp tabbed:/tmp/pl")"
out=$(as_user "$TEST_DABBA" __completeNoDesc --root "$STORE" cp tabbed:/tmp/placed 2>&1)
check "__completeNoDesc: cobra's directive line on stderr" \
  grep -q '^Completion ended with directive: ShellCompDirectiveNoSpace, ShellCompDirectiveNoFileComp$' <<<"$out"
dabba_user rm tabbed >/dev/null
for shell in zsh fish; do
  if command -v "$shell" >/dev/null; then
    as_user "$TEST_DABBA" completion "$shell" >"$WORK/script.$shell"
    check "the $shell script parses" "$shell" -n "$WORK/script.$shell"
  fi
done
check_eq "completion tcsh: 125" 125 "$(exit_code dabba_user completion tcsh)"

MAN=$(dirname "${DABBA:-$RIG_DABBA}")/share/man1
if [ -d "$MAN" ]; then
  verbs=$(as_user "$TEST_DABBA" --help | awk '/^Subcommands:/{on=1; next} on && NF {print $1}')
  check "--help lists the verbs (more than 40)" test "$(wc -w <<<"$verbs")" -gt 40
  missing=$(for v in $verbs; do [ -s "$MAN/dabba-$v.1" ] || echo "$v"; done)
  check_eq "a man page for every verb of --help" "" "$missing"
  check "dabba-network-create(1) too" test -s "$MAN/dabba-network-create.1"
  page=$(MANWIDTH=200 man -l "$MAN/dabba-run.1" 2>/dev/null)
  check "dabba-run(1) renders, naming its flags" grep -q -- '-d, --detach' <<<"$page"
  check "... its NAME line" grep -q 'dabba-run - Run a command in a new container' <<<"$page"
else
  echo "SKIP: no man pages beside the binary under test ($MAN)"
fi

check_done
