#include "cli/container_info.h"

#include <nlohmann/json.hpp>

#include "common/error.h"

namespace dabba::cli {

void to_json(nlohmann::json& j, const ContainerNetwork& n) {
  j = {{"name", n.name}, {"ip", n.ip}, {"gateway", n.gateway}, {"prefix", n.prefix},
       {"aliases", n.aliases}};
  if (!n.mac.empty()) j["mac"] = n.mac;
}

void from_json(const nlohmann::json& j, ContainerNetwork& n) {
  n.name = j.value("name", n.name);
  n.ip = j.value("ip", n.ip);
  n.gateway = j.value("gateway", n.gateway);
  n.prefix = j.value("prefix", n.prefix);
  n.aliases = j.value("aliases", n.aliases);
  n.mac = j.value("mac", n.mac);
}

void to_json(nlohmann::json& j, const ContainerMount& m) {
  j = {{"type", m.type}, {"destination", m.destination}};
  if (!m.name.empty()) j["name"] = m.name;
  if (!m.source.empty()) j["source"] = m.source;
  if (m.read_only) j["ro"] = true;
  if (!m.options.empty()) j["options"] = m.options;
}

void from_json(const nlohmann::json& j, ContainerMount& m) {
  m.type = j.value("type", std::string());
  m.name = j.value("name", std::string());
  m.source = j.value("source", std::string());
  m.destination = j.value("destination", std::string());
  m.read_only = j.value("ro", false);
  m.options = j.value("options", std::string());
}

std::string encode_container_info(const ContainerInfo& i) {
  nlohmann::json j = {
      {"image", i.image},
      {"image_id", i.image_id},
      {"command", i.command},
      {"env", i.env},
      {"user", i.user},
      {"cwd", i.cwd},
      {"hostname", i.hostname},
      {"network", i.network},
      {"capabilities", i.capabilities},
      {"seccomp", i.seccomp},
      {"seccomp_profile", i.seccomp_profile},
      {"stop_signal", i.stop_signal},
      {"stop_timeout", i.stop_timeout},
      {"tty", i.tty},
      {"auto_remove", i.auto_remove},
      {"detach", i.detach},
      {"log_driver", i.log_driver},
      {"log_path", i.log_path},
      {"log_tag", i.log_tag},
      {"oci_runtime", i.oci_runtime},
      {"log_max_size", i.log_max_size},
      {"timeout", i.timeout},
      {"restart", i.restart},
      {"cidfile", i.cidfile},
  };
  if (!i.labels.empty()) j["labels"] = i.labels;
  if (!i.group_add.empty()) j["group_add"] = i.group_add;
  if (!i.userns_mode.empty()) j["userns_mode"] = i.userns_mode;
  if (!i.uid_map.empty()) j["uid_map"] = i.uid_map;
  if (!i.gid_map.empty()) j["gid_map"] = i.gid_map;
  if (!i.mounts.empty()) j["mounts"] = i.mounts;
  if (!i.networks.empty()) j["networks"] = i.networks;
  if (i.oom_score_adj != 0) j["oom_score_adj"] = i.oom_score_adj;
  if (!i.uts_mode.empty()) j["uts_mode"] = i.uts_mode;
  if (i.created_ns != 0) j["created_ns"] = i.created_ns;
  if (!i.image_name.empty()) j["image_name"] = i.image_name;
  if (!i.ipc_mode.empty()) j["ipc_mode"] = i.ipc_mode;
  return j.dump();
}

ContainerInfo decode_container_info(const std::string& text) {
  ContainerInfo i;
  if (text.empty()) return i;
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) throw Error(Errc::kCorrupt, "container record: the runner data is not JSON");
  try {
    i.image = j.value("image", i.image);
    i.image_id = j.value("image_id", i.image_id);
    i.command = j.value("command", i.command);
    i.env = j.value("env", i.env);
    i.user = j.value("user", i.user);
    i.cwd = j.value("cwd", i.cwd);
    i.hostname = j.value("hostname", i.hostname);
    i.network = j.value("network", i.network);
    i.capabilities = j.value("capabilities", i.capabilities);
    i.seccomp = j.value("seccomp", i.seccomp);
    i.seccomp_profile = j.value("seccomp_profile", i.seccomp_profile);
    i.stop_signal = j.value("stop_signal", i.stop_signal);
    i.stop_timeout = j.value("stop_timeout", i.stop_timeout);
    i.tty = j.value("tty", i.tty);
    i.auto_remove = j.value("auto_remove", i.auto_remove);
    i.detach = j.value("detach", i.detach);
    i.log_driver = j.value("log_driver", i.log_driver);
    i.log_path = j.value("log_path", i.log_path);
    i.log_tag = j.value("log_tag", i.log_tag);
    i.oci_runtime = j.value("oci_runtime", i.oci_runtime);
    i.log_max_size = j.value("log_max_size", i.log_max_size);
    i.timeout = j.value("timeout", i.timeout);
    i.restart = j.value("restart", i.restart);
    i.cidfile = j.value("cidfile", i.cidfile);
    i.labels = j.value("labels", i.labels);
    i.group_add = j.value("group_add", i.group_add);
    i.userns_mode = j.value("userns_mode", i.userns_mode);
    i.uid_map = j.value("uid_map", i.uid_map);
    i.gid_map = j.value("gid_map", i.gid_map);
    i.mounts = j.value("mounts", i.mounts);
    i.networks = j.value("networks", i.networks);
    i.oom_score_adj = j.value("oom_score_adj", i.oom_score_adj);
    i.uts_mode = j.value("uts_mode", i.uts_mode);
    i.created_ns = j.value("created_ns", i.created_ns);
    i.image_name = j.value("image_name", i.image_name);
    i.ipc_mode = j.value("ipc_mode", i.ipc_mode);
  } catch (const nlohmann::json::exception& e) {
    throw Error(Errc::kCorrupt, std::string("container record: ") + e.what());
  }
  return i;
}

}  // namespace dabba::cli
