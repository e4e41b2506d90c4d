#include "registry/registry_client.h"

#include <charconv>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/interrupted.h"
#include "common/log.h"
#include "registry/auth.h"
#include "registry/http_url.h"
#include "registry/registry_errors.h"
#include "registry/tls_diagnosis.h"
#include "registry/v2_ping.h"

namespace dabba {
namespace {

using nlohmann::json;

constexpr size_t kNoTransfer = static_cast<size_t>(-1);

}  // namespace

struct RegistryClient::Host {
  std::string host;  // host[:port]
  bool allow_http = false;
  bool tls_verify = true;
  std::string base_url;  // "https://host:port", decided by the ping
  std::unique_ptr<RegistryAuth> auth;
  std::shared_ptr<const TlsConfig> tls;  // certs.d, or null
  TlsFiles tls_files;
  bool pinged = false;
  std::exception_ptr failure;  // why it cannot be used
};

std::string RegistryClient::Endpoint::name() const { return host->host + "/" + repository; }

RegistryClient::RegistryClient(std::string registry, RegistryClientOptions options)
    : registry_(std::move(registry)), options_(std::move(options)), http_(options_.http) {}

RegistryClient::~RegistryClient() = default;

int RegistryClient::tokens_fetched() const {
  std::lock_guard lock(mu_);
  int n = 0;
  for (const auto& [key, h] : hosts_) n += h->auth->tokens_fetched();
  return n;
}

RegistryClient::Host& RegistryClient::host_for(const RegistryEndpoint& e,
                                               const std::string& repository) {
  const std::string key =
      e.host + (e.allow_http ? "|http" : "|https") + (e.tls_verify ? "|verify" : "|noverify");
  auto it = hosts_.find(key);
  if (it != hosts_.end()) return *it->second;
  auto h = std::make_unique<Host>();
  h->host = e.host;
  h->allow_http = e.allow_http;
  h->tls_verify = e.tls_verify;
  h->tls_files = options_.config.tls_files(e.host);
  h->tls = make_tls_config(h->tls_files);
  std::optional<Credentials> credentials;
  if (options_.fixed_credentials && !e.mirror)
    credentials = options_.fixed_credentials;
  else if (options_.credentials)
    credentials = e.mirror ? options_.credentials->find(e.host, e.repository)
                           : options_.credentials->find(registry_, repository);
  h->auth = std::make_unique<RegistryAuth>(
      RegistryAuth::Options{e.host, e.allow_http, e.tls_verify, h->tls}, std::move(credentials),
      options_.http);
  Host& ref = *h;
  hosts_.emplace(key, std::move(h));
  return ref;
}

const std::vector<RegistryClient::Endpoint>& RegistryClient::endpoints(
    const std::string& repository) {
  std::lock_guard lock(mu_);
  auto it = endpoints_.find(repository);
  if (it != endpoints_.end()) return it->second;
  std::vector<RegistryEndpoint> configured =
      options_.access == RegistryAccess::kPush
          ? std::vector<RegistryEndpoint>{options_.config.push_endpoint(registry_, repository)}
          : options_.config.pull_endpoints(registry_, repository, options_.by_digest);
  std::vector<Endpoint> out;
  for (const RegistryEndpoint& e : configured)
    out.push_back({&host_for(e, repository), e.repository, e.mirror});
  return endpoints_.emplace(repository, std::move(out)).first->second;
}

bool RegistryClient::ready(Host& h) {
  if (h.pinged) return !h.failure;
  std::string why;
  for (const std::string& scheme : ping_schemes(h.allow_http)) {
    HttpRequest req = ping_request(scheme, h.host, h.tls_verify, h.tls);
    try {
      HttpResponse r = http_.send(req);
      if (r.status == 200 || r.status == 401) {
        if (r.status == 401) h.auth->learn(r);
        h.base_url = scheme + "://" + h.host;
        h.pinged = true;
        log_debug("registry " + h.host + " answers at " + h.base_url);
        return true;
      }
      add_ping_failure(why, not_a_registry(req, r.status));
    } catch (const HttpTransportError& err) {
      if (speaks_tls(err.tls()) && h.tls_verify) {
        // It speaks TLS, so plain HTTP is not the answer: say what is wrong with the TLS.
        h.pinged = true;
        h.failure = std::make_exception_ptr(explain_tls_failure(
            err, h.host, h.tls_files, h.tls ? h.tls->source : "", options_.http));
        return false;
      }
      add_ping_failure(why, err.what());
    } catch (const Error& err) {
      if (err.code() == Errc::kInterrupted) throw;
      add_ping_failure(why, err.what());
    }
  }
  h.pinged = true;
  h.failure = std::make_exception_ptr(unreachable_registry(h.host, why, h.allow_http));
  return false;
}

HttpRequest PushTarget::request(const std::string& tail, const std::string& scope) const {
  HttpRequest req;
  req.url = base_url + "/v2/" + repository + "/" + tail;
  req.tls_verify = tls_verify;
  req.tls = tls;
  req.authorization = auth->authorization(scope);
  req.reauthorize = [a = auth, scope](const HttpResponse& r) { return a->answer(r, scope); };
  return req;
}

HttpRequest RegistryClient::request(const Endpoint& e, const std::string& tail) {
  PushTarget t{e.host->base_url, e.host->host, e.repository, e.host->auth.get(), e.host->tls,
               e.host->tls_verify};
  return t.request(tail, options_.access == RegistryAccess::kPush ? push_scope(e.repository)
                                                                  : pull_scope(e.repository));
}

template <class T, class F>
T RegistryClient::on_endpoints(const std::string& repository, const std::string& what,
                               F&& attempt) {
  const std::vector<Endpoint>& list = endpoints(repository);
  for (size_t i = 0; i < list.size(); ++i) {
    const Endpoint& e = list[i];
    const bool last = i + 1 == list.size();
    try {
      if (!ready(*e.host)) std::rethrow_exception(e.host->failure);
      return attempt(e);
    } catch (Error& err) {
      if (last || err.code() == Errc::kInterrupted) throw;
      log_info("mirror " + e.name() + ": " + err.what() + "; trying the next endpoint for " + what);
    }
  }
  throw Error(Errc::kFailed, "registry " + registry_ + " has no endpoint");
}

PushTarget RegistryClient::push_target(const std::string& repository) {
  const Endpoint& e = endpoints(repository).back();
  {
    std::lock_guard lock(mu_);
    if (e.host->pinged) {
      if (e.host->failure) std::rethrow_exception(e.host->failure);
      return {e.host->base_url, e.host->host, e.repository, e.host->auth.get(), e.host->tls,
              e.host->tls_verify};
    }
  }
  if (!ready(*e.host)) std::rethrow_exception(e.host->failure);
  return {e.host->base_url, e.host->host, e.repository, e.host->auth.get(), e.host->tls,
          e.host->tls_verify};
}

Digest RegistryClient::put_manifest(const std::string& repository, const std::string& reference,
                                    const std::string& media_type, const std::string& bytes) {
  const Digest digest = Digest::of(bytes);
  const std::string what = "manifest " + repository + ":" + reference;
  PushTarget t = push_target(repository);
  HttpRequest req = t.request("manifests/" + reference, push_scope(t.repository));
  req.method = "PUT";
  req.headers.push_back("Content-Type: " + media_type);
  req.body = bytes;
  HttpResponse r = with_context("put " + what, [&] { return http_.send(req); });
  if (!r.ok()) throw http_error(r, "put " + what + " on " + t.host, *t.auth, registry_);
  Digest answered;
  if (auto header = r.headers.get("docker-content-digest");
      header && Digest::try_parse(*header, answered) && answered != digest)
    throw Error(Errc::kDigestMismatch, "put " + what + ": the registry stored it as " +
                                           answered.str() + ", not " + digest.str());
  return digest;
}

void RegistryClient::ping(const std::string& repository) {
  on_endpoints<bool>(repository, "ping", [](const Endpoint&) { return true; });
}

ManifestResult RegistryClient::get_manifest(const std::string& repository,
                                            const std::string& reference) {
  std::string what =
      "manifest " + repository + (reference.find(':') == std::string::npos ? ":" : "@") + reference;
  return on_endpoints<ManifestResult>(repository, what, [&](const Endpoint& e) {
    std::string where = what + " on " + e.name();
    HttpRequest req = request(e, "manifests/" + reference);
    req.headers.push_back(std::string("Accept: ") + kManifestAccept);
    req.max_body = kMaxManifestSize;
    HttpResponse r = with_context(where, [&] { return http_.send(req); });
    if (!r.ok()) throw http_error(r, where, *e.host->auth, registry_);
    ManifestResult m;
    m.bytes = std::move(r.body);
    m.digest = Digest::of(m.bytes);
    Digest expected;
    if (Digest::try_parse(reference, expected)) {
      if (expected != m.digest)
        throw Error(Errc::kDigestMismatch,
                    where + ": the registry sent a manifest whose digest is " + m.digest.str());
    } else if (auto header = r.headers.get("docker-content-digest");
               header && Digest::try_parse(*header, expected) && expected != m.digest) {
      throw Error(Errc::kDigestMismatch, where + ": the manifest's digest is " + m.digest.str() +
                                             " but the registry says " + expected.str());
    }
    std::string content_type = r.headers.get("content-type").value_or("");
    with_context(where, [&] {
      m.media_type = manifest_media_type(m.bytes, content_type);
      m.kind = manifest_kind(m.bytes, content_type);
    });
    return m;
  });
}

std::optional<Descriptor> RegistryClient::head_manifest(const std::string& repository,
                                                        const std::string& reference) {
  std::string what =
      "manifest " + repository + (reference.find(':') == std::string::npos ? ":" : "@") + reference;
  return on_endpoints<std::optional<Descriptor>>(repository, what, [&](const Endpoint& e) {
    std::string where = what + " on " + e.name();
    HttpRequest req = request(e, "manifests/" + reference);
    req.method = "HEAD";
    req.headers.push_back(std::string("Accept: ") + kManifestAccept);
    HttpResponse r = with_context(where, [&] { return http_.send(req); });
    if (!r.ok()) throw http_error(r, where, *e.host->auth, registry_);
    Descriptor d;
    auto header = r.headers.get("docker-content-digest");
    if (!header || !Digest::try_parse(*header, d.digest)) return std::optional<Descriptor>();
    std::string type = r.headers.get("content-type").value_or("");
    d.media_type = type.substr(0, type.find(';'));
    std::string length = r.headers.get("content-length").value_or("");
    if (std::from_chars(length.data(), length.data() + length.size(), d.size).ec != std::errc())
      d.size = -1;
    return std::optional<Descriptor>(d);
  });
}

std::string RegistryClient::get_blob(const std::string& repository, const Digest& digest,
                                     size_t max_size) {
  std::string what = "blob " + digest.str() + " of " + repository;
  return on_endpoints<std::string>(repository, what, [&](const Endpoint& e) {
    std::string where = what + " on " + e.name();
    HttpRequest req = request(e, "blobs/" + digest.str());
    req.max_body = max_size;
    HttpResponse r = with_context(where, [&] { return http_.send(req); });
    if (!r.ok()) throw http_error(r, where, *e.host->auth, registry_);
    Digest actual = Digest::of(r.body);
    if (actual != digest)
      throw Error(Errc::kDigestMismatch,
                  where + ": the registry sent content whose digest is " + actual.str());
    return std::move(r.body);
  });
}

void RegistryClient::resume(size_t id) {
  size_t transfer = kNoTransfer;
  {
    std::lock_guard lock(resume_mutex_);
    if (id < transfer_of_fetch_.size()) transfer = transfer_of_fetch_[id];
  }
  if (transfer != kNoTransfer) http_.resume(transfer);
}

void RegistryClient::fetch_blobs(const std::string& repository, std::vector<BlobFetch>& fetches,
                                 size_t max_parallel) {
  // What the sink has seen of each blob, across retries and endpoints: one continuous stream.
  struct State {
    bool started = false;
    bool ready = false;  // the sink's ready() gave its offset (or it has none)
    uint64_t position = 0;
    uint64_t skip = 0;  // bytes a new answer repeats that the sink already has
    std::exception_ptr sink_error;
  };
  std::vector<State> state(fetches.size());
  std::vector<size_t> todo;
  for (size_t i = 0; i < fetches.size(); ++i) {
    state[i].position = fetches[i].offset;
    state[i].ready = !fetches[i].ready;
    todo.push_back(i);
  }
  auto finish = [&](size_t i, std::exception_ptr error) {
    if (fetches[i].on_done) fetches[i].on_done(std::move(error));
  };

  const std::vector<Endpoint>* list = nullptr;
  try {
    list = &endpoints(repository);
  } catch (...) {
    for (size_t i : todo) finish(i, std::current_exception());
    return;
  }
  for (size_t ei = 0; ei < list->size() && !todo.empty(); ++ei) {
    const Endpoint& e = (*list)[ei];
    const bool last = ei + 1 == list->size();
    std::vector<HttpTransfer> transfers;
    std::vector<size_t> next;
    try {
      if (!ready(*e.host)) std::rethrow_exception(e.host->failure);
      for (size_t i : todo) {
        HttpTransfer t;
        t.request = request(e, "blobs/" + fetches[i].digest.str());
        t.request.range_start = state[i].position;
        transfers.push_back(std::move(t));
      }
    } catch (const Error& err) {
      if (!last && err.code() != Errc::kInterrupted) {
        log_info("mirror " + e.name() + ": " + err.what() + "; trying the next endpoint");
        continue;
      }
      for (size_t i : todo) finish(i, std::current_exception());
      return;
    }

    for (size_t k = 0; k < todo.size(); ++k) {
      const size_t i = todo[k];
      const std::string what =
          "blob " + fetches[i].digest.str() + " of " + repository + " on " + e.name();
      HttpTransfer& t = transfers[k];
      t.ready = [&, i](HttpRequest& request) {
        State& s = state[i];
        if (s.ready) return true;
        std::optional<uint64_t> offset;
        try {
          offset = fetches[i].ready();
        } catch (...) {
          s.sink_error = std::current_exception();
          throw;
        }
        if (!offset) return false;
        s.ready = true;
        s.position = *offset;
        request.range_start = *offset;
        return true;
      };
      t.on_start = [&, i, what](const HttpResponse&, uint64_t offset) {
        State& s = state[i];
        if (!s.started) {
          s.started = true;
          s.position = offset;
          s.skip = 0;
          try {
            if (fetches[i].on_start) fetches[i].on_start(offset);
          } catch (...) {
            s.sink_error = std::current_exception();
            throw;
          }
          return;
        }
        if (offset > s.position)
          throw Error(Errc::kNetwork, what + ": the registry resumed at byte " +
                                          std::to_string(offset) + ", after " +
                                          std::to_string(s.position));
        s.skip = s.position - offset;
      };
      t.on_data = [&, i, what](const char* data, size_t size) {
        State& s = state[i];
        size_t drop = static_cast<size_t>(std::min<uint64_t>(s.skip, size));
        if (drop < size) {
          if (fetches[i].size >= 0 &&
              s.position + (size - drop) > static_cast<uint64_t>(fetches[i].size))
            throw Error(Errc::kCorrupt, what + ": the registry sends more than the " +
                                            std::to_string(fetches[i].size) +
                                            " bytes the manifest gives");
          bool accepted;
          try {
            accepted = fetches[i].on_data(data + drop, size - drop);
          } catch (...) {
            s.sink_error = std::current_exception();
            throw;
          }
          if (!accepted) return false;
        }
        s.skip -= drop;
        s.position += size - drop;
        return true;
      };
      t.on_done = [&, i, what, last](HttpResponse& r, std::exception_ptr error) {
        State& s = state[i];
        if (s.sink_error) return finish(i, s.sink_error);
        if (error) {
          if (!last && !is_interrupted(error)) return next.push_back(i);
          return finish(i, error);
        }
        if (!r.ok()) {
          if (!last) return next.push_back(i);
          return finish(i,
                        std::make_exception_ptr(http_error(r, what, *e.host->auth, registry_)));
        }
        if (fetches[i].size >= 0 && s.position != static_cast<uint64_t>(fetches[i].size))
          return finish(i, std::make_exception_ptr(
                               Error(Errc::kCorrupt, what + ": got " + std::to_string(s.position) +
                                                         " bytes, the manifest gives " +
                                                         std::to_string(fetches[i].size))));
        finish(i, nullptr);
      };
    }
    {
      std::lock_guard lock(resume_mutex_);
      transfer_of_fetch_.assign(fetches.size(), kNoTransfer);
      for (size_t k = 0; k < todo.size(); ++k) transfer_of_fetch_[todo[k]] = k;
    }
    http_.run(transfers, max_parallel);
    {
      std::lock_guard lock(resume_mutex_);
      transfer_of_fetch_.clear();
    }
    for (size_t i : next)
      log_info("mirror " + e.name() + " failed for blob " + fetches[i].digest.str() +
               "; trying the next endpoint");
    todo = std::move(next);
  }
}

ResolvedImage resolve_image(RegistryClient& client, const ImageRef& ref, const Platform& platform) {
  ResolvedImage out;
  ManifestResult top = client.get_manifest(ref.repository(), ref.manifest_reference());
  out.digest = top.digest;
  out.ref = ref.with_digest(top.digest);
  if (top.kind == ManifestKind::kIndex) {
    ImageIndex index =
        with_context(ref.str(), [&] { return parse_image_index(top.bytes, top.media_type); });
    const Descriptor& chosen = with_context(
        ref.str(), [&]() -> const Descriptor& { return select_manifest(index, platform); });
    out.platform = *chosen.platform;
    ManifestResult m = client.get_manifest(ref.repository(), chosen.digest.str());
    if (m.kind != ManifestKind::kImage)
      throw Error(Errc::kUnsupported,
                  ref.str() + ": the index entry for " + out.platform.str() + " is another index");
    out.index = std::move(top);
    out.manifest = std::move(m);
  } else {
    out.manifest = std::move(top);
  }
  out.image = with_context(
      ref.str(), [&] { return parse_image_manifest(out.manifest.bytes, out.manifest.media_type); });
  return out;
}

}  // namespace dabba
