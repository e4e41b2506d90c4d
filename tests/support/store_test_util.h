// Helpers for the store tests: tar layers built with libarchive's write API, compression,
// byte sources with controlled behaviour, and scratch directories on a real filesystem.
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <clocale>
#include <cstring>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "common/byte_source.h"
#include "common/dir_stream.h"
#include "common/error.h"
#include "common/fs.h"
#include "oci/digest.h"

namespace dabba::testing {

// A scratch directory on the root filesystem (ext4 here: user xattrs, overlay-capable), removed
// at the end of the test.
class Scratch {
 public:
  Scratch() : dir_("/var/tmp", "dabba-store-test-") {}
  const std::string& path() const { return dir_.path(); }
  std::string operator/(const std::string& name) const { return dir_.path() + "/" + name; }

 private:
  TempDir dir_;
};

struct Entry {
  std::string path;
  mode_t type = AE_IFREG;
  mode_t mode = 0644;
  std::string data;
  std::string link;  // symlink target or hardlink target
  bool hardlink = false;
  int64_t uid = 0, gid = 0;
  int64_t mtime = 1700000000;
  dev_t rdev = 0;
  std::vector<std::pair<std::string, std::string>> xattrs;
  // Sparse map: (offset, length) data regions; data holds the regions' bytes back to back.
  std::vector<std::pair<int64_t, int64_t>> sparse;
  int64_t sparse_size = 0;
};

class TarBuilder {
 public:
  TarBuilder& add(Entry e) {
    entries_.push_back(std::move(e));
    return *this;
  }
  TarBuilder& file(const std::string& path, const std::string& data, mode_t mode = 0644,
                   int64_t uid = 0, int64_t gid = 0) {
    Entry e = entry(path, AE_IFREG, mode, uid, gid);
    e.data = data;
    return add(e);
  }
  TarBuilder& dir(const std::string& path, mode_t mode = 0755, int64_t uid = 0, int64_t gid = 0) {
    return add(entry(path, AE_IFDIR, mode, uid, gid));
  }
  TarBuilder& symlink(const std::string& path, const std::string& target) {
    Entry e = entry(path, AE_IFLNK, 0777);
    e.link = target;
    return add(e);
  }
  TarBuilder& hardlink(const std::string& path, const std::string& target) {
    Entry e = entry(path, AE_IFREG, 0644);
    e.link = target;
    e.hardlink = true;
    return add(e);
  }
  TarBuilder& special(const std::string& path, mode_t type, dev_t rdev = 0, mode_t mode = 0644) {
    Entry e = entry(path, type, mode);
    e.rdev = rdev;
    return add(e);
  }

  // Names are written as Go's archive/tar writes them: pax "path" records in UTF-8 (libarchive's
  // writer needs a UTF-8 locale for that; the reader under test runs in the "C" locale again).
  std::string build() const {
    std::string saved = std::setlocale(LC_CTYPE, nullptr);
    std::setlocale(LC_CTYPE, "C.UTF-8");
    std::string out = build_archive();
    std::setlocale(LC_CTYPE, saved.c_str());
    return out;
  }

 private:
  // An entry of PATH: TYPE, MODE, owned by UID:GID.
  static Entry entry(const std::string& path, mode_t type, mode_t mode, int64_t uid = 0,
                     int64_t gid = 0) {
    Entry e;
    e.path = path;
    e.type = type;
    e.mode = mode;
    e.uid = uid;
    e.gid = gid;
    return e;
  }

  std::string build_archive() const {
    std::string out;
    struct archive* a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    archive_write_set_bytes_per_block(a, 10240);
    archive_write_open(
        a, &out, nullptr,
        [](struct archive*, void* ctx, const void* buf, size_t n) -> la_ssize_t {
          static_cast<std::string*>(ctx)->append(static_cast<const char*>(buf), n);
          return static_cast<la_ssize_t>(n);
        },
        nullptr);
    for (const Entry& e : entries_) {
      struct archive_entry* ae = archive_entry_new();
      archive_entry_set_pathname(ae, e.path.c_str());
      archive_entry_set_uid(ae, e.uid);
      archive_entry_set_gid(ae, e.gid);
      archive_entry_set_mtime(ae, e.mtime, 0);
      archive_entry_set_perm(ae, e.mode);
      for (const auto& [k, v] : e.xattrs)
        archive_entry_xattr_add_entry(ae, k.c_str(), v.data(), v.size());
      if (e.hardlink) {
        archive_entry_set_filetype(ae, AE_IFREG);
        archive_entry_set_hardlink(ae, e.link.c_str());
        archive_entry_set_size(ae, 0);
      } else {
        archive_entry_set_filetype(ae, e.type);
        if (e.type == AE_IFLNK) archive_entry_set_symlink(ae, e.link.c_str());
        if (e.type == AE_IFCHR || e.type == AE_IFBLK) archive_entry_set_rdev(ae, e.rdev);
        if (e.type == AE_IFREG) {
          if (!e.sparse.empty()) {
            archive_entry_set_size(ae, e.sparse_size);
            for (auto [off, len] : e.sparse) archive_entry_sparse_add_entry(ae, off, len);
          } else {
            archive_entry_set_size(ae, static_cast<la_int64_t>(e.data.size()));
          }
        }
      }
      if (archive_write_header(a, ae) != ARCHIVE_OK)
        throw std::runtime_error(std::string("tar header: ") + archive_error_string(a));
      if (!e.hardlink && e.type == AE_IFREG && !e.sparse.empty()) {
        // The writer takes the whole logical file and skips the holes itself.
        std::string full(static_cast<size_t>(e.sparse_size), '\0');
        size_t from = 0;
        for (auto [off, len] : e.sparse) {
          full.replace(static_cast<size_t>(off), static_cast<size_t>(len), e.data, from,
                       static_cast<size_t>(len));
          from += static_cast<size_t>(len);
        }
        archive_write_data(a, full.data(), full.size());
      } else if (!e.hardlink && e.type == AE_IFREG && !e.data.empty()) {
        archive_write_data(a, e.data.data(), e.data.size());
      }
      archive_entry_free(ae);
    }
    archive_write_close(a);
    archive_write_free(a);
    return out;
  }

  std::vector<Entry> entries_;
};

inline std::string gzip(const std::string& data, int level = 6) {
  z_stream z{};
  deflateInit2(&z, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, data.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

inline std::string zstd(const std::string& data, int level = 3) {
  std::string out(ZSTD_compressBound(data.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), level);
  out.resize(n);
  return out;
}

// Delivers data in chunks of at most `chunk` bytes; optionally throws after `fail_after` bytes,
// or calls `at` with the offset before each chunk.
class TestSource : public ByteSource {
 public:
  explicit TestSource(std::string data, size_t chunk = 64 * 1024)
      : data_(std::move(data)), chunk_(chunk) {}
  size_t read(void* buf, size_t size) override {
    if (at_) at_(pos_);
    if (fail_after_ >= 0 && pos_ >= static_cast<size_t>(fail_after_))
      throw Error(Errc::kNetwork, "connection reset (test)");
    size_t n = std::min({size, chunk_, data_.size() - pos_});
    if (fail_after_ >= 0) n = std::min(n, static_cast<size_t>(fail_after_) - pos_);
    std::memcpy(buf, data_.data() + pos_, n);
    pos_ += n;
    return n;
  }
  TestSource& fail_after(int64_t n) {
    fail_after_ = n;
    return *this;
  }
  TestSource& at(std::function<void(size_t)> f) {
    at_ = std::move(f);
    return *this;
  }
  size_t delivered() const { return pos_; }

 private:
  std::string data_;
  size_t chunk_;
  size_t pos_ = 0;
  int64_t fail_after_ = -1;
  std::function<void(size_t)> at_;
};

inline struct stat lstat_or_die(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0)
    throw std::runtime_error("lstat " + path + ": " + strerror(errno));
  return st;
}

// Names in dir, sorted, without . and ..
inline std::vector<std::string> dir_entries_of(const std::string& dir) {
  std::vector<std::string> out = list_dir(dir);
  std::sort(out.begin(), out.end());
  return out;
}

inline bool exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

}  // namespace dabba::testing
