#include "runner/seccomp_profile.h"

#include <sched.h>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "common/error.h"

namespace dabba::runner {
namespace {

using nlohmann::json;

[[noreturn]] void bad(const std::string& what) {
  throw Error(Errc::kInvalidArgument, "seccomp profile: " + what, 0,
              "give an OCI/Docker seccomp profile (the JSON podman and Docker read)");
}

SeccompAction parse_action(const std::string& name) {
  if (name == "SCMP_ACT_ALLOW") return SeccompAction::kAllow;
  if (name == "SCMP_ACT_ERRNO") return SeccompAction::kErrno;
  if (name == "SCMP_ACT_KILL" || name == "SCMP_ACT_KILL_THREAD") return SeccompAction::kKillThread;
  if (name == "SCMP_ACT_KILL_PROCESS") return SeccompAction::kKillProcess;
  if (name == "SCMP_ACT_TRAP") return SeccompAction::kTrap;
  if (name == "SCMP_ACT_TRACE") return SeccompAction::kTrace;
  if (name == "SCMP_ACT_LOG") return SeccompAction::kLog;
  if (name == "SCMP_ACT_NOTIFY") bad("SCMP_ACT_NOTIFY needs a listener agent, which dabba has not");
  bad("unknown action '" + name + "'");
}

SeccompOp parse_op(const std::string& name) {
  if (name == "SCMP_CMP_NE") return SeccompOp::kNe;
  if (name == "SCMP_CMP_LT") return SeccompOp::kLt;
  if (name == "SCMP_CMP_LE") return SeccompOp::kLe;
  if (name == "SCMP_CMP_EQ") return SeccompOp::kEq;
  if (name == "SCMP_CMP_GE") return SeccompOp::kGe;
  if (name == "SCMP_CMP_GT") return SeccompOp::kGt;
  if (name == "SCMP_CMP_MASKED_EQ") return SeccompOp::kMaskedEq;
  bad("unknown argument operator '" + name + "'");
}

std::vector<std::string> strings(const json& j, const char* key) {
  std::vector<std::string> out;
  if (!j.contains(key) || j[key].is_null()) return out;
  if (!j[key].is_array()) bad(std::string("'") + key + "' is not a list");
  for (const auto& v : j[key]) {
    if (!v.is_string()) bad(std::string("'") + key + "' holds a non-string");
    out.push_back(v.get<std::string>());
  }
  return out;
}

// The caps/arches/minKernel filter of a rule ("includes" or "excludes").
void parse_filter(const json& j, std::vector<std::string>& caps, std::vector<std::string>& arches,
                  std::string* min_kernel) {
  if (j.is_null()) return;
  if (!j.is_object()) bad("'includes'/'excludes' is not an object");
  caps = strings(j, "caps");
  arches = strings(j, "arches");
  if (min_kernel && j.contains("minKernel") && j["minKernel"].is_string())
    *min_kernel = j["minKernel"].get<std::string>();
}

SeccompRule parse_rule(const json& j) {
  if (!j.is_object()) bad("a syscall rule is not an object");
  SeccompRule r;
  r.names = strings(j, "names");
  if (j.contains("name") && j["name"].is_string()) r.names.push_back(j["name"].get<std::string>());
  if (r.names.empty()) bad("a syscall rule has no names");
  if (!j.contains("action") || !j["action"].is_string())
    bad("the rule for " + r.names[0] + " has no action");
  r.action = parse_action(j["action"].get<std::string>());
  if (j.contains("errnoRet") && j["errnoRet"].is_number_unsigned())
    r.errno_ret = j["errnoRet"].get<int>();
  if (j.contains("args") && !j["args"].is_null()) {
    if (!j["args"].is_array()) bad("the args of " + r.names[0] + " are not a list");
    for (const auto& a : j["args"]) {
      SeccompArg arg;
      arg.index = a.value("index", 0u);
      if (arg.index > 5) bad("argument index " + std::to_string(arg.index) + " of " + r.names[0]);
      arg.value = a.value("value", uint64_t{0});
      arg.value_two = a.value("valueTwo", uint64_t{0});
      arg.op = parse_op(a.value("op", std::string()));
      r.args.push_back(arg);
    }
  }
  if (j.contains("includes")) parse_filter(j["includes"], r.include_caps, r.include_arches,
                                           &r.min_kernel);
  if (j.contains("excludes")) parse_filter(j["excludes"], r.exclude_caps, r.exclude_arches,
                                           nullptr);
  return r;
}

// The JSON names the architectures as libseccomp does; only those of this machine's family can
// ever be seen by the kernel, the others would only lengthen the filter.
bool same_family(const std::string& arch) {
#if defined(__x86_64__)
  return arch == "SCMP_ARCH_X86_64" || arch == "SCMP_ARCH_X86" || arch == "SCMP_ARCH_X32";
#elif defined(__aarch64__)
  return arch == "SCMP_ARCH_AARCH64" || arch == "SCMP_ARCH_ARM";
#else
  return arch == native_scmp_arch();
#endif
}

bool contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// "6.1.0-18-amd64" >= "4.8"?
bool kernel_at_least(std::string_view kernel, const std::string& minimum) {
  int have[2] = {0, 0}, want[2] = {0, 0};
  std::sscanf(std::string(kernel).c_str(), "%d.%d", &have[0], &have[1]);
  std::sscanf(minimum.c_str(), "%d.%d", &want[0], &want[1]);
  return have[0] != want[0] ? have[0] > want[0] : have[1] >= want[1];
}

}  // namespace

namespace {

// This build's architecture in the profile's two spellings: Go's (GOARCH, in includes/excludes)
// and libseccomp's (architectures, archMap).
struct NativeArch {
  const char* go;
  const char* scmp;
};
#if defined(__x86_64__)
constexpr NativeArch kNative = {"amd64", "SCMP_ARCH_X86_64"};
#elif defined(__aarch64__)
constexpr NativeArch kNative = {"arm64", "SCMP_ARCH_AARCH64"};
#elif defined(__i386__)
constexpr NativeArch kNative = {"386", "SCMP_ARCH_X86"};
#else
constexpr NativeArch kNative = {"unknown", "SCMP_ARCH_NATIVE"};
#endif

}  // namespace

const char* native_go_arch() { return kNative.go; }

const char* native_scmp_arch() { return kNative.scmp; }

SeccompProfile parse_seccomp_profile(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) bad("not valid JSON");
  if (!j.is_object()) bad("not a JSON object");
  SeccompProfile p;
  try {
    if (!j.contains("defaultAction") || !j["defaultAction"].is_string()) bad("no defaultAction");
    p.default_action = parse_action(j["defaultAction"].get<std::string>());
    if (j.contains("defaultErrnoRet") && j["defaultErrnoRet"].is_number_unsigned())
      p.default_errno = j["defaultErrnoRet"].get<int>();
    p.architectures.push_back(native_scmp_arch());
    if (j.contains("archMap") && j["archMap"].is_array()) {
      for (const auto& m : j["archMap"]) {
        if (m.value("architecture", std::string()) != native_scmp_arch()) continue;
        for (const std::string& sub : strings(m, "subArchitectures"))
          if (!contains(p.architectures, sub)) p.architectures.push_back(sub);
      }
    }
    for (const std::string& a : strings(j, "architectures"))
      if (same_family(a) && !contains(p.architectures, a)) p.architectures.push_back(a);
    if (j.contains("syscalls") && !j["syscalls"].is_null()) {
      if (!j["syscalls"].is_array()) bad("'syscalls' is not a list");
      for (const auto& r : j["syscalls"]) p.rules.push_back(parse_rule(r));
    }
    p.flags = strings(j, "flags");
  } catch (const json::exception& e) {
    bad(e.what());
  }
  return p;
}

SeccompProfile with_dabba_additions(SeccompProfile p) {
  // Names dabba decides alone: drop them from podman's rules first.
  const std::vector<std::string> own = {"keyctl", "name_to_handle_at", "clone", "clone3"};
  for (SeccompRule& r : p.rules)
    std::erase_if(r.names, [&](const std::string& n) { return contains(own, n); });
  std::erase_if(p.rules, [](const SeccompRule& r) { return r.names.empty(); });

  auto rule = [](std::vector<std::string> names, SeccompAction action, int err) {
    SeccompRule r;
    r.names = std::move(names);
    r.action = action;
    r.errno_ret = err;
    return r;
  };
  p.rules.push_back(rule({"keyctl", "name_to_handle_at"}, SeccompAction::kErrno, EPERM));

  constexpr uint64_t kNamespaceFlags = CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS |
                                       CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET;
  SeccompRule any = rule({"clone", "clone3"}, SeccompAction::kAllow, 0);
  any.include_caps = {"CAP_SYS_ADMIN"};
  p.rules.push_back(any);
  // clone's flags are its first argument on x86 and arm (s390 swaps the first two).
  SeccompRule plain = rule({"clone"}, SeccompAction::kAllow, 0);
  plain.args.push_back({0, kNamespaceFlags, 0, SeccompOp::kMaskedEq});
  plain.exclude_caps = {"CAP_SYS_ADMIN"};
  p.rules.push_back(plain);
  for (uint64_t flag = 1; flag != 0; flag <<= 1) {
    if (!(kNamespaceFlags & flag)) continue;
    SeccompRule ns = rule({"clone"}, SeccompAction::kErrno, EPERM);
    ns.args.push_back({0, flag, flag, SeccompOp::kMaskedEq});
    ns.exclude_caps = {"CAP_SYS_ADMIN"};
    p.rules.push_back(ns);
  }
  SeccompRule clone3 = rule({"clone3"}, SeccompAction::kErrno, ENOSYS);
  clone3.exclude_caps = {"CAP_SYS_ADMIN"};
  p.rules.push_back(clone3);
  return p;
}

CapabilitySet profile_capabilities(const SeccompProfile& profile) {
  CapabilitySet out = 0;
  for (const SeccompRule& r : profile.rules) {
    for (const auto* list : {&r.include_caps, &r.exclude_caps}) {
      for (const std::string& name : *list) {
        try {
          out |= CapabilitySet{1} << parse_capability(name);
        } catch (const Error&) {
          // Unknown to this build: never held, so it cannot make a difference.
        }
      }
    }
  }
  return out;
}

bool seccomp_rule_applies(const SeccompRule& r, CapabilitySet caps,
                          std::string_view kernel_version) {
  auto held = [caps](const std::string& name) {
    try {
      return (caps & (CapabilitySet{1} << parse_capability(name))) != 0;
    } catch (const Error&) {
      return false;  // a capability this build does not know: not held
    }
  };
  for (const std::string& c : r.include_caps)
    if (!held(c)) return false;
  for (const std::string& c : r.exclude_caps)
    if (held(c)) return false;
  if (!r.include_arches.empty() && !contains(r.include_arches, native_go_arch())) return false;
  if (contains(r.exclude_arches, native_go_arch())) return false;
  if (!r.min_kernel.empty() && !kernel_at_least(kernel_version, r.min_kernel)) return false;
  return true;
}

}  // namespace dabba::runner
