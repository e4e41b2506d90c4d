// dabba import [-c CHANGE]... [-m MESSAGE] [--arch A] [--os O] [--variant V] [-q]
//              FILE|URL|- [REFERENCE]
// A root filesystem tarball (plain, gzip, zstd, xz, bzip2) becomes a one-layer image: a gzip or
// zstd file is stored as its layer blob as it is, others are compressed (gzip) on the way in.
// From a file, standard input ("-"), file:// or http(s):// (the registry library's HTTP client).
#include <archive.h>
#include <fcntl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/image_changes.h"
#include "cli/input_file.h"
#include "cli/new_image.h"
#include "cli/run_options.h"
#include "common/error.h"
#include "common/fs.h"
#include "oci/compression.h"
#include "oci/manifest.h"
#include "oci/platform.h"
#include "store/image_names.h"
#include "store/layer_create.h"
#include "store/store.h"

namespace dabba::cli {
namespace {

using nlohmann::json;

Compression sniff(const std::string& path) {
  UniqueFd fd = open_file(path, O_RDONLY);
  uint8_t head[8];
  ssize_t n = DABBA_SYSCALL(::pread(fd.get(), head, sizeof head, 0), path);
  return detect_compression(head, static_cast<size_t>(n));
}

// Any tarball libarchive can decompress (xz, bzip2, lz4, ... or none), as one tar stream.
void copy_decompressed(const std::string& path, const TarSink& sink) {
  std::unique_ptr<struct archive, int (*)(struct archive*)> a(archive_read_new(),
                                                              archive_read_free);
  archive_read_support_filter_all(a.get());
  archive_read_support_format_raw(a.get());
  if (archive_read_open_filename(a.get(), path.c_str(), 1 << 20) != ARCHIVE_OK)
    throw Error(Errc::kCorrupt, path + ": " + archive_error_string(a.get()));
  struct archive_entry* entry;
  if (archive_read_next_header(a.get(), &entry) != ARCHIVE_OK)
    throw Error(Errc::kCorrupt, path + ": " + archive_error_string(a.get()));
  std::vector<char> buf(1 << 20);
  for (;;) {
    la_ssize_t n = archive_read_data(a.get(), buf.data(), buf.size());
    if (n < 0) throw Error(Errc::kCorrupt, path + ": " + archive_error_string(a.get()));
    if (n == 0) break;
    sink(buf.data(), static_cast<size_t>(n));
  }
}

}  // namespace

Command add_import(CLI::App& parent) {
  struct Args {
    std::vector<std::string> changes;
    std::string message;
    std::string arch, os, variant;
    bool quiet = false;
    std::string source;
    std::string reference;
  };
  auto args = std::make_shared<Args>();
  // Unpacks the layer with its owners.
  Command cmd = podman_verb(parent, "import", "Make an image from a root filesystem tarball",
                            Needs::kUserNamespace);
  repeatable(cmd.app->add_option("-c,--change", args->changes,
                      "Dockerfile instruction to apply (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, "
                      "ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR)"));
  cmd.app->add_option("-m,--message", args->message, "history comment");
  cmd.app->add_option("--arch", args->arch, "architecture of the image (default: the host's)");
  cmd.app->add_option("--os", args->os, "os of the image (default: linux)");
  cmd.app->add_option("--variant", args->variant, "architecture variant");
  cmd.app->add_flag("-q,--quiet", args->quiet, "print only the image id");
  cmd.app->add_option("source", args->source, "tarball: a file, a URL, or - for stdin")
      ->required();
  cmd.app->add_option("reference", args->reference, "name of the new image (default: none)");
  cmd.run = [args](const Globals& globals) {
    json cfg = json::object();
    apply_changes(cfg, args->changes);
    std::vector<std::string> names;
    if (!args->reference.empty()) names.push_back(local_image_name(args->reference));

    Store store = Store::open(globals.root());
    InputFile input = InputFile::open(args->source == "-", args->source, store.temp_dir(),
                                      "cannot read from terminal, use command-line redirection");
    if (!path_exists(input.path()))
      throw Error(Errc::kNotFound, args->source + ": no such file");
    Lease lease = store.lease();
    NewLayer layer = with_context("import " + args->source, [&] {
      Compression c = sniff(input.path());
      if (c != Compression::kNone) {
        NewLayer l = ingest_layer_file(store, input.path(), lease);
        l.compression = c;
        return l;
      }
      return create_layer(
          store, [&](const TarSink& sink) { copy_decompressed(input.path(), sink); }, lease);
    });

    const std::string now = rfc3339_nano_now();
    Platform host = Platform::host();
    json config = {{"created", now},
                   {"architecture", args->arch.empty() ? host.architecture : args->arch},
                   {"os", args->os.empty() ? std::string("linux") : args->os},
                   {"config", cfg}};
    if (!args->variant.empty()) config["variant"] = args->variant;
    config["history"] = json::array(
        {{{"created", now},
          {"created_by", "/bin/sh -c #(nop) ADD file:" + layer.diff_id.hex() + " in /"},
          {"comment", args->message.empty() ? "imported from tarball" : args->message}}});
    std::string media = std::string(layer.compression == Compression::kZstd ? media_type::kOciLayerZstd
                                    : layer.compression == Compression::kNone ? media_type::kOciLayer
                                                                              : media_type::kOciLayerGzip);
    ImageRecord image = store_new_image(store, config,
                                        {{layer.blob, layer.diff_id, layer.blob_size, media}},
                                        ManifestFormat::kOci, names, lease);
    lease.release();
    std::printf("%s\n", image.config.str().c_str());
    return kExitOk;
  };
  return cmd;
}

}  // namespace dabba::cli
