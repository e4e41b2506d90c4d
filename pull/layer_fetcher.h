// Brings a set of layers from a registry into the store: several downloads at once on the
// registry client's curl multi loop (in the calling thread), each streamed through a bounded
// ByteQueue into a LayerIngest running in a worker thread, so every layer goes network -> hash
// -> decompress -> diff_id -> unpack in one pass and is never read back from disk.
//
//   calling thread                         worker thread (one per download slot)
//   client.fetch_blobs(...)                for each layer not taken yet:
//     ready(k)?  <--------------------------  ingest = store.begin_layer(k)  (locks, reuse check)
//     on_start(k, from) -------------------->  restart() if the server ignored the Range
//     on_data(k) -> queue[k].push            ingest.run(queue[k])           (pauses when full)
//     on_done(k) -> queue[k].finish
//
// A worker takes the store's per-layer locks only for the layer it works on, just before its
// download starts (the transfer waits for it without holding a slot), so two pulls sharing
// layers never wait on each other in a cycle. A layer found complete meanwhile, or whose blob is
// already whole on disk, is not fetched at all.
//
// The first failure stops the rest: downloads in flight end, their partial blobs stay in the
// store for the next pull to resume. Every thread is joined before fetch_layers returns.
#pragma once

#include <atomic>
#include <cstddef>
#include <string>
#include <vector>

#include "store/layer_ingest.h"
#include "store/lease.h"
#include "pull/pull_progress.h"
#include "registry/registry_client.h"
#include "store/store.h"

namespace dabba {

struct LayerFetchOptions {
  size_t max_parallel = 4;  // downloads (and ingest threads) at once
  // Per download: network bytes buffered ahead of the unpack. 0: 1 MiB, less when many
  // downloads run at once (8 MiB in all, at least 256 KiB each), to bound the peak memory.
  size_t queue_bytes = 0;
  PullProgress* progress = nullptr;  // layer indices are positions in `layers`
  // Set (by a signal handler) to stop: the client's HttpOptions::cancel must point at the same
  // flag, which ends the transfers; workers stop taking layers.
  const std::atomic<bool>* cancel = nullptr;
};

// Fetches and ingests layers (distinct blobs of repository), pinned by lease. Returns their
// results in order. Throws the first failure (Error{kInterrupted} when cancelled), after every
// worker has been joined.
std::vector<LayerResult> fetch_layers(Store& store, RegistryClient& client,
                                      const std::string& repository,
                                      const std::vector<LayerRequest>& layers, const Lease& lease,
                                      const LayerFetchOptions& options);

}  // namespace dabba
