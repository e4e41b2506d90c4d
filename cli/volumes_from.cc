#include "cli/volumes_from.h"

#include <algorithm>
#include <map>

#include "cli/containers.h"
#include "common/error.h"
#include "common/text.h"

namespace dabba::cli {

VolumesFrom parse_volumes_from(const std::string& text) {
  VolumesFrom out;
  const size_t colon = text.find(':');
  out.container = text.substr(0, colon);
  if (out.container.empty())
    throw Error(Errc::kInvalidArgument, "--volumes-from " + text + ": no container named", 0,
                "give --volumes-from CONTAINER[:ro|rw]");
  if (colon == std::string::npos) return out;
  bool set_z = false;
  for (const std::string& opt : split(text.substr(colon + 1), ',')) {
    if (opt == "z") {
      if (set_z) throw Error(Errc::kInvalidArgument, "cannot set :z more than once in mount options");
      set_z = true;
    } else if (opt == "ro" || opt == "rw") {
      if (out.read_only)
        throw Error(Errc::kInvalidArgument, "cannot set ro or rw options more than once");
      out.read_only = opt == "ro";
    } else {
      throw Error(Errc::kInvalidArgument, "invalid option \"" + opt +
                                              "\" specified - volumes from another container can "
                                              "only use z,ro,rw options");
    }
  }
  return out;
}

void add_volumes_from(const Store& store, const std::vector<VolumesFrom>& from,
                      std::vector<runner::MountSpec>& mounts) {
  std::map<std::string, runner::MountSpec> copied;  // by target: a later container's wins
  std::vector<std::string> order;
  for (const VolumesFrom& f : from) {
    ContainerRecord record;
    try {
      record = find_container(store, f.container);
    } catch (const Error& e) {
      if (e.code() != Errc::kNotFound) throw;
      throw Error(Errc::kNotFound,
                  "looking up container \"" + f.container + "\" for volumes-from: " + e.what(), 0,
                  e.hint());
    }
    for (const ContainerMount& m : decode_container_info(record.runner_json).mounts) {
      if (m.type != "bind" && m.type != "volume") continue;
      runner::MountSpec spec;
      spec.target = m.destination;
      spec.read_only = f.read_only.value_or(m.read_only);
      if (m.type == "volume")
        spec.volume = m.name;  // prepare_volumes finds it (and refuses one removed meanwhile)
      else
        spec.source = m.source;
      if (!copied.count(spec.target)) order.push_back(spec.target);
      copied[spec.target] = spec;
    }
  }
  for (const std::string& target : order) {
    bool own = std::any_of(mounts.begin(), mounts.end(),
                           [&](const runner::MountSpec& m) { return m.target == target; });
    if (!own) mounts.push_back(copied[target]);
  }
}

}  // namespace dabba::cli
