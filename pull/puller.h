// `dabba pull`: an image from a registry into the store, verified, in one pass per layer, never
// fetching what the store already has.
//
//   1. A reference pinned by digest whose image is in the store: done, no network at all.
//   2. A tag: HEAD the manifest (one request); if the digest it names is an image in the store
//      (for the wanted platform), only the names are refreshed. So, like podman, `pull` of a
//      cached tag always asks the registry whether the tag moved, and fetches nothing if not.
//   3. Else GET the manifest (and, for an index, the platform's manifest); an image manifest the
//      store already holds (under another name) again fetches nothing more.
//   4. Under a lease: store the manifest and the config (fetched unless stored), check the
//      config's diff_ids and platform, then fetch_layers() for every distinct layer: those
//      unpacked already (by diff_id, from any blob or compression) are only pinned, the others
//      download in parallel straight into the store's ingest, resuming kept partials.
//   5. add_image with `registry/repo:tag` and `registry/repo@digest` in one transaction. Until
//      then nothing is named: a failed or interrupted pull registers nothing, and what it stored
//      (complete layers, partial downloads) stays for the next pull to reuse (gc drops it).
//
// Every thread the pull starts is joined before it returns.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "oci/image_ref.h"
#include "oci/platform.h"
#include "pull/pull_progress.h"
#include "store/records.h"
#include "registry/registry_client.h"
#include "store/store.h"

namespace dabba {

struct PullOptions {
  std::optional<Platform> platform;  // nullopt: the host's (Platform::host())
  size_t max_parallel = 4;           // layer downloads at once
  // HTTP settings (timeouts, retries, cancel flag for Ctrl-C), registries.conf with the command
  // line's --tls-verify and --cert-dir, credentials.
  RegistryClientOptions client;
  PullProgress* progress = nullptr;

  // Client options from the environment: registries.conf from podman's paths.
  static PullOptions from_environment();
};

struct PullResult {
  ImageRecord image;
  Digest digest;                   // what the reference resolved to (index digest if any)
  std::vector<std::string> names;  // the names it got
  bool cached = false;             // the image was in the store: nothing was fetched
  size_t layers_fetched = 0;       // downloaded (or unpacked from a stored blob) now
  size_t layers_reused = 0;        // already unpacked in the store
  uint64_t bytes_fetched = 0;      // compressed bytes of the fetched layers, resumed included
};

PullResult pull_image(Store& store, const ImageRef& ref, const PullOptions& options);

// `dabba pull NAME`: NAME resolved as podman resolves it (short names: an alias, else each
// unqualified-search registry in turn, see registry/short_names.h), the first candidate that
// pulls wins. progress->message() hears podman's "Resolved ..." and "Trying to pull ..." lines.
// When every candidate fails: that error for one candidate, else all of them in one.
PullResult pull_by_name(Store& store, std::string_view name, const PullOptions& options);

// The stored image text names, as podman looks up local images: a fully qualified name, id or
// digest as it is; a short name as localhost/NAME, Docker Hub's normalisation, its alias and
// search registries (registries.conf is read only when those first two miss), and at last any
// stored name ending in /NAME. nullopt when none.
std::optional<ImageRecord> find_local_image(const Store& store, std::string_view text);

// `dabba run --pull=...`.
enum class PullPolicy {
  kNever,    // the store only; no network at all
  kMissing,  // pull only when the store has no such image
  kAlways,   // pull (re-resolve the tag) every time
};
// "never" | "missing" | "always"; throws Error{kInvalidArgument} otherwise.
PullPolicy parse_pull_policy(std::string_view text);

// The image `reference` names under policy: from the store (a reference, a stored name, an
// image id or id prefix, see find_image) or pulled. Throws Error{kNotFound} when policy is never
// and the store has no such image.
ImageRecord ensure_image(Store& store, std::string_view reference, PullPolicy policy,
                         const PullOptions& options);

}  // namespace dabba
