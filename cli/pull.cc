// dabba pull [-q] [--platform P] [--max-parallel N] [--tls-verify[=false]] [--cert-dir DIR]
//            [--authfile FILE] [--creds USER:PASS] NAME
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "cli/archive_source.h"
#include "cli/command.h"
#include "cli/commands.h"
#include "cli/interrupt.h"
#include "cli/progress.h"
#include "cli/registry_flags.h"
#include "common/human.h"
#include "oci/image_ref.h"
#include "pull/image_source.h"
#include "pull/puller.h"
#include "store/store.h"

namespace dabba::cli {

Command add_pull(CLI::App& parent) {
  struct Args {
    bool quiet = false;
    std::string platform;
    size_t max_parallel = 4;
    RegistryFlags registry;
    std::string reference;
  };
  auto args = std::make_shared<Args>();
  Command cmd;
  cmd.app = parent.add_subcommand("pull", "Pull an image from a registry");
  cmd.error_exit = kExitDabbaFailed;  // podman's: any failure is 125
  CLI::App& app = *cmd.app;
  app.add_flag("-q,--quiet", args->quiet, "print only the image digest");
  app.add_option("--platform", args->platform,
                 "os/arch[/variant] to pull from a multi-platform image (default: this host's)");
  app.add_option("--max-parallel", args->max_parallel, "layers downloaded at once")
      ->check(CLI::Range(1, 16))
      ->capture_default_str();
  register_registry_flags(app, args->registry, true);
  app.add_option("reference", args->reference,
                 "image name, e.g. alpine:3.20 (short names resolve as registries.conf says)")
      ->required();
  cmd.needs = Needs::kUserNamespace;
  cmd.run = [args](const Globals& globals) {
    const ImageSource source = parse_image_source(args->reference);
    if (source.kind == ImageSource::Kind::kArchive) {
      Store store = Store::open(globals.root());
      std::optional<Platform> platform;
      if (!args->platform.empty()) platform = Platform::parse(args->platform);
      // As podman's pull: the image id at the end.
      for (const LoadedImage& img : load_archive_source(store, source.text, platform, args->quiet))
        std::printf("%s\n", img.image.config.hex().c_str());
      return kExitOk;
    }
    PullOptions options = PullOptions::from_environment();
    apply_registry_flags(args->registry, options.client);
    Store store = Store::open(globals.root());
    if (!args->platform.empty()) options.platform = Platform::parse(args->platform);
    options.max_parallel = args->max_parallel;

    ScopedInterrupt interrupt(options.client.http.cancel);
    ProgressDisplay progress(LiveLines::for_stderr(args->quiet), STDERR_FILENO);
    if (!args->quiet) options.progress = &progress;

    PullResult result = pull_by_name(store, source.text, options);
    progress.finish();
    if (!args->quiet && !result.cached) {
      std::string summary = "Pulled " + result.names.front() + ": " +
                            std::to_string(result.layers_fetched) + " layer" +
                            (result.layers_fetched == 1 ? "" : "s") + " fetched (" +
                            human_size(result.bytes_fetched) + ")";
      if (result.layers_reused > 0)
        summary += ", " + std::to_string(result.layers_reused) + " already in the store";
      progress.note(summary + "; image id " + result.image.short_id());
    }
    std::printf("%s\n", result.digest.str().c_str());
    return kExitOk;
  };
  return cmd;
}

}  // namespace dabba::cli
