#include "registry/registry_client.h"

#include <charconv>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/log.h"
#include "registry/auth.h"
#include "registry/http_url.h"

namespace dabba {
namespace {

using nlohmann::json;

constexpr size_t kNoTransfer = static_cast<size_t>(-1);

// "MANIFEST_UNKNOWN: manifest unknown" from a registry's {"errors": [...]} body.
std::string registry_errors(const std::string& body) {
  std::string out;
  try {
    json doc = json::parse(body);
    auto errors = doc.find("errors");
    if (errors == doc.end() || !errors->is_array()) return {};
    for (const json& e : *errors) {
      if (!e.is_object()) continue;
      std::string code = e.value("code", "");
      std::string message = e.value("message", "");
      if (!out.empty()) out += "; ";
      out += code.empty() ? message : code + (message.empty() ? "" : ": " + message);
    }
  } catch (const std::exception&) {
  }
  return out.substr(0, 300);
}

bool is_interrupted(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const Error& e) {
    return e.code() == Errc::kInterrupted;
  } catch (...) {
  }
  return false;
}

}  // namespace

struct RegistryClient::Endpoint {
  RegistryEndpoint config;
  std::string base_url;  // "https://host:port", decided by the ping
  std::unique_ptr<RegistryAuth> auth;
  bool pinged = false;
  std::exception_ptr failure;  // why it cannot be used

  std::string name() const {
    return config.host + (config.path_prefix.empty() ? "" : "/" + config.path_prefix);
  }
};

namespace {

Error http_error(const HttpResponse& r, const std::string& what, const RegistryAuth& auth,
                 const std::string& host) {
  std::string detail = registry_errors(r.body);
  std::string suffix =
      " (HTTP " + std::to_string(r.status) + (detail.empty() ? "" : ": " + detail) + ")";
  switch (r.status) {
    case 401:
      return Error(Errc::kAuth,
                   what + ": the registry refused " + auth.who() +
                       " (the repository may not exist, or may need a login)" + suffix,
                   0,
                   auth.has_credentials() ? "check the user name and password: dabba login " + host
                                          : "if the repository is private: dabba login " + host);
    case 403:
      return Error(Errc::kAuth, what + ": access denied to " + auth.who() + suffix);
    case 404:
      return Error(Errc::kNotFound, what + ": not found" + suffix);
    case 429:
      return Error(Errc::kNetwork,
                   what + ": too many requests, the registry rate-limits us" + suffix, 0,
                   "wait a while, or log in to get a higher limit");
    default:
      return Error(r.status >= 500 ? Errc::kNetwork : Errc::kFailed, what + ": failed" + suffix);
  }
}

}  // namespace

RegistryClient::RegistryClient(std::string registry, RegistryClientOptions options)
    : registry_(std::move(registry)), options_(std::move(options)), http_(options_.http) {
  for (RegistryEndpoint& config : options_.config.endpoints(registry_)) {
    auto e = std::make_unique<Endpoint>();
    std::optional<Credentials> credentials;
    if (options_.credentials)
      credentials = options_.credentials->find(config.mirror ? config.host : registry_);
    e->auth = std::make_unique<RegistryAuth>(
        RegistryAuth::Options{config.host, config.allow_http, config.tls_verify},
        std::move(credentials), options_.http);
    e->config = std::move(config);
    endpoints_.push_back(std::move(e));
  }
}

RegistryClient::~RegistryClient() = default;

RegistryClient::Endpoint& RegistryClient::endpoint(size_t i) { return *endpoints_[i]; }

int RegistryClient::tokens_fetched() const {
  int n = 0;
  for (const auto& e : endpoints_) n += e->auth->tokens_fetched();
  return n;
}

bool RegistryClient::ready(size_t i) {
  Endpoint& e = endpoint(i);
  if (e.pinged) return !e.failure;
  std::vector<std::string> schemes = {"https"};
  if (e.config.allow_http) schemes.push_back("http");
  std::string why;
  for (const std::string& scheme : schemes) {
    HttpRequest req;
    req.url = scheme + "://" + e.config.host + "/v2/";
    req.tls_verify = e.config.tls_verify;
    req.max_body = 64 << 10;
    try {
      HttpResponse r = http_.send(req);
      if (r.status == 200 || r.status == 401) {
        if (r.status == 401) e.auth->learn(r);
        e.base_url = scheme + "://" + e.config.host;
        e.pinged = true;
        log_debug("registry " + e.name() + " answers at " + e.base_url);
        return true;
      }
      why += (why.empty() ? "" : "; ") + describe_request("GET", req.url) + ": HTTP " +
             std::to_string(r.status) + " (not a registry API v2)";
    } catch (const Error& err) {
      if (err.code() == Errc::kInterrupted) throw;
      why += (why.empty() ? "" : "; ") + std::string(err.what());
    }
  }
  e.pinged = true;
  e.failure = std::make_exception_ptr(Error(
      Errc::kNetwork, "registry " + e.name() + " cannot be reached: " + why, 0,
      e.config.allow_http ? "is the registry running?"
                          : "check the name and the network; a plain-HTTP registry must be marked "
                            "insecure (--tls-verify=false or registries.json)"));
  return false;
}

std::string RegistryClient::url(const Endpoint& e, const std::string& repository,
                                const std::string& tail) const {
  std::string path =
      e.config.path_prefix.empty() ? repository : e.config.path_prefix + "/" + repository;
  return e.base_url + "/v2/" + path + "/" + tail;
}

HttpRequest RegistryClient::request(Endpoint& e, const std::string& repository,
                                    const std::string& tail) {
  std::string path =
      e.config.path_prefix.empty() ? repository : e.config.path_prefix + "/" + repository;
  std::string scope = pull_scope(path);
  HttpRequest req;
  req.url = url(e, repository, tail);
  req.tls_verify = e.config.tls_verify;
  req.authorization = e.auth->authorization(scope);
  req.reauthorize = [auth = e.auth.get(), scope](const HttpResponse& r) {
    return auth->answer(r, scope);
  };
  return req;
}

template <class T, class F>
T RegistryClient::on_endpoints(const std::string& what, F&& attempt) {
  for (size_t i = 0; i < endpoints_.size(); ++i) {
    Endpoint& e = endpoint(i);
    const bool last = i + 1 == endpoints_.size();
    try {
      if (!ready(i)) std::rethrow_exception(e.failure);
      return attempt(e);
    } catch (Error& err) {
      if (last || err.code() == Errc::kInterrupted) throw;
      log_info("mirror " + e.name() + ": " + err.what() + "; trying the next endpoint for " + what);
    }
  }
  throw Error(Errc::kFailed, "registry " + registry_ + " has no endpoint");
}

void RegistryClient::ping() {
  on_endpoints<bool>("ping", [](Endpoint&) { return true; });
}

ManifestResult RegistryClient::get_manifest(const std::string& repository,
                                            const std::string& reference) {
  std::string what =
      "manifest " + repository + (reference.find(':') == std::string::npos ? ":" : "@") + reference;
  return on_endpoints<ManifestResult>(what, [&](Endpoint& e) {
    std::string where = what + " on " + e.name();
    HttpRequest req = request(e, repository, "manifests/" + reference);
    req.headers.push_back(std::string("Accept: ") + kManifestAccept);
    req.max_body = kMaxManifestSize;
    HttpResponse r = with_context(where, [&] { return http_.send(req); });
    if (!r.ok()) throw http_error(r, where, *e.auth, registry_);
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
  return on_endpoints<std::optional<Descriptor>>(what, [&](Endpoint& e) {
    std::string where = what + " on " + e.name();
    HttpRequest req = request(e, repository, "manifests/" + reference);
    req.method = "HEAD";
    req.headers.push_back(std::string("Accept: ") + kManifestAccept);
    HttpResponse r = with_context(where, [&] { return http_.send(req); });
    if (!r.ok()) throw http_error(r, where, *e.auth, registry_);
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
  return on_endpoints<std::string>(what, [&](Endpoint& e) {
    std::string where = what + " on " + e.name();
    HttpRequest req = request(e, repository, "blobs/" + digest.str());
    req.max_body = max_size;
    HttpResponse r = with_context(where, [&] { return http_.send(req); });
    if (!r.ok()) throw http_error(r, where, *e.auth, registry_);
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

  for (size_t ei = 0; ei < endpoints_.size() && !todo.empty(); ++ei) {
    Endpoint& e = endpoint(ei);
    const bool last = ei + 1 == endpoints_.size();
    std::vector<HttpTransfer> transfers;
    std::vector<size_t> next;
    try {
      if (!ready(ei)) std::rethrow_exception(e.failure);
      for (size_t i : todo) {
        HttpTransfer t;
        t.request = request(e, repository, "blobs/" + fetches[i].digest.str());
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
          return finish(i, std::make_exception_ptr(http_error(r, what, *e.auth, registry_)));
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
