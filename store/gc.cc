// Garbage collection: everything no image, container or live lease references.
//
// Order (containerd's): under the exclusive store lock, one LMDB transaction drops stale leases
// and the records of unreferenced blobs and layers; after it commits, their files are deleted.
// A crash in between leaves files without records: orphans, which the next gc removes by
// scanning the directories. Holding the lock excludes publishing ingests (which rename and commit
// under the shared lock), so a file without a record is never one about to be recorded.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <set>

#include "common/dir_stream.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/human.h"
#include "common/log.h"
#include "common/proc_stat.h"
#include "store/lease.h"
#include "store/mapped_layers.h"
#include "store/refs.h"
#include "store/space_reserve.h"
#include "store/store.h"
#include "store/store_state.h"

namespace dabba {
namespace {

bool lease_alive(const LeaseRecord& l) {
  uint64_t start = process_start_time(l.pid);  // 0: gone, or a zombie (a killed pull)
  return start != 0 && start == l.start_time;
}

bool is_digest_hex(std::string_view s) {
  Digest d;
  return s.size() == 64 && Digest::try_parse("sha256:" + std::string(s), d);
}

uint64_t file_size(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

int64_t age_seconds(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return 0;
  return unix_now() - static_cast<int64_t>(st.st_mtime);
}

}  // namespace

std::string GcReport::summary() const {
  std::string out;
  auto add = [&](uint64_t n, const char* what) {
    if (n == 0) return;
    if (!out.empty()) out += ", ";
    out += std::to_string(n) + " " + what;
  };
  add(blobs, blobs == 1 ? "blob" : "blobs");
  add(layers, layers == 1 ? "layer" : "layers");
  add(partials, partials == 1 ? "partial download" : "partial downloads");
  add(temp_dirs, temp_dirs == 1 ? "unpack leftover" : "unpack leftovers");
  add(container_dirs, container_dirs == 1 ? "container leftover" : "container leftovers");
  add(leases, leases == 1 ? "stale lease" : "stale leases");
  if (out.empty()) return "nothing to free";
  return "freed " + out + " (" + human_size(total_bytes()) + ")";
}

GcReport Store::gc(const GcOptions& options) {
  StoreState& st = *state_;
  const StoreLayout& layout = st.layout;
  const int64_t max_age = options.partial_max_age.value_or(st.options.partial_max_age).count();
  GcReport report;
  FileLock lock = st.exclusive_lock();

  // 1. Records: one transaction.
  std::vector<std::pair<Digest, uint64_t>> dead_blobs;
  std::vector<Digest> dead_layers;
  // On a full disk, with the space reserve (what gc frees comes after the commit).
  with_space_reserve(layout, [&] {
    dead_blobs.clear();
    dead_layers.clear();
    WriteTxn txn(*st.db);
    std::vector<std::string> stale;
    txn.scan(Db::kLeases, "", [&](std::string_view id, std::string_view value) {
      if (!lease_alive(decode_lease(value))) stale.emplace_back(id);
      return true;
    });
    for (const auto& id : stale) {
      txn.del(Db::kLeases, id);
      txn.del_prefix(Db::kLeasePins, lease_pin_prefix(id));
    }
    report.leases = stale.size();

    std::set<std::string> pinned_blobs, pinned_layers;
    txn.scan(Db::kLeasePins, "", [&](std::string_view key, std::string_view) {
      auto slash = key.find('/');
      if (slash == std::string_view::npos || key.size() < slash + 3) return true;
      char kind = key[slash + 1];
      std::string hex(key.substr(slash + 3));
      (kind == 'b' ? pinned_blobs : pinned_layers).insert(std::move(hex));
      return true;
    });

    // Layers first: a compressed blob of a layer is kept as long as its layer (a push may need
    // it again), so which blobs go depends on which layers stay.
    std::vector<std::string> drop_layers;
    txn.scan(Db::kLayers, "", [&](std::string_view hex, std::string_view value) {
      if (decode_layer(value).refs > 0 || pinned_layers.count(std::string(hex))) return true;
      drop_layers.emplace_back(hex);
      return true;
    });
    std::set<std::string> dropped_layers(drop_layers.begin(), drop_layers.end());
    for (const auto& hex : drop_layers) {
      txn.del(Db::kLayers, hex);
      txn.del_prefix(Db::kLayerBlobs, hex + "/");
      dead_layers.push_back(digest_from_hex(hex));
    }
    std::vector<std::string> drop_blobs;
    txn.scan(Db::kBlobs, "", [&](std::string_view hex, std::string_view value) {
      BlobRecord b = decode_blob(value);
      if (b.refs > 0 || pinned_blobs.count(std::string(hex))) return true;
      if (b.present)
        if (auto diff = txn.get(Db::kBlobDiffs, hex);
            diff && !dropped_layers.count(std::string(*diff)) && txn.contains(Db::kLayers, *diff))
          return true;  // its layer stays, and so does it
      drop_blobs.emplace_back(hex);
      if (b.present) dead_blobs.emplace_back(digest_from_hex(hex), b.size);
      return true;
    });
    for (const auto& hex : drop_blobs) {
      txn.del(Db::kBlobs, hex);
      txn.del(Db::kBlobDiffs, hex);
    }
    txn.commit();
  });
  st.crash_point("gc-committed");

  // 2. Files of what was dropped.
  for (const auto& [d, size] : dead_blobs) {
    std::string path = layout.blob_path(d);
    if (::unlink(path.c_str()) == 0) {
      ++report.blobs;
      report.blob_bytes += size;
    }
  }
  for (const Digest& d : dead_layers) {
    std::string dir = layout.layer_dir(d);
    report.layer_bytes += disk_usage(dir);
    remove_tree(dir);
    ++report.layers;
  }

  st.crash_point("gc-files-deleted");

  // 3. Orphans: files whose records are gone (a crash between commit and deletion, or between
  // an ingest's rename and its commit).
  {
    ReadTxn txn(*st.db);
    for (const auto& name : list_dir(layout.blobs_dir())) {
      auto rec = is_digest_hex(name) ? get_blob(txn, digest_from_hex(name)) : std::nullopt;
      if (rec && rec->present) continue;
      std::string path = layout.blobs_dir() + "/" + name;
      uint64_t size = file_size(path);
      if (::unlink(path.c_str()) == 0) {
        ++report.blobs;
        report.blob_bytes += size;
      }
    }
    for (const auto& name : list_dir(layout.layers_dir())) {
      if (is_digest_hex(name) && get_layer(txn, digest_from_hex(name))) continue;
      std::string dir = layout.layers_dir() + "/" + name;
      report.layer_bytes += disk_usage(dir);
      remove_tree(dir);
      ++report.layers;
    }
    // Layers owned for a nested namespace's map: their layer's with it.
    report.layer_bytes += remove_stale_mapped_layers(layout, [&](const std::string& hex) {
      return is_digest_hex(hex) && get_layer(txn, digest_from_hex(hex)).has_value();
    });
    for (const auto& name : list_dir(layout.containers_dir())) {
      if (get_container(txn, name)) continue;
      std::string dir = layout.containers_dir() + "/" + name;
      report.container_bytes += disk_usage(dir);
      remove_tree(dir);
      ++report.container_dirs;
    }
  }

  // 4. Ingest leftovers. A partial whose blob lock is free belongs to no running ingest; it is
  // kept for a resume until it is older than max_age, unless its blob is stored meanwhile.
  for (const auto& name : list_dir(layout.ingest_dir())) {
    std::string path = layout.ingest_dir() + "/" + name;
    if (!is_digest_hex(name)) {
      if (age_seconds(path) > 3600) {
        report.partial_bytes += file_size(path);
        ::unlink(path.c_str());
        ++report.partials;
      }
      continue;
    }
    Digest d = digest_from_hex(name);
    auto held = FileLock::try_acquire(layout.blob_lock_path(d), FileLock::Mode::kExclusive);
    if (!held) continue;
    bool stored = blob(d).has_value();
    if (!stored && age_seconds(path) <= max_age) continue;
    uint64_t size = file_size(path);
    if (::unlink(path.c_str()) == 0) {
      ++report.partials;
      report.partial_bytes += size;
    }
  }
  // tmp/unpack-<blob hex>-XXXXXX of killed unpacks: their blob lock is free.
  for (const auto& name : list_dir(layout.tmp_dir())) {
    std::string path = layout.tmp_dir() + "/" + name;
    bool leftover;
    if (name.rfind("unpack-", 0) == 0 && name.size() > 7 + 64 &&
        is_digest_hex(name.substr(7, 64))) {
      Digest d = digest_from_hex(name.substr(7, 64));
      leftover =
          FileLock::try_acquire(layout.blob_lock_path(d), FileLock::Mode::kExclusive).has_value();
    } else {
      leftover = age_seconds(path) > 3600;
    }
    if (!leftover) continue;
    report.temp_bytes += disk_usage(path);
    remove_tree(path);
    ++report.temp_dirs;
  }
  // 5. Lock files nobody holds (a waiter that opened one before the unlink notices and retries).
  for (const auto& name : list_dir(layout.locks_dir())) {
    if (name == basename_of(layout.store_lock_path())) continue;
    std::string path = layout.locks_dir() + "/" + name;
    if (auto held = FileLock::try_acquire(path, FileLock::Mode::kExclusive)) held->remove();
  }
  return report;
}

}  // namespace dabba
