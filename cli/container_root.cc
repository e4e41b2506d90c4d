#include "cli/container_root.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "common/error.h"
#include "runner/mount_api.h"
#include "runner/mount_plan.h"
#include "runner/overlay.h"
#include "runner/path.h"

namespace dabba::cli {
namespace {

// Once per process: our own mount namespace, so the overlay we mount is nobody else's and goes
// with us. Private, so nothing propagates back to the host.
void private_mount_namespace() {
  static bool done = false;
  if (done) return;
  if (::unshare(CLONE_NEWNS) != 0) throw_errno("unshare a mount namespace");
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
    throw_errno("make / private");
  done = true;
}

}  // namespace

ContainerRoot ContainerRoot::of_process(pid_t pid) {
  ContainerRoot r;
  std::string path = "/proc/" + std::to_string(pid) + "/root";
  r.root_ = UniqueFd(::open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!r.root_.valid()) throw_errno("open the container's root " + path);
  return r;
}

ContainerRoot ContainerRoot::of_directory(const std::string& dir) {
  ContainerRoot r;
  r.root_ = UniqueFd(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!r.root_.valid()) throw_errno("open " + dir);
  return r;
}

ContainerRoot ContainerRoot::mount_layers(const std::vector<std::string>& layers,
                                          const std::string& upper, const std::string& work,
                                          const std::string& scratch_parent) {
  private_mount_namespace();
  ContainerRoot r;
  r.scratch_ = std::make_unique<TempDir>(scratch_parent, "root-");
  runner::MountPlan plan;
  plan.rootfs = r.scratch_->path() + "/rootfs";
  make_dirs(plan.rootfs, 0700);
  plan.lower = layers;
  if (upper.empty()) {
    plan.read_only = true;  // a small tmpfs upper: the layers are never written
  } else {
    make_dirs(upper, 0755);
    make_dirs(work, 0700);
    plan.upper = upper;
    plan.work = work;
  }
  runner::mount_root_overlay(plan);
  r.mounted_ = plan.rootfs;
  r.root_ = UniqueFd(::open(plan.rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!r.root_.valid()) throw_errno("open " + plan.rootfs);
  return r;
}

ContainerRoot::~ContainerRoot() {
  root_ = UniqueFd();
  if (!mounted_.empty()) {
    ::umount2(mounted_.c_str(), MNT_DETACH);
    ::umount2(mounted_.c_str(), MNT_DETACH);  // the read-only root's tmpfs below the overlay
  }
}

UniqueFd ContainerRoot::open(const std::string& path, int flags) const {
  struct open_how how = {};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  std::string rel = path;
  while (!rel.empty() && rel[0] == '/') rel.erase(0, 1);
  if (rel.empty()) rel = ".";
  // EAGAIN: a rename raced the lookup (a running container); a few retries, then give up.
  for (int attempt = 0; attempt < 64; ++attempt) {
    long fd = ::syscall(SYS_openat2, root_.get(), rel.c_str(), &how, sizeof how);
    if (fd >= 0) return UniqueFd(static_cast<int>(fd));
    if (errno != EINTR && errno != EAGAIN) return UniqueFd();
  }
  return UniqueFd();
}

}  // namespace dabba::cli
