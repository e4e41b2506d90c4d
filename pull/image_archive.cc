#include "pull/image_archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <vector>

#include "common/error.h"
#include "common/fs.h"
#include "common/unique_fd.h"

namespace dabba {
namespace {

constexpr uint64_t kSmallFileMax = 4 << 20;
constexpr size_t kHeadBytes = 8;
constexpr int kMaxLinkDepth = 16;

// ---- a directory

class DirArchive final : public ImageArchive {
 public:
  explicit DirArchive(std::string dir) : dir_(std::move(dir)) {}

  std::optional<std::string> small_file(const std::string& path) override {
    auto i = info(path);
    if (!i) return std::nullopt;
    if (i->size > kSmallFileMax)
      throw Error(Errc::kCorrupt, where() + ": " + path + " is too large for a manifest or config");
    return read_file(full(path));
  }

  std::optional<FileInfo> info(const std::string& path) override {
    std::string p = clean_archive_path(path);
    if (p.empty()) return std::nullopt;
    struct stat st;
    if (::stat(full(p).c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
    FileInfo out;
    out.size = static_cast<uint64_t>(st.st_size);
    UniqueFd fd = open_file(full(p), O_RDONLY);
    char head[kHeadBytes];
    ssize_t n = DABBA_SYSCALL(::pread(fd.get(), head, sizeof head, 0), full(p));
    out.head.assign(head, static_cast<size_t>(n));
    return out;
  }

  void stream(const std::set<std::string>& paths,
              const std::function<void(const std::string&, ByteSource&)>& fn) override {
    for (const std::string& path : paths) {
      if (!info(path)) continue;
      UniqueFd fd = open_file(full(clean_archive_path(path)), O_RDONLY);
      FdSource source(fd.get());
      fn(path, source);
    }
  }

  const std::string& where() const override { return dir_; }

 private:
  std::string full(const std::string& clean) const { return dir_ + "/" + clean; }
  std::string dir_;
};

// ---- a tar file

struct ArchiveDeleter {
  void operator()(struct archive* a) const { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<struct archive, ArchiveDeleter>;

class EntrySource final : public ByteSource {
 public:
  EntrySource(struct archive* a, const std::string& what) : a_(a), what_(what) {}
  size_t read(void* buf, size_t size) override {
    la_ssize_t n = archive_read_data(a_, buf, size);
    if (n < 0) {
      const char* msg = archive_error_string(a_);
      throw Error(Errc::kCorrupt, what_ + ": " + (msg ? msg : "read error"));
    }
    return static_cast<size_t>(n);
  }

 private:
  struct archive* a_;
  const std::string& what_;
};

class TarArchive final : public ImageArchive {
 public:
  explicit TarArchive(std::string file) : file_(std::move(file)) { index(); }

  std::optional<std::string> small_file(const std::string& path) override {
    const Entry* e = find(path);
    if (e == nullptr) return std::nullopt;
    if (!e->small)
      throw Error(Errc::kCorrupt, where() + ": " + path + " is too large for a manifest or config");
    return e->content;
  }

  std::optional<FileInfo> info(const std::string& path) override {
    const Entry* e = find(path);
    if (e == nullptr) return std::nullopt;
    return FileInfo{e->size, e->head};
  }

  void stream(const std::set<std::string>& paths,
              const std::function<void(const std::string&, ByteSource&)>& fn) override {
    // Entry path -> the asked paths it stands for (through links).
    std::map<std::string, std::vector<std::string>> wanted;
    for (const std::string& p : paths)
      if (auto target = resolve(p)) wanted[*target].push_back(p);
    if (wanted.empty()) return;
    ArchivePtr a = open_archive();
    struct archive_entry* entry = nullptr;
    while (next_header(a.get(), &entry)) {
      const char* name = archive_entry_pathname(entry);
      if (name == nullptr) name = archive_entry_pathname_utf8(entry);
      auto it = name == nullptr ? wanted.end() : wanted.find(clean_archive_path(name));
      if (it == wanted.end() || archive_entry_filetype(entry) != AE_IFREG) continue;
      // Several asked paths may be one entry; each gets it once (from the start only for the
      // first: the store never asks one blob twice, so this is only a guard).
      std::string what = where() + ": " + it->first;
      EntrySource source(a.get(), what);
      fn(it->second.front(), source);
      wanted.erase(it);
      if (wanted.empty()) break;
    }
  }

  const std::string& where() const override { return file_; }

 private:
  struct Entry {
    bool regular = false;
    std::string link;  // symlink target (relative to the entry's dir) or hardlink target (root)
    bool hardlink = false;
    uint64_t size = 0;
    std::string head;
    bool small = false;  // content held (a JSON-looking file <= 4 MiB)
    std::string content;
  };

  ArchivePtr open_archive() const {
    ArchivePtr a(archive_read_new());
    if (!a) throw Error(Errc::kFailed, "libarchive: out of memory");
    archive_read_support_filter_all(a.get());
    archive_read_support_format_tar(a.get());
    int r = archive_read_open_filename(a.get(), file_.c_str(), 256 * 1024);
    check(a.get(), r, "open");
    return a;
  }

  // Reads the next header of A into ENTRY; false at the end of the archive.
  bool next_header(struct archive* a, struct archive_entry** entry) const {
    int r = archive_read_next_header(a, entry);
    if (r == ARCHIVE_EOF) return false;
    check(a, r, "read header");
    return true;
  }

  void check(struct archive* a, int r, const char* what) const {
    if (r >= ARCHIVE_WARN) return;
    const char* msg = archive_error_string(a);
    Errc code = archive_errno(a) == ENOENT ? Errc::kNotFound : Errc::kCorrupt;
    throw Error(code, file_ + ": " + what + ": " + (msg ? msg : "not a tar archive"));
  }

  // The table of contents, and the content of every small file that looks like JSON.
  void index() {
    ArchivePtr a = open_archive();
    struct archive_entry* entry = nullptr;
    while (next_header(a.get(), &entry)) {
      const char* name = archive_entry_pathname(entry);  // null for an undecodable name
      if (name == nullptr) name = archive_entry_pathname_utf8(entry);
      if (name == nullptr) continue;
      std::string path = clean_archive_path(name);
      if (path.empty()) continue;
      Entry e;
      if (const char* hl = archive_entry_hardlink(entry)) {
        e.hardlink = true;
        e.link = clean_archive_path(hl);
      } else if (archive_entry_filetype(entry) == AE_IFLNK) {
        const char* target = archive_entry_symlink(entry);
        e.link = target ? target : "";
      } else if (archive_entry_filetype(entry) == AE_IFREG) {
        e.regular = true;
        e.size = static_cast<uint64_t>(archive_entry_size(entry));
        read_head(a.get(), path, e);
      } else {
        continue;
      }
      entries_[path] = std::move(e);
    }
  }

  void read_head(struct archive* a, const std::string& path, Entry& e) {
    std::string what = where() + ": " + path;
    EntrySource source(a, what);
    char buf[kHeadBytes];
    size_t got = 0;
    while (got < sizeof buf) {
      size_t n = source.read(buf + got, sizeof buf - got);
      if (n == 0) break;
      got += n;
    }
    e.head.assign(buf, got);
    size_t first = e.head.find_first_not_of(" \t\r\n");
    bool json = first != std::string::npos && (e.head[first] == '{' || e.head[first] == '[');
    if (!json || e.size > kSmallFileMax) return;
    e.small = true;
    e.content = e.head;
    std::string chunk(64 * 1024, '\0');
    for (;;) {
      size_t n = source.read(chunk.data(), chunk.size());
      if (n == 0) break;
      e.content.append(chunk.data(), n);
    }
  }

  // The regular entry path stands for, following links; nullopt when there is none.
  std::optional<std::string> resolve(const std::string& path) const {
    std::string p = clean_archive_path(path);
    for (int depth = 0; depth < kMaxLinkDepth && !p.empty(); ++depth) {
      auto it = entries_.find(p);
      if (it == entries_.end()) return std::nullopt;
      const Entry& e = it->second;
      if (e.regular) return p;
      if (e.hardlink) {
        p = e.link;
      } else {
        size_t slash = p.rfind('/');
        std::string dir = slash == std::string::npos ? "" : p.substr(0, slash + 1);
        p = clean_archive_path(e.link.starts_with("/") ? e.link : dir + e.link);
      }
    }
    return std::nullopt;
  }

  const Entry* find(const std::string& path) const {
    auto p = resolve(path);
    if (!p) return nullptr;
    return &entries_.at(*p);
  }

  std::string file_;
  std::map<std::string, Entry> entries_;
};

}  // namespace

std::string clean_archive_path(const std::string& path) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    std::string part = path.substr(i, j - i);
    if (part == "..") {
      if (parts.empty()) return "";
      parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(std::move(part));
    }
    i = j + 1;
  }
  std::string out;
  for (const auto& part : parts) out += (out.empty() ? "" : "/") + part;
  return out;
}

std::unique_ptr<ImageArchive> ImageArchive::open(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) throw_errno("open " + path);
  if (S_ISDIR(st.st_mode)) return std::make_unique<DirArchive>(path);
  if (!S_ISREG(st.st_mode))
    throw Error(Errc::kInvalidArgument, path + " is neither a directory nor a file");
  return std::make_unique<TarArchive>(path);
}

}  // namespace dabba
