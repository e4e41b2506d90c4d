#!/usr/bin/env python3
"""What podman's seccomp profile refuses, as a table the syscall probe checks.

    seccomp_expect.py PROFILE.json CAP,CAP,... [UNISTD_DIR]

Prints "ABI NR ERRNO NAME" for every x86_64 and x32 system call (from the kernel headers) the
profile refuses to a container holding those capabilities: the errno of the rule that refuses it,
or the profile's default (ENOSYS) for one it does not list. Rules conditioned on arguments
(personality, socket) are left to explicit checks. Evaluated the way containers/common does:
includes.caps all held, excludes.caps none held, arches matched against amd64; a syscall with an
unconditional refusal is refused even when the allow-list names it too (dabba's reading, stricter
than runc's, which lets the allow win for setns).
"""
import json
import re
import sys


def table(path):
    out = {}
    for line in open(path):
        m = re.match(r'#define __NR_(\w+)\s+(?:\(__X32_SYSCALL_BIT \+ )?(\d+)', line)
        if m:
            out[m.group(1)] = int(m.group(2))
    return out


def main():
    profile = json.load(open(sys.argv[1]))
    caps = set(sys.argv[2].split(','))
    headers = sys.argv[3] if len(sys.argv) > 3 else '/usr/include/x86_64-linux-gnu/asm'
    rules = {}
    for s in profile['syscalls']:
        inc, exc = s.get('includes') or {}, s.get('excludes') or {}
        if inc.get('caps') and not all(c in caps for c in inc['caps']):
            continue
        if exc.get('caps') and any(c in caps for c in exc['caps']):
            continue
        if inc.get('arches') and 'amd64' not in inc['arches']:
            continue
        if 'amd64' in (exc.get('arches') or []):
            continue
        for name in s['names']:
            rules.setdefault(name, []).append(s)
    default = profile.get('defaultErrnoRet', 1)
    for abi, header in (('64', 'unistd_64.h'), ('x32', 'unistd_x32.h')):
        for name, nr in sorted(table(headers + '/' + header).items(), key=lambda x: x[1]):
            if abi == 'x32' and nr >= 512:
                continue  # x32's own compat numbers: not in podman's tables
            r = rules.get(name, [])
            if any(s.get('args') for s in r):
                continue
            refusals = [s for s in r if s['action'] == 'SCMP_ACT_ERRNO']
            if refusals:
                print(abi, nr, refusals[0].get('errnoRet', 1), name)
            elif not r:
                print(abi, nr, default, name)


main()
