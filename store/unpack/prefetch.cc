#include "store/unpack/prefetch.h"

namespace dabba {

Prefetcher::Prefetcher(Fill fill, size_t chunk_size, int slots)
    : fill_(std::move(fill)), slots_(static_cast<size_t>(slots)) {
  for (auto& s : slots_) s.buf.resize(chunk_size);
  thread_ = std::thread([this] { produce(); });
}

Prefetcher::~Prefetcher() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Prefetcher::produce() {
  for (;;) {
    Slot* slot;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stop_ || filled_ < slots_.size(); });
      if (stop_) return;
      slot = &slots_[tail_];
    }
    size_t n = 0;
    std::exception_ptr error;
    try {
      n = fill_(slot->buf.data(), slot->buf.size());
    } catch (...) {
      error = std::current_exception();
    }
    {
      std::lock_guard lock(mu_);
      if (error || n == 0) {
        error_ = error;
        done_ = true;
      } else {
        slot->len = n;
        tail_ = (tail_ + 1) % slots_.size();
        ++filled_;
      }
    }
    cv_.notify_all();
    if (error || n == 0) return;
  }
}

size_t Prefetcher::next(const uint8_t** data) {
  std::unique_lock lock(mu_);
  if (holding_) {  // the consumer is done with the chunk it had
    holding_ = false;
    head_ = (head_ + 1) % slots_.size();
    --filled_;
    cv_.notify_all();
  }
  cv_.wait(lock, [&] { return filled_ > 0 || done_; });
  if (filled_ == 0) {
    if (error_) std::rethrow_exception(error_);
    return 0;
  }
  holding_ = true;
  *data = slots_[head_].buf.data();
  return slots_[head_].len;
}

void Prefetcher::drain() {
  const uint8_t* data;
  while (next(&data) > 0) {
  }
}

}  // namespace dabba
