#include "store/lmdb_env.h"

#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <map>
#include <mutex>
#include <vector>

#include "common/error.h"
#include "common/fs.h"
#include "common/no_space.h"

namespace dabba {
namespace {

// 1 TiB: LMDB maps the file sparsely, so this only reserves address space; the data file grows
// as it is written. A full map would be MDB_MAP_FULL, a hard error.
constexpr size_t kMapSize = size_t{1} << 40;

constexpr const char* kDbNames[] = {"meta",       "blobs",      "layers",      "blob_diffs",
                                    "images",     "image_ids",  "names",       "containers",
                                    "container_names", "leases", "lease_pins", "layer_blobs", "volumes"};
static_assert(std::size(kDbNames) == static_cast<size_t>(Db::kCount));

[[noreturn]] void rethrow_lmdb(const std::string& what, const lmdb::error& e) {
  int rc = e.code();
  // A system errno's text is added by Error itself; LMDB's own codes get LMDB's words.
  std::string msg =
      "LMDB " + what + (rc > 0 ? std::string() : std::string(": ") + ::mdb_strerror(rc));
  if (rc == MDB_MAP_FULL) throw Error(Errc::kFailed, msg, 0, "the store's metadata map is full");
  // After a failed write of its meta page (a full disk) LMDB refuses this process any further
  // transaction; the file still holds the last commit, which a new process opens.
  if (rc == MDB_PANIC)
    throw Error(Errc::kFailed, msg, 0,
                "an earlier write to the store's database failed in this command (a full disk?); "
                "what was committed before is intact: free space and run the command again");
  if (rc == MDB_CORRUPTED || rc == MDB_INVALID || rc == MDB_VERSION_MISMATCH)
    throw Error(Errc::kCorrupt, msg, 0, "run `dabba check` to see what is damaged");
  if (rc > 0) throw Error(errc_from_errno(rc), msg, rc);
  throw Error(Errc::kFailed, msg);
}

template <class F>
decltype(auto) lmdb_call(const char* what, F&& f) {
  try {
    return std::forward<F>(f)();
  } catch (const lmdb::error& e) {
    rethrow_lmdb(what, e);
  }
}

// mdb_txn_commit frees the transaction whether it succeeds or not, but lmdb++'s txn::commit()
// keeps the handle when it throws, and its destructor then aborts the freed transaction: a
// double free, which a full disk made of `rm`. So the handle moves into a holder whose
// destructor never runs, and is committed from there. Returns LMDB's code.
int commit_once(lmdb::txn&& txn) {
  union Holder {
    explicit Holder(lmdb::txn&& t) : txn(std::move(t)) {}
    ~Holder() {}
    lmdb::txn txn;
  } holder(std::move(txn));
  return ::mdb_txn_commit(holder.txn.handle());
}

lmdb::val to_val(std::string_view s) { return lmdb::val(s.data(), s.size()); }
std::string_view from_val(const lmdb::val& v) { return {v.data(), v.size()}; }

struct Registry {
  std::mutex mu;
  std::map<std::string, std::weak_ptr<LmdbEnv>> envs;
  pid_t pid = 0;
};
Registry& registry() {
  static Registry* r = new Registry;  // never destroyed: envs may outlive static destruction
  return *r;
}

}  // namespace

LmdbEnv::LmdbEnv(std::string dir) : dir_(std::move(dir)), pid_(::getpid()) {
  lmdb_call("create environment", [&] { lmdb::env_create(&env_); });
}

LmdbEnv::~LmdbEnv() {
  // A forked child holds a copy of the parent's environment: closing it there would clear the
  // parent's reader slots. Leave it alone; the kernel unmaps it at exit.
  if (env_ != nullptr && ::getpid() == pid_) ::mdb_env_close(env_);
}

std::shared_ptr<LmdbEnv> LmdbEnv::open(const std::string& dir, bool durable, bool sync_meta) {
  Registry& reg = registry();
  std::lock_guard lock(reg.mu);
  if (reg.pid != ::getpid()) {
    // After fork every inherited environment is unusable: forget them (without closing).
    for (auto& [path, weak] : reg.envs) {
      if (auto sp = weak.lock()) new std::shared_ptr<LmdbEnv>(sp);  // leak on purpose
    }
    reg.envs.clear();
    reg.pid = ::getpid();
  }
  if (auto it = reg.envs.find(dir); it != reg.envs.end())
    if (auto sp = it->second.lock()) return sp;

  make_dirs(dir, 0700);
  std::shared_ptr<LmdbEnv> env(new LmdbEnv(dir));
  lmdb_call(("open " + dir).c_str(), [&] {
    lmdb::env_set_mapsize(env->env_, kMapSize);
    lmdb::env_set_max_dbs(env->env_, static_cast<MDB_dbi>(Db::kCount) + 4);
    unsigned flags = MDB_NOTLS | (durable ? 0 : MDB_NOSYNC) | (sync_meta ? 0 : MDB_NOMETASYNC);
    lmdb::env_open(env->env_, dir.c_str(), flags, 0600);
  });
  // Reader slots of processes that died (SIGKILL mid-read) would pin old pages forever.
  int dead = 0;
  ::mdb_reader_check(env->handle(), &dead);
  with_context("open the store database " + dir, [&] { env->open_dbs(); });
  reg.envs[dir] = env;
  return env;
}

void LmdbEnv::open_dbs() {
  lmdb_call("open databases", [&] {
    auto txn = lmdb::txn::begin(env_);
    MDB_dbi meta;
    lmdb::dbi_open(txn, "meta", MDB_CREATE, &meta);
    lmdb::val key("schema", 6), value;
    uint32_t version = 0;
    if (lmdb::dbi_get(txn, meta, key, value)) {
      std::string_view text = from_val(value);
      auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), version);
      if (ec != std::errc() || p != text.data() + text.size())
        throw Error(Errc::kCorrupt, "the schema version '" + std::string(text) + "' is garbled");
    }
    if (version > kSchemaVersion)
      throw Error(Errc::kUnsupported,
                  "the store was written by a newer dabba (schema " + std::to_string(version) +
                      ", this dabba knows up to " + std::to_string(kSchemaVersion) + ")",
                  0, "use a newer dabba, or another --root");
    // New store, or an older schema: every change so far only added databases, which are
    // created below; the version written records that.
    if (version < kSchemaVersion) {
      std::string v = std::to_string(kSchemaVersion);
      lmdb::val vv(v.data(), v.size());
      lmdb::dbi_put(txn, meta, key, vv, 0);
    }
    dbis_[0] = meta;
    for (int i = 1; i < static_cast<int>(Db::kCount); ++i)
      lmdb::dbi_open(txn, kDbNames[i], MDB_CREATE, &dbis_[i]);
    if (int rc = commit_once(std::move(txn)); rc != MDB_SUCCESS)
      lmdb::error::raise("mdb_txn_commit", rc);
  });
}

ReadTxn::ReadTxn(const LmdbEnv& env) : ReadTxn(env, MDB_RDONLY) {}

ReadTxn::ReadTxn(const LmdbEnv& env, unsigned flags)
    : env_(env), txn_(lmdb_call("begin transaction", [&] {
        return lmdb::txn::begin(env.handle(), nullptr, flags);
      })) {}

std::optional<std::string_view> ReadTxn::get(Db db, std::string_view key) const {
  return lmdb_call("get", [&]() -> std::optional<std::string_view> {
    lmdb::val k = to_val(key), v;
    if (!lmdb::dbi_get(txn_.handle(), env_.dbi(db), k, v)) return std::nullopt;
    return from_val(v);
  });
}

void ReadTxn::scan(Db db, std::string_view prefix,
                   const std::function<bool(std::string_view, std::string_view)>& fn) const {
  lmdb::cursor cursor =
      lmdb_call("open cursor", [&] { return lmdb::cursor::open(txn_.handle(), env_.dbi(db)); });
  lmdb::val k = to_val(prefix), v;
  bool found = lmdb_call("cursor", [&] {
    return prefix.empty() ? lmdb::cursor_get(cursor.handle(), k, v, MDB_FIRST)
                          : lmdb::cursor_get(cursor.handle(), k, v, MDB_SET_RANGE);
  });
  while (found) {
    std::string_view key = from_val(k);
    if (key.substr(0, prefix.size()) != prefix) break;
    if (!fn(key, from_val(v))) break;
    found = lmdb_call("cursor", [&] { return lmdb::cursor_get(cursor.handle(), k, v, MDB_NEXT); });
  }
}

size_t ReadTxn::count(Db db) const {
  return lmdb_call("stat", [&] {
    MDB_stat st;
    lmdb::dbi_stat(txn_.handle(), env_.dbi(db), &st);
    return st.ms_entries;
  });
}

WriteTxn::WriteTxn(const LmdbEnv& env) : ReadTxn(env, 0) {}

void WriteTxn::put(Db db, std::string_view key, std::string_view value) {
  lmdb_call("put", [&] {
    lmdb::val k = to_val(key), v = to_val(value);
    lmdb::dbi_put(txn_.handle(), env_.dbi(db), k, v, 0);
  });
}

bool WriteTxn::del(Db db, std::string_view key) {
  return lmdb_call("del", [&] {
    lmdb::val k = to_val(key);
    return lmdb::dbi_del(txn_.handle(), env_.dbi(db), k, nullptr);
  });
}

size_t WriteTxn::del_prefix(Db db, std::string_view prefix) {
  std::vector<std::string> keys;
  scan(db, prefix, [&](std::string_view k, std::string_view) {
    keys.emplace_back(k);
    return true;
  });
  for (const auto& k : keys) del(db, k);
  return keys.size();
}

void WriteTxn::commit() {
  int rc = commit_once(std::move(txn_));
  if (rc == MDB_SUCCESS) return;
  // LMDB turns a short write into EIO: on a full disk that is ENOSPC, under a used-up quota EDQUOT.
  if (rc == EIO) rc = space_errno_behind_eio(env_.dir());
  with_space_explained(env_.dir(), "", [&] {
    lmdb_call("commit", [&] { lmdb::error::raise("mdb_txn_commit", rc); });
  });
}

}  // namespace dabba
