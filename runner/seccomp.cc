#include "runner/seccomp.h"

#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

#include "common/error.h"
#include "runner/seccomp_default.h"

namespace dabba::runner {

SeccompFilter default_seccomp_filter(CapabilitySet caps) {
  for (size_t i = 0; i < kBuiltSeccompProgramCount; ++i) {
    const BuiltSeccompProgram& built = kBuiltSeccompPrograms[i];
    if (((caps ^ built.capabilities) & kSeccompProfileCapabilities) != 0) continue;
    SeccompFilter f;
    f.program.resize(built.size / sizeof(sock_filter));
    std::memcpy(f.program.data(), built.program, f.program.size() * sizeof(sock_filter));
    return f;
  }
  return compile_seccomp_filter(
      with_dabba_additions(parse_seccomp_profile(default_seccomp_profile_json())), caps);
}

SeccompFilter container_seccomp_filter(const std::string& profile_json, CapabilitySet caps) {
  if (profile_json.empty()) return default_seccomp_filter(caps);
  return compile_seccomp_filter(parse_seccomp_profile(profile_json), caps);
}

void install_seccomp_filter(const SeccompFilter& filter) {
  if (filter.empty()) return;
  sock_fprog prog{static_cast<unsigned short>(filter.program.size()),
                  const_cast<sock_filter*>(filter.program.data())};
  long rc = ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, filter.flags, &prog);
  if (rc != 0 && errno == ENOSYS && filter.flags == 0)
    rc = ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
  if (rc != 0)
    throw Error(errc_from_errno(errno), "install the seccomp filter", errno,
                "--security-opt seccomp=unconfined runs without it");
}

}  // namespace dabba::runner
