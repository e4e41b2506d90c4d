// The HTTP engine on libcurl's multi interface: one request at a time (send) or many streamed
// transfers at once (run), with manual redirects that never carry the Authorization header to
// another origin, bounded retries with backoff that resume a broken body with Range, pause and
// resume for sinks that apply backpressure, and cancellation by an atomic flag (Ctrl-C).
//
// Not thread-safe: one thread runs send()/run(); only resume() and wakeup() may be called from
// other threads. Connections are kept alive and reused between calls.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "registry/http.h"

typedef void CURLM;

namespace dabba {

class HttpClient {
 public:
  explicit HttpClient(HttpOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  const HttpOptions& options() const { return options_; }

  // Sends one request (redirects followed, retries done) and buffers the body. Throws Error on a
  // transport failure; any HTTP status comes back in the response.
  HttpResponse send(HttpRequest request);
  // The same with the 2xx body streamed to on_data (see HttpTransfer; on_data must not pause).
  HttpResponse send(HttpRequest request,
                    std::function<void(const HttpResponse&, uint64_t offset)> on_start,
                    std::function<void(const char*, size_t)> on_data);

  // Runs the transfers, at most max_parallel at once, until each one's on_done has been called.
  // Transfer ids are indices into transfers. If an on_done throws, the remaining transfers are
  // ended (their on_done gets Error{kInterrupted}) and the exception is rethrown.
  void run(std::vector<HttpTransfer>& transfers, size_t max_parallel = 4);

  // Thread-safe: resumes transfer id after its on_data returned false.
  void resume(size_t id);
  // Thread-safe: wakes run() up, e.g. after the cancel flag was set from a signal handler's
  // helper thread (run() also looks at the flag at least every 100 ms).
  void wakeup();

 private:
  bool cancelled() const { return options_.cancel != nullptr && options_.cancel->load(); }

  HttpOptions options_;
  CURLM* multi_ = nullptr;
  bool running_ = false;
  std::mutex resume_mutex_;
  std::unique_ptr<std::atomic<bool>[]> resume_flags_;
  size_t resume_count_ = 0;
};

}  // namespace dabba
