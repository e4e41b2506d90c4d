// dabba volume create|ls|inspect|rm|prune|exists|export|import|mount|unmount: podman's volume group
// over the store's volumes (store/volumes.cc). Exit codes as podman's: `volume rm` 1 for no such
// volume, 2 for one in use; `volume exists` 0/1; 125 for anything else.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdio>
#include <map>
#include <memory>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/confirm.h"
#include "cli/container_names.h"
#include "cli/container_removal.h"
#include "cli/containers.h"
#include "cli/format_template.h"
#include "cli/key_values.h"
#include "cli/object_group.h"
#include "cli/tar_input.h"
#include "cli/volumes.h"
#include "cli/with_store.h"
#include "common/dir_stream.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/text.h"
#include "common/tree_copy.h"
#include "common/userns.h"
#include "store/unpack/layer_tar.h"

namespace dabba::cli {
namespace {

// podman's checks of the local driver's options (libpod/runtime_volume_common.go).
void check_volume_options(const std::map<std::string, std::string>& options) {
  for (const auto& [key, value] : options) {
    const std::string k = lower(key);
    if (k == "device") {
      auto type = options.find("type");
      struct stat st;
      if (type != options.end() && lower(type->second) == "bind" && ::stat(value.c_str(), &st) != 0)
        throw Error(Errc::kInvalidArgument,
                    "invalid volume option device for driver 'local': stat " + value + ": " +
                        go_errno_text(errno));
    } else if (k != "o" && k != "type" && k != "uid" && k != "gid" && k != "size" &&
               k != "inodes" && k != "noquota" && k != "copy" && k != "nocopy") {
      throw Error(Errc::kInvalidArgument,
                  "invalid mount option " + key + " for driver 'local': invalid argument", 0,
                  "the local driver takes type, device, o, uid, gid, size, inodes, noquota, "
                  "copy and nocopy");
    }
  }
}

// -o uid=N / gid=N: the volume's directory owned by them (ids inside the container).
void own_volume(const Store& store, const VolumeRecord& rec) {
  auto id = [&](const char* key) -> int64_t {
    auto it = rec.options.find(key);
    if (it == rec.options.end()) return -1;
    uint32_t v = 0;
    const std::string& text = it->second;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size())
      throw Error(Errc::kInvalidArgument, std::string("invalid volume option ") + key + "=" + text,
                  0, "give a number");
    return v;
  };
  const int64_t uid = id("uid"), gid = id("gid");
  if (uid < 0 && gid < 0) return;
  const std::string dir = store.volume_data_dir(rec.name);
  if (::lchown(dir.c_str(), static_cast<uid_t>(uid), static_cast<gid_t>(gid)) != 0)
    throw_errno("chown " + dir);
}

Command add_volume_create(CLI::App& parent) {
  struct Args {
    std::vector<std::string> labels, options;
    std::string driver = "local";
    bool ignore = false;
    std::string name;
  };
  auto args = std::make_shared<Args>();
  Command cmd = podman_verb(parent, "create", "Create a volume", Needs::kUserNamespace);
  repeatable(cmd.app->add_option("-l,--label", args->labels, "KEY=VALUE label"));
  repeatable(cmd.app->add_option("-o,--opt", args->options, "KEY=VALUE driver option (kept)"));
  cmd.app->add_option("-d,--driver", args->driver, "volume driver (only local)");
  cmd.app->add_flag("--ignore", args->ignore, "an existing volume of that name is no error");
  cmd.app->add_option("name", args->name, "volume name (default: a random 64-hex name)");
  cmd.run = [args](const Globals& globals) {
    if (args->driver != "local")
      throw Error(Errc::kUnsupported, "volume driver \"" + args->driver + "\" is not supported", 0,
                  "dabba has the local driver only");
    VolumeRecord rec;
    rec.name = args->name.empty() ? new_container_id() : args->name;
    rec.labels = key_values(args->labels, "label");
    rec.options = key_values(args->options, "volume option");
    check_volume_options(rec.options);
    Store store = Store::open(globals.root());
    return create_named(rec.name, args->ignore, [&] {
      store.create_volume(rec);
      own_volume(store, rec);
    });
  };
  return cmd;
}

// volume ls: the fields its templates name, with their column headers.
const std::map<std::string, std::string> kLsHeaders = {
    {"Driver", "DRIVER"},        {"Name", "VOLUME NAME"}, {"Mountpoint", "MOUNTPOINT"},
    {"CreatedAt", "CREATED AT"}, {"Labels", "LABELS"},    {"Scope", "SCOPE"},
    {"Options", "OPTIONS"},
};

Command add_volume_ls(CLI::App& parent) {
  auto flags = std::make_shared<ListFlags>();
  Command cmd = add_ls_verb(parent, "List volumes", *flags,
                            "name=, label=, driver=, scope=, dangling=, opt=");
  cmd.run = [flags](const Globals& globals) {
    VolumeFilter filter(flags->filters);
    Store store = Store::open(globals.root());
    std::vector<TemplateData> rows;
    for (const auto& v : store.list_volumes()) {
      if (!filter.match(store, v)) continue;
      if (flags->quiet) {
        std::printf("%s\n", v.name.c_str());
        continue;
      }
      rows.push_back(volume_json(store, v));
    }
    if (flags->quiet) return kExitOk;
    print_list(*flags, rows, "table {{.Driver}}\t{{.Name}}", kLsHeaders);
    return kExitOk;
  };
  return cmd;
}

// What inspect and rm act on: the volumes named, or -a for every volume.
void add_volume_operands(CLI::App& app, bool& all, std::vector<std::string>& names) {
  app.add_flag("-a,--all", all, "every volume");
  app.add_option("volume", names, "volume names");
}

Command add_volume_inspect(CLI::App& parent) {
  struct Args {
    InspectFlags inspect;
    bool all = false;
  };
  auto args = std::make_shared<Args>();
  Command cmd = add_inspect_verb(parent, "Show volumes as JSON", args->inspect);
  add_volume_operands(*cmd.app, args->all, args->inspect.names);
  cmd.run = with_store([args](Store& store) {
    if (!args->all && args->inspect.names.empty())
      throw Error(Errc::kInvalidArgument, "provide one or more volume names or use --all");
    Lookup<TemplateData> asked = look_up<TemplateData>(
        args->inspect.names, [&](const std::string& name) -> std::optional<TemplateData> {
          if (auto v = store.volume(name)) return volume_json(store, *v);
          return std::nullopt;
        });
    std::vector<TemplateData> found;
    if (args->all)
      for (const auto& v : store.list_volumes()) found.push_back(volume_json(store, v));
    for (auto& j : asked.found) found.push_back(std::move(j));
    return print_inspect(
        args->inspect.format, [&] { return TemplateData(found).dump(4); }, found, asked.missing,
        [](const std::string& name) { return Error(Errc::kNotFound, "no such volume " + name); });
  });
  return cmd;
}

// The containers using a volume removed first (rm -f), in the initial namespace as rm does.
void remove_users(const std::string& root, const std::vector<std::string>& ids) {
  ContainerRemoval how;
  how.force = true;
  how.on_error = [](const std::string&, const Error& e) { report_error(e); };
  remove_containers(root, ids, how);
}

Command add_volume_rm(CLI::App& parent) {
  struct Args {
    RemoveFlags rm;
    bool all = false;
  };
  auto args = std::make_shared<Args>();
  // -f stops containers from the initial namespace first
  Command cmd = add_rm_verb(parent, "Remove volumes", args->rm);
  add_volume_operands(*cmd.app, args->all, args->rm.names);
  cmd.run = [args](const Globals& globals) {
    if (args->all == !args->rm.names.empty())
      throw Error(Errc::kInvalidArgument, "choose either one or more volumes or all");
    std::vector<std::string> names = args->rm.names;
    if (args->rm.force || args->all) {
      std::vector<std::string> users;
      {
        Store store = Store::open(globals.root());
        if (args->all)
          for (const auto& v : store.list_volumes()) names.push_back(v.name);
        if (args->rm.force)
          for (const auto& n : names)
            for (const auto& id : store.volume_users(n)) users.push_back(id);
      }
      if (!users.empty()) remove_users(globals.root(), users);
    }
    enter_default_user_namespace();  // a volume's files belong to the container's ids
    Store store = Store::open(globals.root());
    // As podman: 1 for no such volume (none with -f), 2 for one in use.
    return remove_each(
        names, [&](const std::string& name) { store.remove_volume(name); }, args->rm.force);
  };
  return cmd;
}

Command add_volume_prune(CLI::App& parent) {
  auto flags = std::make_shared<PruneFlags>();
  Command cmd = add_prune_verb(parent, "Remove every volume no container uses",
                               Needs::kUserNamespace, *flags, "label=, name=, ... as volume ls");
  cmd.run = [flags](const Globals& globals) {
    VolumeFilter filter(flags->filters);
    Store store = Store::open(globals.root());
    std::vector<std::string> unused;
    for (const auto& v : store.list_volumes())
      if (filter.match(store, v) && store.volume_users(v.name).empty()) unused.push_back(v.name);
    // podman's question lists them, a name a line.
    std::string warning =
        "WARNING! This will remove all volumes not used by at least one container. The following "
        "volumes will be removed:";
    for (const std::string& name : unused) warning += "\n" + name;
    if (!flags->force && !confirm(warning)) return kExitOk;
    // remove_volume refuses one taken meanwhile (kConflict) in the transaction that removes it.
    prune_each(unused, [&](const std::string& name) { store.remove_volume(name); });
    return kExitOk;
  };
  return cmd;
}

// The volume, or podman's words for a missing one (exit 125 through the verb).
VolumeRecord require_volume(const Store& store, const std::string& name) {
  std::optional<VolumeRecord> rec = store.volume(name);
  if (!rec)
    throw Error(Errc::kNotFound, "no volume with name \"" + name + "\" found: no such volume");
  return *rec;
}

// volume export NAME [-o FILE]: the volume's content as a tar (stdout unless -o).
Command add_volume_export(CLI::App& parent) {
  struct Args {
    std::string name, output;
  };
  auto args = std::make_shared<Args>();
  Command cmd = podman_verb(parent, "export", "Export the content of a volume as a tar",
                            Needs::kUserNamespace);
  cmd.app->add_option("-o,--output", args->output, "write to this file (default: stdout)");
  cmd.app->add_option("volume", args->name, "volume name")->required();
  cmd.run = with_store([args](Store& store) {
    require_volume(store, args->name);
    if (args->output.empty() && ::isatty(STDOUT_FILENO))
      throw Error(Errc::kInvalidArgument, "cannot write to terminal, use command-line redirection",
                  0, "give -o FILE or redirect stdout");
    UniqueFd out;
    if (!args->output.empty())
      out = UniqueFd(::open(args->output.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!args->output.empty() && !out.valid()) throw_errno("create " + args->output);
    const int fd = args->output.empty() ? STDOUT_FILENO : out.get();
    write_tree_tar({store.volume_data_dir(args->name)}, TreeTarMode::kMerged,
                   [fd](const void* data, size_t size) { write_all(fd, data, size); });
    return kExitOk;
  });
  return cmd;
}

// volume import NAME FILE|-: a (compressed) tar unpacked into the volume, over what it holds.
Command add_volume_import(CLI::App& parent) {
  struct Args {
    std::string name, source;
  };
  auto args = std::make_shared<Args>();
  Command cmd = podman_verb(parent, "import", "Import a tar into a volume", Needs::kUserNamespace);
  cmd.app->add_option("volume", args->name, "volume name")->required();
  cmd.app->add_option("source", args->source, "a tar file, or - for stdin")->required();
  cmd.run = with_store([args](Store& store) {
    require_volume(store, args->name);
    UniqueFd in;
    if (args->source != "-") {
      in = UniqueFd(::open(args->source.c_str(), O_RDONLY | O_CLOEXEC));
      if (!in.valid()) throw_errno("open " + args->source);
    }
    TempDir unpacked = unpack_tar_input(args->source == "-" ? STDIN_FILENO : in.get(),
                                        store.temp_dir(), args->source + " is not a tar archive");
    UniqueFd from = open_dir(unpacked.path());
    UniqueFd into = open_dir(store.volume_data_dir(args->name));
    DirStream entries(std::move(from), unpacked.path());
    while (const struct dirent* e = entries.next()) {
      UniqueFd c(::openat(entries.fd(), e->d_name, O_PATH | O_NOFOLLOW | O_CLOEXEC));
      if (c.valid())
        copy_tree(c.get(), e->d_name, into.get(), e->d_name,
                  TreeCopy{.keep_owner = true, .overwrite = true});
    }
    return kExitOk;
  });
  return cmd;
}

// volume mount NAME: its directory, for a caller inside dabba's user namespace (`dabba unshare`)
// or real root; rootless outside it, podman's refusal. volume unmount: nothing to undo.
Command add_volume_mount(CLI::App& parent, bool mount) {
  auto names = std::make_shared<std::vector<std::string>>();
  Command cmd = podman_verb(parent, mount ? "mount" : "unmount",
                            mount ? "Print the directory of a volume (inside dabba unshare)"
                                  : "Release a mounted volume (nothing to do for dabba)",
                            Needs::kNothing);
  if (!mount) cmd.app->alias("umount");
  cmd.app->add_option("volume", *names, "volume names")->required();
  cmd.run = [names, mount](const Globals& globals) {
    if (mount && ::geteuid() != 0)  // real root, or inside dabba unshare
      throw Error(Errc::kPermission,
                  "cannot run command \"podman volume mount\" in rootless mode, must execute "
                  "`podman unshare` first",
                  0, "dabba unshare dabba volume mount NAME");
    Store store = Store::open(globals.root());
    for (const std::string& name : *names) {
      const VolumeRecord rec = require_volume(store, name);
      if (!mount) {
        std::printf("%s\n", name.c_str());
        continue;
      }
      // A type=bind volume's directory is its device, as podman mounts it.
      auto type = rec.options.find("type"), device = rec.options.find("device");
      const bool bind =
          type != rec.options.end() && lower(type->second) == "bind" && device != rec.options.end();
      std::printf("%s\n", bind ? device->second.c_str() : store.volume_data_dir(name).c_str());
    }
    return kExitOk;
  };
  return cmd;
}

}  // namespace

std::vector<Command> add_volume_group(CLI::App& parent) {
  CLI::App& volume = add_group(parent, "volume", "Manage volumes (volume create, ls, rm, ...)");
  return {add_volume_create(volume),      add_volume_ls(volume),     add_volume_inspect(volume),
          add_volume_rm(volume),          add_volume_prune(volume),  add_volume_exists(volume),
          add_volume_export(volume),      add_volume_import(volume), add_volume_mount(volume, true),
          add_volume_mount(volume, false)};
}

}  // namespace dabba::cli
