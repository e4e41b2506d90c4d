#include "store/mapped_layers.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "common/dir_stream.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/userns.h"
#include "store/layout.h"

namespace dabba {
namespace {

bool covered(const std::vector<IdMapping>& ranges, uint32_t outside) {
  for (const IdMapping& r : ranges)
    if (outside >= r.outside && outside - r.outside < r.count) return true;
  return false;
}

bool has_inside(const std::vector<IdMapping>& ranges, uint32_t id) {
  for (const IdMapping& r : ranges)
    if (id >= r.inside && id - r.inside < r.count) return true;
  return false;
}

// For ids the map does not map, which must stay unmapped for the container (nobody): an id that
// this (dabba's) namespace has and no range of the map covers, 65534 when free, else the first
// free one below it; none (a namespace of a single id, every id covered): the id stays.
std::optional<uint32_t> overflow_id(const std::vector<IdMapping>& ranges,
                                    const std::vector<IdMapping>& own) {
  for (uint32_t free = 65534; free > 0; --free)
    if (!covered(ranges, free) && has_inside(own, free)) return free;
  return std::nullopt;
}

uint32_t shift(const std::vector<IdMapping>& ranges, std::optional<uint32_t> overflow,
               uint32_t id) {
  for (const IdMapping& r : ranges)
    if (id >= r.inside && id - r.inside < r.count) return r.outside + (id - r.inside);
  return overflow.value_or(id);
}

// Every extended attribute of the object open as from (overlay's opaque and whiteout marks, file
// capabilities) onto to. Best effort for a name the filesystem refuses (a trusted.* one).
void copy_xattrs(int from, int to, const std::string& what) {
  std::vector<char> names(4096);
  ssize_t n;
  while ((n = ::flistxattr(from, names.data(), names.size())) < 0 && errno == ERANGE)
    names.resize(names.size() * 4);
  if (n <= 0) return;
  std::vector<char> value(4096);
  for (const char* name = names.data(); name < names.data() + n; name += strlen(name) + 1) {
    ssize_t v;
    while ((v = ::fgetxattr(from, name, value.data(), value.size())) < 0 && errno == ERANGE)
      value.resize(value.size() * 4);
    if (v < 0) continue;
    if (::fsetxattr(to, name, value.data(), static_cast<size_t>(v), 0) != 0 && errno != EPERM &&
        errno != ENOTSUP && errno != EOPNOTSUPP)
      throw_errno("set " + std::string(name) + " on " + what);
  }
}

class Copier {
 public:
  // own: the map of the namespace the copy is made in (its ids are the ones chown can give).
  Copier(const IdMap& map, const IdMap& own)
      : map_(map),
        overflow_uid_(overflow_id(map.uids, own.uids)),
        overflow_gid_(overflow_id(map.gids, own.gids)) {}

  void owner(int dir, const char* name, const struct stat& st, const std::string& what) {
    if (::fchownat(dir, name, shift(map_.uids, overflow_uid_, st.st_uid),
                   shift(map_.gids, overflow_gid_, st.st_gid),
                   AT_SYMLINK_NOFOLLOW | (*name == '\0' ? AT_EMPTY_PATH : 0)) != 0)
      throw_errno("chown " + what);
  }

  // Copies the children of from (a directory fd) into to.
  void children(int from, int to, const std::string& what) {
    UniqueFd in(::openat(from, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!in.valid()) throw_errno("open " + what);
    DirStream entries(std::move(in), what);
    while (const struct dirent* e = entries.next())
      entry(entries.fd(), e->d_name, to, what + "/" + e->d_name);
  }

  void entry(int from_dir, const char* name, int to_dir, const std::string& what) {
    struct stat st;
    if (::fstatat(from_dir, name, &st, AT_SYMLINK_NOFOLLOW) != 0) throw_errno("stat " + what);
    struct timespec times[2] = {st.st_atim, st.st_mtim};
    if (S_ISDIR(st.st_mode)) {
      if (::mkdirat(to_dir, name, 0700) != 0) throw_errno("mkdir " + what);
      UniqueFd in(::openat(from_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      UniqueFd out(::openat(to_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!in.valid() || !out.valid()) throw_errno("open " + what);
      children(in.get(), out.get(), what);
      owner(out.get(), "", st, what);  // before the xattrs: a chown drops file capabilities
      copy_xattrs(in.get(), out.get(), what);
      if (::fchmod(out.get(), st.st_mode & 07777) != 0) throw_errno("chmod " + what);
      ::futimens(out.get(), times);
      return;
    }
    if (S_ISREG(st.st_mode)) {
      if (st.st_nlink > 1) {  // a hard link of the layer stays one
        auto [it, first] = links_.try_emplace({st.st_dev, st.st_ino}, what);
        if (!first) {
          if (::linkat(AT_FDCWD, it->second.c_str(), to_dir, name, 0) != 0)
            throw_errno("link " + what);
          return;
        }
      }
      UniqueFd in(::openat(from_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
      UniqueFd out(
          ::openat(to_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
      if (!in.valid() || !out.valid()) throw_errno("open " + what);
      for (;;) {  // copy_file_range: a reflink or an in-kernel copy where the filesystem can
        ssize_t n = ::copy_file_range(in.get(), nullptr, out.get(), nullptr, 1 << 30, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw_errno("copy " + what);
        if (n == 0) break;
      }
      owner(out.get(), "", st, what);
      copy_xattrs(in.get(), out.get(), what);
      if (::fchmod(out.get(), st.st_mode & 07777) != 0) throw_errno("chmod " + what);
      ::futimens(out.get(), times);
      if (st.st_nlink > 1) links_[{st.st_dev, st.st_ino}] = out_path(to_dir, name);
      return;
    }
    if (S_ISLNK(st.st_mode)) {
      std::string target(PATH_MAX, '\0');
      ssize_t n = ::readlinkat(from_dir, name, target.data(), target.size());
      if (n < 0) throw_errno("readlink " + what);
      target.resize(static_cast<size_t>(n));
      if (::symlinkat(target.c_str(), to_dir, name) != 0) throw_errno("symlink " + what);
    } else {
      // Whiteouts (0:0 character devices), fifos; other devices a layer may name as well.
      if (::mknodat(to_dir, name, st.st_mode, st.st_rdev) != 0) throw_errno("mknod " + what);
    }
    owner(to_dir, name, st, what);
    ::utimensat(to_dir, name, times, AT_SYMLINK_NOFOLLOW);
  }

 private:
  // The path of a new entry, for the link() of its later names (the fd's own path).
  static std::string out_path(int dir, const char* name) {
    char buf[PATH_MAX];
    ssize_t n = ::readlink(("/proc/self/fd/" + std::to_string(dir)).c_str(), buf, sizeof buf - 1);
    if (n < 0) throw_errno("readlink a copy's directory");
    return std::string(buf, static_cast<size_t>(n)) + "/" + name;
  }

  const IdMap& map_;
  const std::optional<uint32_t> overflow_uid_, overflow_gid_;
  std::map<std::pair<dev_t, ino_t>, std::string> links_;  // first copy's path, by source inode
};

}  // namespace

std::string id_map_key(const IdMap& map) {
  return Digest::of("uid\n" + IdMap::proc_lines(map.uids) + "gid\n" + IdMap::proc_lines(map.gids))
      .hex()
      .substr(0, 16);
}

std::string mapped_layer_dir(const StoreLayout& layout, const Digest& diff_id, const IdMap& map) {
  const std::string parent = layout.mapped_layers_dir() + "/" + id_map_key(map);
  const std::string dir = parent + "/" + diff_id.hex();
  if (path_exists(dir)) return dir;
  return with_context("own layer " + diff_id.str() + " for the container's user namespace", [&] {
    TempDir tmp(layout.tmp_dir(), "mapped-" + diff_id.hex().substr(0, 12) + "-");
    const std::string layer = layout.layer_dir(diff_id);
    UniqueFd from(::open(layer.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!from.valid()) throw_errno("open " + layer);
    UniqueFd tmp_fd(::open(tmp.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!tmp_fd.valid()) throw_errno("open " + tmp.path());
    Copier copier(map, current_id_map());
    // The layer's root as an entry of its own parent, so its mode and owner travel too.
    const std::string name = basename_of(layer);
    UniqueFd layers(::open(dirname_of(layer).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!layers.valid()) throw_errno("open " + dirname_of(layer));
    copier.entry(layers.get(), name.c_str(), tmp_fd.get(), layer);
    // On disk before it is trusted (a present copy is never checked again), as a layer's unpack.
    if (::syncfs(tmp_fd.get()) != 0) throw_errno("sync the copy of " + layer);
    // The map's directory made just before the rename, and made again if gc took it away
    // meanwhile (it removes an empty one).
    for (int attempt = 0;; ++attempt) {
      make_dirs(parent, 0700);
      if (::renameat(tmp_fd.get(), name.c_str(), AT_FDCWD, dir.c_str()) == 0) break;
      if (errno == EEXIST || errno == ENOTEMPTY) return dir;  // another process's copy won
      if (errno != ENOENT || attempt >= 3) throw_errno("rename the copy to " + dir);
    }
    fsync_dir(parent);
    return dir;
  });
}

uint64_t remove_stale_mapped_layers(const StoreLayout& layout,
                                    const std::function<bool(const std::string&)>& is_layer) {
  uint64_t freed = 0;
  const std::string top = layout.mapped_layers_dir();
  if (!path_exists(top)) return 0;
  for (const std::string& key : list_directory(top)) {
    const std::string parent = top + "/" + key;
    for (const std::string& hex : list_directory(parent)) {
      if (is_layer(hex)) continue;
      const std::string dir = parent + "/" + hex;
      freed += disk_usage(dir);
      remove_tree(dir);
    }
    ::rmdir(parent.c_str());  // once empty
  }
  return freed;
}

}  // namespace dabba
