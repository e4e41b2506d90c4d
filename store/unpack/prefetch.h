// Runs a chunk producer (decompression and hashing of a layer) in a helper thread, a few chunks
// ahead of the consumer (the tar reader writing files), so the two stages use two cores the way
// `igzip -dc | tar -x` does, without a pipe to copy through. Bounded: `slots` chunks in flight.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace dabba {

class Prefetcher {
 public:
  // fill(buf, cap) writes up to cap bytes and returns how many; 0 at the end. It runs in the
  // helper thread; what it throws is rethrown by next().
  using Fill = std::function<size_t(uint8_t* buf, size_t cap)>;
  Prefetcher(Fill fill, size_t chunk_size, int slots = 4);
  // Stops the helper (after its current fill() returns) and joins it.
  ~Prefetcher();
  Prefetcher(const Prefetcher&) = delete;
  Prefetcher& operator=(const Prefetcher&) = delete;

  // The next chunk, valid until the next call; 0 at the end.
  size_t next(const uint8_t** data);
  // Consumes everything left.
  void drain();

 private:
  struct Slot {
    std::vector<uint8_t> buf;
    size_t len = 0;
  };
  void produce();

  Fill fill_;
  std::vector<Slot> slots_;
  std::mutex mu_;
  std::condition_variable cv_;
  size_t head_ = 0;    // next slot the consumer takes
  size_t tail_ = 0;    // next slot the producer fills
  size_t filled_ = 0;  // slots ready or held by the consumer
  bool holding_ = false;
  bool done_ = false;
  bool stop_ = false;
  std::exception_ptr error_;
  std::thread thread_;
};

}  // namespace dabba
