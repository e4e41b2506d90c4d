// dabba gc: deletes every blob, unpacked layer and leftover that no image, container or live
// pull references, and says what it freed.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/with_store.h"
#include "common/human.h"
#include "store/store.h"

namespace dabba::cli {

Command add_gc(CLI::App& parent) {
  Command cmd;
  cmd.app = parent.add_subcommand("gc", "Delete unreferenced blobs and layers");
  cmd.needs = Needs::kUserNamespace;  // unpacked layers hold files owned by subordinate ids
  cmd.run = with_store([](Store& store) {
    GcReport r = store.gc();
    auto line = [](uint64_t n, const char* what, uint64_t bytes) {
      if (n > 0)
        std::printf("  %-20s %6llu  %s\n", what, static_cast<unsigned long long>(n),
                    bytes > 0 ? human_size(bytes).c_str() : "");
    };
    std::printf("%s\n", r.summary().c_str());
    line(r.blobs, "blobs", r.blob_bytes);
    line(r.layers, "layers", r.layer_bytes);
    line(r.partials, "partial downloads", r.partial_bytes);
    line(r.temp_dirs, "unpack leftovers", r.temp_bytes);
    line(r.container_dirs, "container leftovers", r.container_bytes);
    line(r.leases, "stale leases", 0);
    return kExitOk;
  });
  return cmd;
}

}  // namespace dabba::cli
