#include "runner/net/netavark.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/fs.h"
#include "common/subprocess.h"
#include "common/text.h"
#include "runner/net/netns_holder.h"

namespace dabba::runner {
namespace {

// $DABBA_<ENV>, else where Debian (and Fedora) install podman's helpers, else PATH.
std::string find_helper(const char* env, const std::string& name) {
  const char* given = std::getenv(env);
  if (given != nullptr && *given != '\0') return given;
  for (const char* dir : {"/usr/lib/podman/", "/usr/libexec/podman/", "/usr/local/lib/podman/",
                          "/usr/local/libexec/podman/"}) {
    std::string path = dir + name;
    if (::access(path.c_str(), X_OK) == 0) return path;
  }
  return find_program(name);
}

std::string require(const char* env, const std::string& name) {
  std::string path = find_helper(env, name);
  if (path.empty())
    throw Error(Errc::kNotFound, name + " not found: containers on a network need it", 0,
                "install the Debian package " + name + " (sudo apt-get install " + name + ")");
  return path;
}

// The last line of netavark's stderr that says something (its errors are one line; the syslog
// complaint of a machine without /dev/log is not one).
std::string netavark_error(const std::string& err) {
  std::string last;
  for (const std::string& line : split_lines(err))
    if (!trim(line).empty() && line.find("syslog") == std::string::npos) last = trim(line);
  return last;
}

}  // namespace

void check_netavark_installed() {
  require("DABBA_NETAVARK", "netavark");
  require("DABBA_AARDVARK_DNS", "aardvark-dns");
}

std::string netavark_options(const std::string& container_id, const std::string& container_name,
                             const std::vector<NetworkAttachment>& networks) {
  using nlohmann::json;
  json nets = json::object();
  json info = json::object();
  for (const NetworkAttachment& a : networks) {
    json aliases = a.aliases;
    nets[a.name] = {{"interface_name", a.interface},
                    {"static_ips", json::array({a.ip})},
                    {"aliases", aliases}};
    if (!a.mac.empty()) nets[a.name]["static_mac"] = a.mac;
    info[a.name] = json::parse(a.config);
  }
  return json{{"container_id", container_id},
              {"container_name", container_name},
              {"networks", nets},
              {"network_info", info}}
      .dump();
}

void run_netavark(pid_t holder, const std::string& verb, const std::string& netns_path,
                  const std::string& options, const std::string& log_path) {
  const std::string netavark = require("DABBA_NETAVARK", "netavark");
  const std::string aardvark = require("DABBA_AARDVARK_DNS", "aardvark-dns");
  std::string nsenter = find_program("nsenter");
  if (nsenter.empty())
    throw Error(Errc::kNotFound, "nsenter not found: containers on a network need it", 0,
                "install the Debian package util-linux");
  const std::string config = netns_holder_dir() + "/netavark";
  make_dirs(config, 0700);
  const std::string target = std::to_string(holder);
  // netavark runs iptables/nft by name: the sbin directories on its PATH even when the caller's
  // PATH lacks them (podman's helpers get the same).
  std::string path = std::getenv("PATH") != nullptr ? std::getenv("PATH") : "/usr/bin:/bin";
  for (const char* dir : {"/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/bin", "/bin"})
    if ((":" + path + ":").find(std::string(":") + dir + ":") == std::string::npos)
      path += std::string(":") + dir;
  CommandResult r = run_command({nsenter, "--target", target, "--net", "--pid", "--mount", "--",
                                 "/usr/bin/env", "PATH=" + path, netavark, "--config", config,
                                 "--rootless", "true",
                                 "--aardvark-binary", aardvark, verb, netns_path},
                                options);
  if (!log_path.empty() && !r.err.empty()) {
    UniqueFd log(::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
    if (log.valid()) {
      try {
        write_all(log.get(), "netavark " + verb + ": " + r.err);
      } catch (const std::exception&) {
      }
    }
  }
  if (!r.status.exited() || r.status.code() != 0) {
    std::string why = netavark_error(r.err);
    throw Error(Errc::kFailed,
                "netavark " + verb + " failed (" + r.status.describe() + ")" +
                    (why.empty() ? std::string() : ": " + why));
  }
}

}  // namespace dabba::runner
