#include "runner/devices.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/error.h"

namespace dabba::runner {
namespace {

bool is_mode(const std::string& s) {
  return !s.empty() && s.size() <= 3 && s.find_first_not_of("rwm") == std::string::npos;
}

bool is_device(const struct stat& st) { return S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode); }

// Device nodes under dir (recursively, symlinks not followed), sorted; bounded like --privileged's
// list.
void devices_under(const std::string& dir, std::vector<std::string>& out, int depth) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) throw_errno("open " + dir);
  std::vector<std::string> names;
  while (struct dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    std::string path = dir + "/" + name;
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) continue;
    if (is_device(st) && out.size() < 4096)
      out.push_back(path);
    else if (S_ISDIR(st.st_mode) && depth < 8)
      devices_under(path, out, depth + 1);
  }
}

}  // namespace

DeviceSpec parse_device(const std::string& text) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t colon; (colon = text.find(':', start)) != std::string::npos; start = colon + 1)
    parts.push_back(text.substr(start, colon - start));
  parts.push_back(text.substr(start));
  if (parts.size() > 3)
    throw Error(Errc::kInvalidArgument, "invalid device specification: " + text, 0,
                "--device HOST[:CONTAINER][:PERMS], e.g. --device /dev/fuse");
  DeviceSpec d;
  d.host = parts[0];
  if (parts.size() == 3) {
    if (!is_mode(parts[2])) throw Error(Errc::kInvalidArgument, "invalid device mode: " + parts[2]);
    d.perms = parts[2];
  }
  if (parts.size() >= 2) {
    if (is_mode(parts[1]) && parts.size() == 2) {
      d.perms = parts[1];
    } else if (parts[1].empty() || parts[1][0] != '/') {
      throw Error(Errc::kInvalidArgument, "invalid device mode: " + parts[1]);
    } else {
      d.container = parts[1];
    }
  }
  if (d.host.empty() || d.host[0] != '/')
    throw Error(Errc::kInvalidArgument, "invalid device path: " + text, 0,
                "--device takes an absolute host path, e.g. --device /dev/fuse");
  if (d.container.empty()) d.container = d.host;
  return d;
}

std::vector<std::pair<std::string, std::string>> device_binds(
    const std::vector<DeviceSpec>& devices) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const DeviceSpec& d : devices) {
    struct stat st;
    if (::stat(d.host.c_str(), &st) != 0)
      throw Error(errc_from_errno(errno), "stat " + d.host + ": " + std::strerror(errno), 0,
                  "--device names a device node of this host, e.g. /dev/fuse");
    if (is_device(st)) {
      out.emplace_back(d.host, d.container);
      continue;
    }
    if (!S_ISDIR(st.st_mode))
      throw Error(Errc::kInvalidArgument, d.host + " is not a valid device: not a device node");
    std::vector<std::string> nodes;
    devices_under(d.host, nodes, 0);
    for (const std::string& node : nodes)
      out.emplace_back(node, d.container + node.substr(d.host.size()));
  }
  return out;
}

}  // namespace dabba::runner
