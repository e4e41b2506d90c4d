// A container's filesystem, open as a directory, for the verbs that read or write inside it (cp)
// and for filling a new volume from an image. A running container's is /proc/PID/root (its mount
// namespace: volumes included); a stopped one's, or an image's layers alone, is an overlay this
// process mounts in a private mount namespace of its own (unshared once; inside dabba's user
// namespace, as the runner mounts it), unmounted again when the object goes.
//
// Paths inside are resolved with openat2(RESOLVE_IN_ROOT): ".." and absolute symlinks stop at the
// container's root, as they do for the container itself, so a link to / or ../.. never leads out.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/fs.h"
#include "common/unique_fd.h"

namespace dabba::cli {

class ContainerRoot {
 public:
  // A running container: its PID 1's root.
  static ContainerRoot of_process(pid_t pid);
  // A host directory as a root of its own (a stopped container's volume or bind source).
  static ContainerRoot of_directory(const std::string& dir);
  // Layers (top first) with upper/work over them (a stopped container), or read-only without
  // (upper empty: an image's content).
  static ContainerRoot mount_layers(const std::vector<std::string>& layers,
                                    const std::string& upper, const std::string& work,
                                    const std::string& scratch_parent);
  ContainerRoot(ContainerRoot&& o) noexcept
      : root_(std::move(o.root_)),
        mounted_(std::exchange(o.mounted_, {})),
        scratch_(std::move(o.scratch_)) {}
  ContainerRoot& operator=(ContainerRoot&&) = delete;
  ~ContainerRoot();

  int fd() const { return root_.get(); }
  // openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) of path (absolute or not: from the root).
  // Returns an invalid fd with errno set when it fails.
  UniqueFd open(const std::string& path, int flags) const;

 private:
  ContainerRoot() = default;
  UniqueFd root_;
  std::string mounted_;  // the mount point to detach, "" for a process's root
  std::unique_ptr<TempDir> scratch_;
};

}  // namespace dabba::cli
