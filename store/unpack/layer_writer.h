// Writes tar entries into a layer directory, in OverlayFS format, without ever leaving it.
//
// Not archive_write_disk: that resolves names against the process cwd (unusable from several
// threads) and is slow in its secure-symlink checks. Instead every parent directory is opened
// with openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS) relative to the layer root (so a symlink
// that points out of the layer gives EXDEV), the last parent is cached (consecutive entries
// usually share it), and final components are never followed (O_NOFOLLOW, O_EXCL,
// AT_SYMLINK_NOFOLLOW). Whiteouts: `.wh.NAME` becomes a 0:0 character device at NAME and
// `.wh..wh..opq` sets user.overlay.opaque=y on its directory.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/idmap.h"
#include "common/unique_fd.h"

struct archive;
struct archive_entry;

namespace dabba {

struct LayerWriterStats {
  uint64_t files = 0;
  uint64_t dirs = 0;
  uint64_t symlinks = 0;
  uint64_t hardlinks = 0;
  uint64_t specials = 0;  // fifos and devices created
  uint64_t whiteouts = 0;
  uint64_t opaques = 0;
  uint64_t skipped_devices = 0;
  uint64_t skipped_xattrs = 0;
  uint64_t file_bytes = 0;
};

class LayerWriter {
 public:
  // root_fd: the layer's (empty) temp directory; the writer keeps its own dup. ids: the id map of
  // the user namespace this process is in; every owner must fall inside it.
  LayerWriter(int root_fd, IdMap ids);
  ~LayerWriter();
  LayerWriter(const LayerWriter&) = delete;
  LayerWriter& operator=(const LayerWriter&) = delete;

  // Writes the entry the archive is positioned on, reading its data. Throws Error naming the
  // entry: kCorrupt for a hostile or malformed entry, kPermission for an unmapped owner.
  void write_entry(struct archive* a, struct archive_entry* entry);
  // Applies directory modes and mtimes (deferred so writing children does not change them).
  void finish();
  const LayerWriterStats& stats() const { return stats_; }

 private:
  struct Parent {
    int fd;
    bool setgid;
    gid_t gid;
  };
  struct Times {
    int64_t atime_sec, atime_nsec, mtime_sec, mtime_nsec;
  };
  struct Owner {
    uid_t uid;
    gid_t gid;
  };
  struct DirFixup {
    mode_t mode;
    Times times;
  };

  void write_entry_at(const std::string& path, struct archive* a, struct archive_entry* e);
  Parent parent_dir(const std::string& parent);
  UniqueFd open_dir_beneath(const std::string& path, bool create);
  void clear_name(int dir_fd, const std::string& name, const std::string& path);
  // Invalidates the cached parent for the next entries (the current entry may still be using
  // its fd, so it is closed only when the next parent is opened).
  void forget_parent() { cache_stale_ = true; }

  void write_file(const Parent& p, const std::string& name, const std::string& path, mode_t mode,
                  Owner owner, const Times& t, struct archive* a, struct archive_entry* e);
  void write_dir(const Parent& p, const std::string& name, const std::string& path, mode_t mode,
                 Owner owner, const Times& t, struct archive_entry* e);
  void write_symlink(const Parent& p, const std::string& name, const std::string& path,
                     const char* target, Owner owner, const Times& t);
  void write_hardlink(const Parent& p, const std::string& name, const std::string& path,
                      const char* target);
  void write_special(const Parent& p, const std::string& name, const std::string& path, mode_t type,
                     mode_t mode, dev_t dev, Owner owner, const Times& t);
  void write_whiteout(const Parent& p, const std::string& target, const std::string& path,
                      Owner owner, const Times& t);
  void apply_xattrs(int fd, const std::string& path, struct archive_entry* e);
  bool needs_chown(const Parent& p, Owner owner) const;
  // Gives NAME in P (never followed if a symlink) its owner when needs_chown says so; WHAT names
  // the step in the error.
  void chown_nofollow(const Parent& p, const std::string& name, const std::string& path,
                      Owner owner, const char* what) const;
  // Sets the times of NAME in P (never followed if a symlink).
  static void set_times_nofollow(const Parent& p, const std::string& name, const std::string& path,
                                 const Times& t);
  Owner checked_owner(const std::string& path, struct archive_entry* e) const;

  UniqueFd root_;
  IdMap ids_;
  uid_t euid_;
  gid_t egid_;
  mode_t umask_;
  bool root_seen_ = false;
  // The last parent directory opened, by cleaned path.
  std::string cached_path_;
  UniqueFd cached_;
  bool cache_stale_ = false;
  bool cached_setgid_ = false;
  gid_t cached_gid_ = 0;
  bool root_setgid_ = false;
  gid_t root_gid_ = 0;
  std::unordered_map<std::string, DirFixup> dir_fixups_;
  LayerWriterStats stats_;
};

}  // namespace dabba
