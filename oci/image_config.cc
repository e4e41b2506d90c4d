#include "oci/image_config.h"

#include <nlohmann/json.hpp>

#include "common/error.h"

namespace dabba {
namespace {

using nlohmann::json;

std::string string_field(const json& doc, const char* name) {
  auto it = doc.find(name);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<std::vector<std::string>> string_list(const json& doc, const char* name) {
  auto it = doc.find(name);
  if (it == doc.end() || it->is_null()) return std::nullopt;
  std::vector<std::string> out;
  if (it->is_string()) {  // old Docker configs may hold a plain string
    out.push_back(it->get<std::string>());
    return out;
  }
  if (!it->is_array())
    throw Error(Errc::kCorrupt, std::string("config field ") + name + " is not a list");
  for (const json& v : *it) {
    if (!v.is_string())
      throw Error(Errc::kCorrupt, std::string("config field ") + name + " holds a non-string");
    out.push_back(v.get<std::string>());
  }
  return out;
}

}  // namespace

ImageConfig parse_image_config(std::string_view bytes) {
  json doc;
  try {
    doc = json::parse(bytes);
  } catch (const json::parse_error& e) {
    throw Error(Errc::kCorrupt,
                "image config is not valid JSON (at byte " + std::to_string(e.byte) + ")");
  } catch (const json::exception&) {  // a number out of range, say
    throw Error(Errc::kCorrupt, "image config is not valid JSON");
  }
  if (!doc.is_object()) throw Error(Errc::kCorrupt, "image config is not a JSON object");
  ImageConfig c;
  c.platform.os = string_field(doc, "os");
  c.platform.architecture = string_field(doc, "architecture");
  c.platform.variant = string_field(doc, "variant");
  c.created = string_field(doc, "created");

  if (auto cfg = doc.find("config"); cfg != doc.end() && cfg->is_object()) {
    c.env = string_list(*cfg, "Env").value_or(std::vector<std::string>{});
    c.entrypoint = string_list(*cfg, "Entrypoint");
    c.cmd = string_list(*cfg, "Cmd");
    c.working_dir = string_field(*cfg, "WorkingDir");
    c.user = string_field(*cfg, "User");
    c.stop_signal = string_field(*cfg, "StopSignal");
    if (auto ports = cfg->find("ExposedPorts"); ports != cfg->end() && ports->is_object())
      for (auto it = ports->begin(); it != ports->end(); ++it) c.exposed_ports.push_back(it.key());
    if (auto vols = cfg->find("Volumes"); vols != cfg->end() && vols->is_object())
      for (auto it = vols->begin(); it != vols->end(); ++it) c.volumes.push_back(it.key());
    if (auto labels = cfg->find("Labels"); labels != cfg->end() && labels->is_object())
      for (auto it = labels->begin(); it != labels->end(); ++it)
        if (it.value().is_string()) c.labels[it.key()] = it.value().get<std::string>();
  }

  auto rootfs = doc.find("rootfs");
  if (rootfs == doc.end() || !rootfs->is_object())
    throw Error(Errc::kCorrupt, "image config has no rootfs");
  if (string_field(*rootfs, "type") != "layers")
    throw Error(Errc::kCorrupt, "image config rootfs type is '" + string_field(*rootfs, "type") +
                                    "', not 'layers'");
  auto ids = rootfs->find("diff_ids");
  if (ids == rootfs->end() || !ids->is_array())
    throw Error(Errc::kCorrupt, "image config has no rootfs.diff_ids");
  for (const json& id : *ids) {
    Digest d;
    if (!id.is_string() || !Digest::try_parse(id.get<std::string>(), d))
      throw Error(Errc::kCorrupt, "image config has an invalid diff_id");
    c.diff_ids.push_back(d);
  }
  return c;
}

void check_layers_match(const ImageManifest& manifest, const ImageConfig& config) {
  if (manifest.layers.size() != config.diff_ids.size())
    throw Error(Errc::kCorrupt, "the manifest lists " + std::to_string(manifest.layers.size()) +
                                    " layers but the image config " +
                                    std::to_string(config.diff_ids.size()) + " diff_ids");
}

}  // namespace dabba
