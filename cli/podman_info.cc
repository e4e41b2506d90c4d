#include "cli/podman_info.h"

#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <linux/magic.h>

#include "common/fs.h"
#include "common/subprocess.h"
#include "common/text.h"
#include "common/user_dirs.h"
#include "common/userns.h"
#include "common/version.h"
#include "store/layout.h"
#include "store/root_path.h"
#include "store/store.h"

namespace dabba::cli {
namespace {

// A KEY=VALUE of /etc/os-release, quotes removed.
std::string os_release(const std::string& key) {
  std::string text;
  if (!read_file_if_exists("/etc/os-release", text)) return "";
  for (const std::string& line : split_lines(text)) {
    if (line.rfind(key + "=", 0) != 0) continue;
    std::string v = line.substr(key.size() + 1);
    if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'')) v = v.substr(1, v.size() - 2);
    return v;
  }
  return "";
}

std::string self_path() {
  std::string path = self_exe_path();
  return path.empty() ? "dabba" : path;
}

std::string cgroup_version() {
  struct statfs fs {};
  if (::statfs("/sys/fs/cgroup", &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC) return "v2";
  return "v1";
}

}  // namespace

std::string go_arch(const std::string& m) {
  if (m == "x86_64") return "amd64";
  if (m == "aarch64") return "arm64";
  if (m == "i686" || m == "i386") return "386";
  if (m.rfind("armv", 0) == 0) return "arm";
  return m;
}

TemplateData podman_version() {
  struct utsname u {};
  ::uname(&u);
  return {{"Client",
           {{"APIVersion", "4.3.1"},
            {"Version", kVersion},
            {"GoVersion", ""},
            {"GitCommit", ""},
            {"BuiltTime", ""},
            {"Built", 0},
            {"OsArch", std::string("linux/") + go_arch(u.machine)},
            {"Os", "linux"}}}};
}

TemplateData podman_info(const std::string& root) {
  struct utsname u {};
  ::uname(&u);
  struct sysinfo si {};
  ::sysinfo(&si);
  const std::string self = self_path();
  size_t images = 0, containers = 0;
  if (path_exists(root + "/db")) {
    Store store = Store::open(root);
    images = store.list_images().size();
    containers = store.list_containers().size();
  }
  TemplateData component = {{"package", std::string("dabba ") + kVersion},
                            {"path", self},
                            {"version", std::string("dabba version ") + kVersion}};
  TemplateData host = {
      {"arch", go_arch(u.machine)},
      {"buildahVersion", kVersion},
      {"cgroupManager", "cgroupfs"},
      {"cgroupVersion", cgroup_version()},
      {"cgroupControllers", TemplateData::array()},
      {"conmon", component},
      {"cpus", ::sysconf(_SC_NPROCESSORS_ONLN)},
      {"distribution",
       {{"distribution", os_release("ID")},
        {"version", os_release("VERSION_ID")},
        {"codename", os_release("VERSION_CODENAME")}}},
      {"eventLogger", "none"},
      {"hostname", u.nodename},
      {"kernel", u.release},
      {"logDriver", "k8s-file"},
      {"memFree", static_cast<uint64_t>(si.freeram) * si.mem_unit},
      {"memTotal", static_cast<uint64_t>(si.totalram) * si.mem_unit},
      {"networkBackend", "slirp4netns"},
      {"ociRuntime", {{"name", "dabba"}, {"package", component["package"]},
                      {"path", self}, {"version", component["version"]}}},
      {"os", "linux"},
      {"rootless", ::geteuid() != 0},
      {"security", {{"rootless", ::geteuid() != 0}, {"seccompEnabled", true},
                    {"selinuxEnabled", false}, {"apparmorEnabled", false}}},
      {"slirp4netns", {{"executable", "/usr/bin/slirp4netns"}, {"package", "slirp4netns"},
                       {"version", ""}}},
      {"uptime", std::to_string(si.uptime) + "s"},
  };
  TemplateData store = {
      {"configFile", user_config_dir() + "/containers/storage.conf"},
      {"containerStore", {{"number", containers}, {"paused", 0}, {"running", 0}, {"stopped", 0}}},
      {"graphDriverName", "overlay"},
      {"graphOptions", TemplateData::object()},
      {"graphRoot", root},
      {"graphStatus", TemplateData::object()},
      {"imageCopyTmpDir", "/var/tmp"},
      {"imageStore", {{"number", images}}},
      {"runRoot", pause_runtime_dir()},
      {"volumePath", StoreLayout(root, volume_path_from_environment()).volumes_dir()},
  };
  return {{"host", host},
          {"store", store},
          {"registries", TemplateData::object()},
          {"plugins", {{"volume", {"local"}}, {"network", {"slirp4netns"}}, {"log", {"k8s-file"}}}},
          {"version", podman_version()["Client"]}};
}

}  // namespace dabba::cli
