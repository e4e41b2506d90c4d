#include "pull/image_source.h"

#include <sys/stat.h>

#include "common/error.h"

namespace dabba {
namespace {

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

// "PATH[:REFERENCE]": the path as given when it exists, else what comes before the last ':'.
std::string archive_path(std::string_view rest) {
  std::string path(rest);
  if (exists(path)) return path;
  const size_t colon = path.rfind(':');
  if (colon != std::string::npos && colon > 0) path.resize(colon);
  return path;
}

}  // namespace

ImageSource parse_image_source(std::string_view reference) {
  auto strip = [&](std::string_view prefix) {
    if (!reference.starts_with(prefix)) return false;
    reference.remove_prefix(prefix.size());
    return true;
  };
  if (strip("docker://") || strip("containers-storage:"))
    return {ImageSource::Kind::kName, std::string(reference)};
  for (std::string_view transport : {"docker-archive:", "oci-archive:", "oci:", "dir:"}) {
    if (!strip(transport)) continue;
    if (reference.empty())
      throw Error(Errc::kInvalidArgument, "no path after " + std::string(transport), 0,
                  "name the archive: " + std::string(transport) + "/path/to/archive");
    return {ImageSource::Kind::kArchive, archive_path(reference)};
  }
  for (std::string_view transport : {"docker-daemon:", "ostree:", "sif:", "tarball:"}) {
    if (reference.starts_with(transport))
      throw Error(Errc::kInvalidArgument,
                  "the " + std::string(transport.substr(0, transport.size() - 1)) +
                      " transport is not supported",
                  0,
                  "dabba reads registries (docker://), archives (docker-archive:, oci-archive:, "
                  "oci:, dir:) and its own store");
  }
  return {ImageSource::Kind::kName, std::string(reference)};
}

}  // namespace dabba
