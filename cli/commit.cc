// dabba commit [-a AUTHOR] [-c CHANGE]... [-m MESSAGE] [-f oci|docker] [-q] [-p] [--iidfile F]
//              CONTAINER [IMAGE]
//
// The container's upper directory becomes a new layer on top of its image's (overlay whiteouts
// turned back into OCI `.wh.` entries and opaque markers: store/unpack/layer_tar.h), stored like a
// pulled layer (gzip blob + unpacked dir: store/layer_create.h). The config is the image's with
// the container's settings (as podman's commit: Env, Cmd/Entrypoint, WorkingDir, User), a history
// entry, and the -c changes. Runs inside dabba's user namespace: the upper dir's files belong to
// subordinate ids, and the tar records them as the container sees them.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/containers.h"
#include "cli/image_changes.h"
#include "cli/new_image.h"
#include "cli/run_options.h"
#include "common/fault_point.h"
#include "common/error.h"
#include "common/fs.h"
#include "oci/manifest.h"
#include "store/image_names.h"
#include "store/layer_create.h"
#include "store/store.h"

namespace dabba::cli {
namespace {

using nlohmann::json;

// The container's command split as its image split it: Entrypoint stays when the command starts
// with it, the rest is Cmd.
void set_command(json& cfg, const std::vector<std::string>& command) {
  std::vector<std::string> entrypoint;
  if (auto e = cfg.find("Entrypoint"); e != cfg.end() && e->is_array())
    for (const auto& s : *e)
      if (s.is_string()) entrypoint.push_back(s.get<std::string>());
  if (!entrypoint.empty() && command.size() >= entrypoint.size() &&
      std::equal(entrypoint.begin(), entrypoint.end(), command.begin())) {
    cfg["Cmd"] = std::vector<std::string>(command.begin() + static_cast<long>(entrypoint.size()),
                                          command.end());
    return;
  }
  cfg.erase("Entrypoint");
  cfg["Cmd"] = command;
}

}  // namespace

Command add_commit(CLI::App& parent) {
  struct Args {
    std::string author;
    std::vector<std::string> changes;
    std::string message;
    std::string format = "oci";
    std::string iidfile;
    bool quiet = false;
    bool pause = false;
    bool include_volumes = false;
    std::string container;
    std::string image;
  };
  auto args = std::make_shared<Args>();
  Command cmd = podman_verb(parent, "commit", "Make an image from a container's changes",
                            Needs::kUserNamespace);
  cmd.app->add_option("-a,--author", args->author, "the image's author");
  repeatable(cmd.app->add_option("-c,--change", args->changes,
                      "Dockerfile instruction to apply (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, "
                      "ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR)"));
  cmd.app->add_option("-m,--message", args->message, "commit message (history comment)");
  cmd.app->add_option("-f,--format", args->format, "oci or docker")->capture_default_str();
  cmd.app->add_option("--iidfile", args->iidfile, "write the image id to this file");
  cmd.app->add_flag("-q,--quiet", args->quiet, "print only the image id");
  cmd.app->add_flag("-p,--pause", args->pause, "accepted; dabba does not pause the container");
  cmd.app->add_flag("--include-volumes", args->include_volumes,
                    "accepted; the image's VOLUME entries are kept as they are");
  cmd.app->add_option("container", args->container, "container name or id")->required();
  cmd.app->add_option("image", args->image, "name of the new image (default: none)");
  cmd.run = [args](const Globals& globals) {
    // Everything the user typed is checked before any work.
    const ManifestFormat format = parse_manifest_format(args->format);
    json probe = json::object();
    apply_changes(probe, args->changes);
    std::vector<std::string> names;
    if (!args->image.empty()) names.push_back(local_image_name(args->image));

    Store store = Store::open(globals.root());
    ContainerView view = view_container(store, find_container(store, args->container));
    auto base = store.image(view.record.image);
    if (!base)
      throw Error(Errc::kNotFound, "the image of container " + args->container + " is gone");
    json config = json::parse(read_file(store.blob_path(base->config)));
    const std::string now = rfc3339_nano_now();

    Lease lease = store.lease();
    std::string upper = view.dir + "/upper";
    std::optional<TempDir> empty;
    if (!path_exists(upper)) {  // a --read-only container keeps no upper dir: an empty layer
      empty.emplace(store.temp_dir(), "commit-empty-");
      upper = empty->path();
    }
    NewLayer layer = with_context("commit container " + view.record.name, [&] {
      return create_layer(
          store,
          [&](const TarSink& sink) { write_tree_tar({upper}, TreeTarMode::kLayer, sink); },
          lease);
    });

    fault_point("commit-layer-stored");
    json& cfg = config["config"];
    if (!cfg.is_object()) cfg = json::object();
    json env = json::array();
    for (const auto& e : view.info.env)
      if (!e.starts_with("HOSTNAME=")) env.push_back(e);
    cfg["Env"] = env;
    set_command(cfg, view.info.command);
    cfg["WorkingDir"] = view.info.cwd;
    if (!view.info.user.empty()) cfg["User"] = view.info.user;
    apply_changes(cfg, args->changes);
    config["created"] = now;
    if (!args->author.empty()) config["author"] = args->author;
    if (format == ManifestFormat::kDocker && !args->message.empty())
      config["comment"] = args->message;
    json entry = {{"created", now}, {"created_by", "/bin/sh"}};
    if (!args->author.empty()) entry["author"] = args->author;
    entry["comment"] = args->message.empty() ? "FROM " + view.info.image : args->message;
    if (!config["history"].is_array()) config["history"] = json::array();
    config["history"].push_back(entry);

    std::vector<ImageLayer> layers = base->layers;
    layers.push_back({layer.blob, layer.diff_id, layer.blob_size,
                      std::string(media_type::kOciLayerGzip)});
    ImageRecord image = store_new_image(store, config, layers, format, names, lease);
    lease.release();
    if (!args->iidfile.empty()) write_file_atomic(args->iidfile, image.config.hex(), Sync::kNone);
    std::printf("%s\n", image.config.hex().c_str());
    return kExitOk;
  };
  return cmd;
}

}  // namespace dabba::cli
