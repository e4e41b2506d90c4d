// dabba check [--repair] [--deep] [--quick]: verifies every blob's digest, every layer's
// completeness (with --deep: every file, against its blob) and every reference count. Exit 1 when it found problems (also when --repair fixed them, as fsck does).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "cli/command.h"
#include "cli/commands.h"
#include "cli/with_store.h"
#include "store/store.h"

namespace dabba::cli {

Command add_check(CLI::App& parent) {
  struct Args {
    bool repair = false;
    bool quick = false;
    bool deep = false;
  };
  auto args = std::make_shared<Args>();
  Command cmd;
  cmd.app = parent.add_subcommand("check", "Verify the store (and --repair it)");
  cmd.app->add_flag("--repair", args->repair,
                    "drop damaged blobs and layers (and the images needing them), fix counts");
  cmd.app->add_flag("--quick", args->quick, "do not re-hash the blobs");
  cmd.app->add_flag("--deep", args->deep,
                    "unpack every layer again from its blob and compare it file by file "
                    "(with --repair: unpack a layer that differs again in place)");
  cmd.needs = Needs::kUserNamespace;  // walks unpacked layers owned by subordinate ids
  cmd.run = with_store([args](Store& store) {
    CheckOptions options;
    options.repair = args->repair;
    options.verify_blobs = !args->quick;
    options.deep = args->deep;
    CheckReport r = store.check(options);
    for (const auto& p : r.problems) std::printf("problem: %s\n", p.c_str());
    for (const auto& p : r.repairs) std::printf("repaired: %s\n", p.c_str());
    for (const auto& p : r.notes) std::printf("note: %s\n", p.c_str());
    std::printf("checked %llu blobs, %llu layers, %llu images, %llu containers: %s\n",
                static_cast<unsigned long long>(r.blobs_checked),
                static_cast<unsigned long long>(r.layers_checked),
                static_cast<unsigned long long>(r.images_checked),
                static_cast<unsigned long long>(r.containers_checked),
                r.ok() ? "no problems"
                       : (std::to_string(r.problems.size()) + " problem" +
                          (r.problems.size() == 1 ? "" : "s") +
                          (args->repair ? " (repaired)" : "; run dabba check --repair"))
                             .c_str());
    return r.ok() ? kExitOk : kExitFailure;
  });
  return cmd;
}

}  // namespace dabba::cli
