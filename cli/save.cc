// dabba save [-o FILE] [--format docker-archive|oci-archive|oci-dir|docker-dir] [-m] [-q]
//            IMAGE... (also `image save`)
// To standard output unless -o (a terminal is refused, as podman refuses it). As podman: without
// -m the names after the first are more tags (RepoTags) for the first image; with -m each names
// an image of its own.
#include <fcntl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/image_view.h"
#include "cli/interrupt.h"
#include "common/error.h"
#include "common/fs.h"
#include "pull/image_save.h"
#include "store/image_names.h"
#include "store/store.h"

namespace dabba::cli {
namespace {

// The name a typed reference stands for in the archive: the stored name it resolves to, or none
// when it was an id or a digest (podman: "unless the image was referenced by ID").
std::optional<std::string> name_for(const Store& store, const std::string& text) {
  auto name = find_name(store, text);
  if (!name || is_dangling_name(*name)) return std::nullopt;
  return name;
}

}  // namespace

Command add_save(CLI::App& parent) {
  struct Args {
    std::string output;
    std::string format = "docker-archive";
    bool multi = false;
    bool quiet = false;
    bool compress = false;
    bool uncompressed = false;
    std::vector<std::string> images;
  };
  auto args = std::make_shared<Args>();
  // Reads blobs, which are the caller's files.
  Command cmd = podman_verb(parent, "save", "Write images to an archive", Needs::kNothing);
  cmd.app->add_option("-o,--output", args->output, "file (or directory) to write");
  cmd.app->add_option("--format", args->format,
                      "docker-archive, oci-archive, oci-dir or docker-dir")
      ->capture_default_str();
  cmd.app->add_flag("-m,--multi-image-archive", args->multi,
                    "each name is an image of its own (default: more names of the first)");
  cmd.app->add_flag("-q,--quiet", args->quiet, "no progress");
  cmd.app->add_flag("--compress", args->compress,
                    "accepted; dir formats keep the layers as stored (compressed)");
  cmd.app->add_flag("--uncompressed", args->uncompressed,
                    "OCI formats: the layers as plain tars (a new manifest; the same image id)");
  cmd.app->add_option("image", args->images, "image names or ids")->required();
  cmd.run = [args](const Globals& globals) {
    SaveOptions options;
    options.format = parse_archive_format(args->format);
    options.uncompressed = args->uncompressed && (options.format == ArchiveFormat::kOciArchive ||
                                                  options.format == ArchiveFormat::kOciDir);
    const bool to_dir = is_directory_format(options.format);
    if (to_dir && args->output.empty())
      throw Error(Errc::kInvalidArgument, "--format " + args->format + " needs -o DIRECTORY");
    if (!to_dir && args->output.empty() && ::isatty(STDOUT_FILENO))
      throw Error(Errc::kInvalidArgument, "refusing to save to terminal", 0,
                  "use -o FILE or redirect standard output");
    Store store = Store::open(globals.root());
    std::vector<SavedImage> images;
    for (size_t i = 0; i < args->images.size(); ++i) {
      const std::string& text = args->images[i];
      std::optional<std::string> name;
      if (i == 0 || args->multi) {
        images.push_back({find_image_or_throw(store, text), {}});
        name = name_for(store, text);
      } else {
        name = local_image_name(text);  // one more tag for the first image
      }
      if (name && (options.format != ArchiveFormat::kDockerArchive ||
                   split_name(*name).digest.empty()))
        images.back().names.push_back(*name);
    }
    if (!args->quiet)
      options.progress = [](const std::string& line) {
        std::fprintf(stderr, "%s\n", line.c_str());
      };
    ScopedInterrupt interrupt(options.cancel);
    UniqueFd file;
    int fd = STDOUT_FILENO;
    if (!to_dir && !args->output.empty()) {
      file = open_file(args->output, O_WRONLY | O_CREAT | O_TRUNC, 0644);
      fd = file.get();
    }
    try {
      save_images(store, images, options, fd, args->output);
    } catch (...) {
      if (file.valid()) ::unlink(args->output.c_str());  // no half-written archive left behind
      throw;
    }
    return kExitOk;
  };
  return cmd;
}

}  // namespace dabba::cli
