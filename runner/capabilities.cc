#include "runner/capabilities.h"

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <string_view>

#include "common/error.h"

namespace dabba::runner {
namespace {

constexpr std::array<std::string_view, 41> kNames = {"CHOWN",
                                                     "DAC_OVERRIDE",
                                                     "DAC_READ_SEARCH",
                                                     "FOWNER",
                                                     "FSETID",
                                                     "KILL",
                                                     "SETGID",
                                                     "SETUID",
                                                     "SETPCAP",
                                                     "LINUX_IMMUTABLE",
                                                     "NET_BIND_SERVICE",
                                                     "NET_BROADCAST",
                                                     "NET_ADMIN",
                                                     "NET_RAW",
                                                     "IPC_LOCK",
                                                     "IPC_OWNER",
                                                     "SYS_MODULE",
                                                     "SYS_RAWIO",
                                                     "SYS_CHROOT",
                                                     "SYS_PTRACE",
                                                     "SYS_PACCT",
                                                     "SYS_ADMIN",
                                                     "SYS_BOOT",
                                                     "SYS_NICE",
                                                     "SYS_RESOURCE",
                                                     "SYS_TIME",
                                                     "SYS_TTY_CONFIG",
                                                     "MKNOD",
                                                     "LEASE",
                                                     "AUDIT_WRITE",
                                                     "AUDIT_CONTROL",
                                                     "SETFCAP",
                                                     "MAC_OVERRIDE",
                                                     "MAC_ADMIN",
                                                     "SYSLOG",
                                                     "WAKE_ALARM",
                                                     "BLOCK_SUSPEND",
                                                     "AUDIT_READ",
                                                     "PERFMON",
                                                     "BPF",
                                                     "CHECKPOINT_RESTORE"};

constexpr CapabilitySet kAll = (CapabilitySet{1} << kNames.size()) - 1;

std::string upper_without_prefix(std::string name) {
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  if (name.rfind("CAP_", 0) == 0) name.erase(0, 4);
  return name;
}

CapabilitySet parse_one(const std::string& name) {
  if (upper_without_prefix(name) == "ALL") return kAll;
  return CapabilitySet{1} << parse_capability(name);
}

}  // namespace

int parse_capability(const std::string& name) {
  const std::string want = upper_without_prefix(name);
  for (size_t i = 0; i < kNames.size(); ++i)
    if (kNames[i] == want) return static_cast<int>(i);
  throw Error(Errc::kInvalidArgument, "unknown capability '" + name + "'", 0,
              "use a name from capabilities(7), e.g. NET_RAW or CAP_SYS_ADMIN, or ALL");
}

std::string capability_name(int cap) {
  if (cap < 0 || static_cast<size_t>(cap) >= kNames.size()) return "CAP_" + std::to_string(cap);
  return "CAP_" + std::string(kNames[static_cast<size_t>(cap)]);
}

CapabilitySet capabilities_named(const std::vector<std::string>& names, const std::string& what) {
  CapabilitySet set = 0;
  for (const std::string& n : names) {
    try {
      set |= parse_one(n);
    } catch (Error& e) {
      throw Error(e.code(), what + ": " + e.what(), 0, e.hint());
    }
  }
  return set;
}

CapabilitySet capability_set(const std::vector<std::string>& add,
                             const std::vector<std::string>& drop, CapabilitySet base) {
  auto has_all = [](const std::vector<std::string>& v) {
    for (const std::string& s : v)
      if (upper_without_prefix(s) == "ALL") return true;
    return false;
  };
  if (has_all(add) && has_all(drop))
    throw Error(Errc::kInvalidArgument, "--cap-add ALL and --cap-drop ALL contradict each other");
  CapabilitySet drops = 0, adds = 0;
  for (const std::string& d : drop) drops |= parse_one(d);
  for (const std::string& a : add) adds |= parse_one(a);
  // --cap-add ALL --cap-drop X: all but X. Otherwise the default less the drops, plus the adds
  // (so --cap-drop ALL --cap-add X is X alone).
  if (has_all(add)) return kAll & ~drops;
  return (base & ~drops) | adds;
}

std::string describe_capabilities(CapabilitySet set) {
  std::string out;
  for (int cap = 0; cap < 64; ++cap)
    if (set & (CapabilitySet{1} << cap)) out += (out.empty() ? "" : ",") + capability_name(cap);
  return out;
}

void bound_capabilities(CapabilitySet keep) {
  for (int cap = 0; cap < 64; ++cap) {
    if (keep & (CapabilitySet{1} << cap)) continue;
    // EINVAL: past the kernel's last capability (or one it does not know): nothing to drop.
    if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL)
      throw Error(errc_from_errno(errno), "drop " + capability_name(cap) + " from the bounding set",
                  errno);
  }
  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
    throw Error(errc_from_errno(errno), "clear the ambient capabilities", errno);
}

void set_root_capabilities(CapabilitySet keep) {
  if (::geteuid() != 0) return;  // the uid switch cleared them
  struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2] = {};
  for (int i = 0; i < 2; ++i) {
    const auto word = static_cast<uint32_t>(keep >> (32 * i));
    data[i].effective = word;
    data[i].permitted = word;
    data[i].inheritable = 0;
  }
  if (::syscall(SYS_capset, &header, data) != 0)
    throw Error(errc_from_errno(errno), "set the container's capabilities", errno);
}

}  // namespace dabba::runner
