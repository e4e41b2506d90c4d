// The image configuration (OCI image config / Docker container image JSON): what `run` needs to
// start a container, and the rootfs diff_ids the layers must unpack to.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "oci/digest.h"
#include "oci/manifest.h"
#include "oci/platform.h"

namespace dabba {

struct ImageConfig {
  Platform platform;             // os, architecture, variant
  std::vector<std::string> env;  // "KEY=value"
  // Absent and empty differ: an image may set Entrypoint to [] to clear its base image's one.
  std::optional<std::vector<std::string>> entrypoint;
  std::optional<std::vector<std::string>> cmd;
  std::string working_dir;
  std::string user;
  std::string stop_signal;
  std::vector<std::string> exposed_ports;  // "80/tcp", sorted
  std::vector<std::string> volumes;        // VOLUME paths ("/data"), sorted
  std::map<std::string, std::string> labels;
  std::string created;  // RFC 3339 as written, may be empty
  std::vector<Digest> diff_ids;
};

// Parses and validates; throws Error{kCorrupt} for a config that is not one.
ImageConfig parse_image_config(std::string_view bytes);

// Throws Error{kCorrupt} when the manifest's layers and the config's diff_ids disagree in number.
void check_layers_match(const ImageManifest& manifest, const ImageConfig& config);

}  // namespace dabba
