// Plain data of the HTTP layer: requests, responses, options and a streamed transfer. The engine
// that runs them is HttpClient (http_client.h).
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"

namespace dabba {

// Response headers, names lowercased, repeated headers kept in arrival order.
class HttpHeaders {
 public:
  void add(std::string_view name, std::string_view value);
  void clear() { entries_.clear(); }
  // The first value of name (case-insensitive), if any.
  std::optional<std::string> get(std::string_view name) const;
  std::vector<std::string> get_all(std::string_view name) const;
  const std::vector<std::pair<std::string, std::string>>& entries() const { return entries_; }

 private:
  std::vector<std::pair<std::string, std::string>> entries_;
};

struct HttpResponse {
  long status = 0;
  std::string url;  // the URL that answered, after redirects
  HttpHeaders headers;
  // The body when it was not streamed: always for non-2xx answers (first 64 KiB), and for 2xx
  // answers of requests without a body callback (up to HttpRequest::max_body).
  std::string body;

  // The peer's certificates as curl describes them ("Subject: CN=..", "Issuer: ..", one string
  // per certificate, leaf first), only for requests with want_certificates.
  std::vector<std::string> certificates;

  bool ok() const { return status >= 200 && status < 300; }
};

// A registry's own TLS settings (containers-certs.d(5)): what it is trusted with and how we
// prove who we are. Applied to the request's origin only, never to a redirect elsewhere.
struct TlsConfig {
  std::string ca_pem;       // every CA trusted for this origin (the system's and its own), PEM
  std::string client_cert;  // PEM file of a client certificate (mutual TLS), or ""
  std::string client_key;   // its key
  std::string source;       // the directory they came from, for messages
};

// Why a TLS handshake failed, when it did.
enum class TlsProblem {
  kNone,
  kUntrusted,          // the peer's certificate chain ends at no trusted CA
  kHostMismatch,       // the certificate is for another name
  kClientCertificate,  // the peer wants a client certificate, or refused ours
  kOther,              // any other handshake failure
};

// True when the failure shows the peer speaks TLS (so plain HTTP is not the way round it).
inline bool speaks_tls(TlsProblem p) {
  return p == TlsProblem::kUntrusted || p == TlsProblem::kHostMismatch ||
         p == TlsProblem::kClientCertificate;
}

// A request that got no HTTP answer (connection, timeout, TLS): an Error{kNetwork} that also
// says what went wrong with TLS, if anything.
class HttpTransportError : public Error {
 public:
  HttpTransportError(std::string message, TlsProblem tls, std::string hint = {})
      : Error(Errc::kNetwork, std::move(message), 0, std::move(hint)), tls_(tls) {}
  TlsProblem tls() const { return tls_; }

 private:
  TlsProblem tls_;
};

struct HttpRequest {
  std::string method = "GET";  // GET, HEAD, POST, PUT, PATCH or DELETE
  std::string url;
  std::vector<std::string> headers;  // "Name: value"; never Authorization (see below)
  // "Bearer ..." or "Basic ...": sent only to the origin (scheme, host, port) of url, never to
  // a redirect target elsewhere (a blob redirected to a CDN or a bucket gets no credential).
  std::string authorization;
  // When > 0, asks for the bytes from this offset on ("Range: bytes=N-").
  uint64_t range_start = 0;
  // The most a buffered 2xx body may hold; more is an error.
  size_t max_body = 4 << 20;
  // Verify the origin's TLS certificate. Turned off only for registries marked insecure; a
  // redirect to another origin is always verified.
  bool tls_verify = true;
  // The origin's own CAs and client certificate (null: the system's CAs, no client certificate).
  std::shared_ptr<const TlsConfig> tls;
  // Ask curl for the peer's certificates (HttpResponse::certificates), to explain a TLS failure.
  bool want_certificates = false;
  // The request body of a POST, PUT or PATCH: body, or body_size bytes from body_reader, which
  // reads at an offset (pread-like: a retry or a redirect reads again from 0) and returns how
  // many bytes it put in buf (0 only past the end). May throw to abort the request.
  std::string body;
  std::function<size_t(uint64_t offset, char* buf, size_t size)> body_reader;
  uint64_t body_size = 0;
  // Called as body bytes go out (the total sent so far in this attempt).
  std::function<void(uint64_t sent)> on_sent;
  // Whether failed attempts (connection, timeout, 5xx) are retried with backoff. Uploads whose
  // retry the server would refuse (a chunk already half-taken) turn it off and recover above.
  bool retry = true;
  // Called (once per request) with a 401 answer; returns the Authorization to retry with, or ""
  // to give up and let the 401 through. May throw. Runs in the thread running the transfer.
  std::function<std::string(const HttpResponse& unauthorized)> reauthorize;
};

struct HttpOptions {
  long connect_timeout_ms = 30000;
  // A transfer slower than low_speed_limit bytes/s for low_speed_time_s seconds is timed out
  // (and retried). A transfer paused by its sink is not measured.
  long low_speed_limit = 1024;
  long low_speed_time_s = 30;
  // Attempts per request for connection failures, timeouts, resets and 408/429/5xx answers. A
  // second timeout with no byte received since the first ends them sooner.
  int max_attempts = 5;
  long backoff_initial_ms = 250;  // doubled per retry, with jitter
  long backoff_max_ms = 8000;
  int max_redirects = 10;
  // A CA bundle to trust instead of the system store (/etc/ssl/certs), e.g. for a test registry.
  std::string ca_file;
  std::string user_agent;  // default "dabba/<version>"
  // When set and true, every transfer stops with Error{kInterrupted} (Ctrl-C).
  const std::atomic<bool>* cancel = nullptr;
};

// One streamed transfer for HttpClient::run. The callbacks run in the thread that calls run().
struct HttpTransfer {
  HttpRequest request;
  // Optional. Asked when a slot is free, before the transfer's first attempt: true starts it
  // (request may be adjusted first, e.g. its range_start), false leaves it waiting without taking
  // a slot (the next waiting transfer is asked instead; call HttpClient::wakeup() when it may be
  // ready). Throw to fail the transfer without sending anything (on_done gets the exception).
  std::function<bool(HttpRequest& request)> ready;
  // A 2xx answer arrived, before any body byte. offset is where its bytes start: the requested
  // range_start when the server honoured the Range (206), 0 when it sent the whole body (200),
  // so the sink must start over. Called once per transfer: retries after a broken connection
  // resume with Range and the sink sees one continuous stream.
  std::function<void(const HttpResponse& head, uint64_t offset)> on_start;
  // The next body bytes (chunks of up to 256 KiB). Return false to pause the transfer: the same
  // bytes are offered again after HttpClient::resume(id), so a bounded queue must take a chunk
  // whole, and take it when empty whatever its size. Throw to fail this transfer (others go on).
  std::function<bool(const char* data, size_t size)> on_data;
  // Called once at the end. error is set for a transport failure (connection, timeout after the
  // retries, cancellation, a throwing callback); otherwise look at response.status (a non-2xx
  // answer has its body in response.body).
  std::function<void(HttpResponse& response, std::exception_ptr error)> on_done;
};

// "GET https://host/path" without query or credentials, for messages: a signed redirect URL
// carries a credential in its query.
std::string describe_request(std::string_view method, std::string_view url);

}  // namespace dabba
