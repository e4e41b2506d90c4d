#include "registry/http_transfer.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>

#include "common/error.h"
#include "common/log.h"
#include "common/version.h"
#include "registry/http_url.h"

namespace dabba::detail {
namespace {

constexpr size_t kErrorBodyLimit = 64 << 10;
constexpr long kStreamBufferSize = 256 << 10;
constexpr long kMaxRetryAfterMs = 60000;

bool is_redirect(long status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

bool is_retryable_status(long status) {
  return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 ||
         status == 504;
}

// Failures that a new attempt may not meet: the network, not the request, went wrong.
bool is_retryable_code(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    // Not CURLE_SSL_CONNECT_ERROR: a failed handshake is mostly for good (a plain-HTTP server, a
    // bad certificate), and HTTPS-then-HTTP probing must not wait for retries.
    default:
      return false;
  }
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// What a failed transfer says about TLS. A server that wants a client certificate refuses with a
// TLS alert, which curl may only see on the first read after the handshake (TLS 1.3).
TlsProblem classify_tls(CURLcode code, std::string_view detail) {
  const std::string d = lower(detail);
  if (d.find("certificate required") != std::string::npos ||
      d.find("alert bad certificate") != std::string::npos ||
      d.find("alert unknown ca") != std::string::npos || code == CURLE_SSL_CLIENTCERT)
    return TlsProblem::kClientCertificate;
  if (code == CURLE_PEER_FAILED_VERIFICATION) {
    if (d.find("subject name") != std::string::npos || d.find("host name") != std::string::npos)
      return TlsProblem::kHostMismatch;
    return TlsProblem::kUntrusted;
  }
  if (code == CURLE_SSL_CONNECT_ERROR || code == CURLE_SSL_CERTPROBLEM ||
      code == CURLE_SSL_CACERT_BADFILE)
    return TlsProblem::kOther;
  return TlsProblem::kNone;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

// "bytes 100-199/200" -> 100; -1 when malformed.
long long content_range_start(const HttpHeaders& headers) {
  auto value = headers.get("content-range");
  if (!value) return -1;
  std::string_view v = trim(*value);
  if (v.substr(0, 6) != "bytes ") return -1;
  v.remove_prefix(6);
  long long start = -1;
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), start);
  if (ec != std::errc() || ptr == v.data() + v.size() || *ptr != '-') return -1;
  return start;
}

}  // namespace

CurlTransfer::CurlTransfer(HttpTransfer& job, size_t id, const HttpOptions& options)
    : job_(job),
      id_(id),
      options_(options),
      easy_(curl_easy_init()),
      jitter_(
          static_cast<unsigned>(std::chrono::steady_clock::now().time_since_epoch().count() + id)) {
  if (easy_ == nullptr) throw Error(Errc::kFailed, "curl_easy_init failed");
  origin_ = url_origin(job_.request.url);
  current_url_ = job_.request.url;
  authorization_ = job_.request.authorization;
  position_ = job_.request.range_start;
}

CurlTransfer::~CurlTransfer() {
  curl_easy_cleanup(easy_);
  curl_slist_free_all(headers_);
}

bool CurlTransfer::same_origin_as_request() const { return url_origin(current_url_) == origin_; }

std::string CurlTransfer::describe() const {
  return describe_request(job_.request.method, current_url_);
}

void CurlTransfer::prepare() {
  curl_easy_reset(easy_);
  curl_slist_free_all(headers_);
  headers_ = nullptr;
  error_buffer_[0] = '\0';
  first_write_ = true;
  to_sink_ = false;
  skip_ = 0;
  paused_ = false;
  head_ = HttpResponse{};
  body_.clear();
  body_too_large_ = false;

  const bool same_origin = same_origin_as_request();
  for (const std::string& h : job_.request.headers)
    headers_ = curl_slist_append(headers_, h.c_str());
  // No "Expect: 100-continue" round trip before a body: registries answer at the end anyway.
  if (has_body()) headers_ = curl_slist_append(headers_, "Expect:");
  if (same_origin && !authorization_.empty()) {
    std::string h = "Authorization: " + authorization_;
    headers_ = curl_slist_append(headers_, h.c_str());
  }
  range_sent_ = job_.request.method == "GET" ? position_ : 0;
  body_sent_ = 0;
  if (range_sent_ > 0) {
    std::string h = "Range: bytes=" + std::to_string(range_sent_) + "-";
    headers_ = curl_slist_append(headers_, h.c_str());
  }
  std::string agent =
      options_.user_agent.empty() ? std::string("dabba/") + kVersion : options_.user_agent;

  curl_easy_setopt(easy_, CURLOPT_URL, current_url_.c_str());
  curl_easy_setopt(easy_, CURLOPT_PRIVATE, this);
  curl_easy_setopt(easy_, CURLOPT_HTTPHEADER, headers_);
  curl_easy_setopt(easy_, CURLOPT_USERAGENT, agent.c_str());
  const std::string& method = job_.request.method;
  if (method == "HEAD") {
    curl_easy_setopt(easy_, CURLOPT_NOBODY, 1L);
  } else if (has_body()) {
    // PUT is curl's upload method; POST and PATCH are the same with another name.
    curl_easy_setopt(easy_, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(easy_, CURLOPT_READFUNCTION, &CurlTransfer::on_read);
    curl_easy_setopt(easy_, CURLOPT_READDATA, this);
    // The body is read at an offset, so curl may rewind it (a request resent on a new connection).
    curl_easy_setopt(easy_, CURLOPT_SEEKFUNCTION, &CurlTransfer::on_seek);
    curl_easy_setopt(easy_, CURLOPT_SEEKDATA, this);
    const uint64_t size =
        job_.request.body_reader ? job_.request.body_size : job_.request.body.size();
    curl_easy_setopt(easy_, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(size));
  }
  if (method != "GET" && method != "HEAD" && method != "PUT") {
    custom_method_ = method;
    curl_easy_setopt(easy_, CURLOPT_CUSTOMREQUEST, custom_method_.c_str());
  }
  // Redirects are followed here, one by one, so that we decide where credentials go. (curl's
  // CURLOPT_FOLLOWLOCATION would also hold a custom Authorization header back from another host
  // unless CURLOPT_UNRESTRICTED_AUTH is set, and since 7.83 from another port or scheme too
  // (CVE-2022-27776); doing it ourselves keeps that rule visible, tested, and independent of
  // the libcurl version, and lets a retry after a redirect resume with Range.)
  curl_easy_setopt(easy_, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(easy_, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy_, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(easy_, CURLOPT_CONNECTTIMEOUT_MS, options_.connect_timeout_ms);
  curl_easy_setopt(easy_, CURLOPT_LOW_SPEED_LIMIT, options_.low_speed_limit);
  curl_easy_setopt(easy_, CURLOPT_LOW_SPEED_TIME, options_.low_speed_time_s);
  // Blobs are content-addressed: we hash the bytes exactly as stored, never decoded ones.
  curl_easy_setopt(easy_, CURLOPT_HTTP_CONTENT_DECODING, 0L);
  const long verify = (job_.request.tls_verify || !same_origin) ? 1L : 0L;
  curl_easy_setopt(easy_, CURLOPT_SSL_VERIFYPEER, verify);
  curl_easy_setopt(easy_, CURLOPT_SSL_VERIFYHOST, verify ? 2L : 0L);
  if (!options_.ca_file.empty()) curl_easy_setopt(easy_, CURLOPT_CAINFO, options_.ca_file.c_str());
  if (const TlsConfig* tls = job_.request.tls.get(); tls != nullptr && same_origin) {
    if (!tls->ca_pem.empty()) {
      curl_blob blob{const_cast<char*>(tls->ca_pem.data()), tls->ca_pem.size(),
                     CURL_BLOB_NOCOPY};  // the request (holding tls) outlives the handle's use
      curl_easy_setopt(easy_, CURLOPT_CAINFO_BLOB, &blob);
    }
    if (!tls->client_cert.empty()) {
      curl_easy_setopt(easy_, CURLOPT_SSLCERT, tls->client_cert.c_str());
      curl_easy_setopt(easy_, CURLOPT_SSLKEY, tls->client_key.c_str());
    }
  }
  if (job_.request.want_certificates) curl_easy_setopt(easy_, CURLOPT_CERTINFO, 1L);
  curl_easy_setopt(easy_, CURLOPT_ERRORBUFFER, error_buffer_);
  curl_easy_setopt(easy_, CURLOPT_HEADERFUNCTION, &CurlTransfer::on_header);
  curl_easy_setopt(easy_, CURLOPT_HEADERDATA, this);
  curl_easy_setopt(easy_, CURLOPT_WRITEFUNCTION, &CurlTransfer::on_write);
  curl_easy_setopt(easy_, CURLOPT_WRITEDATA, this);
  curl_easy_setopt(easy_, CURLOPT_XFERINFOFUNCTION, &CurlTransfer::on_progress);
  curl_easy_setopt(easy_, CURLOPT_XFERINFODATA, this);
  curl_easy_setopt(easy_, CURLOPT_NOPROGRESS, 0L);
  if (streaming()) curl_easy_setopt(easy_, CURLOPT_BUFFERSIZE, kStreamBufferSize);
}

void CurlTransfer::unpause() {
  paused_ = false;
  curl_easy_pause(easy_, CURLPAUSE_CONT);
}

size_t CurlTransfer::on_header(char* data, size_t size, size_t count, void* self) {
  auto* t = static_cast<CurlTransfer*>(self);
  std::string_view line(data, size * count);
  if (line.substr(0, 5) == "HTTP/") {
    t->head_.headers.clear();  // a new response (after a 100 Continue, say)
  } else if (size_t colon = line.find(':'); colon != std::string_view::npos) {
    t->head_.headers.add(trim(line.substr(0, colon)), trim(line.substr(colon + 1)));
  }
  return size * count;
}

int CurlTransfer::on_progress(void* self, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<CurlTransfer*>(self)->cancelled() ? 1 : 0;
}

bool CurlTransfer::has_body() const {
  const std::string& m = job_.request.method;
  return m == "POST" || m == "PUT" || m == "PATCH";
}

size_t CurlTransfer::on_read(char* data, size_t size, size_t count, void* self) {
  return static_cast<CurlTransfer*>(self)->read_body(data, size * count);
}

int CurlTransfer::on_seek(void* self, curl_off_t offset, int origin) {
  auto* t = static_cast<CurlTransfer*>(self);
  const HttpRequest& r = t->job_.request;
  const uint64_t size = r.body_reader ? r.body_size : r.body.size();
  if (origin != SEEK_SET || offset < 0 || static_cast<uint64_t>(offset) > size)
    return CURL_SEEKFUNC_CANTSEEK;
  t->body_sent_ = static_cast<uint64_t>(offset);
  return CURL_SEEKFUNC_OK;
}

size_t CurlTransfer::read_body(char* buf, size_t size) {
  try {
    const HttpRequest& r = job_.request;
    size_t n;
    if (r.body_reader) {
      uint64_t left = r.body_size - body_sent_;
      size_t want = static_cast<size_t>(std::min<uint64_t>(left, size));
      n = want == 0 ? 0 : r.body_reader(body_sent_, buf, want);
      if (n == 0 && want > 0)
        throw Error(Errc::kFailed, describe() + ": the request body ended after " +
                                       std::to_string(body_sent_) + " of " +
                                       std::to_string(r.body_size) + " bytes");
    } else {
      n = std::min<size_t>(size, r.body.size() - body_sent_);
      std::memcpy(buf, r.body.data() + body_sent_, n);
    }
    body_sent_ += n;
    if (r.on_sent) r.on_sent(body_sent_);
    return n;
  } catch (...) {
    error_ = std::current_exception();
    return CURL_READFUNC_ABORT;
  }
}

void CurlTransfer::collect_certificates() {
  curl_certinfo* info = nullptr;
  if (curl_easy_getinfo(easy_, CURLINFO_CERTINFO, &info) != CURLE_OK || info == nullptr) return;
  for (int i = 0; i < info->num_of_certs; ++i) {
    std::string text;
    for (curl_slist* s = info->certinfo[i]; s != nullptr; s = s->next) {
      std::string_view line = s->data;
      for (std::string_view key : {"Subject:", "Issuer:", "X509v3 Subject Alternative Name:"})
        if (line.substr(0, key.size()) == key) text += (text.empty() ? "" : "; ") + std::string(line);
    }
    head_.certificates.push_back(text);
  }
}

size_t CurlTransfer::on_write(char* data, size_t size, size_t count, void* self) {
  return static_cast<CurlTransfer*>(self)->write(data, size * count);
}

// The first body bytes of an attempt: decides where they go. Returns false to abort.
bool CurlTransfer::begin_body() {
  long status = 0;
  curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &status);
  head_.status = status;
  head_.url = current_url_;
  to_sink_ = streaming() && head_.ok();
  if (!to_sink_) {
    body_limit_ = head_.ok() ? job_.request.max_body : kErrorBodyLimit;
    return true;
  }
  uint64_t offset = 0;
  if (status == 206) {
    long long start = content_range_start(head_.headers);
    if (start < 0 || static_cast<uint64_t>(start) != range_sent_) {
      error_ = std::make_exception_ptr(
          Error(Errc::kNetwork, describe() + ": server answered a request for bytes from " +
                                    std::to_string(range_sent_) + " with Content-Range '" +
                                    head_.headers.get("content-range").value_or("") + "'"));
      return false;
    }
    offset = range_sent_;
  }
  if (!started_) {
    started_ = true;
    position_ = offset;
    if (job_.on_start) job_.on_start(head_, offset);
  } else {
    // A retry: the sink already has position_ bytes; drop what the server sends again.
    skip_ = position_ - offset;
  }
  return true;
}

size_t CurlTransfer::write(const char* data, size_t size) {
  try {
    if (first_write_) {
      first_write_ = false;
      if (!begin_body()) return 0;
    }
    if (!to_sink_) {
      if (body_.size() + size > body_limit_) {
        if (head_.ok()) {
          body_too_large_ = true;
          return 0;
        }
        body_.append(data, body_limit_ - body_.size());  // an error page: its start is enough
        return size;
      }
      body_.append(data, size);
      return size;
    }
    size_t skip = static_cast<size_t>(std::min<uint64_t>(skip_, size));
    if (skip < size && !job_.on_data(data + skip, size - skip)) {
      paused_ = true;
      return CURL_WRITEFUNC_PAUSE;  // curl offers the same bytes again after unpause()
    }
    skip_ -= skip;
    position_ += size - skip;
    sink_bytes_ += size;  // skipped ones too: a resume answered from 0 progresses through them
    return size;
  } catch (...) {
    error_ = std::current_exception();
    return 0;
  }
}

bool CurlTransfer::schedule_retry(const std::string& why) {
  if (!job_.request.retry || attempts_ >= options_.max_attempts) return false;
  long delay = options_.backoff_initial_ms;
  for (int i = 1; i < attempts_ && delay < options_.backoff_max_ms; ++i) delay *= 2;
  delay = std::min(delay, options_.backoff_max_ms);
  delay = delay / 2 + static_cast<long>(jitter_() % static_cast<unsigned>(delay / 2 + 1));
  if (auto after = head_.headers.get("retry-after");
      after && (head_.status == 429 || head_.status == 503)) {
    long seconds = 0;
    auto [ptr, ec] = std::from_chars(after->data(), after->data() + after->size(), seconds);
    if (ec == std::errc() && seconds >= 0) delay = std::min(seconds * 1000, kMaxRetryAfterMs);
  }
  ++attempts_;
  retry_delay_ = std::chrono::milliseconds(delay);
  log_debug(describe() + ": " + why + "; attempt " + std::to_string(attempts_) + " of " +
            std::to_string(options_.max_attempts) + " in " + std::to_string(delay) + " ms");
  return true;
}

CurlTransfer::Next CurlTransfer::finished(CURLcode code) {
  if (job_.request.want_certificates) collect_certificates();
  if (error_) return Next::kDone;
  if (cancelled() || code == CURLE_ABORTED_BY_CALLBACK) {
    error_ = std::make_exception_ptr(Error(Errc::kInterrupted, describe() + ": interrupted"));
    return Next::kDone;
  }
  if (code == CURLE_OK) {
    long status = 0;
    curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &status);
    head_.status = status;
    head_.url = current_url_;
    auto location = head_.headers.get("location");
    if (is_redirect(status) && location) {
      if (++redirects_ > options_.max_redirects) {
        error_ = std::make_exception_ptr(Error(
            Errc::kNetwork,
            describe() + ": more than " + std::to_string(options_.max_redirects) + " redirects"));
        return Next::kDone;
      }
      current_url_ = resolve_url(current_url_, *location);
      return Next::kAgainNow;
    }
    if (status == 401 && job_.request.reauthorize && !reauthorized_ && same_origin_as_request()) {
      reauthorized_ = true;
      head_.body = body_;
      std::string fresh = job_.request.reauthorize(head_);
      if (!fresh.empty()) {
        authorization_ = std::move(fresh);
        current_url_ = job_.request.url;
        return Next::kAgainNow;
      }
    }
    if (is_retryable_status(status) && schedule_retry("HTTP " + std::to_string(status)))
      return Next::kAgainLater;
    if (body_too_large_) {
      error_ = std::make_exception_ptr(
          Error(Errc::kCorrupt, describe() + ": response larger than " +
                                    std::to_string(job_.request.max_body) + " bytes"));
      return Next::kDone;
    }
    if (to_sink_ == false && streaming() && head_.ok() && !started_) {
      // An empty 2xx body: the sink still hears of it.
      first_write_ = false;
      if (!begin_body()) return Next::kDone;
    }
    head_.body = std::move(body_);
    return Next::kDone;
  }
  std::string why = curl_easy_strerror(code);
  if (error_buffer_[0] != '\0') why += std::string(" (") + error_buffer_ + ")";
  if (body_too_large_) {
    error_ = std::make_exception_ptr(Error(
        Errc::kCorrupt,
        describe() + ": response larger than " + std::to_string(job_.request.max_body) + " bytes"));
    return Next::kDone;
  }
  const TlsProblem tls = classify_tls(code, error_buffer_);
  // A streamed body that stops: a timeout once the body has begun (one before, and any of a
  // request that is not a streamed GET, is retried as before).
  bool stalled_again = false;
  if (code == CURLE_OPERATION_TIMEDOUT && streaming() && started_) {
    stalled_again = stalled_at_ == sink_bytes_;
    stalled_at_ = sink_bytes_;
    if (stalled_again) why += "; stalled again at byte " + std::to_string(position_);
  }
  if (tls == TlsProblem::kNone && is_retryable_code(code) && !stalled_again && schedule_retry(why))
    return Next::kAgainLater;
  std::string hint;
  if (speaks_tls(tls))
    hint = "a registry with a private CA needs that CA in /etc/containers/certs.d/HOST:PORT/ "
           "(see containers-certs.d(5)); --tls-verify=false skips the check";
  error_ = std::make_exception_ptr(HttpTransportError(describe() + ": " + why, tls, hint));
  return Next::kDone;
}

void CurlTransfer::complete() {
  if (job_.on_done) job_.on_done(head_, error_);
}

}  // namespace dabba::detail
