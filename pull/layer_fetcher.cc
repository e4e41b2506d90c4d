#include "pull/layer_fetcher.h"

#include <algorithm>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "common/error.h"
#include "common/interrupted.h"
#include "common/log.h"
#include "registry/http_byte_queue.h"

namespace dabba {
namespace {

class EmptySource final : public ByteSource {
 public:
  size_t read(void*, size_t) override { return 0; }
};

// Thrown from a fetch's ready() when its worker found nothing to download: ends the fetch
// without a request. Never escapes fetch_layers.
struct NothingToFetch {};

bool is_nothing_to_fetch(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const NothingToFetch&) {
    return true;
  } catch (...) {
    return false;
  }
}

std::string describe(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& err) {
    return err.what();
  } catch (...) {
    return "unknown error";
  }
}

// One layer's meeting point between the transfer loop and its worker.
struct Slot {
  enum class State {
    kIdle,     // no worker has it yet
    kReady,    // its worker holds the ingest and waits for the bytes from `offset`
    kSkip,     // its worker needs no download
    kStarted,  // bytes flow into queue from `start`
    kFailed,   // the download failed before its first byte (error)
    kClosed,   // nothing will come: the pull is stopping
  };
  std::mutex mu;
  std::condition_variable cv;
  State state = State::kIdle;
  uint64_t offset = 0;
  uint64_t start = 0;
  std::exception_ptr error;
  std::unique_ptr<ByteQueue> queue;
  bool transfer_done = false;  // started, and every byte (or the error) is in queue
  uint64_t received = 0;       // transfer thread only
};

class Fetcher {
 public:
  Fetcher(Store& store, RegistryClient& client, const std::vector<LayerRequest>& layers,
          const Lease& lease, const LayerFetchOptions& options)
      : store_(store),
        client_(client),
        layers_(layers),
        lease_(lease),
        options_(options),
        slots_(layers.size()),
        results_(layers.size()) {
    size_t queue_bytes = options_.queue_bytes;
    if (queue_bytes == 0)
      queue_bytes = std::clamp<size_t>((8 << 20) / std::max<size_t>(options_.max_parallel, 1),
                                       256 << 10, 1 << 20);
    for (size_t k = 0; k < layers.size(); ++k)
      slots_[k].queue = std::make_unique<ByteQueue>(queue_bytes, [this, k] { client_.resume(k); });
  }

  std::vector<LayerResult> run(const std::string& repository) {
    std::vector<BlobFetch> fetches(layers_.size());
    for (size_t k = 0; k < layers_.size(); ++k) {
      BlobFetch& f = fetches[k];
      f.digest = layers_[k].blob;
      f.size = layers_[k].size;
      f.ready = [this, k] { return ready(k); };
      f.on_start = [this, k](uint64_t start) { on_start(k, start); };
      f.on_data = [this, k](const char* data, size_t size) { return on_data(k, data, size); };
      f.on_done = [this, k](std::exception_ptr error) { on_done(k, std::move(error)); };
    }
    size_t workers = std::min(std::max<size_t>(options_.max_parallel, 1), layers_.size());
    std::vector<std::thread> threads;
    std::exception_ptr loop_error;
    try {
      for (size_t i = 0; i < workers; ++i) threads.emplace_back([this] { work(); });
      client_.fetch_blobs(repository, fetches, std::max<size_t>(options_.max_parallel, 1));
    } catch (...) {
      loop_error = std::current_exception();
    }
    // Whatever the transfer loop did not start will never start: release the workers. (The
    // downloads that did start have all ended; their workers may still be unpacking the tail.)
    if (loop_error)
      stop(loop_error);
    else
      close_pending();
    for (auto& t : threads) t.join();

    if (first_error_) std::rethrow_exception(first_error_);
    for (size_t k = 0; k < layers_.size(); ++k)
      if (!results_[k])
        throw Error(Errc::kFailed, "layer " + layers_[k].blob.str() + " was not fetched");
    std::vector<LayerResult> out;
    for (auto& r : results_) out.push_back(std::move(*r));
    return out;
  }

 private:
  bool cancelled() const { return options_.cancel != nullptr && options_.cancel->load(); }

  // Remembers why the pull fails: the first real failure wins over the interruptions it causes.
  void fail(std::exception_ptr error) {
    if (!error) return;
    std::lock_guard lock(mu_);
    if (!first_error_ || (is_interrupted(first_error_) && !is_interrupted(error)))
      first_error_ = error;
  }

  // No new layers; downloads not started yet will not start.
  void close_pending() {
    stopping_.store(true);
    for (auto& s : slots_) {
      std::lock_guard lock(s.mu);
      if (s.state == Slot::State::kIdle || s.state == Slot::State::kReady) {
        s.state = Slot::State::kClosed;
        s.cv.notify_all();
      }
    }
  }

  // Stops everything after a failure: running downloads end too (their partials are kept).
  void stop(std::exception_ptr why) {
    fail(why);
    close_pending();
    auto interrupted =
        std::make_exception_ptr(Error(Errc::kInterrupted, "stopped: another layer failed"));
    for (auto& s : slots_) {
      bool started;
      {
        std::lock_guard lock(s.mu);
        started = s.state == Slot::State::kStarted && !s.transfer_done;
      }
      if (started) s.queue->abort(interrupted);
    }
    client_.wakeup();
  }

  // ---- the transfer loop's side (the calling thread)

  std::optional<uint64_t> ready(size_t k) {
    Slot& s = slots_[k];
    std::lock_guard lock(s.mu);
    if (stopping_.load() || cancelled()) {
      s.state = Slot::State::kClosed;
      s.cv.notify_all();
      throw Error(Errc::kInterrupted, "interrupted");
    }
    switch (s.state) {
      case Slot::State::kReady:
        return s.offset;
      case Slot::State::kSkip:
        throw NothingToFetch{};
      default:
        return std::nullopt;
    }
  }

  void on_start(size_t k, uint64_t start) {
    Slot& s = slots_[k];
    bool closed;
    {
      // One lock: a stop() after this sees kStarted and aborts the queue itself.
      std::lock_guard lock(s.mu);
      closed = s.state == Slot::State::kClosed;
      if (!closed) {
        s.start = start;
        s.state = Slot::State::kStarted;
        s.cv.notify_all();
      }
    }
    if (closed) {
      // The pull stopped between this request and its answer, and its worker is gone: nobody
      // would read the bytes, and a full queue would pause the transfer for ever. It fails now.
      s.queue->abort(std::make_exception_ptr(
          Error(Errc::kInterrupted, "stopped: another layer failed")));
      return;
    }
    if (options_.progress) options_.progress->layer_started(k, start);
  }

  bool on_data(size_t k, const char* data, size_t size) {
    Slot& s = slots_[k];
    if (!s.queue->push(data, size)) return false;
    s.received += size;
    if (options_.progress) options_.progress->layer_bytes(k, s.start + s.received);
    return true;
  }

  void on_done(size_t k, std::exception_ptr error) {
    if (error && is_nothing_to_fetch(error)) return;
    Slot& s = slots_[k];
    bool started;
    {
      std::lock_guard lock(s.mu);
      started = s.state == Slot::State::kStarted;
      s.transfer_done = started;
      if (!started) {
        // Failed before its first byte: the waiting worker (if any) reports it; with no worker
        // yet, nobody else will.
        if (s.state == Slot::State::kReady) {
          s.state = Slot::State::kFailed;
          s.error = error;
        } else {
          s.state = Slot::State::kClosed;
          if (error && !is_interrupted(error)) {
            fail(error);
            stopping_.store(true);
          }
        }
        s.cv.notify_all();
      }
    }
    if (started) {
      s.queue->finish(error);
      if (!error && options_.progress) options_.progress->layer_downloaded(k);
    }
  }

  // ---- the workers

  void work() {
    for (;;) {
      if (stopping_.load() || cancelled()) return;
      size_t k = next_.fetch_add(1);
      if (k >= layers_.size()) return;
      try {
        results_[k] = ingest(k);  // the store's errors name the layer
        if (results_[k] && options_.progress) {
          if (results_[k]->reused)
            options_.progress->layer_reused(k);
          else
            options_.progress->layer_done(k, *results_[k]);
        }
      } catch (...) {
        std::exception_ptr error = std::current_exception();
        slots_[k].queue->abort(error);
        if (options_.progress && !is_interrupted(error))
          options_.progress->layer_failed(k, describe(error));
        stop(error);
        return;
      }
    }
  }

  // The result, or nullopt when the pull stopped before this layer's bytes came.
  std::optional<LayerResult> ingest(size_t k) {
    Slot& s = slots_[k];
    const LayerRequest& req = layers_[k];
    LayerIngest ingest = store_.begin_layer(req, lease_);
    const uint64_t offset = ingest.resume_offset();
    const bool whole = req.size >= 0 && offset == static_cast<uint64_t>(req.size);
    {
      std::lock_guard lock(s.mu);
      if (s.state == Slot::State::kClosed) return std::nullopt;
      if (ingest.complete() || whole) {
        s.state = Slot::State::kSkip;
      } else {
        s.state = Slot::State::kReady;
        s.offset = offset;
      }
    }
    client_.wakeup();
    if (ingest.complete()) return ingest.result();
    if (whole) {
      // The blob is already here (stored, or a complete partial): unpack it from disk.
      EmptySource nothing;
      return ingest.run(nothing);
    }
    uint64_t start;
    {
      std::unique_lock lock(s.mu);
      s.cv.wait(lock, [&] {
        return s.state == Slot::State::kStarted || s.state == Slot::State::kFailed ||
               s.state == Slot::State::kClosed;
      });
      if (s.state == Slot::State::kFailed) std::rethrow_exception(s.error);
      if (s.state == Slot::State::kClosed) return std::nullopt;
      start = s.start;
    }
    if (start != offset) {
      log_debug("layer " + req.blob.str() + ": the registry sent the whole blob, not bytes " +
                std::to_string(offset) + "- ; starting over");
      ingest.restart();
    }
    return ingest.run(*s.queue);
  }

  Store& store_;
  RegistryClient& client_;
  const std::vector<LayerRequest>& layers_;
  const Lease& lease_;
  const LayerFetchOptions& options_;
  std::vector<Slot> slots_;
  std::vector<std::optional<LayerResult>> results_;
  std::atomic<size_t> next_{0};
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::exception_ptr first_error_;
};

}  // namespace

std::vector<LayerResult> fetch_layers(Store& store, RegistryClient& client,
                                      const std::string& repository,
                                      const std::vector<LayerRequest>& layers, const Lease& lease,
                                      const LayerFetchOptions& options) {
  if (layers.empty()) return {};
  Fetcher fetcher(store, client, layers, lease, options);
  return fetcher.run(repository);
}

}  // namespace dabba
