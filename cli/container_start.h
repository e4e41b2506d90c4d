// Starting a container from its Spec, as `run` does right after creating it and `start` and
// `restart` do later from the saved one: in the foreground (this process owns the container and
// returns its exit code) or detached (a supervisor owns it; returns once the workload exec'd).
// With auto_remove (--rm), the container's owner removes it after the exit.
#pragma once

#include <string>

#include "cli/containers.h"
#include "runner/spec.h"
#include "store/store.h"

namespace dabba::cli {

// store is this process's handle (used after the exit, for --rm). The caller must be single
// threaded and inside dabba's user namespace. remove_image (run --rmi, with auto_remove): the
// image reference to untag after the container is removed (remove_run_image).
int start_attached(Store& store, const runner::Spec& spec, bool auto_remove,
                   const std::string& remove_image = {});
// For --rm, the supervisor runs `dabba --root store_root container cleanup --rm [--rmi] ID` after
// the exit (cli/container_cleanup.cc); with remove_image (run --rmi), its image goes after it.
void start_detached(const std::string& store_root, const runner::Spec& spec, bool auto_remove,
                    bool remove_image = false);

// run --rmi: the image reference's name(s) dropped as `rmi REFERENCE` would; an image other
// containers still use stays, without a word (podman's "unless another container is using it").
void remove_run_image(Store& store, const std::string& reference);

// start and restart: a stored container (not running) started again, detached, from the Spec its
// create (or run) saved. Throws Error{kNotFound} for a container without one.
void start_saved(const Store& store, const ContainerView& view);

}  // namespace dabba::cli
