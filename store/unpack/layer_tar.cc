#include "store/unpack/layer_tar.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <memory>
#include <vector>

#include "common/error.h"
#include "common/unique_fd.h"

namespace dabba {
namespace {

constexpr size_t kReadChunk = 256 << 10;

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

struct ArchiveDeleter {
  void operator()(archive* a) const { archive_write_free(a); }
};
struct EntryDeleter {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};
using EntryPtr = std::unique_ptr<archive_entry, EntryDeleter>;

class TarWriter {
 public:
  TarWriter(const std::string& root, const TarSink& sink)
      : root_(root), sink_(sink), a_(archive_write_new()) {
    if (!a_) throw Error(Errc::kFailed, "archive_write_new failed");
    check(archive_write_set_format_pax_restricted(a_.get()), "set the tar format");
    // One tar record per write and no padding of the last record: the bytes depend on the
    // entries only.
    check(archive_write_set_bytes_per_block(a_.get(), 0), "set the block size");
    check(archive_write_open(a_.get(), this, nullptr, &TarWriter::on_write, nullptr),
          "open the tar writer");
  }

  TreeTarStats run() {
    UniqueFd dir(::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
    if (!dir.valid()) throw_errno("open layer directory " + root_);
    walk(dir.get(), "");
    check(archive_write_close(a_.get()), "finish the tar");
    return stats_;
  }

 private:
  static la_ssize_t on_write(archive*, void* self, const void* buf, size_t size) {
    auto* me = static_cast<TarWriter*>(self);
    try {
      me->sink_(buf, size);
      return static_cast<la_ssize_t>(size);
    } catch (...) {
      me->sink_error_ = std::current_exception();
      return -1;
    }
  }

  void check(int rc, const std::string& what) {
    if (rc >= ARCHIVE_WARN) return;
    if (sink_error_) std::rethrow_exception(sink_error_);
    const char* msg = archive_error_string(a_.get());
    throw Error(Errc::kFailed, "layer tar: " + what + ": " + (msg ? msg : "libarchive error"));
  }

  std::string full(const std::string& rel) const { return root_ + "/" + rel; }

  // xattrs kept in a layer, sorted by name.
  void add_xattrs(archive_entry* e, const std::string& rel, bool& opaque) {
    const std::string path = full(rel);
    ssize_t n = ::llistxattr(path.c_str(), nullptr, 0);
    if (n <= 0) return;
    std::string names(static_cast<size_t>(n), '\0');
    n = ::llistxattr(path.c_str(), names.data(), names.size());
    if (n <= 0) return;
    std::vector<std::string> list;
    for (size_t i = 0; i < static_cast<size_t>(n);) {
      std::string name(names.c_str() + i);
      i += name.size() + 1;
      if (!name.empty()) list.push_back(std::move(name));
    }
    std::sort(list.begin(), list.end());
    for (const std::string& name : list) {
      const bool overlay = starts_with(name, "user.overlay.") || starts_with(name, "trusted.overlay.");
      if (overlay) {
        if (name == "user.overlay.opaque" || name == "trusted.overlay.opaque") {
          char v[4] = {};
          if (::lgetxattr(path.c_str(), name.c_str(), v, sizeof v) >= 1 && v[0] == 'y') opaque = true;
        }
        continue;
      }
      if (!starts_with(name, "user.") && name != "security.capability") continue;
      ssize_t size = ::lgetxattr(path.c_str(), name.c_str(), nullptr, 0);
      if (size < 0) throw_errno("getxattr " + path + " " + name);
      std::string value(static_cast<size_t>(size), '\0');
      size = ::lgetxattr(path.c_str(), name.c_str(), value.data(), value.size());
      if (size < 0) throw_errno("getxattr " + path + " " + name);
      archive_entry_xattr_add_entry(e, name.c_str(), value.data(), static_cast<size_t>(size));
    }
  }

  EntryPtr entry(const std::string& name, const struct stat& st) {
    EntryPtr e(archive_entry_new());
    archive_entry_set_pathname(e.get(), name.c_str());
    archive_entry_set_uid(e.get(), st.st_uid);
    archive_entry_set_gid(e.get(), st.st_gid);
    archive_entry_set_perm(e.get(), st.st_mode & 07777);
    archive_entry_set_mtime(e.get(), st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    return e;
  }

  // An empty regular file: a whiteout or an opaque marker. Its owner, mode and time carry no
  // meaning, so they are fixed (0:0, 0000, the epoch): an unpack that does not keep them (the
  // kernel's whiteouts, say) still gives the same tar.
  void marker(const std::string& name) {
    EntryPtr e(archive_entry_new());
    archive_entry_set_pathname(e.get(), name.c_str());
    archive_entry_set_filetype(e.get(), AE_IFREG);
    archive_entry_set_perm(e.get(), 0);
    archive_entry_set_size(e.get(), 0);
    check(archive_write_header(a_.get(), e.get()), "write " + name);
    ++stats_.entries;
  }

  void write_content(int parent, const std::string& name, const std::string& rel) {
    UniqueFd fd(::openat(parent, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd.valid()) throw_errno("open " + full(rel));
    std::vector<char> buf(kReadChunk);
    for (;;) {
      ssize_t n = ::read(fd.get(), buf.data(), buf.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw_errno("read " + full(rel));
      if (n == 0) break;
      la_ssize_t w = archive_write_data(a_.get(), buf.data(), static_cast<size_t>(n));
      if (w < 0) check(ARCHIVE_FATAL, "write " + rel);
    }
  }

  void walk(int dir_fd, const std::string& prefix) {
    std::vector<std::string> names;
    {
      int dup = ::fcntl(dir_fd, F_DUPFD_CLOEXEC, 0);
      if (dup < 0) throw_errno("dup");
      DIR* d = ::fdopendir(dup);
      if (d == nullptr) {
        ::close(dup);
        throw_errno("opendir " + full(prefix));
      }
      while (struct dirent* de = ::readdir(d)) {
        std::string n = de->d_name;
        if (n != "." && n != "..") names.push_back(std::move(n));
      }
      ::closedir(d);
    }
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
      const std::string rel = prefix + name;
      struct stat st;
      if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
        throw_errno("stat " + full(rel));
      if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) {
        marker(prefix + ".wh." + name);
        ++stats_.whiteouts;
        continue;
      }
      if (S_ISSOCK(st.st_mode)) continue;
      EntryPtr e = entry(rel, st);
      bool opaque = false;
      add_xattrs(e.get(), rel, opaque);
      if (S_ISDIR(st.st_mode)) {
        archive_entry_set_filetype(e.get(), AE_IFDIR);
        check(archive_write_header(a_.get(), e.get()), "write " + rel);
        ++stats_.entries;
        if (opaque) {
          marker(rel + "/.wh..wh..opq");
          ++stats_.opaques;
        }
        UniqueFd sub(::openat(dir_fd, name.c_str(),
                              O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!sub.valid()) throw_errno("open " + full(rel));
        walk(sub.get(), rel + "/");
        continue;
      }
      if (S_ISREG(st.st_mode) && st.st_nlink > 1) {
        auto key = std::make_pair(st.st_dev, st.st_ino);
        auto [it, first] = links_.emplace(key, rel);
        if (!first) {
          archive_entry_set_filetype(e.get(), AE_IFREG);
          archive_entry_set_hardlink(e.get(), it->second.c_str());
          archive_entry_set_size(e.get(), 0);
          check(archive_write_header(a_.get(), e.get()), "write " + rel);
          ++stats_.entries;
          continue;
        }
      }
      if (S_ISREG(st.st_mode)) {
        archive_entry_set_filetype(e.get(), AE_IFREG);
        archive_entry_set_size(e.get(), st.st_size);
        check(archive_write_header(a_.get(), e.get()), "write " + rel);
        write_content(dir_fd, name, rel);
        stats_.file_bytes += static_cast<uint64_t>(st.st_size);
      } else if (S_ISLNK(st.st_mode)) {
        std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
        ssize_t n = ::readlinkat(dir_fd, name.c_str(), target.data(), target.size());
        if (n < 0) throw_errno("readlink " + full(rel));
        target.resize(static_cast<size_t>(n));
        archive_entry_set_filetype(e.get(), AE_IFLNK);
        archive_entry_set_symlink(e.get(), target.c_str());
        check(archive_write_header(a_.get(), e.get()), "write " + rel);
      } else if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
        archive_entry_set_filetype(e.get(), S_ISFIFO(st.st_mode)  ? AE_IFIFO
                                            : S_ISCHR(st.st_mode) ? AE_IFCHR
                                                                  : AE_IFBLK);
        archive_entry_set_rdevmajor(e.get(), major(st.st_rdev));
        archive_entry_set_rdevminor(e.get(), minor(st.st_rdev));
        check(archive_write_header(a_.get(), e.get()), "write " + rel);
      } else {
        continue;
      }
      ++stats_.entries;
    }
  }

  const std::string root_;
  const TarSink& sink_;
  std::unique_ptr<archive, ArchiveDeleter> a_;
  std::exception_ptr sink_error_;
  std::map<std::pair<dev_t, ino_t>, std::string> links_;
  TreeTarStats stats_;
};

}  // namespace

TreeTarStats write_tree_tar(const std::vector<std::string>& dirs, TreeTarMode mode,
                            const TarSink& sink) {
  if (mode != TreeTarMode::kLayer || dirs.size() != 1)
    throw Error(Errc::kUnsupported, "only one layer directory can be written as a tar here");
  return with_context("write the tar of " + dirs[0],
                      [&] { return TarWriter(dirs[0], sink).run(); });
}

}  // namespace dabba
