#include "pull/puller.h"

#include <map>

#include "common/fault_point.h"
#include "common/error.h"
#include "common/human.h"
#include "common/log.h"
#include "oci/image_config.h"
#include "store/image_names.h"
#include "pull/layer_fetcher.h"
#include "oci/manifest.h"
#include "registry/short_names.h"

namespace dabba {
namespace {

bool cancelled(const PullOptions& options) {
  return options.client.http.cancel != nullptr && options.client.http.cancel->load();
}

bool layers_present(const Store& store, const ImageRecord& image) {
  for (const auto& l : image.layers)
    if (!store.layer(l.diff_id)) return false;
  return true;
}

// The complete stored image digest d stands for, if any: d is an image manifest the store
// holds, or an index whose digest name (ref's repository) points at the wanted platform's image.
std::optional<ImageRecord> cached_image(const Store& store, const ImageRef& ref, const Digest& d,
                                        const Platform& wanted) {
  std::optional<ImageRecord> img = store.image(d);
  if (!img) {
    auto m = store.lookup_name(digest_name(ref, d));
    if (!m) return std::nullopt;
    img = store.image(*m);
    if (!img || img->platform.empty()) return std::nullopt;
    // An index: the image pulled from it before may be another platform's.
    try {
      if (platform_match_rank(Platform::parse(img->platform), wanted) != 0) return std::nullopt;
    } catch (const Error&) {
      return std::nullopt;
    }
  }
  if (!layers_present(store, *img)) return std::nullopt;
  return img;
}

std::vector<std::string> names_for(const ImageRef& ref, const Digest& digest) {
  std::vector<std::string> names;
  if (std::string tag = tag_name(ref); !tag.empty()) names.push_back(tag);
  names.push_back(digest_name(ref, digest));
  return names;
}

PullResult from_cache(Store& store, const ImageRef& ref, const Digest& digest,
                      const ImageRecord& image, const PullOptions& options) {
  PullResult out;
  out.digest = digest;
  out.names = names_for(ref, digest);
  out.image = add_named_image(store, image, out.names);
  out.cached = true;
  out.layers_reused = image.layers.size();
  if (options.progress) options.progress->resolved(ref.str(), digest, true);
  return out;
}

// The config's platform against what was chosen: an index entry must not lie about its image;
// a single-platform image for another machine is pulled with a warning (as podman does), unless
// a platform was asked for explicitly.
void check_platform(const ImageConfig& config, const ResolvedImage& resolved,
                    const Platform& wanted, bool explicit_platform) {
  if (config.platform.os.empty() || config.platform.architecture.empty()) return;
  const Platform& have = config.platform;
  if (resolved.index) {
    if (platform_match_rank(have, resolved.platform) < 0)
      throw Error(Errc::kCorrupt, "the index lists manifest " + resolved.manifest.digest.str() +
                                      " for " + resolved.platform.str() + ", but its config says " +
                                      have.str());
    return;
  }
  if (platform_match_rank(have, wanted) >= 0) return;
  if (explicit_platform)
    throw Error(Errc::kNotFound, "the image is for " + have.str() + " only, not " + wanted.str(), 0,
                "it has no index of platforms; pull it without --platform to take it anyway");
  log_warn("image platform (" + have.str() + ") does not match the expected platform (" +
           wanted.str() + ")");
}

}  // namespace

PullOptions PullOptions::from_environment() {
  PullOptions o;
  o.client.config = RegistryConfig::load_default();
  return o;
}

PullResult pull_image(Store& store, const ImageRef& ref, const PullOptions& options) {
  return with_context("pull " + ref.str(), [&] {
    const Platform wanted = options.platform.value_or(Platform::host());

    // 1. Pinned by digest and here already: no network.
    if (ref.has_digest())
      if (auto img = cached_image(store, ref, ref.digest(), wanted))
        return from_cache(store, ref, ref.digest(), *img, options);

    RegistryClientOptions client_options = options.client;
    client_options.by_digest = ref.has_digest();
    RegistryClient client(ref.registry(), client_options);

    // 2. A tag: has it moved? One HEAD.
    if (!ref.has_digest()) {
      try {
        if (auto head = client.head_manifest(ref.repository(), ref.tag()))
          if (auto img = cached_image(store, ref, head->digest, wanted))
            return from_cache(store, ref, head->digest, *img, options);
      } catch (const Error& e) {
        // The GET below says the same more fully (or works where a HEAD does not).
        if (e.code() == Errc::kInterrupted) throw;
        log_debug(std::string("HEAD of the manifest failed: ") + e.what());
      }
    }

    // 3. The manifest(s).
    ResolvedImage resolved = resolve_image(client, ref, wanted);
    if (auto img = store.image(resolved.manifest.digest); img && layers_present(store, *img))
      return from_cache(store, ref, resolved.digest, *img, options);
    if (options.progress) options.progress->resolved(ref.str(), resolved.digest, false);

    // 4. Manifest, config, layers, all pinned by the lease until the image holds them.
    Lease lease = store.lease();
    const Digest& config_digest = resolved.image.config.digest;
    std::string config_bytes = store.blob(config_digest)
                                   ? store.read_blob(config_digest)
                                   : client.get_blob(ref.repository(), config_digest);
    ImageConfig config = with_context("config " + config_digest.str(),
                                      [&] { return parse_image_config(config_bytes); });
    check_layers_match(resolved.image, config);
    check_platform(config, resolved, wanted, options.platform.has_value());
    store.put_blob(resolved.manifest.digest, resolved.manifest.bytes, lease);
    store.put_blob(config_digest, config_bytes, lease);
    fault_point("pull-config-stored");

    // One fetch per distinct layer (a manifest may list the same one twice).
    std::vector<LayerRequest> requests;
    std::vector<PullLayer> lines;
    std::map<Digest, size_t> seen;
    for (size_t i = 0; i < resolved.image.layers.size(); ++i) {
      const Descriptor& blob = resolved.image.layers[i].blob;
      if (!seen.emplace(config.diff_ids[i], requests.size()).second) continue;
      requests.push_back({blob.digest, blob.size, config.diff_ids[i]});
      lines.push_back({blob.digest, config.diff_ids[i], blob.size});
    }
    if (options.progress) options.progress->layers(lines);
    LayerFetchOptions fetch;
    fetch.max_parallel = options.max_parallel;
    fetch.progress = options.progress;
    fetch.cancel = options.client.http.cancel;
    std::vector<LayerResult> results =
        fetch_layers(store, client, ref.repository(), requests, lease, fetch);

    // 5. Name it, unless Ctrl-C came in the meantime: then nothing is registered.
    if (cancelled(options)) throw Error(Errc::kInterrupted, "interrupted");
    ImageRecord record;
    record.manifest = resolved.manifest.digest;
    record.media_type = resolved.manifest.media_type;
    record.config = config_digest;
    for (size_t i = 0; i < resolved.image.layers.size(); ++i) {
      const Descriptor& blob = resolved.image.layers[i].blob;
      record.layers.push_back(
          {blob.digest, config.diff_ids[i], static_cast<uint64_t>(blob.size), blob.media_type});
    }
    record.created = parse_rfc3339(config.created);
    if (!config.platform.os.empty() && !config.platform.architecture.empty())
      record.platform = config.platform.normalized().str();

    PullResult out;
    out.digest = resolved.digest;
    out.names = names_for(ref, resolved.digest);
    out.image = add_named_image(store, record, out.names);
    lease.release();
    for (const LayerResult& r : results) {
      if (r.reused) {
        ++out.layers_reused;
      } else {
        ++out.layers_fetched;
        out.bytes_fetched += r.blob_size;
      }
    }
    return out;
  });
}

PullPolicy parse_pull_policy(std::string_view text) {
  if (text == "never") return PullPolicy::kNever;
  if (text == "missing") return PullPolicy::kMissing;
  if (text == "always") return PullPolicy::kAlways;
  throw Error(Errc::kInvalidArgument,
              "unknown pull policy '" + std::string(text) + "': use never, missing or always");
}

ImageRecord ensure_image(Store& store, std::string_view reference, PullPolicy policy,
                         const PullOptions& options) {
  if (policy != PullPolicy::kAlways)
    if (auto img = find_local_image(store, reference)) return *img;
  if (policy == PullPolicy::kNever)
    throw Error(Errc::kNotFound, std::string(reference) + ": image not known", 0,
                "it is not in the store and --pull=never: pull it first, dabba pull " +
                    std::string(reference));
  return pull_by_name(store, reference, options).image;
}

PullResult pull_by_name(Store& store, std::string_view name, const PullOptions& options) {
  ShortNameResolution resolution = resolve_pull_name(name, options.client.config.conf());
  const bool quiet = options.progress == nullptr;
  if (!quiet && !resolution.description.empty()) options.progress->message(resolution.description);
  std::vector<std::string> failures;
  std::optional<Errc> code;
  for (const ImageRef& candidate : resolution.candidates) {
    // podman's first line of every pull (scripts and its tests match it).
    if (!quiet) options.progress->message("Trying to pull " + candidate.str() + "...");
    try {
      return pull_image(store, candidate, options);
    } catch (const Error& e) {
      if (e.code() == Errc::kInterrupted || resolution.candidates.size() == 1) throw;
      failures.push_back(e.what());
      code = !code || *code == e.code() ? e.code() : Errc::kFailed;
    }
  }
  std::string text = std::to_string(failures.size()) + " errors occurred while pulling:";
  for (const std::string& f : failures) text += "\n * " + f;
  throw Error(code.value_or(Errc::kFailed), text);
}

std::optional<ImageRecord> find_local_image(const Store& store, std::string_view text) {
  auto named = [&](const ImageRef& ref) -> std::optional<ImageRecord> {
    std::string name = ref.has_digest() ? digest_name(ref, ref.digest()) : tag_name(ref);
    if (auto m = store.lookup_name(name)) return store.image(*m);
    return std::nullopt;
  };
  const bool short_name = is_short_name(text);
  if (short_name) {
    try {
      if (auto img = named(ImageRef::parse("localhost/" + std::string(text)))) return img;
    } catch (const Error& e) {
      if (e.code() != Errc::kInvalidArgument) throw;
    }
  }
  if (auto img = find_image(store, text)) return img;
  if (!short_name) return std::nullopt;
  try {
    ImageRef::parse(text);
  } catch (const Error&) {
    return std::nullopt;  // not a name (an id prefix, say, that find_image did not know)
  }
  for (const ImageRef& candidate :
       local_name_candidates(text, RegistryConfig::load_default().conf()))
    if (auto img = named(candidate)) return img;
  // Last, any stored name whose path ends with the short name ("rig/busybox:latest" finds
  // "127.0.0.1:5000/rig/busybox:latest"), as podman does for names pulled through a search
  // registry that is no longer configured.
  ImageRef docker = ImageRef::parse(text);
  std::string suffix = "/" + std::string(text.substr(0, text.find('@')));
  if (suffix.find(':', suffix.rfind('/')) == std::string::npos && !docker.has_digest())
    suffix += ":latest";
  for (const ImageEntry& e : store.list_images())
    for (const std::string& n : e.names)
      if (n.size() > suffix.size() && n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0)
        return e.image;
  return std::nullopt;
}

}  // namespace dabba
