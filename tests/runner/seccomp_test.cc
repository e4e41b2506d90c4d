// The seccomp filters as the kernel runs them: a small classic-BPF interpreter evaluates the
// compiled programs for chosen syscalls, architectures and arguments, so the allow-list, podman's
// errnos, the capability and argument conditions, dabba's additions and the x86/x32 handling are
// checked without a container.
#include "runner/seccomp.h"

#include <gtest/gtest.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>

#include <cstring>
#include <map>
#include <nlohmann/json.hpp>

#include "common/error.h"

namespace dabba::runner {
namespace {

struct Call {
  uint32_t arch = AUDIT_ARCH_X86_64;
  int nr = 0;
  uint64_t args[6] = {};
};

uint32_t load(const seccomp_data& d, uint32_t off) {
  uint32_t v = 0;
  EXPECT_LE(off + 4, sizeof d);
  std::memcpy(&v, reinterpret_cast<const char*>(&d) + off, 4);
  return v;
}

// Classic BPF as seccomp allows it; anything else fails the test.
uint32_t run(const SeccompFilter& f, const Call& c) {
  seccomp_data d = {};
  d.nr = c.nr;
  d.arch = c.arch;
  std::memcpy(d.args, c.args, sizeof d.args);
  uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = {};
  for (size_t pc = 0; pc < f.program.size(); ++pc) {
    const sock_filter& i = f.program[pc];
    const uint32_t k = i.k;
    switch (i.code) {
      case BPF_LD | BPF_W | BPF_ABS: a = load(d, k); break;
      case BPF_LD | BPF_IMM: a = k; break;
      case BPF_LD | BPF_MEM: a = mem[k]; break;
      case BPF_LDX | BPF_IMM: x = k; break;
      case BPF_LDX | BPF_MEM: x = mem[k]; break;
      case BPF_ST: mem[k] = a; break;
      case BPF_STX: mem[k] = x; break;
      case BPF_ALU | BPF_AND | BPF_K: a &= k; break;
      case BPF_ALU | BPF_OR | BPF_K: a |= k; break;
      case BPF_ALU | BPF_AND | BPF_X: a &= x; break;
      case BPF_ALU | BPF_OR | BPF_X: a |= x; break;
      case BPF_ALU | BPF_ADD | BPF_K: a += k; break;
      case BPF_ALU | BPF_SUB | BPF_K: a -= k; break;
      case BPF_ALU | BPF_XOR | BPF_K: a ^= k; break;
      case BPF_ALU | BPF_RSH | BPF_K: a >>= k; break;
      case BPF_ALU | BPF_LSH | BPF_K: a <<= k; break;
      case BPF_MISC | BPF_TAX: x = a; break;
      case BPF_MISC | BPF_TXA: a = x; break;
      case BPF_JMP | BPF_JA: pc += k; break;
      case BPF_JMP | BPF_JEQ | BPF_K: pc += (a == k) ? i.jt : i.jf; break;
      case BPF_JMP | BPF_JGT | BPF_K: pc += (a > k) ? i.jt : i.jf; break;
      case BPF_JMP | BPF_JGE | BPF_K: pc += (a >= k) ? i.jt : i.jf; break;
      case BPF_JMP | BPF_JSET | BPF_K: pc += (a & k) ? i.jt : i.jf; break;
      case BPF_JMP | BPF_JEQ | BPF_X: pc += (a == x) ? i.jt : i.jf; break;
      case BPF_JMP | BPF_JGT | BPF_X: pc += (a > x) ? i.jt : i.jf; break;
      case BPF_JMP | BPF_JGE | BPF_X: pc += (a >= x) ? i.jt : i.jf; break;
      case BPF_RET | BPF_K: return k;
      case BPF_RET | BPF_A: return a;
      default:
        ADD_FAILURE() << "BPF opcode " << i.code << " at " << pc;
        return 0;
    }
  }
  ADD_FAILURE() << "the program ran off its end";
  return 0;
}

constexpr uint32_t kAllow = SECCOMP_RET_ALLOW;
uint32_t errno_ret(int e) { return SECCOMP_RET_ERRNO | static_cast<uint32_t>(e); }

constexpr CapabilitySet cap(int n) { return CapabilitySet{1} << n; }
constexpr int kCapSysAdmin = 21;

#if defined(__x86_64__)
constexpr uint32_t kX32 = 0x40000000;

Call x86_64(int nr, std::initializer_list<uint64_t> args = {}) {
  Call c;
  c.nr = nr;
  size_t i = 0;
  for (uint64_t a : args) c.args[i++] = a;
  return c;
}
Call i386(int nr) {
  Call c;
  c.arch = AUDIT_ARCH_I386;
  c.nr = nr;
  return c;
}

TEST(Seccomp, DefaultIsPodmansAllowListWithEnosys) {
  SeccompFilter f = default_seccomp_filter(kDefaultCapabilities);
  ASSERT_FALSE(f.empty());
  EXPECT_EQ(run(f, x86_64(39)), kAllow);                   // getpid
  EXPECT_EQ(run(f, x86_64(0)), kAllow);                    // read
  EXPECT_EQ(run(f, x86_64(165)), kAllow);                  // mount (the capabilities decide)
  EXPECT_EQ(run(f, x86_64(101)), kAllow);                  // ptrace (podman 4.3 allows it)
  EXPECT_EQ(run(f, x86_64(272)), kAllow);                  // unshare
  EXPECT_EQ(run(f, x86_64(425)), errno_ret(ENOSYS));       // io_uring_setup: not listed
  EXPECT_EQ(run(f, x86_64(467)), errno_ret(ENOSYS));       // open_tree_attr: newer than the list
  EXPECT_EQ(run(f, x86_64(1000)), errno_ret(ENOSYS));      // beyond every table
  EXPECT_EQ(run(f, x86_64(167)), errno_ret(EPERM));        // swapon: podman's EPERM list
  EXPECT_EQ(run(f, x86_64(246)), errno_ret(EPERM));        // kexec_load
  EXPECT_EQ(run(f, x86_64(323)), errno_ret(EPERM));        // userfaultfd
  EXPECT_EQ(run(f, x86_64(170)), errno_ret(EPERM));        // sethostname without SYS_ADMIN
  EXPECT_EQ(run(f, x86_64(321)), errno_ret(EPERM));        // bpf
  EXPECT_EQ(run(f, x86_64(304)), errno_ret(EPERM));        // open_by_handle_at
  EXPECT_EQ(run(f, x86_64(161)), kAllow);                  // chroot: SYS_CHROOT is a default
  EXPECT_EQ(run(f, x86_64(248)), errno_ret(ENOSYS));       // add_key: not listed
  // personality: only the values podman lists (none that weakens ASLR or allows exec of data).
  EXPECT_EQ(run(f, x86_64(135, {0})), kAllow);
  EXPECT_EQ(run(f, x86_64(135, {0xffffffff})), kAllow);
  EXPECT_EQ(run(f, x86_64(135, {0x0040000})), errno_ret(ENOSYS));  // ADDR_NO_RANDOMIZE
  EXPECT_EQ(run(f, x86_64(135, {0x0400000})), errno_ret(ENOSYS));  // READ_IMPLIES_EXEC
  // socket: no audit netlink without AUDIT_WRITE (EINVAL, as podman's).
  EXPECT_EQ(run(f, x86_64(41, {AF_NETLINK, SOCK_RAW, 9})), errno_ret(EINVAL));
  EXPECT_EQ(run(f, x86_64(41, {AF_NETLINK, SOCK_RAW, 0})), kAllow);
  EXPECT_EQ(run(f, x86_64(41, {AF_INET, SOCK_STREAM, 0})), kAllow);
}

TEST(Seccomp, DabbasAdditions) {
  SeccompFilter f = default_seccomp_filter(kDefaultCapabilities);
  EXPECT_EQ(run(f, x86_64(250)), errno_ret(EPERM));  // keyctl: the user's keyrings
  EXPECT_EQ(run(f, x86_64(303)), errno_ret(EPERM));  // name_to_handle_at
  EXPECT_EQ(run(f, x86_64(308)), errno_ret(EPERM));  // setns: refused, as the profile means
  EXPECT_EQ(run(f, x86_64(56, {SIGCHLD})), kAllow);  // clone: fork and threads
  EXPECT_EQ(run(f, x86_64(56, {CLONE_VM | CLONE_THREAD | CLONE_SIGHAND})), kAllow);
  for (uint64_t ns : {CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWNET, CLONE_NEWPID, CLONE_NEWCGROUP})
    EXPECT_EQ(run(f, x86_64(56, {ns | SIGCHLD})), errno_ret(EPERM)) << ns;
  EXPECT_EQ(run(f, x86_64(435)), errno_ret(ENOSYS));  // clone3: libc falls back to clone
  // With SYS_ADMIN they are the capability's to decide.
  SeccompFilter admin = default_seccomp_filter(kDefaultCapabilities | cap(kCapSysAdmin));
  EXPECT_EQ(run(admin, x86_64(56, {CLONE_NEWUSER})), kAllow);
  EXPECT_EQ(run(admin, x86_64(435)), kAllow);
  EXPECT_EQ(run(admin, x86_64(308)), kAllow);
  EXPECT_EQ(run(admin, x86_64(170)), kAllow);  // sethostname
  EXPECT_EQ(run(admin, x86_64(250)), errno_ret(EPERM));  // keyctl stays refused
}

TEST(Seccomp, CapabilitiesDecideTheirRules) {
  SeccompFilter none = default_seccomp_filter(0);
  EXPECT_EQ(run(none, x86_64(161)), errno_ret(EPERM));  // chroot without SYS_CHROOT
  SeccompFilter ptrace = default_seccomp_filter(kDefaultCapabilities | cap(19));
  EXPECT_EQ(run(ptrace, x86_64(312)), kAllow);  // kcmp with SYS_PTRACE
  EXPECT_EQ(run(default_seccomp_filter(kDefaultCapabilities), x86_64(312)), errno_ret(EPERM));
  SeccompFilter audit = default_seccomp_filter(kDefaultCapabilities | cap(29));
  EXPECT_EQ(run(audit, x86_64(41, {AF_NETLINK, SOCK_RAW, 9})), kAllow);
}

TEST(Seccomp, OtherAbisFollowTheSameProfile) {
  SeccompFilter f = default_seccomp_filter(kDefaultCapabilities);
  // i386, as a linux/386 image's binaries call it.
  EXPECT_EQ(run(f, i386(20)), kAllow);                   // getpid
  EXPECT_EQ(run(f, i386(102)), kAllow);                  // socketcall
  EXPECT_EQ(run(f, i386(192)), kAllow);                  // mmap2
  EXPECT_EQ(run(f, i386(166)), errno_ret(EPERM));        // vm86
  EXPECT_EQ(run(f, i386(426)), errno_ret(ENOSYS));       // io_uring_enter
  EXPECT_EQ(run(f, i386(1000)), errno_ret(ENOSYS));
  EXPECT_EQ(run(f, i386(288)), errno_ret(EPERM));        // keyctl
  // x32.
  EXPECT_EQ(run(f, x86_64(kX32 | 39)), kAllow);
  EXPECT_EQ(run(f, x86_64(kX32 | 425)), errno_ret(ENOSYS));
  // An architecture the filter does not cover gets the default action.
  Call arm;
  arm.arch = AUDIT_ARCH_ARM;
  arm.nr = 20;
  EXPECT_EQ(run(f, arm), errno_ret(ENOSYS));
}

bool same(const SeccompFilter& a, const SeccompFilter& b) {
  return a.program.size() == b.program.size() &&
         std::memcmp(a.program.data(), b.program.data(),
                     a.program.size() * sizeof(sock_filter)) == 0;
}

TEST(Seccomp, BuildTimeProgramsAreTheRuntimeCompilation) {
  const SeccompProfile profile =
      with_dabba_additions(parse_seccomp_profile(default_seccomp_profile_json()));
  for (CapabilitySet caps : {kDefaultCapabilities, CapabilitySet{0},
                             kDefaultCapabilities | cap(13) /* NET_RAW: named by no rule */,
                             kDefaultCapabilities & ~cap(0) /* CHOWN */}) {
    EXPECT_TRUE(same(default_seccomp_filter(caps), compile_seccomp_filter(profile, caps)))
        << std::hex << caps;
  }
  // A capability the profile names makes a program of its own.
  EXPECT_FALSE(same(default_seccomp_filter(kDefaultCapabilities | cap(kCapSysAdmin)),
                    default_seccomp_filter(kDefaultCapabilities)));
  EXPECT_NE(profile_capabilities(profile) & cap(kCapSysAdmin), 0u);
  EXPECT_EQ(profile_capabilities(profile) & cap(13), 0u);
}

TEST(Seccomp, EverySyscallOfTheProfileAsItSays) {
  // Each name podman's profile allows unconditionally (and dabba does not decide itself) is
  // allowed on x86_64; each it refuses unconditionally gets its errno.
  nlohmann::json j = nlohmann::json::parse(default_seccomp_profile_json());
  SeccompFilter f = default_seccomp_filter(kDefaultCapabilities);
  std::map<std::string, int> nrs = {{"getpid", 39}, {"read", 0}, {"vmsplice", 278},
                                    {"move_pages", 279}, {"io_pgetevents", 333}};
  int checked = 0;
  for (const auto& rule : j["syscalls"]) {
    if (!rule["args"].empty() || !rule["includes"].empty() || !rule["excludes"].empty()) continue;
    for (const auto& name : rule["names"]) {
      auto it = nrs.find(name.get<std::string>());
      if (it == nrs.end()) continue;
      uint32_t want = rule["action"] == "SCMP_ACT_ALLOW"
                          ? kAllow
                          : errno_ret(rule.value("errnoRet", 1));
      EXPECT_EQ(run(f, x86_64(it->second)), want) << it->first;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 5);
}
#endif

TEST(Seccomp, UserProfiles) {
  // Docker's older form: "architectures", "name".
  SeccompProfile p = parse_seccomp_profile(R"({
    "defaultAction": "SCMP_ACT_ERRNO",
    "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_AARCH64"],
    "syscalls": [{"name": "getpid", "action": "SCMP_ACT_ALLOW", "args": []},
                 {"names": ["read"], "action": "SCMP_ACT_ERRNO", "errnoRet": 5}]})");
  EXPECT_EQ(p.default_action, SeccompAction::kErrno);
  EXPECT_EQ(p.default_errno, EPERM);
  ASSERT_EQ(p.rules.size(), 2u);
  EXPECT_EQ(p.rules[0].names, std::vector<std::string>{"getpid"});
#if defined(__x86_64__)
  // The other family's architectures are dropped, ours kept.
  EXPECT_EQ(p.architectures, (std::vector<std::string>{"SCMP_ARCH_X86_64", "SCMP_ARCH_X86"}));
  SeccompFilter f = compile_seccomp_filter(p, kDefaultCapabilities);
  EXPECT_EQ(run(f, x86_64(39)), kAllow);
  EXPECT_EQ(run(f, x86_64(0)), errno_ret(EIO));
  EXPECT_EQ(run(f, x86_64(1)), errno_ret(EPERM));
#endif
  for (const char* bad : {R"([])", R"({"syscalls": []})", R"({"defaultAction": "SCMP_ACT_NOTIFY"})",
                          R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"action": "SCMP_ACT_ALLOW"}]})",
                          R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"],
                              "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "op": "SCMP_CMP_X"}]}]})",
                          "not json"})
    EXPECT_THROW(parse_seccomp_profile(bad), Error) << bad;
}

}  // namespace
}  // namespace dabba::runner
