#include "runner/spec.h"

#include <cmath>
#include <cstdlib>

#include "common/error.h"
#include "common/text.h"
#include "runner/net/network_parse.h"
#include "runner/path.h"
#include "runner/user.h"

namespace dabba::runner {

const char* network_mode_name(NetworkMode mode) {
  switch (mode) {
    case NetworkMode::kNone:
      return "none";
    case NetworkMode::kHost:
      return "host";
    case NetworkMode::kSlirp4netns:
      return "slirp4netns";
    case NetworkMode::kContainer:
      return "container";
    case NetworkMode::kBridge:
      return "bridge";
    case NetworkMode::kPasta:
      return "pasta";
  }
  return "none";
}

namespace {

// NAME[:alias=A,ip=IP,interface_name=IF]: one network of `network create` to join.
NetworkAttachment parse_attachment(const std::string& text) {
  NetworkAttachment a;
  const size_t colon = text.find(':');
  a.name = text.substr(0, colon);
  if (!is_volume_name(a.name))
    throw Error(Errc::kInvalidArgument, "unknown network mode or network '" + a.name + "'", 0,
                "use --network none, host, slirp4netns[:options], container:NAME, or the name of "
                "a network (dabba network ls)");
  if (colon == std::string::npos) return a;
  for (const std::string& option : split(text.substr(colon + 1), ',')) {
    const size_t eq = option.find('=');
    const std::string key = option.substr(0, eq);
    const std::string value = eq == std::string::npos ? "" : option.substr(eq + 1);
    if (key == "alias" && !value.empty())
      a.aliases.push_back(value);
    else if (key == "ip" && !value.empty())
      a.ip = value;
    else if (key == "mac" && !value.empty())
      a.mac = parse_mac_address(value);
    else if (key == "interface_name" && !value.empty())
      a.interface = value;
    else
      throw Error(Errc::kInvalidArgument, "unknown bridge network option: " + option.substr(0, eq),
                  0, "dabba knows alias=NAME, ip=ADDRESS, mac=ADDRESS and interface_name=NAME");
  }
  return a;
}

}  // namespace

NetworkSpec parse_network(const std::string& text) {
  NetworkSpec spec;
  // Several --network flags arrive joined by newlines: only networks of `network create` combine.
  if (text.find('\n') != std::string::npos) {
    spec.mode = NetworkMode::kBridge;
    for (const std::string& one : split(text, '\n')) {
      NetworkSpec single = parse_network(one);
      if (single.mode != NetworkMode::kBridge)
        throw Error(Errc::kInvalidArgument,
                    "--network " + one + " cannot be combined with other --network flags", 0,
                    "only networks of `network create` can be joined together");
      spec.networks.push_back(single.networks.front());
    }
    return spec;
  }
  auto colon = text.find(':');
  std::string name = text.substr(0, colon);
  // podman's bridge mode: the default network, named "podman", rootless too (through the
  // networks' namespace, as its rootless-netns).
  if (name == "bridge")
    return parse_network("podman" + (colon == std::string::npos ? "" : text.substr(colon)));
  if (name == "none") {
    spec.mode = NetworkMode::kNone;
  } else if (name == "host") {
    spec.mode = NetworkMode::kHost;
  } else if (name == "slirp4netns") {
    spec.mode = NetworkMode::kSlirp4netns;
    if (colon != std::string::npos) spec.options = text.substr(colon + 1);
    spec.slirp = parse_slirp_options(spec.options);
    return spec;
  } else if (name == "container") {
    spec.mode = NetworkMode::kContainer;
    spec.options = colon == std::string::npos ? "" : text.substr(colon + 1);
    if (spec.options.empty())
      throw Error(Errc::kInvalidArgument, "--network container: needs a container's name or id",
                  0, "--network container:NAME");
    return spec;
  } else if (name == "pasta") {
    spec.mode = NetworkMode::kPasta;
    if (colon != std::string::npos) spec.options = text.substr(colon + 1);
    return spec;
  } else if (name == "ns" || name == "private" || name == "pod") {
    throw Error(Errc::kUnsupported, "--network " + name + " is not supported by dabba", 0,
                "use --network none, host, slirp4netns[:options], pasta[:options], container:NAME or a network's "
                "name");
  } else {
    spec.mode = NetworkMode::kBridge;
    spec.networks.push_back(parse_attachment(text));
    return spec;
  }
  if (colon != std::string::npos)
    throw Error(Errc::kInvalidArgument, "--network " + name + " takes no options");
  return spec;
}

MountSpec parse_volume(const std::string& text) {
  MountSpec m;
  m.kind = MountSpec::Kind::kBind;
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    auto colon = text.find(':', start);
    parts.push_back(text.substr(start, colon - start));
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  // "-v /path": an anonymous volume at /path (podman's). Never a host path alone.
  if (parts.size() == 1 && !parts[0].empty() && parts[0][0] == '/') parts.insert(parts.begin(), "");
  if (parts.size() < 2 || parts.size() > 3 || parts[1].empty() ||
      (parts[0].empty() && text.find(':') != std::string::npos))
    throw Error(Errc::kInvalidArgument, "invalid volume '" + text + "'", 0,
                "use -v /host/path:/container/path[:ro] or -v NAME:/container/path");
  if (parts[1][0] != '/')
    throw Error(Errc::kInvalidArgument,
                "volume target '" + parts[1] + "' must be an absolute path in the container");
  if (parts[0].empty()) {
    m.volume = "";
  } else if (parts[0][0] == '/') {
    m.source = clean_path(parts[0]);
  } else if (is_volume_name(parts[0])) {
    m.volume = parts[0];
  } else {
    throw Error(Errc::kInvalidArgument,
                "volume source '" + parts[0] + "' is neither an absolute host path nor a volume name",
                0, "give a host path as /abs/path, or a name matching [a-zA-Z0-9][a-zA-Z0-9_.-]*");
  }
  m.target = clean_path(parts[1]);
  if (parts.size() == 3) {
    // Docker accepts a comma list ("ro,z"); we honour ro/rw and ignore SELinux labels.
    size_t s = 0;
    const std::string& opts = parts[2];
    while (s <= opts.size()) {
      auto comma = opts.find(',', s);
      std::string opt = opts.substr(s, comma - s);
      if (opt == "ro") {
        m.read_only = true;
      } else if (opt == "rw") {
        m.read_only = false;
      } else if (opt == "U") {
        m.chown = true;
      } else if (opt != "z" && opt != "Z" && !opt.empty()) {
        throw Error(Errc::kInvalidArgument, "unknown volume option '" + opt + "' in '" + text + "'",
                    0, "use :ro, :rw or :U");
      }
      if (comma == std::string::npos) break;
      s = comma + 1;
    }
  }
  if (m.target == "/")
    throw Error(Errc::kInvalidArgument, "cannot mount a volume over the container's /");
  return m;
}

MountSpec parse_tmpfs(const std::string& text) {
  MountSpec m;
  m.kind = MountSpec::Kind::kTmpfs;
  auto colon = text.find(':');
  m.target = text.substr(0, colon);
  if (colon != std::string::npos) m.tmpfs_options = text.substr(colon + 1);
  if (m.target.empty() || m.target[0] != '/')
    throw Error(Errc::kInvalidArgument,
                "--tmpfs target '" + m.target + "' must be an absolute path in the container");
  m.target = clean_path(m.target);
  if (m.target == "/") throw Error(Errc::kInvalidArgument, "cannot mount a tmpfs over /");
  return m;
}

MountSpec parse_mount(const std::string& text) {
  std::string type, source, target, tmpfs_options;
  bool read_only = false;
  auto bad = [&](const std::string& why) {
    return Error(Errc::kInvalidArgument, "invalid --mount '" + text + "': " + why, 0,
                 "use --mount type=bind,source=/host/path,target=/path[,ro] or "
                 "type=tmpfs,target=/path[,tmpfs-size=64m][,tmpfs-mode=1777] or "
                 "type=volume[,source=NAME],target=/path[,ro]");
  };
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string item = text.substr(start, comma == std::string::npos ? std::string::npos
                                                                     : comma - start);
    start = comma == std::string::npos ? text.size() + 1 : comma + 1;
    if (item.empty()) continue;
    auto eq = item.find('=');
    std::string key = item.substr(0, eq);
    std::string value = eq == std::string::npos ? "" : item.substr(eq + 1);
    if (key == "type") {
      type = value;
    } else if (key == "source" || key == "src") {
      source = value;
    } else if (key == "target" || key == "destination" || key == "dst") {
      target = value;
    } else if (key == "ro" || key == "readonly") {
      read_only = value.empty() || value == "true" || value == "1";
    } else if (key == "rw") {
      read_only = !(value.empty() || value == "true" || value == "1");
    } else if (key == "tmpfs-size") {
      tmpfs_options += (tmpfs_options.empty() ? "" : ",") + ("size=" + value);
    } else if (key == "tmpfs-mode") {
      tmpfs_options += (tmpfs_options.empty() ? "" : ",") + ("mode=" + value);
    } else if (key == "tmpcopyup" || key == "notmpcopyup") {
      tmpfs_options += (tmpfs_options.empty() ? "" : ",") + key;
    } else if (key == "bind-propagation" || key == "relabel" || key == "z" || key == "Z" ||
               key == "consistency" || key == "bind-nonrecursive") {
      // Accepted as podman's, without effect here (docs/compatibility.md).
    } else {
      throw bad("unknown option '" + key + "'");
    }
  }
  if (type.empty()) throw bad("no type=");
  if (type == "volume") {  // as -v NAME:/path, or -v /path (anonymous) without a source
    if (target.empty()) throw bad("no target=");
    MountSpec m = parse_volume(source.empty() ? target : source + ":" + target);
    m.read_only = read_only;
    return m;
  }
  if (type == "bind") {
    if (source.empty()) throw bad("no source=");
    if (target.empty()) throw bad("no target=");
    MountSpec m = parse_volume(source + ":" + target);
    m.read_only = read_only;
    return m;
  }
  if (type == "tmpfs") {
    if (target.empty()) throw bad("no target=");
    MountSpec m = parse_tmpfs(target + (tmpfs_options.empty() ? "" : ":" + tmpfs_options));
    return m;
  }
  throw bad("unknown type '" + type + "' (bind, tmpfs or volume)");
}

uint64_t parse_memory_size(const std::string& text) {
  auto bad = [&] {
    return Error(Errc::kInvalidArgument, "invalid memory size '" + text + "'", 0,
                 "use a number of bytes with an optional unit: b, k, m or g (e.g. 512m)");
  };
  if (text.empty()) throw bad();
  char* end = nullptr;
  errno = 0;
  double value = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || errno != 0 || value < 0 || !std::isfinite(value)) throw bad();
  std::string unit(end);
  if (unit.size() == 2 && (unit[1] == 'b' || unit[1] == 'B')) unit.pop_back();
  double mult = 1;
  if (unit.empty() || unit == "b" || unit == "B") {
    mult = 1;
  } else if (unit == "k" || unit == "K") {
    mult = 1024.0;
  } else if (unit == "m" || unit == "M") {
    mult = 1024.0 * 1024;
  } else if (unit == "g" || unit == "G") {
    mult = 1024.0 * 1024 * 1024;
  } else {
    throw bad();
  }
  double bytes = value * mult;
  if (bytes >= 9.2e18) throw bad();
  return static_cast<uint64_t>(bytes);
}

void validate(const Spec& spec) {
  auto invalid = [](const std::string& what) { return Error(Errc::kInvalidArgument, what); };
  // The id names the container's cgroup directory and its default hostname.
  if (spec.id.empty() || spec.id.size() > 64 ||
      spec.id.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
    throw invalid("container id '" + spec.id + "' is not 1 to 64 hex digits");
  if (spec.layers.empty()) throw invalid("the container has no layers");
  for (const auto& l : spec.layers)
    if (l.empty() || l[0] != '/') throw invalid("layer directory '" + l + "' is not absolute");
  if (spec.container_dir.empty() || spec.container_dir[0] != '/')
    throw invalid("container directory '" + spec.container_dir + "' is not absolute");
  if (spec.argv.empty() || spec.argv[0].empty())
    throw Error(Errc::kInvalidArgument, "no command specified", 0,
                "give a command after the image name, or use an image with an Entrypoint or Cmd");
  if (spec.cwd.empty() || spec.cwd[0] != '/')
    throw invalid("the working directory '" + spec.cwd + "' is not an absolute path");
  for (const auto& e : spec.env)
    if (e.find('=') == std::string::npos || e[0] == '=')
      throw invalid("environment entry '" + e + "' is not KEY=VALUE");
  for (const auto& m : spec.mounts) {
    if (m.target.empty() || m.target[0] != '/')
      throw invalid("mount target '" + m.target + "' is not absolute");
    if (m.kind == MountSpec::Kind::kBind && (m.source.empty() || m.source[0] != '/'))
      throw invalid("bind source '" + m.source + "' is not absolute");
  }
  if (spec.limits.cpus && *spec.limits.cpus <= 0) throw invalid("--cpus must be greater than 0");
  if (spec.limits.pids_max && *spec.limits.pids_max == 0)
    throw invalid("--pids-limit must be greater than 0");
  if (spec.limits.memory_bytes && *spec.limits.memory_bytes < 6 * 1024 * 1024)
    throw Error(Errc::kInvalidArgument, "--memory must be at least 6m", 0,
                "a container needs a few MiB for its own start-up");
  for (const auto& s : spec.sysctls)
    check_sysctl_network(s, spec.network.mode);
  for (const auto& d : spec.devices)
    if (d.container.empty() || d.container[0] != '/')
      throw invalid("device path '" + d.container + "' is not absolute");
  check_group_add(spec.group_add);
  if (spec.hostname.size() > 64) throw invalid("hostname '" + spec.hostname + "' is too long");
  if (!spec.cgroup_parent.empty() && spec.cgroup_parent[0] != '/')
    throw invalid("cgroup parent '" + spec.cgroup_parent + "' must be absolute");
}

}  // namespace dabba::runner
