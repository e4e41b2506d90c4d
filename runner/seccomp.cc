#include "runner/seccomp.h"

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include <cerrno>
#include <cstddef>
#include <vector>

#include "common/error.h"

namespace dabba::runner {
namespace {

constexpr CapabilitySet cap(int n) { return CapabilitySet{1} << n; }

constexpr CapabilitySet kAlways = 0;  // refused whatever the capabilities

struct Refusal {
  long nr;
  CapabilitySet unless;  // any of these capabilities makes it legitimate; kAlways: none does
};

constexpr CapabilitySet kSysAdmin = cap(21), kSysBoot = cap(22), kSysModule = cap(16),
                        kSysRawio = cap(17), kSysTime = cap(25), kSysPtrace = cap(19),
                        kDacReadSearch = cap(2), kSysPacct = cap(20), kSyslog = cap(34),
                        kTtyConfig = cap(26), kPerfmon = cap(38), kBpf = cap(39);

#if defined(__x86_64__)
constexpr unsigned kArch = AUDIT_ARCH_X86_64;
constexpr unsigned kX32Bit = 0x40000000;  // __X32_SYSCALL_BIT
#define DABBA_HAVE_SECCOMP_TABLE 1
#elif defined(__aarch64__)
constexpr unsigned kArch = AUDIT_ARCH_AARCH64;
constexpr unsigned kX32Bit = 0;
#define DABBA_HAVE_SECCOMP_TABLE 1
#endif

#ifdef DABBA_HAVE_SECCOMP_TABLE
const std::vector<Refusal>& refusals() {
  static const std::vector<Refusal> table = {
    // The kernel keyring is not namespaced.
    {SYS_add_key, kAlways},
    {SYS_keyctl, kAlways},
    {SYS_request_key, kAlways},
    // Mounts and namespaces.
    {SYS_mount, kSysAdmin},
    {SYS_umount2, kSysAdmin},
    {SYS_pivot_root, kSysAdmin},
    {SYS_setns, kSysAdmin},
    {SYS_fsopen, kSysAdmin},
    {SYS_fsconfig, kSysAdmin},
    {SYS_fsmount, kSysAdmin},
    {SYS_fspick, kSysAdmin},
    {SYS_move_mount, kSysAdmin},
    {SYS_open_tree, kSysAdmin},
    {SYS_mount_setattr, kSysAdmin},
    {SYS_swapon, kSysAdmin},
    {SYS_swapoff, kSysAdmin},
    {SYS_quotactl, kSysAdmin},
    {SYS_fanotify_init, kSysAdmin},
    {SYS_lookup_dcookie, kSysAdmin},
    {SYS_bpf, kSysAdmin},
    {SYS_perf_event_open, kSysAdmin},
    // The machine itself.
    {SYS_reboot, kSysBoot},
    {SYS_kexec_load, kSysBoot},
    {SYS_kexec_file_load, kSysBoot},
    {SYS_init_module, kSysModule},
    {SYS_finit_module, kSysModule},
    {SYS_delete_module, kSysModule},
    {SYS_settimeofday, kSysTime},
    {SYS_clock_settime, kSysTime},
    {SYS_clock_adjtime, kSysTime},
    {SYS_acct, kSysPacct},
    {SYS_syslog, kSyslog},
    {SYS_vhangup, kTtyConfig},
    {SYS_kcmp, kSysPtrace},
    {SYS_open_by_handle_at, kDacReadSearch},
    {SYS_name_to_handle_at, kAlways},
    {SYS_userfaultfd, kSysPtrace},
#if defined(__x86_64__)
    {SYS_iopl, kSysRawio},
    {SYS_ioperm, kSysRawio},
    {SYS_uselib, kAlways},
    {SYS_ustat, kAlways},
    {SYS_sysfs, kAlways},
    {SYS__sysctl, kAlways},
#endif
  };
  return table;
}
#endif

constexpr unsigned kNamespaceFlags = CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC |
                                     CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET;

sock_filter stmt(unsigned short code, unsigned k) { return BPF_STMT(code, k); }
sock_filter jump(unsigned short code, unsigned k, unsigned char jt, unsigned char jf) {
  return BPF_JUMP(code, k, jt, jf);
}

}  // namespace

void install_seccomp_filter(CapabilitySet caps) {
#ifdef DABBA_HAVE_SECCOMP_TABLE
  const auto has = [caps](CapabilitySet any) { return (caps & any) != 0; };
  const unsigned eperm = SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA);
  const unsigned enosys = SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA);
  std::vector<sock_filter> prog;
  // Another ABI (i386 through int 0x80 on x86_64): refused.
  prog.push_back(stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)));
  prog.push_back(jump(BPF_JMP | BPF_JEQ | BPF_K, kArch, 1, 0));
  prog.push_back(stmt(BPF_RET | BPF_K, eperm));
  prog.push_back(stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)));
  if (kX32Bit != 0) {
    prog.push_back(jump(BPF_JMP | BPF_JGE | BPF_K, kX32Bit, 0, 1));
    prog.push_back(stmt(BPF_RET | BPF_K, eperm));
  }
  for (const Refusal& r : refusals()) {
    if (has(r.unless)) continue;
    prog.push_back(jump(BPF_JMP | BPF_JEQ | BPF_K, static_cast<unsigned>(r.nr), 0, 1));
    prog.push_back(stmt(BPF_RET | BPF_K, eperm));
  }
  if (!has(kSysAdmin)) {
    prog.push_back(jump(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone3, 0, 1));
    prog.push_back(stmt(BPF_RET | BPF_K, enosys));
    // clone's flags are its first argument (x86_64 and arm64 alike); the low word holds them.
    prog.push_back(jump(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 0, 3));
    prog.push_back(stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, args[0])));
    prog.push_back(jump(BPF_JMP | BPF_JSET | BPF_K, kNamespaceFlags, 0, 1));
    prog.push_back(stmt(BPF_RET | BPF_K, eperm));
  }
  prog.push_back(stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));

  sock_fprog fprog{static_cast<unsigned short>(prog.size()), prog.data()};
  // no_new_privs is already set (workload_child.cc), which lets an unprivileged process do this.
  if (::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog, 0, 0) != 0)
    throw Error(errc_from_errno(errno), "install the seccomp filter", errno,
                "--security-opt seccomp=unconfined runs without it");
#else
  (void)caps;
#endif
}

}  // namespace dabba::runner
