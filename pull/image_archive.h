// Read access to an image archive on disk, the same way for a directory (an OCI image layout
// made by `skopeo copy ... oci:DIR`) and a tar file (an OCI layout tar, `skopeo copy ...
// docker-archive:FILE` or `docker save`, optionally gzip/zstd/xz-compressed as a whole):
//
//   small files (index.json, manifest.json, manifests, configs) by path, held in memory;
//   large files (layers) streamed, each read exactly once, in the archive's own order.
//
// A tar is read twice: once for its table of contents and small JSON files (the layers' data
// is skipped, not read, in an uncompressed tar), then once to stream the layers asked for.
// Paths are relative to the archive root, without "./"; symlinks and hardlinks between entries
// (docker-archive's legacy <id>/layer.tar) are followed.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "common/byte_source.h"

namespace dabba {

class ImageArchive {
 public:
  // A directory, or a (possibly compressed) tar file.
  static std::unique_ptr<ImageArchive> open(const std::string& path);
  virtual ~ImageArchive() = default;

  // The content of a small file (<= 4 MiB), nullopt when there is no such file.
  virtual std::optional<std::string> small_file(const std::string& path) = 0;
  // The size and first bytes (up to 8) of a regular file; nullopt when absent.
  struct FileInfo {
    uint64_t size = 0;
    std::string head;
  };
  virtual std::optional<FileInfo> info(const std::string& path) = 0;
  // Calls fn(path, stream) for each of paths present in the archive (for a tar in archive
  // order, else in path order). fn may read all, part or none of the stream.
  virtual void stream(
      const std::set<std::string>& paths,
      const std::function<void(const std::string& path, ByteSource& stream)>& fn) = 0;
  // For messages: the path given to open().
  virtual const std::string& where() const = 0;
};

// "a/./b/../c" -> "a/c", leading "/" and "./" dropped; "" for a path that climbs out.
std::string clean_archive_path(const std::string& path);

}  // namespace dabba
