// dabba push [--format oci|v2s2] [--compression-format gzip|zstd] [--tls-verify[=false]]
//            [--authfile FILE] [--cert-dir DIR] [--creds USER:PASS] [-q] [--digestfile FILE]
//            [--max-parallel N] IMAGE [DESTINATION]
//
// As podman push: IMAGE from the store, to DESTINATION (default: IMAGE's name), a registry
// reference with an optional docker:// prefix. Progress as podman prints it (push_display.h).
#include <fcntl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/interrupt.h"
#include "cli/push_display.h"
#include "cli/registry_flags.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/unique_fd.h"
#include "oci/image_ref.h"
#include "pull/puller.h"
#include "push/pusher.h"
#include "store/store.h"
#include "store/store_options.h"

namespace dabba::cli {
namespace {

// "docker://ref" or "ref"; any other transport is refused.
ImageRef destination_of(const std::string& text) {
  std::string ref = text;
  if (ref.rfind("docker://", 0) == 0) ref = ref.substr(9);
  for (const char* transport : {"oci:", "oci-archive:", "docker-archive:", "dir:",
                                "containers-storage:", "docker-daemon:"})
    if (ref.rfind(transport, 0) == 0)
      throw Error(Errc::kUnsupported,
                  "push to " + text + ": dabba pushes to registries (docker://) only", 0,
                  "`dabba save` writes archives and OCI layouts");
  return ImageRef::parse(ref);
}

Compression parse_compression(const std::string& text) {
  if (text == "gzip") return Compression::kGzip;
  if (text == "zstd") return Compression::kZstd;
  if (text == "zstd:chunked")
    throw Error(Errc::kUnsupported, "zstd:chunked is not supported", 0, "use zstd or gzip");
  throw Error(Errc::kInvalidArgument, "unknown compression format '" + text + "'", 0,
              "use gzip or zstd");
}

// As podman: the file is written in place (created 0644 or truncated).
void write_digest_file(const std::string& path, const std::string& digest) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw_errno("write the digest file " + path);
  UniqueFd owned(fd);
  write_all(owned.get(), digest);
}

}  // namespace

Command add_push(CLI::App& parent) {
  struct Args {
    std::string format;
    std::string compression;
    bool quiet = false;
    bool remove_signatures = false;
    std::string digestfile;
    size_t max_parallel = 4;
    RegistryFlags registry;
    std::string image;
    std::string destination;
  };
  auto args = std::make_shared<Args>();
  Command cmd;
  cmd.app = parent.add_subcommand("push", "Push an image to a registry");
  cmd.error_exit = kExitDabbaFailed;  // podman's: any failure is 125
  CLI::App& app = *cmd.app;
  app.add_option("-f,--format", args->format,
                 "manifest format: oci or v2s2 (default: the image's own)");
  app.add_option("--compression-format", args->compression,
                 "layer compression: gzip or zstd (default: each layer as stored; gzip for "
                 "uncompressed ones)");
  app.add_flag("-q,--quiet", args->quiet, "no progress");
  app.add_flag("--remove-signatures", args->remove_signatures,
               "accepted for podman's scripts (dabba copies no signatures)");
  app.add_option("--digestfile", args->digestfile, "write the manifest digest to FILE")
      ->type_name("FILE");
  app.add_option("--max-parallel", args->max_parallel, "blobs compressed and uploaded at once")
      ->check(CLI::Range(1, 16))
      ->capture_default_str();
  register_registry_flags(app, args->registry, true);
  app.add_option("image", args->image, "image in the store (name, id or digest)")->required();
  app.add_option("destination", args->destination,
                 "[docker://]registry/repository[:tag] (default: the image's name)");
  cmd.needs = Needs::kUserNamespace;
  cmd.run = [args](const Globals& globals) {
    PushOptions options = PushOptions::from_environment();
    apply_registry_flags(args->registry, options.client);
    if (!args->format.empty()) options.format = parse_manifest_format(args->format);
    if (!args->compression.empty()) options.compression = parse_compression(args->compression);
    options.max_parallel = args->max_parallel;
    const ImageRef dest =
        destination_of(args->destination.empty() ? args->image : args->destination);

    // A push changes no image: what it writes are leases, pins and compressed blobs kept as a
    // cache (store/layer_blobs.cc). Its commits need not outlive a power cut, so their meta pages
    // are not flushed (one flush a commit, not two). The blob files are: a later flushed commit
    // of any process carries push's records to the disk too, and a record must never name a file
    // the cut emptied (tests/integration/power_cut.sh found one).
    StoreOptions store_options;
    store_options.sync_meta = false;
    Store store = Store::open(globals.root(), store_options);
    std::optional<ImageRecord> image = find_local_image(store, args->image);
    if (!image) throw Error(Errc::kNotFound, args->image + ": image not known");

    ScopedInterrupt interrupt(options.client.http.cancel);
    PushDisplay display(LiveLines::for_stderr(args->quiet), STDERR_FILENO);
    if (!args->quiet) options.progress = &display;
    PushResult result = push_image(store, *image, dest, options);
    display.finish();
    if (!args->digestfile.empty()) write_digest_file(args->digestfile, result.digest.str());
    return kExitOk;
  };
  return cmd;
}

}  // namespace dabba::cli
