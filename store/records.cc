#include "store/records.h"

#include <time.h>

#include <cstring>
#include <nlohmann/json.hpp>

#include "common/error.h"

namespace dabba {
namespace {

using json = nlohmann::json;

constexpr uint8_t kBlobVersion = 1;
constexpr uint8_t kLayerVersion = 1;
constexpr size_t kBlobSize = 24;
constexpr size_t kLayerSize = 72;

// Little-endian fixed-width fields, whatever the host.
void put_u32(std::string& out, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) out[at + i] = static_cast<char>(v >> (8 * i));
}
void put_u64(std::string& out, size_t at, uint64_t v) {
  for (int i = 0; i < 8; ++i) out[at + i] = static_cast<char>(v >> (8 * i));
}
uint32_t get_u32(std::string_view in, size_t at) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= uint32_t{static_cast<uint8_t>(in[at + i])} << (8 * i);
  return v;
}
uint64_t get_u64(std::string_view in, size_t at) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= uint64_t{static_cast<uint8_t>(in[at + i])} << (8 * i);
  return v;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

void put_digest_raw(std::string& out, size_t at, const Digest& d) {
  if (d.empty()) return;  // all zero: none
  for (size_t i = 0; i < 32; ++i)
    out[at + i] = static_cast<char>(hex_value(d.hex()[2 * i]) << 4 | hex_value(d.hex()[2 * i + 1]));
}
Digest get_digest_raw(std::string_view in, size_t at) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  bool zero = true;
  for (size_t i = 0; i < 32; ++i) {
    auto b = static_cast<uint8_t>(in[at + i]);
    zero = zero && b == 0;
    hex += kHex[b >> 4];
    hex += kHex[b & 15];
  }
  if (zero) return {};
  return digest_from_hex(hex);
}

[[noreturn]] void corrupt(const char* what, const std::string& why) {
  throw Error(Errc::kCorrupt, std::string("garbled ") + what + " record: " + why, 0,
              "run `dabba check --repair`");
}

Digest digest_field(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string() || it->get<std::string>().empty()) return {};
  return Digest::parse(it->get<std::string>());
}

template <class F>
auto parse_json(const char* what, std::string_view bytes, F&& f) {
  try {
    return f(json::parse(bytes));
  } catch (const json::exception& e) {
    corrupt(what, e.what());
  } catch (const Error& e) {
    corrupt(what, e.what());
  }
}

}  // namespace

Digest digest_from_hex(std::string_view hex) { return Digest::parse("sha256:" + std::string(hex)); }

int64_t unix_now() { return static_cast<int64_t>(::time(nullptr)); }

// Blob: u8 version, u8 flags (bit 0: present), u16 zero, u32 refs, u64 size, i64 added.
std::string encode_blob(const BlobRecord& r) {
  std::string out(kBlobSize, '\0');
  out[0] = static_cast<char>(kBlobVersion);
  out[1] = static_cast<char>(r.present ? 1 : 0);
  put_u32(out, 4, r.refs);
  put_u64(out, 8, r.size);
  put_u64(out, 16, static_cast<uint64_t>(r.added));
  return out;
}

BlobRecord decode_blob(std::string_view in) {
  if (in.size() < kBlobSize || static_cast<uint8_t>(in[0]) != kBlobVersion)
    corrupt("blob", "size " + std::to_string(in.size()));
  BlobRecord r;
  r.present = (in[1] & 1) != 0;
  r.refs = get_u32(in, 4);
  r.size = get_u64(in, 8);
  r.added = static_cast<int64_t>(get_u64(in, 16));
  return r;
}

// Layer: u8 version, u8 zero x3, u32 refs, u64 tar_size, u64 content_bytes, u64 entries,
// i64 added, 32 bytes source blob sha256 (all zero: unknown).
std::string encode_layer(const LayerRecord& r) {
  std::string out(kLayerSize, '\0');
  out[0] = static_cast<char>(kLayerVersion);
  put_u32(out, 4, r.refs);
  put_u64(out, 8, r.tar_size);
  put_u64(out, 16, r.content_bytes);
  put_u64(out, 24, r.entries);
  put_u64(out, 32, static_cast<uint64_t>(r.added));
  put_digest_raw(out, 40, r.blob);
  return out;
}

LayerRecord decode_layer(std::string_view in) {
  if (in.size() < kLayerSize || static_cast<uint8_t>(in[0]) != kLayerVersion)
    corrupt("layer", "size " + std::to_string(in.size()));
  LayerRecord r;
  r.refs = get_u32(in, 4);
  r.tar_size = get_u64(in, 8);
  r.content_bytes = get_u64(in, 16);
  r.entries = get_u64(in, 24);
  r.added = static_cast<int64_t>(get_u64(in, 32));
  r.blob = get_digest_raw(in, 40);
  return r;
}

std::string encode_image(const ImageRecord& r) {
  json layers = json::array();
  for (const auto& l : r.layers)
    layers.push_back({{"blob", l.blob.str()},
                      {"diff_id", l.diff_id.str()},
                      {"size", l.size},
                      {"media_type", l.media_type}});
  json j = {{"manifest", r.manifest.str()},
            {"media_type", r.media_type},
            {"config", r.config.str()},
            {"layers", layers},
            {"created", r.created},
            {"platform", r.platform},
            {"unpacked_size", r.unpacked_size},
            {"added", r.added},
            {"name_refs", r.name_refs},
            {"container_refs", r.container_refs}};
  if (!r.names_history.empty()) j["names_history"] = r.names_history;
  if (!r.names_order.empty()) j["names_order"] = r.names_order;
  return j.dump();
}

ImageRecord decode_image(std::string_view bytes) {
  return parse_json("image", bytes, [](const json& j) {
    ImageRecord r;
    r.manifest = digest_field(j, "manifest");
    r.media_type = j.value("media_type", "");
    r.config = digest_field(j, "config");
    for (const auto& l : j.at("layers"))
      r.layers.push_back({digest_field(l, "blob"), digest_field(l, "diff_id"),
                          l.value("size", uint64_t{0}), l.value("media_type", "")});
    r.created = j.value("created", int64_t{0});
    r.platform = j.value("platform", "");
    r.unpacked_size = j.value("unpacked_size", uint64_t{0});
    r.added = j.value("added", int64_t{0});
    r.name_refs = j.value("name_refs", uint32_t{0});
    r.container_refs = j.value("container_refs", uint32_t{0});
    if (auto h = j.find("names_history"); h != j.end() && h->is_array())
      for (const auto& n : *h)
        if (n.is_string()) r.names_history.push_back(n.get<std::string>());
    if (auto o = j.find("names_order"); o != j.end() && o->is_array())
      for (const auto& n : *o)
        if (n.is_string()) r.names_order.push_back(n.get<std::string>());
    return r;
  });
}

std::string encode_container(const ContainerRecord& r) {
  json layers = json::array();
  for (const auto& l : r.layers) layers.push_back(l.str());
  json j = {{"id", r.id},       {"name", r.name},       {"image", r.image.str()},
            {"layers", layers}, {"created", r.created}, {"runner", r.runner_json}};
  if (!r.volumes.empty()) j["volumes"] = r.volumes;
  return j.dump();
}

ContainerRecord decode_container(std::string_view bytes) {
  return parse_json("container", bytes, [](const json& j) {
    ContainerRecord r;
    r.id = j.at("id").get<std::string>();
    r.name = j.value("name", "");
    r.image = digest_field(j, "image");
    for (const auto& l : j.at("layers")) r.layers.push_back(Digest::parse(l.get<std::string>()));
    r.created = j.value("created", int64_t{0});
    r.runner_json = j.value("runner", "");
    if (j.contains("volumes")) r.volumes = j.at("volumes").get<std::vector<std::string>>();
    return r;
  });
}

std::string encode_volume(const VolumeRecord& r) {
  json j = {{"name", r.name},     {"created", r.created},     {"labels", r.labels},
            {"options", r.options}, {"anonymous", r.anonymous}};
  return j.dump();
}
VolumeRecord decode_volume(std::string_view bytes) {
  return parse_json("volume", bytes, [](const json& j) {
    VolumeRecord r;
    r.name = j.at("name").get<std::string>();
    r.created = j.value("created", int64_t{0});
    if (j.contains("labels")) r.labels = j.at("labels").get<std::map<std::string, std::string>>();
    if (j.contains("options"))
      r.options = j.at("options").get<std::map<std::string, std::string>>();
    r.anonymous = j.value("anonymous", false);
    return r;
  });
}

std::string encode_lease(const LeaseRecord& r) {
  return json{{"pid", r.pid}, {"start_time", r.start_time}, {"created", r.created}}.dump();
}

LeaseRecord decode_lease(std::string_view bytes) {
  return parse_json("lease", bytes, [](const json& j) {
    LeaseRecord r;
    r.pid = j.value("pid", pid_t{0});
    r.start_time = j.value("start_time", uint64_t{0});
    r.created = j.value("created", int64_t{0});
    return r;
  });
}

}  // namespace dabba
