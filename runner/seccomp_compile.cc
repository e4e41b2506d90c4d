#include "runner/seccomp.h"

#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <map>
#include <memory>

#include "common/error.h"
#include "common/fs.h"
#include "common/unique_fd.h"

namespace dabba::runner {
namespace {

struct ContextDeleter {
  void operator()(void* ctx) const { seccomp_release(ctx); }
};
using Context = std::unique_ptr<void, ContextDeleter>;

[[noreturn]] void libseccomp_failed(const std::string& what, int rc) {
  throw Error(Errc::kInvalidArgument, "seccomp profile: " + what, -rc,
              "check the profile, or run with --security-opt seccomp=unconfined");
}

uint32_t scmp_action(SeccompAction action, int err) {
  switch (action) {
    case SeccompAction::kAllow:
      return SCMP_ACT_ALLOW;
    case SeccompAction::kErrno:
      return SCMP_ACT_ERRNO(static_cast<uint16_t>(err));
    case SeccompAction::kKillThread:
      return SCMP_ACT_KILL;
    case SeccompAction::kKillProcess:
      return SCMP_ACT_KILL_PROCESS;
    case SeccompAction::kTrap:
      return SCMP_ACT_TRAP;
    case SeccompAction::kTrace:
      return SCMP_ACT_TRACE(static_cast<uint16_t>(err));
    case SeccompAction::kLog:
      return SCMP_ACT_LOG;
  }
  return SCMP_ACT_KILL;
}

scmp_compare scmp_op(SeccompOp op) {
  switch (op) {
    case SeccompOp::kNe:
      return SCMP_CMP_NE;
    case SeccompOp::kLt:
      return SCMP_CMP_LT;
    case SeccompOp::kLe:
      return SCMP_CMP_LE;
    case SeccompOp::kEq:
      return SCMP_CMP_EQ;
    case SeccompOp::kGe:
      return SCMP_CMP_GE;
    case SeccompOp::kGt:
      return SCMP_CMP_GT;
    case SeccompOp::kMaskedEq:
      return SCMP_CMP_MASKED_EQ;
  }
  return SCMP_CMP_EQ;
}

// "SCMP_ARCH_X86_64" -> libseccomp's token, or 0 when it does not know it.
uint32_t scmp_arch(const std::string& name) {
  std::string s = name.rfind("SCMP_ARCH_", 0) == 0 ? name.substr(10) : name;
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return seccomp_arch_resolve_name(s.c_str());
}

unsigned filter_flags(const std::vector<std::string>& names) {
  unsigned flags = 0;
  for (const std::string& f : names) {
    if (f == "SECCOMP_FILTER_FLAG_LOG")
      flags |= SECCOMP_FILTER_FLAG_LOG;
    else if (f == "SECCOMP_FILTER_FLAG_SPEC_ALLOW")
      flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
    else if (f != "SECCOMP_FILTER_FLAG_TSYNC")  // one thread: nothing to synchronise
      throw Error(Errc::kInvalidArgument, "seccomp profile: unknown flag '" + f + "'");
  }
  return flags;
}

std::string kernel_release() {
  struct utsname u;
  return ::uname(&u) == 0 ? u.release : "";
}

// The rules that decide each syscall, by the rules in seccomp.h.
std::map<std::string, std::vector<const SeccompRule*>> decide(const SeccompProfile& profile,
                                                              CapabilitySet caps) {
  const std::string kernel = kernel_release();
  std::map<std::string, std::vector<const SeccompRule*>> by_name;
  for (const SeccompRule& r : profile.rules) {
    if (!seccomp_rule_applies(r, caps, kernel)) continue;
    for (const std::string& name : r.names) by_name[name].push_back(&r);
  }
  for (auto& [name, rules] : by_name) {
    const SeccompRule* allow = nullptr;
    const SeccompRule* refuse = nullptr;
    for (const SeccompRule* r : rules) {
      if (!r->args.empty()) continue;
      if (r->action == SeccompAction::kAllow) {
        if (!allow) allow = r;
      } else if (!refuse) {
        refuse = r;
      }
    }
    if (refuse)
      rules = {refuse};
    else if (allow)
      rules = {allow};
  }
  return by_name;
}

std::vector<sock_filter> export_program(void* ctx) {
  UniqueFd fd(static_cast<int>(::syscall(SYS_memfd_create, "dabba-seccomp", MFD_CLOEXEC)));
  if (!fd.valid()) throw_errno("memfd_create for the seccomp filter");
  int rc = seccomp_export_bpf(ctx, fd.get());
  if (rc < 0) libseccomp_failed("export the BPF program", rc);
  DABBA_SYSCALL(::lseek(fd.get(), 0, SEEK_SET));
  std::string bytes = read_all(fd.get());
  std::vector<sock_filter> program(bytes.size() / sizeof(sock_filter));
  std::memcpy(program.data(), bytes.data(), program.size() * sizeof(sock_filter));
  return program;
}

}  // namespace

SeccompFilter compile_seccomp_filter(const SeccompProfile& profile, CapabilitySet caps) {
  const uint32_t default_action = scmp_action(profile.default_action, profile.default_errno);
  Context ctx(seccomp_init(default_action));
  if (!ctx) throw Error(Errc::kFailed, "libseccomp: cannot make a filter");
  void* c = ctx.get();
  // A syscall of an architecture the filter does not cover gets the default action, not a kill.
  int rc = seccomp_attr_set(c, SCMP_FLTATR_ACT_BADARCH, default_action);
  if (rc < 0) libseccomp_failed("set the bad-architecture action", rc);
  // A binary tree of syscall numbers: a few comparisons per syscall, not a walk of the list.
  seccomp_attr_set(c, SCMP_FLTATR_CTL_OPTIMIZE, 2);
  for (const std::string& arch : profile.architectures) {
    uint32_t token = scmp_arch(arch);
    if (token == 0) libseccomp_failed("unknown architecture " + arch, -EINVAL);
    rc = seccomp_arch_add(c, token);
    if (rc < 0 && rc != -EEXIST) libseccomp_failed("add architecture " + arch, rc);
  }

  for (const auto& [name, rules] : decide(profile, caps)) {
    int nr = seccomp_syscall_resolve_name(name.c_str());
    if (nr == __NR_SCMP_ERROR) continue;  // a name libseccomp does not know (newer, or a typo)
    for (const SeccompRule* r : rules) {
      uint32_t action = scmp_action(r->action, r->errno_ret);
      if (action == default_action) continue;  // libseccomp refuses such rules: they change nothing
      std::vector<scmp_arg_cmp> cmps;
      for (const SeccompArg& a : r->args) cmps.push_back({a.index, scmp_op(a.op), a.value, a.value_two});
      rc = seccomp_rule_add_array(c, action, nr, static_cast<unsigned>(cmps.size()), cmps.data());
      // EEXIST: a rule this one overlaps is already there, and the first one wins (runc's order).
      if (rc < 0 && rc != -EEXIST) libseccomp_failed("add the rule for " + name, rc);
    }
  }
  SeccompFilter filter;
  filter.program = export_program(c);
  filter.flags = filter_flags(profile.flags);
  return filter;
}

}  // namespace dabba::runner
