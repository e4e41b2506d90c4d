// What a registry or an archive serves as JSON: image manifests (OCI, Docker schema 2), indexes
// (OCI, Docker manifest lists) and image configs. Each either parses or throws dabba::Error.
#include <cstdint>
#include <string_view>

#include "common/error.h"
#include "oci/image_config.h"
#include "oci/manifest.h"

namespace {

constexpr std::string_view kContentTypes[] = {
    "",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v1+prettyjws",
    "text/plain",
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The first byte picks the Content-Type the "registry" sent with the rest.
  const std::string_view type = kContentTypes[data[0] % std::size(kContentTypes)];
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    (void)dabba::parse_image_manifest(body, type);
  } catch (const dabba::Error&) {
  }
  try {
    (void)dabba::parse_image_index(body, type);
  } catch (const dabba::Error&) {
  }
  try {
    (void)dabba::parse_image_config(body);
  } catch (const dabba::Error&) {
  }
  return 0;
}
