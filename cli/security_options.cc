#include "cli/security_options.h"

#include "common/error.h"
#include "common/fs.h"
#include "runner/capabilities.h"
#include "runner/masked_paths.h"
#include "runner/seccomp_profile.h"

namespace dabba::cli {
namespace {

// "a:b:c" -> {"a", "b", "c"}, empty parts dropped.
std::vector<std::string> split_colons(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(':', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace

SecurityOptions parse_security_options(const std::vector<std::string>& opts) {
  SecurityOptions out;
  for (const std::string& opt : opts) {
    // podman takes "key=value" and, from Docker's old syntax, "key:value".
    size_t sep = opt.find_first_of("=:");
    std::string key = opt.substr(0, sep);
    std::string value = sep == std::string::npos ? "" : opt.substr(sep + 1);
    if (key == "seccomp" && !value.empty()) {
      if (value == "unconfined") {
        out.seccomp = false;
        out.seccomp_profile_path.clear();
      } else {
        out.seccomp = true;
        out.seccomp_profile_path = value;
      }
    } else if (key == "mask" && !value.empty()) {
      for (const std::string& p : split_colons(value)) {
        if (p[0] != '/')
          throw Error(Errc::kInvalidArgument, "--security-opt mask=" + p + ": not an absolute path");
        out.mask.push_back(p);
      }
    } else if (key == "unmask" && !value.empty()) {
      for (const std::string& p : split_colons(value)) out.unmask.push_back(p);
    } else if (key == "no-new-privileges" &&
               (value.empty() || value == "true" || value == "false")) {
      // Always on in dabba (docs/compatibility.md): =false is taken and changes nothing.
    } else if ((key == "label" && value == "disable") || (key == "apparmor" && value == "unconfined")) {
      // dabba applies no SELinux label and no AppArmor profile: nothing to turn off.
    } else {
      throw Error(Errc::kInvalidArgument, "unsupported --security-opt '" + opt + "'", 0,
                  "dabba knows seccomp=unconfined|PROFILE.json, mask=PATHS, unmask=ALL|PATHS, "
                  "no-new-privileges, label=disable and apparmor=unconfined");
    }
  }
  return out;
}

void apply_security_options(const SecurityOptions& o, bool privileged,
                            const std::vector<std::string>& cap_add,
                            const std::vector<std::string>& cap_drop, runner::Spec& spec) {
  spec.privileged = privileged;
  // podman: a privileged container has every capability, whatever --cap-drop says.
  spec.capabilities = privileged ? runner::capability_set({"ALL"}, {})
                                 : runner::capability_set(cap_add, cap_drop, o.default_capabilities);
  spec.seccomp = o.seccomp && !privileged;
  spec.seccomp_profile.clear();
  if (spec.seccomp && !o.seccomp_profile_path.empty()) {
    try {
      spec.seccomp_profile = read_file(o.seccomp_profile_path);
    } catch (Error& e) {
      e.set_hint("--security-opt seccomp= names an OCI/Docker seccomp profile (JSON)");
      throw;
    }
    // Checked now, so a bad profile is an error before anything runs.
    with_context("--security-opt seccomp=" + o.seccomp_profile_path,
                 [&] { runner::parse_seccomp_profile(spec.seccomp_profile); });
  }
  spec.masked = runner::masked_paths(privileged, o.mask, o.unmask);
}

}  // namespace dabba::cli
