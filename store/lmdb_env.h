// The store's LMDB environment (through lmdb++) and its transactions.
//
// One environment per store directory per process, opened on first use and shared by every thread
// (MDB_NOTLS: a read transaction is not tied to the thread that began it). LMDB serialises
// writers across threads and processes. Transactions are RAII: a WriteTxn that is not committed
// is aborted by its destructor. Never use an environment after fork(): a child opens its own.
#pragma once

#include <lmdb++.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dabba {

// The schema this code writes. A store with a higher number was written by a newer dabba and is
// refused; a lower one is migrated at open. 2 added `layer_blobs` (created empty: nothing to
// convert); 3 added `volumes` (likewise).
inline constexpr uint32_t kSchemaVersion = 3;

// The named databases. Key and value formats: docs/store-format.md.
enum class Db {
  kMeta,            // "schema" -> decimal version
  kBlobs,           // blob hex -> BlobRecord (binary)
  kLayers,          // diff_id hex -> LayerRecord (binary)
  kBlobDiffs,       // blob hex -> diff_id hex
  kImages,          // manifest hex -> ImageRecord (JSON)
  kImageIds,        // config hex + "/" + manifest hex -> "" (image id lookup by prefix)
  kNames,           // "registry/repo:tag" or "registry/repo@sha256:.." -> manifest hex
  kContainers,      // container id -> ContainerRecord (JSON)
  kContainerNames,  // container name -> container id
  kLeases,          // lease id -> LeaseRecord (JSON)
  kLeasePins,       // lease id + "/b/" or "/l/" + hex -> ""
  kLayerBlobs,      // diff_id hex + "/" + compression ("gzip", "zstd", "none") -> blob hex
  kVolumes,         // volume name -> VolumeRecord (JSON)
  kCount,
};

class LmdbEnv {
 public:
  // The environment for dir (created if missing), shared within this process. Throws
  // Error{kUnsupported} when the store's schema is newer than kSchemaVersion. durable = false
  // (benchmarks, scratch stores) opens it MDB_NOSYNC; sync_meta = false MDB_NOMETASYNC
  // (StoreOptions::sync_meta); the first opener in a process decides.
  static std::shared_ptr<LmdbEnv> open(const std::string& dir, bool durable = true,
                                       bool sync_meta = true);
  ~LmdbEnv();
  LmdbEnv(const LmdbEnv&) = delete;
  LmdbEnv& operator=(const LmdbEnv&) = delete;

  MDB_env* handle() const { return env_; }
  MDB_dbi dbi(Db db) const { return dbis_[static_cast<int>(db)]; }
  const std::string& dir() const { return dir_; }

 private:
  LmdbEnv(std::string dir);
  void open_dbs();

  std::string dir_;
  pid_t pid_;
  MDB_env* env_ = nullptr;
  MDB_dbi dbis_[static_cast<int>(Db::kCount)] = {};
};

class ReadTxn {
 public:
  explicit ReadTxn(const LmdbEnv& env);
  virtual ~ReadTxn() = default;
  ReadTxn(const ReadTxn&) = delete;
  ReadTxn& operator=(const ReadTxn&) = delete;

  // The value stored under key, or nothing. The view stays valid until the transaction ends (in a
  // WriteTxn: until the next write).
  std::optional<std::string_view> get(Db db, std::string_view key) const;
  bool contains(Db db, std::string_view key) const { return get(db, key).has_value(); }
  // Calls fn(key, value) for each entry whose key starts with prefix, in key order, until fn
  // returns false.
  void scan(Db db, std::string_view prefix,
            const std::function<bool(std::string_view, std::string_view)>& fn) const;
  size_t count(Db db) const;
  // Every value of db through decode (decode_container, ...), in key order.
  template <class Decode>
  auto decode_all(Db db, Decode decode) const {
    std::vector<decltype(decode(std::string_view()))> out;
    scan(db, "", [&](std::string_view, std::string_view value) {
      out.push_back(decode(value));
      return true;
    });
    return out;
  }

 protected:
  ReadTxn(const LmdbEnv& env, unsigned flags);
  const LmdbEnv& env_;
  lmdb::txn txn_;
};

class WriteTxn : public ReadTxn {
 public:
  explicit WriteTxn(const LmdbEnv& env);
  void put(Db db, std::string_view key, std::string_view value);
  // Returns false when the key was not there.
  bool del(Db db, std::string_view key);
  // Deletes every key starting with prefix; returns how many.
  size_t del_prefix(Db db, std::string_view prefix);
  void commit();
};

}  // namespace dabba
