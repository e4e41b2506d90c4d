#include "registry/http_byte_queue.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace dabba {

ByteQueue::ByteQueue(size_t capacity, std::function<void()> resume)
    : capacity_(std::max<size_t>(capacity, 1)), resume_(std::move(resume)) {}

bool ByteQueue::push(const char* data, size_t size) {
  std::lock_guard lock(mu_);
  if (abort_) std::rethrow_exception(abort_);
  if (size == 0) return true;
  if (bytes_ > 0 && bytes_ + size > capacity_) {
    producer_paused_ = true;
    return false;
  }
  chunks_.emplace_back(data, size);
  bytes_ += size;
  readable_.notify_one();
  return true;
}

void ByteQueue::finish(std::exception_ptr error) {
  std::lock_guard lock(mu_);
  finished_ = true;
  error_ = std::move(error);
  readable_.notify_one();
}

size_t ByteQueue::read(void* buf, size_t size) {
  if (size == 0) return 0;
  bool resume = false;
  size_t copied = 0;
  {
    std::unique_lock lock(mu_);
    readable_.wait(lock, [&] { return bytes_ > 0 || finished_; });
    if (bytes_ == 0) {
      if (error_) std::rethrow_exception(error_);
      return 0;
    }
    char* out = static_cast<char*>(buf);
    while (copied < size && !chunks_.empty()) {
      const std::string& front = chunks_.front();
      size_t n = std::min(size - copied, front.size() - front_offset_);
      std::memcpy(out + copied, front.data() + front_offset_, n);
      copied += n;
      front_offset_ += n;
      if (front_offset_ == front.size()) {
        chunks_.pop_front();
        front_offset_ = 0;
      }
    }
    bytes_ -= copied;
    if (producer_paused_ && bytes_ <= capacity_ / 2) {
      producer_paused_ = false;
      resume = true;
    }
  }
  if (resume && resume_) resume_();
  return copied;
}

void ByteQueue::abort(std::exception_ptr why) {
  bool resume = false;
  {
    std::lock_guard lock(mu_);
    abort_ = std::move(why);
    chunks_.clear();
    bytes_ = 0;
    front_offset_ = 0;
    resume = std::exchange(producer_paused_, false);
  }
  if (resume && resume_) resume_();
}

}  // namespace dabba
