// `check`: recomputes every reference count from the roots (names, containers, leases), verifies
// every stored blob's digest and every layer's completeness, and with repair fixes the counts and
// drops what is broken (blobs that do not hash right, incomplete layers, images needing either,
// names of missing images). Files of dropped entries are deleted after the commit.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <set>

#include "common/dir_stream.h"
#include "common/error.h"
#include "common/fs.h"
#include "store/layer_verify.h"
#include "store/refs.h"
#include "store/store.h"
#include "store/store_state.h"
#include "store/tree_stats.h"

namespace dabba {
namespace {

struct Snapshot {
  std::map<std::string, BlobRecord> blobs;
  std::map<std::string, LayerRecord> layers;
  std::map<std::string, ImageRecord> images;
  std::map<std::string, std::string> names;  // name -> manifest hex
  std::vector<ContainerRecord> containers;
  std::set<std::string> image_ids;
};

Snapshot load(const ReadTxn& txn) {
  Snapshot s;
  txn.scan(Db::kBlobs, "", [&](std::string_view k, std::string_view v) {
    s.blobs.emplace(k, decode_blob(v));
    return true;
  });
  txn.scan(Db::kLayers, "", [&](std::string_view k, std::string_view v) {
    s.layers.emplace(k, decode_layer(v));
    return true;
  });
  txn.scan(Db::kImages, "", [&](std::string_view k, std::string_view v) {
    s.images.emplace(k, decode_image(v));
    return true;
  });
  txn.scan(Db::kNames, "", [&](std::string_view k, std::string_view v) {
    s.names.emplace(k, v);
    return true;
  });
  s.containers = txn.decode_all(Db::kContainers, decode_container);
  txn.scan(Db::kImageIds, "", [&](std::string_view k, std::string_view) {
    s.image_ids.emplace(k);
    return true;
  });
  return s;
}

// Empty when the file hashes to d; else what is wrong.
std::string verify_blob_file(const std::string& path, const Digest& d, uint64_t size, bool hash) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return errno == ENOENT ? "file missing" : std::string("cannot open: ") + strerror(errno);
  UniqueFd owned(fd);
  struct stat st;
  if (::fstat(fd, &st) != 0) return "cannot stat";
  if (static_cast<uint64_t>(st.st_size) != size)
    return "size " + std::to_string(st.st_size) + ", expected " + std::to_string(size);
  if (!hash) return {};
  Sha256 h;
  std::vector<char> buf(1 << 20);
  for (;;) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::string("read error: ") + strerror(errno);
    }
    if (n == 0) break;
    h.update(buf.data(), static_cast<size_t>(n));
  }
  Digest actual = h.finish();
  if (actual != d) return "content hashes to " + actual.str();
  return {};
}

std::string verify_layer_dir(const std::string& dir, const LayerRecord& rec) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return errno == ENOENT ? "directory missing" : std::string("cannot open: ") + strerror(errno);
  UniqueFd owned(fd);
  TreeStats t;
  try {
    t = count_tree(fd);
  } catch (const Error& e) {
    return std::string("unreadable: ") + e.what();
  }
  if (t.entries != rec.entries || t.bytes != rec.content_bytes)
    return "incomplete: " + std::to_string(t.entries) + " entries and " + std::to_string(t.bytes) +
           " bytes, expected " + std::to_string(rec.entries) + " and " +
           std::to_string(rec.content_bytes);
  return {};
}

}  // namespace

CheckReport Store::check(const CheckOptions& options) {
  StoreState& st = *state_;
  const StoreLayout& layout = st.layout;
  CheckReport report;
  // Shared: gc cannot delete underneath us; ingests may add (never remove) meanwhile.
  FileLock lock = options.repair ? st.exclusive_lock() : st.publish_lock();
  Snapshot s = [&] {
    ReadTxn txn(*st.db);
    return load(txn);
  }();

  // Content.
  std::set<std::string> bad_blobs, bad_layers;
  for (const auto& [hex, b] : s.blobs) {
    if (!b.present) continue;
    ++report.blobs_checked;
    std::string why = verify_blob_file(layout.blobs_dir() + "/" + hex, digest_from_hex(hex), b.size,
                                       options.verify_blobs);
    if (!why.empty()) {
      report.problems.push_back("blob sha256:" + hex + ": " + why);
      bad_blobs.insert(hex);
    }
  }
  std::map<std::string, TempDir> unpacked_again;  // --deep --repair: layer hex -> fresh tree
  std::set<std::string> used_by_containers;       // layers a container's overlay may hold
  for (const auto& c : s.containers) {
    for (const auto& l : c.layers) used_by_containers.insert(l.hex());
    if (auto it = s.images.find(c.image.hex()); it != s.images.end())
      for (const auto& l : it->second.layers) used_by_containers.insert(l.diff_id.hex());
  }
  for (const auto& [hex, l] : s.layers) {
    ++report.layers_checked;
    std::string why = verify_layer_dir(layout.layers_dir() + "/" + hex, l);
    if (!why.empty()) report.problems.push_back("layer sha256:" + hex + ": " + why);
    if (!options.deep) {
      if (!why.empty()) bad_layers.insert(hex);
      continue;
    }
    auto blob = l.blob.empty() ? s.blobs.end() : s.blobs.find(l.blob.hex());
    if (blob == s.blobs.end() || !blob->second.present || bad_blobs.count(l.blob.hex())) {
      if (!why.empty()) bad_layers.insert(hex);
      else
        report.notes.push_back("layer sha256:" + hex +
                               ": no stored blob to compare it with (--deep skipped it)");
      continue;
    }
    DeepLayerCheck deep = deep_check_layer(st, digest_from_hex(hex), l.blob, options.repair);
    if (deep.blob_damaged) {  // (--quick did not hash it) the blob is the problem, not the layer
      report.problems.push_back("blob " + l.blob.str() + ": " + deep.error);
      bad_blobs.insert(l.blob.hex());
      if (!why.empty()) bad_layers.insert(hex);
      continue;
    }
    if (!deep.error.empty()) {
      report.problems.push_back("layer sha256:" + hex + ": " + deep.error);
      bad_layers.insert(hex);
      continue;
    }
    if (deep.ok() && why.empty()) continue;
    for (const auto& d : deep.differences)
      report.problems.push_back("layer sha256:" + hex + ": " + d);
    if (why.empty() && deep.total > deep.differences.size())
      report.problems.push_back("layer sha256:" + hex + ": and " +
                                std::to_string(deep.total - deep.differences.size()) +
                                " more difference(s) from its blob");
    if (deep.fresh && used_by_containers.count(hex)) {
      // Its overlay may be mounted: files must not change under it. Neither dropped nor mended.
      report.problems.push_back("layer sha256:" + hex +
                                ": used by a container, not unpacked again (remove the "
                                "containers using it, then run check --deep --repair again)");
    } else if (deep.fresh) {
      unpacked_again.emplace(hex, std::move(*deep.fresh));
    } else {
      bad_layers.insert(hex);
    }
  }

  // Structure: what each image, name and container needs.
  auto blob_ok = [&](const Digest& d) {
    auto it = s.blobs.find(d.hex());
    return it != s.blobs.end() && it->second.present && !bad_blobs.count(d.hex());
  };
  auto layer_ok = [&](const Digest& d) {
    return s.layers.count(d.hex()) && !bad_layers.count(d.hex());
  };
  std::set<std::string> bad_images;
  for (const auto& [hex, img] : s.images) {
    ++report.images_checked;
    std::string why;
    if (!blob_ok(img.manifest))
      why = "manifest blob " + img.manifest.str() + " is missing or damaged";
    else if (!blob_ok(img.config))
      why = "config blob " + img.config.str() + " is missing or damaged";
    for (const auto& l : img.layers)
      if (why.empty() && !layer_ok(l.diff_id))
        why = "layer " + l.diff_id.str() + " is missing or damaged";
    if (!why.empty()) {
      report.problems.push_back("image sha256:" + hex + ": " + why);
      bad_images.insert(hex);
    }
    if (!s.image_ids.count(image_id_key(img)))
      report.problems.push_back("image sha256:" + hex + ": missing from the image id index");
  }
  std::set<std::string> bad_names;
  for (const auto& [name, hex] : s.names)
    if (!s.images.count(hex)) {
      report.problems.push_back("name " + name + ": points at missing image sha256:" + hex);
      bad_names.insert(name);
    }
  // An image nothing names or uses should have been released with its last reference.
  std::map<std::string, int> users;
  for (const auto& [name, hex] : s.names) ++users[hex];
  for (const auto& c : s.containers) ++users[c.image.hex()];
  for (const auto& [hex, img] : s.images)
    if (!bad_images.count(hex) && users[hex] == 0) {
      report.problems.push_back("image sha256:" + hex +
                                ": nothing refers to it (no name, no container)");
      bad_images.insert(hex);
    }
  for (const auto& c : s.containers) {
    ++report.containers_checked;
    if (!s.images.count(c.image.hex()))
      report.problems.push_back("container " + c.id + ": its image " + c.image.str() +
                                " is missing");
    for (const auto& l : c.layers)
      if (!layer_ok(l))
        report.problems.push_back("container " + c.id + ": layer " + l.str() +
                                  " is missing or damaged (remove the container)");
  }

  // Reference counts, recomputed from the roots. With repair, broken images no longer count.
  auto expected_counts = [&](bool skip_broken) {
    struct Counts {
      std::map<std::string, uint32_t> names, containers, blobs, layers;
    } c;
    for (const auto& [name, hex] : s.names)
      if (!(skip_broken && bad_images.count(hex))) ++c.names[hex];
    for (const auto& k : s.containers) {
      ++c.containers[k.image.hex()];
      for (const auto& l : k.layers) ++c.layers[l.hex()];
    }
    for (const auto& [hex, img] : s.images) {
      if (skip_broken && bad_images.count(hex)) continue;
      ++c.blobs[img.manifest.hex()];
      ++c.blobs[img.config.hex()];
      for (const auto& l : img.layers) {
        ++c.blobs[l.blob.hex()];
        ++c.layers[l.diff_id.hex()];
      }
    }
    return c;
  };
  auto want = expected_counts(false);
  auto get = [](const std::map<std::string, uint32_t>& m, const std::string& k) -> uint32_t {
    auto it = m.find(k);
    return it == m.end() ? 0 : it->second;
  };
  for (const auto& [hex, img] : s.images) {
    if (img.name_refs != get(want.names, hex) || img.container_refs != get(want.containers, hex))
      report.problems.push_back(
          "image sha256:" + hex + ": counts " + std::to_string(img.name_refs) + " names/" +
          std::to_string(img.container_refs) + " containers, expected " +
          std::to_string(get(want.names, hex)) + "/" + std::to_string(get(want.containers, hex)));
  }
  std::set<std::string> blob_keys;
  for (const auto& [k, v] : s.blobs) blob_keys.insert(k);
  for (const auto& [k, v] : want.blobs) blob_keys.insert(k);
  for (const auto& hex : blob_keys) {
    auto it = s.blobs.find(hex);
    uint32_t have = it == s.blobs.end() ? 0 : it->second.refs;
    if (have != get(want.blobs, hex))
      report.problems.push_back("blob sha256:" + hex + ": reference count " + std::to_string(have) +
                                ", expected " + std::to_string(get(want.blobs, hex)));
  }
  for (const auto& [hex, l] : s.layers)
    if (l.refs != get(want.layers, hex))
      report.problems.push_back("layer sha256:" + hex + ": reference count " +
                                std::to_string(l.refs) + ", expected " +
                                std::to_string(get(want.layers, hex)));

  // Orphans are harmless: gc removes them.
  size_t orphans = 0;
  for (const auto& n : list_dir(layout.blobs_dir()))
    if (!s.blobs.count(n) || !s.blobs[n].present) ++orphans;
  for (const auto& n : list_dir(layout.layers_dir()))
    if (!s.layers.count(n)) ++orphans;
  if (orphans > 0)
    report.notes.push_back(std::to_string(orphans) +
                           " unrecorded file(s) under blobs/ and layers/: `dabba gc` removes them");

  if (!options.repair || report.problems.empty()) return report;

  // Repair, in one transaction; files after the commit.
  auto fixed = expected_counts(true);
  {
    WriteTxn txn(*st.db);
    for (const auto& hex : bad_images) {
      const ImageRecord& img = s.images.at(hex);
      txn.del(Db::kImages, hex);
      txn.del(Db::kImageIds, image_id_key(img));
      report.repairs.push_back("dropped image sha256:" + hex);
    }
    for (const auto& [name, hex] : s.names)
      if (bad_names.count(name) || bad_images.count(hex)) {
        txn.del(Db::kNames, name);
        report.repairs.push_back("dropped name " + name);
      }
    for (const auto& hex : bad_layers) {
      txn.del(Db::kLayers, hex);
      report.repairs.push_back("dropped layer sha256:" + hex);
    }
    for (const auto& [hex, img] : s.images) {
      if (bad_images.count(hex)) continue;
      ImageRecord rec = img;
      rec.name_refs = get(fixed.names, hex);
      rec.container_refs = get(fixed.containers, hex);
      txn.put(Db::kImages, hex, encode_image(rec));
      txn.put(Db::kImageIds, image_id_key(rec), "");
    }
    for (const auto& hex : blob_keys) {
      BlobRecord rec;
      if (auto it = s.blobs.find(hex); it != s.blobs.end())
        rec = it->second;
      else
        rec.added = unix_now();
      if (bad_blobs.count(hex)) {
        rec.present = false;
        report.repairs.push_back("dropped blob sha256:" + hex);
      }
      rec.refs = get(fixed.blobs, hex);
      if (!rec.present && rec.refs == 0)
        txn.del(Db::kBlobs, hex);
      else
        txn.put(Db::kBlobs, hex, encode_blob(rec));
    }
    for (const auto& [hex, l] : s.layers) {
      if (bad_layers.count(hex)) continue;
      LayerRecord rec = l;
      rec.refs = get(fixed.layers, hex);
      txn.put(Db::kLayers, hex, encode_layer(rec));
    }
    txn.commit();
  }
  report.repairs.push_back("recomputed reference counts");
  for (const auto& hex : bad_blobs) ::unlink((layout.blobs_dir() + "/" + hex).c_str());
  for (const auto& hex : bad_layers) remove_tree(layout.layers_dir() + "/" + hex);
  for (auto& [hex, fresh] : unpacked_again) {
    replace_layer_dir(st, digest_from_hex(hex), std::move(fresh));
    report.repairs.push_back("unpacked layer sha256:" + hex + " again from its blob");
  }
  return report;
}

}  // namespace dabba
