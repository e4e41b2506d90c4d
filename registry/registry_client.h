// A client of one registry's HTTP API v2 (the OCI distribution spec): ping, manifests by tag or
// digest (verified against their digest), blobs one at a time (small, verified) or many in
// parallel (streamed to sinks, resumable with Range), and for a push (RegistryAccess::kPush) the
// manifest PUT (blob uploads: blob_upload.h). For a pull, the mirrors registries.conf gives are
// tried in order before the registry itself; authentication (Bearer tokens, Basic) is answered on
// the way, with credentials from the CredentialStore; TLS follows containers-certs.d(5).
//
// Used from one thread, except resume(), wakeup() and push_target() (see there). Blob sinks run
// in that thread.
#pragma once

#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "registry/auth.h"
#include "registry/credentials.h"
#include "oci/digest.h"
#include "registry/http.h"
#include "registry/http_client.h"
#include "oci/image_ref.h"
#include "oci/manifest.h"
#include "oci/platform.h"
#include "registry/registry_config.h"

namespace dabba {

enum class RegistryAccess { kPull, kPush };

struct RegistryClientOptions {
  HttpOptions http;
  RegistryConfig config;  // registries.conf, with --tls-verify and --cert-dir applied
  // Where credentials come from; nullopt = anonymous only.
  std::optional<CredentialStore> credentials = CredentialStore();
  // --creds: these, for the registry itself (not its mirrors), whatever the files hold.
  std::optional<Credentials> fixed_credentials;
  // kPush: the registry itself (no mirrors, no rewriting), tokens with pull and push scope.
  RegistryAccess access = RegistryAccess::kPull;
  // A pull that names a digest (pull-from-mirror = "digest-only" mirrors serve only those).
  bool by_digest = false;
};

// Where a push's requests go, for uploads in other threads (each with its own HttpClient).
struct PushTarget {
  std::string base_url;    // "https://host:port"
  std::string host;        // host:port
  std::string repository;  // on that host
  RegistryAuth* auth = nullptr;  // thread-safe
  std::shared_ptr<const TlsConfig> tls;
  bool tls_verify = true;
  // "https://host/v2/<repository>/<tail>" with the authorization for scope.
  HttpRequest request(const std::string& tail, const std::string& scope) const;
};

struct ManifestResult {
  Digest digest;           // sha256 of bytes, checked against what was asked for
  std::string media_type;  // declared in the body, else the Content-Type
  ManifestKind kind = ManifestKind::kImage;
  std::string bytes;
};

// One blob for fetch_blobs. The sink must verify the digest (the store's ingest does, in its
// single pass); the client checks only the length when size is known.
struct BlobFetch {
  Digest digest;
  int64_t size = -1;    // from the manifest, -1 if unknown
  uint64_t offset = 0;  // bytes the sink already holds (a partial ingest): asks for the rest
  // Optional: lets the sink decide where to start just before the blob's first request (after
  // taking its own locks, say). Asked in fetch_blobs' thread when a slot is free: the offset the
  // sink holds (replacing `offset`), or nullopt when it is not ready yet (the fetch then waits
  // without taking a slot; call RegistryClient::wakeup() when it may be ready). Throw to fail
  // the blob without a request (on_done gets the exception). Asked until it gives an offset.
  std::function<std::optional<uint64_t>()> ready;
  // Before the first byte: where the bytes start, offset when the server honoured the Range,
  // 0 when it sends the whole blob (the sink drops its partial). Called once.
  std::function<void(uint64_t start)> on_start;
  // The next bytes, in order. Return false to pause; call RegistryClient::resume(id) (id = index
  // in the vector) from any thread when there is room again. Throw to fail this blob.
  std::function<bool(const char* data, size_t size)> on_data;
  // Called once: error is null when every byte was delivered.
  std::function<void(std::exception_ptr error)> on_done;
};

class RegistryClient {
 public:
  // registry as in ImageRef::registry(): "docker.io", "localhost:5000". Requests name
  // repositories of that registry; registries.conf decides where each goes.
  RegistryClient(std::string registry, RegistryClientOptions options = {});
  ~RegistryClient();
  RegistryClient(const RegistryClient&) = delete;
  RegistryClient& operator=(const RegistryClient&) = delete;

  const std::string& registry() const { return registry_; }

  // GET /v2/ on the first endpoint that answers as a registry; throws Error{kNetwork} when none
  // does.
  void ping(const std::string& repository = "library/x");
  // GET a manifest by tag or digest. Verified: by digest, the bytes must hash to it; by tag,
  // to the Docker-Content-Digest header when there is one. Throws Error{kNotFound} when the
  // registry has no such manifest, Error{kAuth} when it refuses us, Error{kUnsupported} for
  // schema 1 and other kinds we cannot read.
  ManifestResult get_manifest(const std::string& repository, const std::string& reference);
  // HEAD a manifest: its digest, media type and size without the body; nullopt when the
  // registry does not send Docker-Content-Digest (then GET it).
  std::optional<Descriptor> head_manifest(const std::string& repository,
                                          const std::string& reference);
  // GET a small blob (an image config) into memory, verified against digest.
  std::string get_blob(const std::string& repository, const Digest& digest,
                       size_t max_size = 4 << 20);
  // Streams the blobs, at most max_parallel at once, each to its sinks. Returns when every
  // fetch's on_done has been called. Retries and Range resumption happen inside; a mirror that
  // fails hands the rest of the blob over to the next endpoint.
  void fetch_blobs(const std::string& repository, std::vector<BlobFetch>& fetches,
                   size_t max_parallel = 4);
  // Thread-safe: resume fetch id after its on_data returned false.
  void resume(size_t id);
  // Thread-safe: wake the transfer loop (after setting the cancel flag, say).
  void wakeup() { http_.wakeup(); }

  // ---- push (RegistryAccess::kPush)
  // Where pushes of repository go. The first call pings the registry and must come from the
  // client's thread; later calls are thread-safe.
  PushTarget push_target(const std::string& repository);
  // PUTs a manifest under reference (a tag or its digest). Checks the registry's
  // Docker-Content-Digest against the manifest's digest. Returns that digest.
  Digest put_manifest(const std::string& repository, const std::string& reference,
                      const std::string& media_type, const std::string& bytes);

  // Tokens fetched so far, over all endpoints (tests check the cache with it).
  int tokens_fetched() const;

 private:
  struct Host;
  struct Endpoint {
    Host* host = nullptr;
    std::string repository;  // on that host
    bool mirror = false;
    std::string name() const;
  };
  // The endpoints for repository, in the order they are tried (cached).
  const std::vector<Endpoint>& endpoints(const std::string& repository);
  Host& host_for(const RegistryEndpoint& e, const std::string& repository);
  // Pings a host once; false when it cannot be used (the reason is kept for messages).
  bool ready(Host& h);
  HttpRequest request(const Endpoint& e, const std::string& tail);
  // Runs attempt(endpoint) on each usable endpoint of repository in order until one returns; a
  // mirror's failure moves on, the last one's is thrown.
  template <class T, class F>
  T on_endpoints(const std::string& repository, const std::string& what, F&& attempt);

  std::string registry_;
  RegistryClientOptions options_;
  HttpClient http_;
  mutable std::mutex mu_;  // hosts_ and endpoints_ (push_target from other threads)
  std::map<std::string, std::unique_ptr<Host>> hosts_;
  std::map<std::string, std::vector<Endpoint>> endpoints_;
  std::mutex resume_mutex_;
  std::vector<size_t> transfer_of_fetch_;  // fetch index -> transfer id of the current round
};

// What an image reference resolves to on its registry.
struct ResolvedImage {
  ImageRef ref;   // as asked, pinned to digest
  Digest digest;  // what the name points at: the index for a multi-platform image
  std::optional<ManifestResult> index;  // set for a multi-platform image
  ManifestResult manifest;              // the image manifest for the chosen platform
  ImageManifest image;                  // manifest, parsed
  Platform platform;                    // of the chosen manifest (from the index), if known
};

// Fetches ref's manifest; for an index, picks the manifest for platform and fetches it.
ResolvedImage resolve_image(RegistryClient& client, const ImageRef& ref, const Platform& platform);

}  // namespace dabba
