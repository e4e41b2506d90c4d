#include "runner/exec_shim.h"

#include <fcntl.h>
#include <linux/memfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>

#include "common/error.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/unique_fd.h"
#include "runner/exec_shim_image.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif

namespace dabba::runner {
namespace {

UniqueFd make_shim_memfd() {
  const unsigned flags = MFD_CLOEXEC | MFD_ALLOW_SEALING;
  // MFD_EXEC (6.3+) says so explicitly where vm.memfd_noexec=1 would default to noexec; older
  // kernels refuse the unknown flag.
  int fd = static_cast<int>(::syscall(SYS_memfd_create, "dabba-shim", flags | MFD_EXEC));
  if (fd < 0 && errno == EINVAL)
    fd = static_cast<int>(::syscall(SYS_memfd_create, "dabba-shim", flags));
  if (fd < 0) return UniqueFd();
  UniqueFd owned(fd);
  try {
    write_all(fd, kExecShimImage, kExecShimImageSize);
  } catch (const Error&) {
    return UniqueFd();
  }
  // Execute-only: see the header (a non-dumpable start).
  if (::fchmod(fd, 0111) != 0) return UniqueFd();
  int seals = F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL;
  if (::fcntl(fd, F_ADD_SEALS, seals | F_SEAL_EXEC) != 0 &&
      (errno != EINVAL || ::fcntl(fd, F_ADD_SEALS, seals) != 0))
    return UniqueFd();
  return owned;
}

}  // namespace

int exec_shim_fd() {
  // Made once per process; made again if the fd number no longer names it (a forked supervisor
  // closes what it inherited).
  static int fd = -1;
  static struct stat made = {};
  static bool warned = false;
  struct stat st;
  if (fd >= 0 && ::fstat(fd, &st) == 0 && st.st_dev == made.st_dev && st.st_ino == made.st_ino)
    return fd;
  UniqueFd m = make_shim_memfd();
  if (!m.valid()) {
    if (!warned)
      log_warn("cannot make the exec shim's memfd (is vm.memfd_noexec 2?): containers exec "
               "their command directly, without the protection docs/security.md describes");
    warned = true;
    return fd = -1;
  }
  ::fstat(m.get(), &made);
  return fd = m.release();
}

std::vector<std::string> exec_shim_argv(bool init, int report_fd, uint64_t signal_mask,
                                        const std::string& program,
                                        const std::vector<std::string>& argv) {
  char mask[32];
  std::snprintf(mask, sizeof mask, "%llx", static_cast<unsigned long long>(signal_mask));
  std::vector<std::string> out = {init ? "dabba-init" : "dabba-exec", std::to_string(report_fd),
                                  mask, program};
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

}  // namespace dabba::runner
