// Internal: what every part of the store shares (one per Store::open, shared by its handles).
#pragma once

#include <memory>

#include "common/fault_point.h"
#include "common/idmap.h"
#include "common/file_lock.h"
#include "store/layout.h"
#include "store/lmdb_env.h"
#include "store/store_options.h"

namespace dabba {

struct StoreState {
  StoreLayout layout;
  StoreOptions options;
  std::shared_ptr<LmdbEnv> db;
  IdMap ids;  // of the user namespace the store was opened in: unpacked owners must fit

  // The store-wide lock: publishing (renaming into blobs/, layers/, creating container dirs and
  // committing their records) holds it shared; gc and check --repair hold it exclusive.
  FileLock publish_lock() const {
    return FileLock::acquire(layout.store_lock_path(), FileLock::Mode::kShared);
  }
  // A test's hook (StoreOptions::crash_point) and the process-wide one (common/fault_point.h).
  void crash_point(std::string_view point) const {
    if (options.crash_point) options.crash_point(point);
    fault_point(point);
  }
  FileLock exclusive_lock() const {
    return FileLock::acquire(layout.store_lock_path(), FileLock::Mode::kExclusive);
  }
};

}  // namespace dabba
