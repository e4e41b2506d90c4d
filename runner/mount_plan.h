// The container's mounts as an ordered list of plain operations, computed from the Spec before
// anything runs (bubblewrap's plan-then-execute). Unit tests read the plan; the child executes it
// (rootfs_child.h):
//   1. make / private (recursively), mount the overlay of the layers on <container>/rootfs;
//   2. create every mount of `mounts` as a detached mount (fsmount/open_tree), while the host's
//      tree is still there: binds need their host sources, and a new proc or sysfs instance is
//      only allowed where a full one is visible in the mount namespace;
//   3. pivot_root into the rootfs and detach the old root;
//   4. attach the detached mounts and make the symlinks, in order, at their targets resolved inside
//      the new root (so an image's symlinks can never point a mount outside it); a target that
//      resolves to the root itself is refused;
//   5. podman's read-only and masked paths (masked_paths.h), last, as runc does: read-only ones
//      bound read-only over themselves, masked files under /dev/null, masked directories under an
//      empty read-only tmpfs; paths this kernel lacks are skipped.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "runner/spec.h"

namespace dabba::runner {

struct MountOp {
  enum class Kind {
    kFilesystem,  // a new instance of fstype with options
    kBind,        // a clone of a host path (open_tree)
    kSymlink,     // target -> source
    kReadOnly,    // target bound read-only (recursively) over itself, if it exists
    kMask,        // target hidden: /dev/null over a file, an empty read-only tmpfs over a directory
  };
  Kind kind = Kind::kFilesystem;
  std::string target;  // absolute, inside the container
  std::string fstype;  // kFilesystem: "proc", "sysfs", "tmpfs", "devpts", "mqueue"
  // kFilesystem: fsconfig parameters in order; an empty value is a flag ("newinstance").
  std::vector<std::pair<std::string, std::string>> options;
  std::string source;      // kBind: host path; kSymlink: the link's text
  uint64_t attrs = 0;      // MOUNT_ATTR_* (rdonly, nosuid, nodev, noexec, strictatime)
  bool recursive = false;  // kBind: with the mounts below source
  // kFilesystem (a user's tmpfs): what the image has at target copied into the new filesystem
  // before it goes over it (podman's tmpcopyup, its default; notmpcopyup turns it off).
  bool copy_up = false;
  // Skipped when the target is missing and cannot be made (a read-only root without /etc/hosts),
  // or, for a bind, when the source cannot be cloned (a host device the user may not reach).
  bool optional = false;

  // One line for tests and debug logs: "tmpfs /dev mode=755,size=65536k [nosuid,strictatime]".
  std::string describe() const;
};

struct MountPlan {
  std::string rootfs;              // the overlay's mount point before pivot_root
  std::vector<std::string> lower;  // layer dirs, top first
  std::string upper;               // empty with --read-only
  std::string work;
  // --read-only: nothing of the container is written to disk. The overlay's upper layer is a small
  // tmpfs that only ever holds the mount points missing from the image (busybox has no /run), and
  // "/" is made read-only once every mount is in place (as runc does).
  bool read_only = false;
  bool volatile_upper = false;  // Spec::volatile_upper (and always for the read-only tmpfs upper)
  MountApi api = MountApi::kAuto;
  std::vector<MountOp> mounts;  // created before pivot_root, attached after it, in this order

  std::vector<std::string> describe() const;
};

// Facts about the host the plan depends on (found by the caller, so the plan stays pure).
struct MountHost {
  // True when the container has its own network namespace: sysfs may be mounted. Otherwise (the
  // host's netns) the kernel refuses a new sysfs and /sys is the host's, bound read-only.
  bool own_network_namespace = true;
  // True when gid 5 ("tty") is mapped in the container's user namespace: devpts gets gid=5.
  bool tty_gid_mapped = true;
  // --privileged: the host's device nodes, relative to /dev ("fuse", "net/tun"), bound in.
  std::vector<std::string> host_devices;
  // --device: host node -> container path (devices.h: device_binds), bound after /dev's own.
  std::vector<std::pair<std::string, std::string>> devices;
  // --ipc host: the host has /dev/mqueue to bind in (some have none).
  bool host_mqueue = false;
};

// The character and block devices under the host's /dev (not pts, shm, mqueue), relative to it,
// for --privileged.
std::vector<std::string> list_host_devices();

MountPlan plan_mounts(const Spec& spec, const MountHost& host);

// The paths the runner owns in a container directory.
std::string rootfs_dir(const std::string& container_dir);
std::string upper_dir(const std::string& container_dir);
std::string work_dir(const std::string& container_dir);

}  // namespace dabba::runner
