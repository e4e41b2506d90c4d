#include "runner/sysctl.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

#include "common/error.h"
#include "common/unique_fd.h"

namespace dabba::runner {
namespace {

// podman's list: the IPC namespace's parameters, by name; then whole prefixes.
constexpr const char* kAllowed[] = {"kernel.msgmax", "kernel.msgmnb",         "kernel.msgmni",
                                    "kernel.sem",    "kernel.shmall",         "kernel.shmmax",
                                    "kernel.shmmni", "kernel.shm_rmid_forced"};
constexpr const char* kAllowedPrefixes[] = {"net.", "fs.mqueue."};

bool allowed(const std::string& name) {
  for (const char* n : kAllowed)
    if (name == n) return true;
  for (const char* p : kAllowedPrefixes)
    if (name.rfind(p, 0) == 0) return true;
  return false;
}

// Components are what /proc/sys names: no empty ones, no "." or "..", no odd bytes, so the path
// can never leave /proc/sys.
bool well_formed(const std::string& name) {
  size_t start = 0;
  while (start <= name.size()) {
    size_t dot = name.find('.', start);
    std::string part =
        name.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (part.empty() || part == "..") return false;
    for (char c : part)
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '+' ||
            c == '@' || c == ':'))
        return false;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return true;
}

}  // namespace

Sysctl parse_sysctl(const std::string& text) {
  auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw Error(Errc::kInvalidArgument,
                text + " is invalid, sysctl values must be in the form of KEY=VALUE");
  std::string name = text.substr(0, eq);
  std::replace(name.begin(), name.end(), '/', '.');
  if (!well_formed(name) || !allowed(name))
    throw Error(Errc::kInvalidArgument, "sysctl '" + name + "' is not allowed", 0,
                "only namespaced sysctls can be set: kernel.msgmax, kernel.msgmnb, kernel.msgmni, "
                "kernel.sem, kernel.shmall, kernel.shmmax, kernel.shmmni, "
                "kernel.shm_rmid_forced, fs.mqueue.*, net.*");
  return {name, text.substr(eq + 1)};
}

void check_sysctl_network(const Sysctl& sysctl, NetworkMode mode) {
  if ((mode == NetworkMode::kHost || mode == NetworkMode::kContainer) &&
      sysctl.first.rfind("net.", 0) == 0)
    throw Error(Errc::kInvalidArgument,
                "sysctl " + sysctl.first + "=" + sysctl.second +
                    " can't be set since Network Namespace set to " +
                    (mode == NetworkMode::kHost ? "host" : "container") + ": invalid argument");
}

std::string sysctl_path(const std::string& name) {
  std::string path = "/proc/sys/" + name;
  std::replace(path.begin() + 10, path.end(), '.', '/');
  return path;
}

void write_sysctls(const std::vector<Sysctl>& sysctls) {
  for (const auto& [name, value] : sysctls) {
    const std::string path = sysctl_path(name);
    int fd = ::open(path.c_str(), O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      int err = errno;
      throw Error(errc_from_errno(err), "open " + path + ": " + std::strerror(err), 0,
                  err == ENOENT ? "--sysctl " + name + ": this kernel has no such sysctl" : "");
    }
    UniqueFd owned(fd);
    ssize_t n = ::write(fd, value.data(), value.size());
    if (n < 0 || static_cast<size_t>(n) != value.size())
      throw Error(errc_from_errno(errno), "write sysctl " + name + "=" + value, errno);
  }
}

}  // namespace dabba::runner
