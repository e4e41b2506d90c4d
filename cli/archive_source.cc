#include "cli/archive_source.h"

#include <unistd.h>

#include "cli/interrupt.h"
#include "cli/progress.h"
#include "common/error.h"
#include "store/image_names.h"

namespace dabba::cli {

std::vector<LoadedImage> load_archive_source(Store& store, const std::string& path,
                                             const std::optional<Platform>& platform, bool quiet) {
  LoadOptions options;
  options.platform = platform;
  ScopedInterrupt interrupt(options.cancel);
  ProgressDisplay progress(LiveLines::for_stderr(quiet), STDERR_FILENO, "reading",
                           ProgressDisplay::Words::kPodmanCopy);
  if (!quiet) {
    options.progress = &progress;
    progress.note("Getting image source signatures");
  }
  std::vector<LoadedImage> loaded = load_images(store, path, options);
  progress.finish();
  if (!quiet) {
    for (const LoadedImage& img : loaded) progress.note("Copying config " + img.image.config.str());
    progress.note("Writing manifest to image destination");
    progress.note("Storing signatures");
  }
  if (loaded.empty())
    throw Error(Errc::kNotFound, "no image in " + path, 0,
                "check what the archive holds: tar tf " + path);
  return loaded;
}

std::string loaded_image_name(const LoadedImage& image) {
  for (const std::string& n : image.names)
    if (!is_dangling_name(n)) return n;
  return image.image.config.hex();
}

}  // namespace dabba::cli
