// A mebibyte the store keeps for itself (db/space-reserve), so that the verbs that free space
// (rm, volume rm, rmi, gc) can still commit their records on a full disk: LMDB's copy-on-write
// commit needs a few free pages, which a full disk does not have. Such a verb that meets ENOSPC
// drops the reserve and tries once more; the next store open with space to spare makes it again.
#pragma once

#include <utility>

#include "common/error.h"
#include "common/no_space.h"
#include "store/layout.h"

namespace dabba {

// At Store::open: makes the reserve when it is missing and 64 MiB are free (errors ignored: a
// read-only or foreign store opens as before).
void keep_space_reserve(const StoreLayout& layout);

// Before LMDB opens: on a filesystem that allocates anew at every write (btrfs), even LMDB's
// writes to its lock file, a memory map, need free space; with none (a full disk, a quota used
// up to the last byte: a container filled it) they are a SIGBUS, and no verb could free space.
// When a small write there fails for want of space, the reserve goes first (true: then this open
// must not make it again). Elsewhere, nothing.
bool release_space_reserve_if_full(const StoreLayout& layout);

// Drops the reserve and waits for the filesystem to count the space free (ext4 reuses freed
// blocks once its journal commits). False when there was none.
bool release_space_reserve(const StoreLayout& layout);

// Runs f; when it fails for want of space, runs before_retry (free what the verb frees anyway),
// drops the reserve and runs f again, once.
template <class F, class G>
decltype(auto) with_space_reserve(const StoreLayout& layout, F&& f, G&& before_retry) {
  try {
    return f();
  } catch (const Error& e) {
    if (!is_no_space(e)) throw;
    before_retry();
    release_space_reserve(layout);
    return f();
  }
}

template <class F>
decltype(auto) with_space_reserve(const StoreLayout& layout, F&& f) {
  return with_space_reserve(layout, std::forward<F>(f), [] {});
}

}  // namespace dabba
