// Internal to the HTTP engine: one HttpTransfer's life on a curl easy handle, attempt by
// attempt. It sets the handle up (prepare), receives headers and body (curl callbacks), and
// after each attempt decides: done, again now (redirect, new credentials) or again later
// (retry with backoff). HttpClient's loop drives it.
#pragma once

#include <curl/curl.h>

#include <chrono>
#include <cstdint>
#include <exception>
#include <optional>
#include <random>
#include <string>

#include "registry/http.h"

namespace dabba::detail {

class CurlTransfer {
 public:
  enum class Next { kDone, kAgainNow, kAgainLater };

  CurlTransfer(HttpTransfer& job, size_t id, const HttpOptions& options);
  ~CurlTransfer();
  CurlTransfer(const CurlTransfer&) = delete;
  CurlTransfer& operator=(const CurlTransfer&) = delete;

  size_t id() const { return id_; }
  CURL* easy() const { return easy_; }
  bool paused() const { return paused_; }
  // Sets the easy handle up for the next attempt.
  void prepare();
  // Un-pauses a transfer paused by its sink; curl may call the write callback right away.
  void unpause();
  // Called when curl finished an attempt with code. For kAgainLater, retry_delay() says when.
  Next finished(CURLcode code);
  std::chrono::milliseconds retry_delay() const { return retry_delay_; }
  // Ends the transfer with error without another attempt.
  void fail(std::exception_ptr error) { error_ = std::move(error); }
  // Calls the job's on_done with the final response or error.
  void complete();

 private:
  static size_t on_header(char* data, size_t size, size_t count, void* self);
  static size_t on_write(char* data, size_t size, size_t count, void* self);
  static int on_progress(void* self, curl_off_t, curl_off_t, curl_off_t, curl_off_t);
  static size_t on_read(char* data, size_t size, size_t count, void* self);
  static int on_seek(void* self, curl_off_t offset, int origin);
  size_t write(const char* data, size_t size);
  size_t read_body(char* buf, size_t size);
  bool has_body() const;
  void collect_certificates();
  bool begin_body();
  bool streaming() const { return static_cast<bool>(job_.on_data) && job_.request.method == "GET"; }
  bool same_origin_as_request() const;
  bool cancelled() const { return options_.cancel != nullptr && options_.cancel->load(); }
  std::string describe() const;
  bool schedule_retry(const std::string& why);

  HttpTransfer& job_;
  size_t id_;
  const HttpOptions& options_;
  CURL* easy_ = nullptr;
  curl_slist* headers_ = nullptr;
  char error_buffer_[CURL_ERROR_SIZE] = {};

  std::string origin_;       // the request URL's origin: where the Authorization may go
  std::string current_url_;  // after redirects
  std::string authorization_;
  std::string custom_method_;  // CURLOPT_CUSTOMREQUEST keeps a pointer: it must outlive the handle
  int attempts_ = 1;
  // sink_bytes_ when a streamed body last timed out: a second such timeout with nothing in between
  // ends the retries (a registry that stalls for good costs two low-speed timeouts, not
  // max_attempts).
  std::optional<uint64_t> stalled_at_;
  int redirects_ = 0;
  bool reauthorized_ = false;

  // The stream as the sink sees it: on_start called, and the offset of the next byte it wants.
  bool started_ = false;
  uint64_t position_ = 0;
  uint64_t sink_bytes_ = 0;  // body bytes of every attempt that reached write() for the sink

  // This attempt.
  uint64_t range_sent_ = 0;
  uint64_t body_sent_ = 0;
  bool first_write_ = true;
  bool to_sink_ = false;  // body goes to on_data (a 2xx of a streaming GET), else to body_
  uint64_t skip_ = 0;     // bytes the server resent that the sink already has
  bool paused_ = false;
  HttpResponse head_;
  std::string body_;
  size_t body_limit_ = 0;
  bool body_too_large_ = false;

  std::exception_ptr error_;
  std::chrono::milliseconds retry_delay_{0};
  std::minstd_rand jitter_;
};

}  // namespace dabba::detail
