// A client of one registry's HTTP API v2 (the OCI distribution spec): ping, manifests by tag or
// digest (verified against their digest), blobs one at a time (small, verified) or many in
// parallel (streamed to sinks, resumable with Range). Mirrors from the registry config are tried
// in order before the registry itself; authentication (Bearer tokens, Basic) is answered on the
// way, with credentials from the CredentialStore.
//
// Used from one thread, except resume() and wakeup(). Blob sinks run in that thread.
#pragma once

#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "registry/credentials.h"
#include "oci/digest.h"
#include "registry/http.h"
#include "registry/http_client.h"
#include "oci/image_ref.h"
#include "oci/manifest.h"
#include "oci/platform.h"
#include "registry/registry_config.h"

namespace dabba {

struct RegistryClientOptions {
  HttpOptions http;
  RegistryConfig config;  // registries.json, plus set_insecure() for --tls-verify=false
  // Where credentials come from; nullopt = anonymous only.
  std::optional<CredentialStore> credentials = CredentialStore();
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
  // registry as in ImageRef::registry(): "docker.io", "localhost:5000".
  RegistryClient(std::string registry, RegistryClientOptions options = {});
  ~RegistryClient();
  RegistryClient(const RegistryClient&) = delete;
  RegistryClient& operator=(const RegistryClient&) = delete;

  const std::string& registry() const { return registry_; }

  // GET /v2/ on the first endpoint that answers as a registry; throws Error{kNetwork} when none
  // does.
  void ping();
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

  // Tokens fetched so far, over all endpoints (tests check the cache with it).
  int tokens_fetched() const;

 private:
  struct Endpoint;
  Endpoint& endpoint(size_t i);
  // Pings endpoint i once; false when it cannot be used (the reason is kept for messages).
  bool ready(size_t i);
  std::string url(const Endpoint& e, const std::string& repository, const std::string& tail) const;
  HttpRequest request(Endpoint& e, const std::string& repository, const std::string& tail);
  // Runs attempt(endpoint) on each usable endpoint in order until one returns; a mirror's
  // failure moves on, the origin's is thrown.
  template <class T, class F>
  T on_endpoints(const std::string& what, F&& attempt);

  std::string registry_;
  RegistryClientOptions options_;
  HttpClient http_;
  std::vector<std::unique_ptr<Endpoint>> endpoints_;
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
