// Tunables of a store handle.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string_view>

#include "store/unpack/decompress.h"

namespace dabba {

struct StoreOptions {
  // Flush data before publishing it (syncfs of the store's filesystem, fsync of directories).
  // Off, LMDB commits are not flushed either (MDB_NOSYNC). Only benchmarks and throw-away stores
  // turn this off; a SIGKILL is safe either way, a power cut only with it.
  bool sync = true;
  // With sync: flush each LMDB commit's meta page too (two flushes per commit). false opens the
  // environment MDB_NOMETASYNC: one flush per commit (its data pages) and the meta page written but
  // not flushed, so a power cut may undo the last commits, yet never breaks the database. For
  // records that do not outlive a reboot anyway (`run --rm`). The first opener in a process decides.
  bool sync_meta = true;
  // Where volumes live ("": <root>/volumes); podman's --volumepath. $DABBA_VOLUME_PATH gives it to
  // every process of a command (the supervisor, its cleanup) when the caller left it empty.
  std::string volume_path;
  GzipEngine gzip = GzipEngine::kAuto;
  // Decompress and hash in a second thread while this one writes files (two cores or more).
  bool pipeline_thread = true;
  size_t compressed_buffer = 128 * 1024;
  size_t tar_buffer = 256 * 1024;
  // Partial ingests not resumed for this long are removed by gc.
  std::chrono::seconds partial_max_age = std::chrono::hours(24);
  // Fault-injection seam for crash tests: called at each step of the durability order
  // ("unpacked", "synced", "blob-renamed", "layer-renamed", "committed", "gc-committed",
  // "gc-files-deleted"); a test's hook may SIGKILL the process there.
  std::function<void(std::string_view point)> crash_point;
};

}  // namespace dabba
