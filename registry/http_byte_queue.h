// A bounded byte queue from a streamed transfer (the producer, in the thread running
// HttpClient::run or RegistryClient::fetch_blobs) to a reader thread that sees a ByteSource
// (the store's ingest). When the queue is full the producer's sink returns false, which pauses
// the transfer (never blocking the other transfers of the loop); the reader resumes it once it
// has drained half the queue. Memory per blob stays within capacity plus one chunk.
//
//   ByteQueue q(1 << 20, [&client, id] { client.resume(id); });
//   fetch.on_data = [&q](const char* d, size_t n) { return q.push(d, n); };
//   fetch.on_done = [&q](std::exception_ptr e) { q.finish(e); };
//   reader thread: store.ingest(q)   // q.read() blocks, returns 0 at the end, throws on error
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <string>

#include "common/byte_source.h"

namespace dabba {

class ByteQueue : public ByteSource {
 public:
  // resume is called (from the reader's thread, without the queue's lock) to restart a
  // producer that push() paused.
  ByteQueue(size_t capacity, std::function<void()> resume);

  // Producer side. Takes all of data and returns true, or takes none and returns false (full:
  // the transfer pauses until resume). An empty queue always takes a chunk, whatever its size.
  // Throws the reader's abort() reason once the reader gave up.
  bool push(const char* data, size_t size);
  // The end of the stream: error null for a complete one, else what the reader will throw.
  void finish(std::exception_ptr error);

  // Reader side: blocks for bytes; 0 only at the end of a complete stream; throws the
  // producer's error.
  size_t read(void* buf, size_t size) override;
  // The reader gives up (its ingest failed): the producer's next push throws why, and a paused
  // producer is resumed so that it notices.
  void abort(std::exception_ptr why);

 private:
  const size_t capacity_;
  std::function<void()> resume_;
  std::mutex mu_;
  std::condition_variable readable_;
  std::deque<std::string> chunks_;
  size_t front_offset_ = 0;  // bytes of chunks_.front() already read
  size_t bytes_ = 0;         // unread bytes queued
  bool producer_paused_ = false;
  bool finished_ = false;
  std::exception_ptr error_;  // the producer's failure
  std::exception_ptr abort_;  // the reader's
};

}  // namespace dabba
