#include "oci/platform.h"

#include <sys/utsname.h>

#include <vector>

#include "common/error.h"
#include "common/text.h"

namespace dabba {
namespace {

bool valid_part(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '-' || c == '.'))
      return false;
  return true;
}

// "v7" -> 7; -1 if the variant is not of that form.
int variant_level(std::string_view v) {
  if (v.size() < 2 || v[0] != 'v') return -1;
  int level = 0;
  for (char c : v.substr(1)) {
    if (c < '0' || c > '9') return -1;
    level = level * 10 + (c - '0');
    if (level > 1000) return -1;
  }
  return level;
}

}  // namespace

Platform Platform::parse(std::string_view text) {
  const std::vector<std::string> parts = split(text, '/');
  bool ok = parts.size() == 2 || parts.size() == 3;
  for (std::string_view part : parts) ok = ok && valid_part(part);
  if (!ok)
    throw Error(Errc::kInvalidArgument, "invalid platform '" + std::string(text) + "'", 0,
                "a platform is os/architecture[/variant], e.g. linux/amd64 or linux/arm/v7");
  Platform p;
  p.os = lower(parts[0]);
  p.architecture = lower(parts[1]);
  if (parts.size() == 3) p.variant = lower(parts[2]);
  return p;
}

Platform Platform::host() {
  struct utsname u {};
  ::uname(&u);
  Platform p;
  p.os = "linux";
  std::string machine = u.machine;
  if (machine.rfind("armv", 0) == 0) {
    // armv7l, armv6l, armv5tel, armv8l (32-bit userland on a 64-bit core: runs v7 images).
    p.architecture = "arm";
    int level = machine.size() > 4 && machine[4] >= '5' && machine[4] <= '8' ? machine[4] - '0' : 7;
    p.variant = "v" + std::to_string(level == 8 ? 7 : level);
  } else {
    p.architecture = machine;
  }
  return p.normalized();
}

Platform Platform::normalized() const {
  Platform p{lower(os), lower(architecture), lower(variant)};
  const std::string& a = p.architecture;
  if (a == "x86_64" || a == "x86-64" || a == "amd64") {
    p.architecture = "amd64";
    if (p.variant == "v1") p.variant.clear();
  } else if (a == "aarch64" || a == "arm64") {
    p.architecture = "arm64";
    if (p.variant.empty() || p.variant == "8") p.variant = "v8";
  } else if (a == "armhf") {
    p.architecture = "arm";
    p.variant = "v7";
  } else if (a == "armel") {
    p.architecture = "arm";
    p.variant = "v6";
  } else if (a == "arm") {
    if (p.variant.empty()) p.variant = "v7";
    if (p.variant.size() == 1 && p.variant[0] >= '5' && p.variant[0] <= '8')
      p.variant = "v" + p.variant;
  } else if (a == "i386" || a == "i486" || a == "i586" || a == "i686" || a == "x86") {
    p.architecture = "386";
  }
  return p;
}

std::string Platform::str() const {
  std::string out = os + "/" + architecture;
  if (!variant.empty()) out += "/" + variant;
  return out;
}

int platform_match_rank(const Platform& candidate, const Platform& wanted) {
  Platform c = candidate.normalized();
  Platform w = wanted.normalized();
  if (c.os != w.os || c.architecture != w.architecture) return -1;
  if (c.variant == w.variant) return 0;
  // amd64 without a variant is the baseline, v1.
  std::string cv = c.variant.empty() && c.architecture == "amd64" ? "v1" : c.variant;
  std::string wv = w.variant.empty() && w.architecture == "amd64" ? "v1" : w.variant;
  int cl = variant_level(cv);
  int wl = variant_level(wv);
  if (cl < 0 || wl < 0 || cl > wl) return -1;
  return wl - cl;
}

}  // namespace dabba
