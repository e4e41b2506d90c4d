#include "runner/overlay.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.h"
#include "common/fs.h"
#include "common/unique_fd.h"
#include "runner/mount_api.h"

namespace dabba::runner {
namespace {

// fsconfig() copies at most 256 bytes of a string parameter; a longer path is passed as the
// magic link of an O_PATH fd, which the kernel resolves to the same directory.
constexpr size_t kFsconfigMax = 255;

std::string short_path(const std::string& path, std::vector<UniqueFd>& keep) {
  if (path.size() <= kFsconfigMax) return path;
  UniqueFd fd(DABBA_SYSCALL(::open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC), path));
  std::string alias = "/proc/self/fd/" + std::to_string(fd.get());
  keep.push_back(std::move(fd));
  return alias;
}

// Returns false when the kernel does not know "lowerdir+" (before 6.8).
bool mount_with_lowerdir_plus(const MountPlan& plan) {
  FsContext fs("overlay");
  fs.set_string("source", "dabba");
  std::vector<UniqueFd> keep;
  bool first = true;
  for (const auto& layer : plan.lower) {
    // Each "lowerdir+" appends one layer below the ones given before: top first.
    int err = fs.try_set_string("lowerdir+", short_path(layer, keep));
    if (err != 0) {
      std::string log = fs_context_log(fs.fd());
      if (first && err == EINVAL && log.find("nknown parameter") != std::string::npos) return false;
      throw Error(errc_from_errno(err),
                  "overlay: layer " + layer + (log.empty() ? "" : " (" + log + ")"), err);
    }
    first = false;
  }
  if (!plan.upper.empty()) {
    fs.set_string("upperdir", short_path(plan.upper, keep));
    fs.set_string("workdir", short_path(plan.work, keep));
  }
  fs.set_flag("userxattr");
  if (plan.volatile_upper && !plan.upper.empty()) fs.set_flag("volatile");
  UniqueFd mnt = fs.create_mount(0);
  attach_mount(mnt.get(), plan.rootfs);
  return true;
}

std::string escape_option(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == ':' || c == ',' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string join_lower(const std::vector<std::string>& parts) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += ':';
    out += escape_option(parts[i]);
  }
  return out;
}

void mount_legacy(const MountPlan& plan) {
  std::string tail = ",userxattr";
  if (plan.volatile_upper && !plan.upper.empty()) tail += ",volatile";
  if (!plan.upper.empty())
    tail += ",upperdir=" + escape_option(plan.upper) + ",workdir=" + escape_option(plan.work);
  // mount(2) copies one page of options, the terminating NUL included.
  long page = ::sysconf(_SC_PAGESIZE);
  size_t budget = static_cast<size_t>(page) - 1 - tail.size() - std::string("lowerdir=").size();
  std::string chdir_to;
  std::vector<int> raw_fds;
  std::string lower = legacy_lowerdir(plan.lower, budget, &chdir_to, &raw_fds);
  std::vector<UniqueFd> fds;
  for (int fd : raw_fds) fds.emplace_back(fd);
  if (lower.empty())
    throw Error(Errc::kUnsupported,
                std::to_string(plan.lower.size()) + " layers do not fit in one overlay mount", 0,
                "a kernel with overlay's lowerdir+ (6.8 or newer) takes up to 500 layers");
  std::string options = "lowerdir=" + lower + tail;
  UniqueFd saved_cwd;
  if (!chdir_to.empty()) {
    // The relative names are resolved by the kernel against our cwd while it mounts.
    saved_cwd.reset(DABBA_SYSCALL(::open(".", O_PATH | O_DIRECTORY | O_CLOEXEC)));
    DABBA_SYSCALL(::chdir(chdir_to.c_str()), chdir_to);
  }
  int rc = ::mount("dabba", plan.rootfs.c_str(), "overlay", 0, options.c_str());
  int err = errno;
  if (saved_cwd.valid()) DABBA_SYSCALL(::fchdir(saved_cwd.get()));
  if (rc != 0) throw_errno("mount overlay on " + plan.rootfs + " (" + options + ")", err);
}

}  // namespace

std::string legacy_lowerdir(const std::vector<std::string>& lower, size_t budget,
                            std::string* chdir_to, std::vector<int>* fds) {
  std::string absolute = join_lower(lower);
  if (absolute.size() <= budget) return absolute;

  // Store layers share one parent (layers/<hex>): name them relative to it.
  std::string parent = dirname_of(lower[0]);
  bool common = true;
  std::vector<std::string> names;
  for (const auto& l : lower) {
    if (dirname_of(l) != parent) common = false;
    names.push_back(basename_of(l));
  }
  if (common) {
    std::string relative = join_lower(names);
    if (relative.size() <= budget) {
      *chdir_to = parent;
      return relative;
    }
  }

  // Shortest of all: the layers' fd numbers, relative to /proc/self/fd.
  std::vector<std::string> numbers;
  for (const auto& l : lower) {
    int fd = ::open(l.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
      int err = errno;
      for (int f : *fds) ::close(f);
      fds->clear();
      throw_errno("open layer " + l, err);
    }
    fds->push_back(fd);
    numbers.push_back(std::to_string(fd));
  }
  std::string by_fd = join_lower(numbers);
  if (by_fd.size() <= budget) {
    *chdir_to = "/proc/self/fd";
    return by_fd;
  }
  for (int f : *fds) ::close(f);
  fds->clear();
  return "";
}

void mount_root_overlay(const MountPlan& plan) {
  if (!plan.upper.empty() && path_exists(plan.work + "/work/incompat/volatile"))
    throw Error(Errc::kConflict,
                "the container's upper dir was used by a volatile (--rm) mount and may have lost "
                "writes; overlay refuses to mount it again",
                0, "remove the container and run a new one");
  MountPlan with_upper = plan;
  if (plan.read_only) {
    // The read-only root's upper layer: a tmpfs only for the mount points an image lacks. It is
    // covered by the overlay mounted on the same directory, which keeps its own reference.
    FsContext tmpfs("tmpfs");
    tmpfs.set_string("mode", "755");
    tmpfs.set_string("size", "1m");
    UniqueFd mnt = tmpfs.create_mount(MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
    attach_mount(mnt.get(), plan.rootfs);
    with_upper.upper = plan.rootfs + "/upper";
    with_upper.work = plan.rootfs + "/work";
    DABBA_SYSCALL(::mkdir(with_upper.upper.c_str(), 0755), with_upper.upper);
    DABBA_SYSCALL(::mkdir(with_upper.work.c_str(), 0700), with_upper.work);
  }
  if (with_upper.api != MountApi::kLegacy) {
    if (mount_with_lowerdir_plus(with_upper)) return;
    if (with_upper.api == MountApi::kLowerdirPlus)
      throw Error(Errc::kUnsupported, "this kernel's overlay has no lowerdir+ (6.8 or newer)");
  }
  mount_legacy(with_upper);
}

void make_root_read_only(MountApi api) {
  struct mount_attr attr = {};
  attr.attr_set = MOUNT_ATTR_RDONLY;
  // Not recursive: /tmp, /run, /dev and the volumes stay as they are.
  if (api != MountApi::kLegacy && ::mount_setattr(AT_FDCWD, "/", 0, &attr, sizeof attr) == 0)
    return;
  if (api != MountApi::kLegacy && errno != ENOSYS) throw_errno("make / read-only");
  DABBA_SYSCALL(::mount(nullptr, "/", nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY, nullptr),
                "make / read-only");
}

}  // namespace dabba::runner
