#include "store/root_path.h"

#include <unistd.h>

#include <cstdlib>

#include "common/error.h"
#include "common/user_dirs.h"

namespace dabba {
namespace {

std::string absolute(const std::string& path) {
  if (!path.empty() && path[0] == '/') return path;
  char cwd[4096];
  if (::getcwd(cwd, sizeof cwd) == nullptr) throw_errno("getcwd");
  return std::string(cwd) + "/" + path;
}

}  // namespace

std::string resolve_store_root(const std::string& root_flag) {
  std::string root;
  if (!root_flag.empty()) {
    root = root_flag;
  } else if (const char* env = std::getenv("DABBA_ROOT"); env != nullptr && *env != '\0') {
    root = env;
  } else if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg != nullptr && *xdg != '\0') {
    root = std::string(xdg) + "/dabba";
  } else {
    try {
      root = user_home_dir() + "/.local/share/dabba";
    } catch (Error& e) {
      throw Error(e.code(), e.what(), 0, "set HOME, DABBA_ROOT or pass --root DIR");
    }
  }
  root = absolute(root);
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  return root;
}

void export_volume_path(const std::string& volume_path_flag) {
  if (volume_path_flag.empty()) return;
  std::string path = absolute(volume_path_flag);
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  ::setenv("DABBA_VOLUME_PATH", path.c_str(), 1);
}

std::string volume_path_from_environment() {
  const char* v = std::getenv("DABBA_VOLUME_PATH");
  return v != nullptr ? v : "";
}

}  // namespace dabba
