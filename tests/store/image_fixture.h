// Builds small images in a store the way a pull would: layers ingested, config and manifest
// stored as blobs, then the image added under its names.
#pragma once

#include <string>
#include <vector>

#include "store/store.h"
#include "tests/support/store_test_util.h"

namespace dabba::testing {

inline std::string layer_tar(const std::string& tag, int files = 3) {
  TarBuilder b;
  b.dir(tag);
  for (int i = 0; i < files; ++i)
    b.file(tag + "/f" + std::to_string(i), tag + " content " + std::to_string(i));
  return b.build();
}

inline ImageLayer ingest_layer(Store& store, const Lease& lease, const std::string& tar) {
  std::string blob = gzip(tar);
  LayerIngest in =
      store.begin_layer({Digest::of(blob), int64_t(blob.size()), Digest::of(tar)}, lease);
  if (!in.complete()) {
    TestSource src(blob.substr(in.resume_offset()));
    in.run(src);
  }
  return {Digest::of(blob), Digest::of(tar), blob.size(),
          "application/vnd.oci.image.layer.v1.tar+gzip"};
}

// An image of the given layer tars; `seed` makes its config (and so its id) unique.
inline ImageRecord make_image(Store& store, const std::vector<std::string>& tars,
                              const std::string& seed, const std::vector<std::string>& names,
                              int64_t created = 1700000000) {
  Lease lease = store.lease();
  ImageRecord img;
  std::string diff_ids, layers;
  for (const auto& t : tars) {
    img.layers.push_back(ingest_layer(store, lease, t));
    diff_ids += (diff_ids.empty() ? "\"" : ",\"") + img.layers.back().diff_id.str() + "\"";
    layers += (layers.empty() ? "\"" : ",\"") + img.layers.back().blob.str() + "\"";
  }
  std::string config = "{\"seed\":\"" + seed + "\",\"rootfs\":{\"diff_ids\":[" + diff_ids + "]}}";
  std::string manifest =
      "{\"config\":\"" + Digest::of(config).str() + "\",\"layers\":[" + layers + "]}";
  store.put_blob(Digest::of(config), config, lease);
  store.put_blob(Digest::of(manifest), manifest, lease);
  img.manifest = Digest::of(manifest);
  img.media_type = "application/vnd.oci.image.manifest.v1+json";
  img.config = Digest::of(config);
  img.created = created;
  img.platform = "linux/amd64";
  if (names.empty()) return img;
  return store.add_image(img, names);
}

inline std::vector<std::string> dir_entries(const std::string& dir) { return dir_entries_of(dir); }

}  // namespace dabba::testing
