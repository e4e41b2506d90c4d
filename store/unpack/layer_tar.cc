#include "store/unpack/layer_tar.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <exception>
#include <map>
#include <memory>

#include "common/error.h"
#include "common/fs.h"
#include "common/unique_fd.h"

namespace dabba {
namespace {

constexpr const char* kOpaqueXattrs[] = {"user.overlay.opaque", "trusted.overlay.opaque"};

// Beneath root, no symlink anywhere in the path (a directory swapped for a symlink fails ELOOP).
UniqueFd open_beneath(int root, const std::string& rel, uint64_t flags) {
  struct open_how how = {};
  how.flags = flags | O_CLOEXEC | O_NOFOLLOW;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  const char* path = rel.empty() ? "." : rel.c_str();
  for (;;) {
    long fd = ::syscall(SYS_openat2, root, path, &how, sizeof how);
    if (fd >= 0) return UniqueFd(static_cast<int>(fd));
    if (errno != EINTR) throw_errno("open " + (rel.empty() ? std::string(".") : rel));
  }
}

bool is_whiteout(const struct stat& st) {
  return S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0);
}

// xattrs that belong in a layer: user.* (not overlay's own) and file capabilities.
bool keep_xattr(std::string_view name) {
  if (name.starts_with("user.overlay.")) return false;
  return name.starts_with("user.") || name == "security.capability";
}

struct ArchiveDeleter {
  void operator()(struct archive* a) const { archive_write_free(a); }
};
struct EntryDeleter {
  void operator()(struct archive_entry* e) const { archive_entry_free(e); }
};
using EntryPtr = std::unique_ptr<struct archive_entry, EntryDeleter>;

class TreeTar {
 public:
  TreeTar(const std::vector<std::string>& dirs, TreeTarMode mode, const TarSink& sink)
      : mode_(mode), sink_(sink) {
    for (const auto& d : dirs) roots_.push_back(open_dir(d));
    a_.reset(archive_write_new());
    if (!a_) throw Error(Errc::kFailed, "libarchive: out of memory");
    archive_write_set_format_pax_restricted(a_.get());
    archive_write_set_bytes_per_block(a_.get(), 64 * 1024);
    archive_write_set_bytes_in_last_block(a_.get(), 1);
    check(archive_write_open(a_.get(), this, nullptr, &TreeTar::on_write, nullptr), "open");
  }

  TreeTarStats run() {
    std::vector<size_t> all;
    for (size_t i = 0; i < roots_.size(); ++i) all.push_back(i);
    walk("", all);
    check(archive_write_close(a_.get()), "close");
    return stats_;
  }

 private:
  static la_ssize_t on_write(struct archive*, void* self, const void* data, size_t size) {
    auto* t = static_cast<TreeTar*>(self);
    try {
      t->sink_(data, size);
      return static_cast<la_ssize_t>(size);
    } catch (...) {
      t->sink_error_ = std::current_exception();
      return -1;
    }
  }

  void check(int rc, const std::string& what) {
    if (rc >= ARCHIVE_WARN) return;
    if (sink_error_) std::rethrow_exception(sink_error_);
    const char* msg = archive_error_string(a_.get());
    throw Error(Errc::kFailed, "tar: " + what + ": " + (msg ? msg : "write error"));
  }

  static std::string join(const std::string& dir, const std::string& name) {
    return dir.empty() ? name : dir + "/" + name;
  }

  bool opaque(int dir_fd) const {
    char v[4];
    for (const char* x : kOpaqueXattrs) {
      ssize_t n = ::fgetxattr(dir_fd, x, v, sizeof v);
      if (n == 1 && v[0] == 'y') return true;
    }
    return false;
  }

  // The entries of rel in the layers given (top first), each name's stat per layer.
  using Listing = std::vector<std::map<std::string, struct stat>>;
  Listing list(const std::string& rel, const std::vector<size_t>& layers) {
    Listing out(layers.size());
    for (size_t k = 0; k < layers.size(); ++k) {
      UniqueFd fd = open_beneath(roots_[layers[k]].get(), rel, O_RDONLY | O_DIRECTORY);
      DIR* d = ::fdopendir(::dup(fd.get()));
      if (d == nullptr) throw_errno("opendir " + rel);
      std::unique_ptr<DIR, int (*)(DIR*)> dir(d, ::closedir);
      while (struct dirent* e = ::readdir(d)) {
        std::string name = e->d_name;
        if (name == "." || name == "..") continue;
        struct stat st;
        if (::fstatat(fd.get(), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
          if (errno == ENOENT) continue;  // gone while we looked (a running container)
          throw_errno("stat " + join(rel, name));
        }
        out[k].emplace(std::move(name), st);
      }
    }
    return out;
  }

  void walk(const std::string& rel, const std::vector<size_t>& layers) {
    Listing listing = list(rel, layers);
    std::map<std::string, size_t> top;  // name -> index into layers of its topmost occurrence
    for (size_t k = listing.size(); k-- > 0;)
      for (const auto& [name, st] : listing[k]) top[name] = k;
    for (const auto& [name, k] : top) {
      const struct stat& st = listing[k].at(name);
      const std::string path = join(rel, name);
      const size_t layer = layers[k];
      if (is_whiteout(st)) {
        if (mode_ == TreeTarMode::kLayer) {
          write_marker(join(rel, ".wh." + name));
          ++stats_.whiteouts;
        }
        continue;
      }
      if (S_ISDIR(st.st_mode)) {
        UniqueFd fd = open_beneath(roots_[layer].get(), path, O_RDONLY | O_DIRECTORY);
        bool is_opaque = opaque(fd.get());
        std::vector<size_t> below = {layer};
        if (mode_ == TreeTarMode::kMerged && !is_opaque) {
          for (size_t k2 = k + 1; k2 < layers.size(); ++k2) {
            auto it = listing[k2].find(name);
            if (it == listing[k2].end()) continue;
            if (is_whiteout(it->second) || !S_ISDIR(it->second.st_mode)) break;
            below.push_back(layers[k2]);
            UniqueFd lower = open_beneath(roots_[layers[k2]].get(), path, O_RDONLY | O_DIRECTORY);
            if (opaque(lower.get())) break;
          }
        }
        write_header(path + "/", st, fd.get(), "");
        fd.reset();
        if (mode_ == TreeTarMode::kLayer && is_opaque) {
          write_marker(join(path, ".wh..wh..opq"));
          ++stats_.opaques;
        }
        walk(path, below);
        continue;
      }
      write_leaf(layer, path, st);
    }
  }

  void write_leaf(size_t layer, const std::string& path, const struct stat& st) {
    int root = roots_[layer].get();
    if (S_ISSOCK(st.st_mode)) return;
    if (S_ISLNK(st.st_mode)) {
      size_t slash = path.rfind('/');
      UniqueFd parent = open_beneath(root, slash == std::string::npos ? "" : path.substr(0, slash),
                                     O_PATH | O_DIRECTORY);
      std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
      std::string target(static_cast<size_t>(st.st_size > 0 ? st.st_size : 256) + 1, '\0');
      ssize_t n = DABBA_SYSCALL(::readlinkat(parent.get(), name.c_str(), target.data(),
                                             target.size()),
                                path);
      target.resize(static_cast<size_t>(n));
      write_header(path, st, -1, target);
      return;
    }
    if (!S_ISREG(st.st_mode)) {  // fifos and devices: no data, no fd (a fifo would block)
      write_header(path, st, -1, "");
      return;
    }
    if (st.st_nlink > 1) {
      auto [it, first] = links_.emplace(std::make_pair(st.st_dev, st.st_ino), path);
      if (!first) {
        EntryPtr e = entry_for(path, st);
        archive_entry_set_hardlink(e.get(), it->second.c_str());
        archive_entry_set_size(e.get(), 0);
        check(archive_write_header(a_.get(), e.get()), path);
        ++stats_.entries;
        return;
      }
    }
    UniqueFd fd = open_beneath(root, path, O_RDONLY);
    write_header(path, st, fd.get(), "");
    // The size in the header is what stat said: a file a running container changes meanwhile is
    // cut or padded with zeros (libarchive pads a short entry) so the tar stays well formed.
    uint64_t left = static_cast<uint64_t>(st.st_size);
    while (left > 0) {
      ssize_t n = DABBA_SYSCALL(
          ::read(fd.get(), buf_.data(), left < buf_.size() ? left : buf_.size()), path);
      if (n == 0) break;
      if (archive_write_data(a_.get(), buf_.data(), static_cast<size_t>(n)) < 0)
        check(ARCHIVE_FATAL, path);
      left -= static_cast<uint64_t>(n);
      stats_.file_bytes += static_cast<uint64_t>(n);
    }
  }

  EntryPtr entry_for(const std::string& path, const struct stat& st) {
    EntryPtr e(archive_entry_new());
    if (!e) throw Error(Errc::kFailed, "libarchive: out of memory");
    archive_entry_copy_stat(e.get(), &st);
    archive_entry_set_pathname(e.get(), path.c_str());
    archive_entry_set_mtime(e.get(), st.st_mtime, 0);
    archive_entry_unset_atime(e.get());
    archive_entry_unset_ctime(e.get());
    archive_entry_unset_birthtime(e.get());
    if (!S_ISREG(st.st_mode)) archive_entry_set_size(e.get(), 0);
    return e;
  }

  // An empty regular file: a whiteout or an opaque marker. Its owner, mode and time carry no
  // meaning, so they are fixed (0:0, 0000, the epoch): an unpack that does not keep them (the
  // kernel's whiteouts, say) still gives the same tar, and so the same diff_id for push.
  void write_marker(const std::string& path) {
    EntryPtr e(archive_entry_new());
    if (!e) throw Error(Errc::kFailed, "libarchive: out of memory");
    archive_entry_set_pathname(e.get(), path.c_str());
    archive_entry_set_filetype(e.get(), AE_IFREG);
    archive_entry_set_perm(e.get(), 0);
    archive_entry_set_size(e.get(), 0);
    check(archive_write_header(a_.get(), e.get()), path);
    ++stats_.entries;
  }

  // fd (or -1) gives the xattrs.
  void write_header(const std::string& path, const struct stat& st, int fd,
                    const std::string& symlink) {
    EntryPtr e = entry_for(path, st);
    if (S_ISLNK(st.st_mode)) archive_entry_set_symlink(e.get(), symlink.c_str());
    if (fd >= 0) add_xattrs(e.get(), fd, path);
    check(archive_write_header(a_.get(), e.get()), path);
    ++stats_.entries;
  }

  void add_xattrs(struct archive_entry* e, int fd, const std::string& path) {
    ssize_t n = ::flistxattr(fd, nullptr, 0);
    if (n <= 0) return;
    std::string names(static_cast<size_t>(n), '\0');
    n = ::flistxattr(fd, names.data(), names.size());
    if (n < 0) throw_errno("list xattrs of " + path);
    names.resize(static_cast<size_t>(n));
    std::vector<std::string> kept;  // sorted: the order a file system lists them in is its own
    for (size_t i = 0; i < names.size();) {
      std::string name(names.c_str() + i);
      i += name.size() + 1;
      if (keep_xattr(name)) kept.push_back(std::move(name));
    }
    std::sort(kept.begin(), kept.end());
    for (const std::string& name : kept) {
      ssize_t size = ::fgetxattr(fd, name.c_str(), nullptr, 0);
      if (size < 0) continue;
      std::string value(static_cast<size_t>(size), '\0');
      size = ::fgetxattr(fd, name.c_str(), value.data(), value.size());
      if (size < 0) continue;
      archive_entry_xattr_add_entry(e, name.c_str(), value.data(), static_cast<size_t>(size));
    }
  }

  TreeTarMode mode_;
  const TarSink& sink_;
  std::vector<UniqueFd> roots_;
  // Declared before a_: freeing the archive flushes through on_write, which may store here.
  std::exception_ptr sink_error_;
  std::unique_ptr<struct archive, ArchiveDeleter> a_;
  std::map<std::pair<dev_t, ino_t>, std::string> links_;
  std::vector<char> buf_ = std::vector<char>(1 << 20);
  TreeTarStats stats_;
};

}  // namespace

TreeTarStats write_tree_tar(const std::vector<std::string>& dirs, TreeTarMode mode,
                            const TarSink& sink) {
  if (dirs.empty() || (mode == TreeTarMode::kLayer && dirs.size() != 1))
    throw Error(Errc::kInvalidArgument, "a layer tar is made of exactly one directory");
  return TreeTar(dirs, mode, sink).run();
}

}  // namespace dabba
