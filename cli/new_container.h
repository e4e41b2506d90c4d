// A new container, as `run` and `create` make it: the image found (or pulled per --pull), its
// config read once, the whole Spec built from it and the flags, the volumes prepared, the
// container recorded (pinning its image and layers) under its name, --cidfile written. What is
// left is the start (container_start.h), now or later: `create` saves the Spec beside the
// container (runner/spec_codec.h) so `start` needs neither the image config nor the flags again.
#pragma once

#include <string>

#include "cli/run_options.h"
#include "runner/spec.h"
#include "store/store.h"
#include "store/store_options.h"

namespace dabba::cli {

// A --rm container's record outlives no reboot, so its two commits (add, remove) need not flush
// LMDB's meta page (StoreOptions::sync_meta).
StoreOptions container_store_options(bool rm);

enum class SaveSpec {
  kNo,       // run --rm: started once, never again
  kDurable,  // run, create: the container exists to be started later, a reboot included (its
             // record is flushed: a spec lost to a power cut would leave it unstartable)
};

// --replace: the container named --name, if there is one, is removed first (killed if running,
// as rm -f). Before dabba's user namespace is entered (container_removal.h) and without a Store
// open.
void replace_named_container(const std::string& store_root, const RunOptions& options);

// Everything before the start. The caller is inside dabba's user namespace, single-threaded
// afterwards (the pull's threads are gone when this returns). Returns the Spec to start.
runner::Spec new_container(Store& store, const RunOptions& options, SaveSpec save);

// Removes a container's record, its directory and its anonymous volumes (run --rm, start of a
// --rm container); an already removed one (rm -f was quicker) is no error, others are warned of.
void remove_container_record(Store& store, const std::string& id) noexcept;

}  // namespace dabba::cli
