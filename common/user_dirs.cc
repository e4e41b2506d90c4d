#include "common/user_dirs.h"

#include <pwd.h>

#include <cstdlib>

#include "common/error.h"
#include "common/idmap.h"

namespace dabba {
namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

}  // namespace

std::string user_home_dir() {
  std::string home = env("HOME");
  if (!home.empty()) return home;
  struct passwd pw;
  struct passwd* found = nullptr;
  char buf[4096];
  if (::getpwuid_r(host_identity().uid, &pw, buf, sizeof buf, &found) == 0 && found != nullptr)
    return found->pw_dir;
  throw Error(Errc::kNotFound, "cannot find the home directory", 0, "set HOME");
}

std::string user_config_dir() {
  std::string dir = env("XDG_CONFIG_HOME");
  return dir.empty() ? user_home_dir() + "/.config" : dir;
}

std::string user_cache_dir() {
  std::string dir = env("XDG_CACHE_HOME");
  return dir.empty() ? user_home_dir() + "/.cache" : dir;
}

std::string user_runtime_dir() { return env("XDG_RUNTIME_DIR"); }

}  // namespace dabba
