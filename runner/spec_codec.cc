#include "runner/spec_codec.h"

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/fs.h"

namespace dabba::runner {
namespace {

std::string to_hex(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

std::string from_hex(const std::string& hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    throw Error(Errc::kCorrupt, "the saved spec's localtime_hex is not hex");
  };
  if (hex.size() % 2 != 0) throw Error(Errc::kCorrupt, "the saved spec's localtime_hex is cut");
  std::string out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2)
    out += static_cast<char>(nibble(hex[i]) << 4 | nibble(hex[i + 1]));
  return out;
}

using nlohmann::json;

// Bumped when a field changes meaning (not when one is added: missing keys read as defaults).
constexpr int kSpecVersion = 1;

json ranges_json(const std::vector<IdMapping>& ranges) {
  json out = json::array();
  for (const auto& r : ranges) out.push_back({r.inside, r.outside, r.count});
  return out;
}

std::vector<IdMapping> ranges_from(const json& j) {
  std::vector<IdMapping> out;
  for (const auto& r : j)
    out.push_back({r.at(0).get<uint32_t>(), r.at(1).get<uint32_t>(), r.at(2).get<uint32_t>()});
  return out;
}

json network_json(const NetworkSpec& n) {
  json ports = json::array();
  for (const auto& p : n.ports)
    ports.push_back({{"host_ip", p.host_ip},
                     {"host_port", p.host_port},
                     {"container_port", p.container_port},
                     {"udp", p.protocol == PortProtocol::kUdp}});
  json hosts = json::array();
  for (const auto& h : n.extra_hosts) hosts.push_back({h.name, h.ip});
  json networks = json::array();
  for (const auto& a : n.networks)
    networks.push_back({{"name", a.name},
                        {"config", a.config},
                        {"interface", a.interface},
                        {"ip", a.ip},
                        {"mac", a.mac},
                        {"aliases", a.aliases},
                        {"gateway", a.gateway},
                        {"prefix", a.prefix},
                        {"dns_enabled", a.dns_enabled},
                        {"internal", a.internal}});
  return {{"mode", static_cast<int>(n.mode)},
          {"networks", networks},
          {"container_name", n.container_name},
          {"options", n.options},
          {"container_dir", n.container_dir},
          {"slirp",
           {{"allow_host_loopback", n.slirp.allow_host_loopback},
            {"mtu", n.slirp.mtu},
            {"cidr", n.slirp.cidr},
            {"enable_ipv6", n.slirp.enable_ipv6},
            {"outbound_addr", n.slirp.outbound_addr},
            {"outbound_addr6", n.slirp.outbound_addr6}}},
          {"ports", ports},
          {"dns", n.dns},
          {"extra_hosts", hosts},
          {"dns_search", n.dns_search},
          {"dns_options", n.dns_options},
          {"base_hosts", n.base_hosts},
          {"host_internal_ip", n.host_internal_ip},
          {"holder_via_pasta", n.holder_via_pasta}};
}

// Reads key into out when present (else out keeps its default).
template <typename T>
void get(const json& j, const char* key, T& out) {
  if (auto it = j.find(key); it != j.end() && !it->is_null()) it->get_to(out);
}

NetworkSpec network_from(const json& j) {
  NetworkSpec n;
  int mode = static_cast<int>(n.mode);
  get(j, "mode", mode);
  if (mode < 0 || mode > static_cast<int>(NetworkMode::kPasta))
    throw Error(Errc::kCorrupt, "unknown network mode " + std::to_string(mode));
  n.mode = static_cast<NetworkMode>(mode);
  get(j, "options", n.options);
  get(j, "container_dir", n.container_dir);
  if (auto s = j.find("slirp"); s != j.end()) {
    get(*s, "allow_host_loopback", n.slirp.allow_host_loopback);
    get(*s, "mtu", n.slirp.mtu);
    get(*s, "cidr", n.slirp.cidr);
    get(*s, "enable_ipv6", n.slirp.enable_ipv6);
    get(*s, "outbound_addr", n.slirp.outbound_addr);
    get(*s, "outbound_addr6", n.slirp.outbound_addr6);
  }
  if (auto ports = j.find("ports"); ports != j.end())
    for (const auto& p : *ports) {
      PortMapping m;
      get(p, "host_ip", m.host_ip);
      get(p, "host_port", m.host_port);
      get(p, "container_port", m.container_port);
      bool udp = false;
      get(p, "udp", udp);
      m.protocol = udp ? PortProtocol::kUdp : PortProtocol::kTcp;
      n.ports.push_back(m);
    }
  get(j, "dns", n.dns);
  if (auto hosts = j.find("extra_hosts"); hosts != j.end())
    for (const auto& h : *hosts)
      n.extra_hosts.push_back({h.at(0).get<std::string>(), h.at(1).get<std::string>()});
  get(j, "dns_search", n.dns_search);
  get(j, "dns_options", n.dns_options);
  get(j, "base_hosts", n.base_hosts);
  get(j, "host_internal_ip", n.host_internal_ip);
  get(j, "holder_via_pasta", n.holder_via_pasta);
  if (auto networks = j.find("networks"); networks != j.end())
    for (const auto& a : *networks) {
      NetworkAttachment at;
      get(a, "name", at.name);
      get(a, "config", at.config);
      get(a, "interface", at.interface);
      get(a, "ip", at.ip);
      get(a, "mac", at.mac);
      get(a, "aliases", at.aliases);
      get(a, "gateway", at.gateway);
      get(a, "prefix", at.prefix);
      get(a, "dns_enabled", at.dns_enabled);
      get(a, "internal", at.internal);
      n.networks.push_back(std::move(at));
    }
  get(j, "container_name", n.container_name);
  return n;
}

json mount_json(const MountSpec& m) {
  json j = {{"tmpfs", m.kind == MountSpec::Kind::kTmpfs},
            {"source", m.source},
            {"target", m.target},
            {"read_only", m.read_only},
            {"tmpfs_options", m.tmpfs_options},
            {"chown", m.chown}};
  if (m.volume) j["volume"] = *m.volume;
  return j;
}

MountSpec mount_from(const json& j) {
  MountSpec m;
  bool tmpfs = false;
  get(j, "tmpfs", tmpfs);
  m.kind = tmpfs ? MountSpec::Kind::kTmpfs : MountSpec::Kind::kBind;
  get(j, "source", m.source);
  get(j, "target", m.target);
  get(j, "read_only", m.read_only);
  get(j, "tmpfs_options", m.tmpfs_options);
  get(j, "chown", m.chown);
  if (auto v = j.find("volume"); v != j.end()) m.volume = v->get<std::string>();
  return m;
}

}  // namespace

std::string encode_spec(const Spec& s) {
  json mounts = json::array();
  for (const auto& m : s.mounts) mounts.push_back(mount_json(m));
  json limits = json::object();
  if (s.limits.memory_bytes) limits["memory_bytes"] = *s.limits.memory_bytes;
  if (s.limits.pids_max) limits["pids_max"] = *s.limits.pids_max;
  if (s.limits.cpus) limits["cpus"] = *s.limits.cpus;
  json log = {{"driver", static_cast<int>(s.log.driver)}, {"path", s.log.path}};
  if (s.log.max_size) log["max_size"] = *s.log.max_size;
  json ulimits = json::array();
  for (const auto& u : s.ulimits) ulimits.push_back({u.name, u.soft, u.hard});
  json devices = json::array();
  for (const auto& d : s.devices) devices.push_back({d.host, d.container, d.perms});
  json j = {
      {"version", kSpecVersion},
      {"id", s.id},
      {"hostname", s.hostname},
      {"layers", s.layers},
      {"container_dir", s.container_dir},
      {"read_only", s.read_only},
      {"mounts", mounts},
      {"etc",
       {{"hostname", s.etc.hostname},
        {"hosts", s.etc.hosts},
        {"resolv_conf", s.etc.resolv_conf},
        {"containerenv", s.etc.containerenv},
        // A zoneinfo file is binary, which JSON strings cannot carry: hex.
        {"localtime_hex", to_hex(s.etc.localtime)}}},
      {"volatile_upper", s.volatile_upper},
      {"mount_api", static_cast<int>(s.mount_api)},
      {"shm_size", s.shm_size},
      {"argv", s.argv},
      {"env", s.env},
      {"cwd", s.cwd},
      {"create_cwd", s.create_cwd},
      {"user", s.user},
      {"group_add", s.group_add},
      {"passwd_entries", s.passwd_entries},
      {"group_entries", s.group_entries},
      {"ulimits", ulimits},
      {"ulimit_host", s.ulimit_host},
      {"oom_score_adj", s.oom_score_adj ? json(*s.oom_score_adj) : json()},
      {"devices", devices},
      {"sysctls", s.sysctls},
      {"host_uts", s.host_uts},
      {"host_ipc", s.host_ipc},
      {"ipc_none", s.ipc_none},
      {"ipc_container", s.ipc_container},
      {"ipc_container_dir", s.ipc_container_dir},
      {"tty", s.tty},
      {"stdin_open", s.stdin_open},
      {"init", s.init},
      {"pidfile", s.pidfile},
      {"owner_pidfile", s.owner_pidfile},
      {"attach_stdout", s.attach_stdout},
      {"attach_stderr", s.attach_stderr},
      {"log", log},
      {"timeout_seconds", s.timeout_seconds},
      {"restart", format_restart_policy(s.restart)},
      {"capabilities", s.capabilities},
      {"seccomp", s.seccomp},
      {"seccomp_profile", s.seccomp_profile},
      {"masked", {{"masked", s.masked.masked}, {"readonly", s.masked.readonly}}},
      {"privileged", s.privileged},
      {"network", network_json(s.network)},
      {"limits", limits},
      {"cgroup_parent", s.cgroup_parent},
      {"id_map",
       {{"uids", ranges_json(s.id_map.uids)},
        {"gids", ranges_json(s.id_map.gids)},
        {"deny_setgroups", s.id_map.deny_setgroups}}},
  };
  return j.dump();
}

Spec decode_spec(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (!j.is_object()) throw Error(Errc::kCorrupt, "the container's spec is not a JSON object");
  try {
    int version = 0;
    get(j, "version", version);
    if (version != kSpecVersion)
      throw Error(Errc::kCorrupt, "the container's spec has version " + std::to_string(version) +
                                      ", this dabba reads " + std::to_string(kSpecVersion));
    Spec s;
    get(j, "id", s.id);
    get(j, "hostname", s.hostname);
    get(j, "layers", s.layers);
    get(j, "container_dir", s.container_dir);
    get(j, "read_only", s.read_only);
    if (auto m = j.find("mounts"); m != j.end())
      for (const auto& one : *m) s.mounts.push_back(mount_from(one));
    if (auto e = j.find("etc"); e != j.end()) {
      get(*e, "hostname", s.etc.hostname);
      get(*e, "hosts", s.etc.hosts);
      get(*e, "resolv_conf", s.etc.resolv_conf);
      get(*e, "containerenv", s.etc.containerenv);
      get(*e, "localtime", s.etc.localtime);  // (a text-only zone file, before localtime_hex)
      std::string hex;
      get(*e, "localtime_hex", hex);
      if (!hex.empty()) s.etc.localtime = from_hex(hex);
    }
    get(j, "volatile_upper", s.volatile_upper);
    int api = 0;
    get(j, "mount_api", api);
    if (api < 0 || api > static_cast<int>(MountApi::kLegacy))
      throw Error(Errc::kCorrupt, "unknown mount api " + std::to_string(api));
    s.mount_api = static_cast<MountApi>(api);
    get(j, "shm_size", s.shm_size);
    get(j, "argv", s.argv);
    get(j, "env", s.env);
    get(j, "cwd", s.cwd);
    get(j, "create_cwd", s.create_cwd);
    get(j, "user", s.user);
    get(j, "group_add", s.group_add);
    get(j, "passwd_entries", s.passwd_entries);
    get(j, "group_entries", s.group_entries);
    if (auto u = j.find("ulimits"); u != j.end())
      for (const auto& one : *u)
        s.ulimits.push_back(
            {one.at(0).get<std::string>(), one.at(1).get<uint64_t>(), one.at(2).get<uint64_t>()});
    get(j, "ulimit_host", s.ulimit_host);
    if (auto o = j.find("oom_score_adj"); o != j.end() && o->is_number_integer())
      s.oom_score_adj = o->get<int>();
    if (auto d = j.find("devices"); d != j.end())
      for (const auto& one : *d)
        s.devices.push_back({one.at(0).get<std::string>(), one.at(1).get<std::string>(),
                             one.at(2).get<std::string>()});
    get(j, "sysctls", s.sysctls);
    get(j, "host_uts", s.host_uts);
    get(j, "host_ipc", s.host_ipc);
    get(j, "ipc_none", s.ipc_none);
    get(j, "ipc_container", s.ipc_container);
    get(j, "ipc_container_dir", s.ipc_container_dir);
    get(j, "tty", s.tty);
    get(j, "stdin_open", s.stdin_open);
    get(j, "init", s.init);
    get(j, "pidfile", s.pidfile);
    get(j, "owner_pidfile", s.owner_pidfile);
    get(j, "attach_stdout", s.attach_stdout);
    get(j, "attach_stderr", s.attach_stderr);
    if (auto l = j.find("log"); l != j.end()) {
      int driver = 0;
      get(*l, "driver", driver);
      if (driver < 0 || driver > static_cast<int>(LogDriver::kPassthrough))
        throw Error(Errc::kCorrupt, "unknown log driver " + std::to_string(driver));
      s.log.driver = static_cast<LogDriver>(driver);
      get(*l, "path", s.log.path);
      if (auto m = l->find("max_size"); m != l->end()) s.log.max_size = m->get<uint64_t>();
    }
    get(j, "timeout_seconds", s.timeout_seconds);
    std::string restart;
    get(j, "restart", restart);
    s.restart = parse_restart_policy(restart);
    get(j, "capabilities", s.capabilities);
    get(j, "seccomp", s.seccomp);
    get(j, "seccomp_profile", s.seccomp_profile);
    if (auto m = j.find("masked"); m != j.end()) {
      get(*m, "masked", s.masked.masked);
      get(*m, "readonly", s.masked.readonly);
    }
    get(j, "privileged", s.privileged);
    if (auto n = j.find("network"); n != j.end()) s.network = network_from(*n);
    if (auto l = j.find("limits"); l != j.end()) {
      if (auto v = l->find("memory_bytes"); v != l->end())
        s.limits.memory_bytes = v->get<uint64_t>();
      if (auto v = l->find("pids_max"); v != l->end()) s.limits.pids_max = v->get<uint64_t>();
      if (auto v = l->find("cpus"); v != l->end()) s.limits.cpus = v->get<double>();
    }
    get(j, "cgroup_parent", s.cgroup_parent);
    if (auto m = j.find("id_map"); m != j.end()) {
      if (auto u = m->find("uids"); u != m->end()) s.id_map.uids = ranges_from(*u);
      if (auto g = m->find("gids"); g != m->end()) s.id_map.gids = ranges_from(*g);
      get(*m, "deny_setgroups", s.id_map.deny_setgroups);
    }
    return s;
  } catch (const json::exception& e) {
    throw Error(Errc::kCorrupt, std::string("the container's spec is malformed: ") + e.what());
  }
}

std::string spec_path(const std::string& container_dir) { return container_dir + "/spec.json"; }

void save_spec(const Spec& spec, bool durable) {
  write_file_atomic(spec_path(spec.container_dir), encode_spec(spec),
                    durable ? Sync::kDurable : Sync::kNone, 0600);
  // The container's directory was made (not flushed) with its record.
  if (durable) fsync_dir(dirname_of(spec.container_dir));
}

Spec load_spec(const std::string& container_dir) {
  std::string text;
  if (!read_file_if_exists(spec_path(container_dir), text))
    throw Error(Errc::kNotFound,
                "the container has no saved configuration (made by an older dabba, or a --rm "
                "run): it cannot be started again",
                0, "remove it and create or run a new one");
  return with_context("read " + spec_path(container_dir), [&] { return decode_spec(text); });
}

}  // namespace dabba::runner
