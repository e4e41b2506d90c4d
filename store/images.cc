// Images and their names: Store methods over the images, image_ids and names databases.
#include <algorithm>
#include <map>
#include <set>

#include "common/error.h"
#include "store/image_names.h"
#include "store/refs.h"
#include "store/space_reserve.h"
#include "store/store.h"
#include "store/store_state.h"

namespace dabba {
namespace {

bool is_tag(std::string_view n) {  // digest and dangling names are no tags
  return !is_dangling_name(n) && n.find('@') == std::string_view::npos;
}

// The tags an existing image has besides added (in the names database's order).
std::vector<std::string> other_tags(WriteTxn& txn, const ImageRecord& rec,
                                    const std::vector<std::string>& added) {
  std::vector<std::string> out;
  txn.scan(Db::kNames, "", [&](std::string_view name, std::string_view m) {
    if (m == rec.manifest.hex() && is_tag(name) &&
        std::find(added.begin(), added.end(), name) == added.end())
      out.emplace_back(name);
    return true;
  });
  return out;
}

// containers/storage's NamesHistory: each time an image's names change, every name it then has
// moves to the front of its history, one after the other (so the last ends up first), and
// names it lost stay behind them: `podman images --format {{.History}}` shows it. current are
// the tags it keeps, added the names being given.
void renew_names_history(ImageRecord& rec, std::vector<std::string> current,
                         const std::vector<std::string>& added) {
  for (const std::string& n : added)
    if (is_tag(n) && std::find(current.begin(), current.end(), n) == current.end())
      current.push_back(n);
  for (const std::string& n : current) {
    std::erase(rec.names_history, n);
    rec.names_history.insert(rec.names_history.begin(), n);
  }
}

bool is_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

void place_names(ImageRecord& rec, const std::vector<std::string>& others,
                 const std::vector<std::string>& names, Store::NamePlace place) {
  // Tags it had before their order was kept (older records) go before the ordered ones.
  std::vector<std::string> unordered;
  for (const std::string& n : others)
    if (std::find(rec.names_order.begin(), rec.names_order.end(), n) == rec.names_order.end())
      unordered.push_back(n);
  rec.names_order.insert(rec.names_order.begin(), unordered.begin(), unordered.end());
  std::vector<std::string> tags;
  for (const std::string& n : names)
    if (is_tag(n) && std::find(tags.begin(), tags.end(), n) == tags.end()) tags.push_back(n);
  for (const std::string& n : tags) std::erase(rec.names_order, n);
  rec.names_order.insert(
      place == Store::NamePlace::kFirst ? rec.names_order.begin() : rec.names_order.end(),
      tags.begin(), tags.end());
}

// names (of one image, sorted as the names database keeps them) in the image's order.
void order_names(std::vector<std::string>& names, const std::vector<std::string>& order) {
  auto rank = [&](const std::string& n) {
    auto it = std::find(order.begin(), order.end(), n);
    return it == order.end() ? order.size() : static_cast<size_t>(it - order.begin());
  };
  std::stable_sort(names.begin(), names.end(),
                   [&](const std::string& a, const std::string& b) { return rank(a) < rank(b); });
}

}  // namespace

ImageRecord Store::add_image(const ImageRecord& image, const std::vector<std::string>& names,
                             NamePlace place) {
  if (names.empty())
    throw Error(Errc::kInvalidArgument, "an image needs at least one name (tag or digest)");
  if (image.manifest.empty() || image.config.empty())
    throw Error(Errc::kInvalidArgument, "an image needs a manifest and a config digest");
  return with_context("add image " + image.manifest.str(), [&] {
    WriteTxn txn(*state_->db);
    ImageRecord rec;
    bool existed = false;
    if (auto have = get_image(txn, image.manifest)) {
      rec = *have;
      existed = true;
    } else {
      for (const Digest& d : {image.manifest, image.config}) {
        auto b = get_blob(txn, d);
        if (!b || !b->present)
          throw Error(Errc::kNotFound, "blob " + d.str() + " is not in the store");
      }
      rec = image;
      rec.unpacked_size = 0;
      for (const auto& l : image.layers) {
        auto layer = get_layer(txn, l.diff_id);
        if (!layer)
          throw Error(Errc::kNotFound, "layer " + l.diff_id.str() + " is not in the store");
        rec.unpacked_size += layer->content_bytes;
      }
      rec.added = unix_now();
      rec.name_refs = 0;
      rec.container_refs = 0;
      ref_image_content(txn, rec, +1);
      txn.put(Db::kImageIds, image_id_key(rec), "");
    }
    std::set<std::string> unique(names.begin(), names.end());
    for (const std::string& name : unique) {
      if (name.empty()) throw Error(Errc::kInvalidArgument, "empty image name");
      auto old = txn.get(Db::kNames, name);
      if (old && *old == rec.manifest.hex()) continue;
      if (old) {  // the name moves: the image it left may now be unreferenced
        auto prev = get_image(txn, digest_from_hex(*old));
        if (prev) {
          if (prev->name_refs > 0) --prev->name_refs;
          std::erase(prev->names_order, name);
          put_or_release_image(txn, *prev);
        }
      }
      txn.put(Db::kNames, name, rec.manifest.hex());
      ++rec.name_refs;
    }
    const std::vector<std::string> others =
        existed ? other_tags(txn, rec, names) : std::vector<std::string>{};
    renew_names_history(rec, others, names);
    place_names(rec, others, names, place);
    put_or_release_image(txn, rec);
    txn.commit();
    state_->crash_point("image-committed");
    return rec;
  });
}

std::optional<ImageRecord> Store::image(const Digest& manifest) const {
  ReadTxn txn(*state_->db);
  return get_image(txn, manifest);
}

std::optional<Digest> Store::lookup_name(const std::string& name) const {
  ReadTxn txn(*state_->db);
  auto v = txn.get(Db::kNames, name);
  if (!v) return std::nullopt;
  return digest_from_hex(*v);
}

ImageRecord Store::resolve_image(std::string_view what) const {
  ReadTxn txn(*state_->db);
  if (auto v = txn.get(Db::kNames, what))
    if (auto img = get_image(txn, digest_from_hex(*v))) return *img;
  std::string_view hex = what;
  if (hex.substr(0, 7) == "sha256:") hex.remove_prefix(7);
  if (hex.size() >= 4 && hex.size() <= 64 && is_hex(hex)) {
    if (hex.size() == 64)
      if (auto img = get_image(txn, digest_from_hex(hex))) return *img;  // a manifest digest
    // An image id (config digest) or a prefix of one.
    std::set<std::string> manifests;
    std::string config;
    bool ambiguous = false;
    txn.scan(Db::kImageIds, hex, [&](std::string_view key, std::string_view) {
      std::string_view cfg = key.substr(0, 64);
      if (!config.empty() && config != cfg) ambiguous = true;
      config = std::string(cfg);
      manifests.insert(std::string(key.substr(65)));
      return true;
    });
    if (ambiguous)
      throw Error(Errc::kInvalidArgument,
                  "image id prefix '" + std::string(what) + "' is ambiguous", 0,
                  "give more digits");
    if (!manifests.empty()) {
      // Several manifests can share one config (the same image recompressed): prefer a named one.
      std::optional<ImageRecord> best;
      for (const auto& m : manifests) {
        auto img = get_image(txn, digest_from_hex(m));
        if (img && (!best || img->name_refs > best->name_refs)) best = img;
      }
      if (best) return *best;
    }
  }
  throw Error(Errc::kNotFound, "no image '" + std::string(what) + "' in the store", 0,
              "see `dabba images`, or `dabba pull` it");
}

std::vector<std::string> Store::names_of(const Digest& manifest) const {
  ReadTxn txn(*state_->db);
  std::vector<std::string> out;
  txn.scan(Db::kNames, "", [&](std::string_view name, std::string_view m) {
    if (m == manifest.hex()) out.emplace_back(name);
    return true;
  });
  if (auto img = get_image(txn, manifest)) order_names(out, img->names_order);
  return out;
}

std::vector<ImageEntry> Store::list_images() const {
  ReadTxn txn(*state_->db);
  std::map<std::string, std::vector<std::string>, std::less<>> names;
  txn.scan(Db::kNames, "", [&](std::string_view name, std::string_view m) {
    names[std::string(m)].emplace_back(name);
    return true;
  });
  std::vector<ImageEntry> out;
  txn.scan(Db::kImages, "", [&](std::string_view key, std::string_view value) {
    ImageEntry e{decode_image(value), {}};
    if (auto it = names.find(key); it != names.end()) e.names = it->second;
    order_names(e.names, e.image.names_order);
    out.push_back(std::move(e));
    return true;
  });
  std::stable_sort(out.begin(), out.end(), [](const ImageEntry& a, const ImageEntry& b) {
    if (a.image.created != b.image.created) return a.image.created > b.image.created;
    return a.image.added > b.image.added;
  });
  return out;
}

bool Store::remove_name(const std::string& name, bool force) {
  return with_context("remove " + name, [&] {
    return with_space_reserve(state_->layout, [&] {
      WriteTxn txn(*state_->db);
      auto m = txn.get(Db::kNames, name);
      if (!m) throw Error(Errc::kNotFound, "no image named '" + name + "'");
      Digest manifest = digest_from_hex(*m);
      auto img = get_image(txn, manifest);
      if (img && img->name_refs <= 1 && img->container_refs > 0 && !force)
        throw Error(Errc::kConflict,
                    "image " + img->short_id() + " is used by " +
                        std::to_string(img->container_refs) + " container(s)",
                    0, "remove the containers first, or force it (-f)");
      txn.del(Db::kNames, name);
      bool released = false;
      if (img) {
        if (img->name_refs > 0) --img->name_refs;
        std::erase(img->names_order, name);
        if (img->name_refs > 0) renew_names_history(*img, other_tags(txn, *img, {}), {});
        released = put_or_release_image(txn, *img);
      }
      txn.commit();
      state_->crash_point("name-removed");
      return released;
    });
  });
}

}  // namespace dabba
