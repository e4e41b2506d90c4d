#include "push/pusher.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <mutex>
#include <thread>

#include "common/fault_point.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/unique_fd.h"
#include "registry/blob_upload.h"
#include "store/image_names.h"

namespace dabba {
namespace {

// One blob to push: a layer (in the compression wanted) or the config.
struct Item {
  bool config = false;
  Digest diff_id;
  Digest hint;  // the blob the image's manifest names (used when it is stored in `want`)
  Compression want = Compression::kGzip;
  uint64_t tar_size = 0;
  // Filled in by the worker:
  LayerBlob blob;
  PushBlobOutcome outcome = PushBlobOutcome::kUploaded;
};

bool is_cancelled(const std::atomic<bool>* flag) { return flag != nullptr && flag->load(); }

// Repositories of registry, per blob hex, that the store's names say hold it: where a
// cross-repository mount may come from.
std::map<std::string, std::vector<std::string>> mount_sources(const Store& store,
                                                              const std::string& registry,
                                                              const std::string& repository) {
  std::map<std::string, std::vector<std::string>> out;
  const std::string prefix = registry + "/";
  for (const ImageEntry& e : store.list_images()) {
    std::vector<std::string> repos;
    for (const std::string& n : e.names) {
      std::string repo = split_name(n).repository;
      if (repo.rfind(prefix, 0) != 0) continue;
      repo = repo.substr(prefix.size());
      if (repo == repository) continue;
      if (std::find(repos.begin(), repos.end(), repo) == repos.end()) repos.push_back(repo);
    }
    if (repos.empty()) continue;
    auto add = [&](const Digest& d) {
      auto& list = out[d.hex()];
      for (const auto& r : repos)
        if (std::find(list.begin(), list.end(), r) == list.end()) list.push_back(r);
    };
    add(e.image.config);
    for (const ImageLayer& l : e.image.layers) add(l.blob);
  }
  return out;
}

class Pusher {
 public:
  Pusher(Store& store, const ImageRecord& image, const ImageRef& dest, const PushOptions& options)
      : store_(store), image_(image), dest_(dest), options_(options) {}

  PushResult run() {
    if (dest_.has_digest())
      throw Error(Errc::kInvalidArgument,
                  "cannot push to a destination with a digest (" + dest_.str() + ")", 0,
                  "name a tag instead: the registry computes the digest");
    const std::string tag = dest_.tag().empty() ? "latest" : dest_.tag();
    const std::string manifest_bytes = store_.read_blob(image_.manifest);
    const ImageManifest source = with_context("manifest " + image_.manifest.str(), [&] {
      return parse_image_manifest(manifest_bytes, image_.media_type);
    });
    const ManifestFormat format = options_.format.value_or(manifest_format_of(source.media_type));
    if (source.layers.size() != image_.layers.size())
      throw Error(Errc::kCorrupt, "image " + image_.manifest.str() + ": its record and manifest "
                                  "disagree on the layers");

    // The plan: one item per layer, then the config.
    for (size_t i = 0; i < source.layers.size(); ++i) {
      Item it;
      it.diff_id = image_.layers[i].diff_id;
      it.hint = source.layers[i].blob.digest;
      Compression have = source.layers[i].compression;
      it.want = options_.compression.value_or(have == Compression::kNone ? Compression::kGzip
                                                                          : have);
      layer_media_type_for(format, it.want);  // zstd in a v2s2 manifest fails here, early
      auto info = store_.layer(it.diff_id);
      if (!info)
        throw Error(Errc::kNotFound, "layer " + it.diff_id.str() + " of the image is not in the store",
                    0, "run `dabba check`; pull the image again");
      it.tar_size = info->tar_size;
      items_.push_back(it);
    }
    Item config;
    config.config = true;
    config.blob = {image_.config, static_cast<uint64_t>(source.config.size), Compression::kNone,
                   false};
    items_.push_back(config);

    lease_ = store_.lease();
    RegistryClientOptions client_options = options_.client;
    client_options.access = RegistryAccess::kPush;
    RegistryClient client(dest_.registry(), client_options);
    target_ = client.push_target(dest_.repository());  // pings, in this thread
    mounts_ = mount_sources(store_, dest_.registry(), dest_.repository());

    if (options_.progress) {
      std::vector<PushBlob> blobs;
      for (const Item& it : items_) {
        PushBlob b;
        b.config = it.config;
        b.diff_id = it.diff_id;
        if (it.config) {
          b.digest = it.blob.digest;
          b.size = static_cast<int64_t>(it.blob.size);
        }
        blobs.push_back(b);
      }
      options_.progress->blobs(blobs);
    }
    upload_all();
    fault_point("push-blobs-uploaded");

    // The manifest: the image's own when nothing changed, so its digest stays.
    bool same = format == manifest_format_of(source.media_type);
    for (size_t i = 0; same && i < source.layers.size(); ++i)
      same = items_[i].blob.digest == source.layers[i].blob.digest;
    std::string bytes = manifest_bytes;
    std::string media_type(manifest_media_type_for(format));
    if (!same) {
      ImageManifest m = source;
      m.media_type = media_type;
      m.config.media_type = config_media_type_for(format);
      for (size_t i = 0; i < m.layers.size(); ++i) {
        Descriptor& d = m.layers[i].blob;
        d.digest = items_[i].blob.digest;
        d.size = static_cast<int64_t>(items_[i].blob.size);
        d.media_type = layer_media_type_for(format, items_[i].want);
        // What a layer's annotations say may be about its old compression (zstd:chunked's).
        if (d.digest != source.layers[i].blob.digest) d.annotations.clear();
        m.layers[i].compression = items_[i].want;
      }
      bytes = serialize_image_manifest(m);
    } else {
      media_type = image_.media_type;
    }
    if (options_.progress) options_.progress->writing_manifest();
    result_.digest = Digest::of(bytes);
    result_.reference = dest_.name() + ":" + tag;
    std::optional<Descriptor> current;
    try {
      current = client.head_manifest(dest_.repository(), tag);
    } catch (const Error& e) {
      if (e.code() == Errc::kInterrupted) throw;
    }
    if (!current || current->digest != result_.digest)
      client.put_manifest(dest_.repository(), tag, media_type, bytes);
    lease_.release();
    return result_;
  }

 private:
  void upload_all() {
    size_t workers = std::min(std::max<size_t>(options_.max_parallel, 1), items_.size());
    std::vector<std::thread> threads;
    for (size_t w = 0; w < workers; ++w) threads.emplace_back([this] { work(); });
    for (auto& t : threads) t.join();
    if (error_) std::rethrow_exception(error_);
    if (is_cancelled(options_.client.http.cancel))
      throw Error(Errc::kInterrupted, "interrupted");
  }

  void work() {
    try {
      BlobUploader uploader(target_, options_.client.http);
      for (;;) {
        size_t i;
        {
          std::lock_guard lock(mu_);
          if (next_ >= items_.size() || error_ || stop_.load()) return;
          i = next_++;
        }
        try {
          push_one(uploader, i);
        } catch (const Error& e) {
          if (options_.progress) options_.progress->blob_failed(i, e.what());
          throw;
        }
      }
    } catch (...) {
      std::lock_guard lock(mu_);
      if (!error_) error_ = std::current_exception();
      stop_.store(true);
    }
  }

  void push_one(BlobUploader& uploader, size_t i) {
    Item& it = items_[i];
    PushProgress* progress = options_.progress;
    const auto start = std::chrono::steady_clock::now();
    auto ms = [&] {
      return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::steady_clock::now() - start)
                                .count()) +
             " ms";
    };
    if (!it.config) {
      it.blob = store_.layer_blob(it.diff_id, it.want, lease_, it.hint, [&](uint64_t done) {
        if (progress) progress->blob_compressing(i, done, it.tar_size);
        if (is_cancelled(options_.client.http.cancel) || stop_.load())
          throw Error(Errc::kInterrupted, "interrupted");
      });
      if (it.blob.made) {
        std::lock_guard lock(mu_);
        ++result_.compressed;
      }
      log_debug("layer " + it.diff_id.str() + ": blob " + it.blob.digest.str() +
                (it.blob.made ? " made in " : " found in ") + ms());
    }
    if (progress) progress->blob_started(i, it.blob.digest, it.blob.size);
    const std::string path = store_.blob_path(it.blob.digest);
    UniqueFd fd = open_file(path, O_RDONLY);
    BlobSource source;
    source.digest = it.blob.digest;
    source.size = it.blob.size;
    source.read = [&fd, &path](uint64_t offset, char* buf, size_t n) -> size_t {
      for (;;) {
        ssize_t got = ::pread(fd.get(), buf, n, static_cast<off_t>(offset));
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) throw_errno("read " + path);
        return static_cast<size_t>(got);
      }
    };
    UploadOptions upload;
    upload.chunk_size = options_.chunk_size;
    if (auto m = mounts_.find(it.blob.digest.hex()); m != mounts_.end())
      upload.mount_from = m->second;
    if (progress) upload.on_progress = [progress, i](uint64_t sent) { progress->blob_bytes(i, sent); };
    upload.cancel = options_.client.http.cancel;
    UploadOutcome how = uploader.push(source, upload);
    log_debug("blob " + it.blob.digest.str() + ": " +
              (how == UploadOutcome::kExists    ? "present"
               : how == UploadOutcome::kMounted ? "mounted"
                                                : "uploaded") +
              " after " + ms());
    it.outcome = how == UploadOutcome::kExists    ? PushBlobOutcome::kExists
                 : how == UploadOutcome::kMounted ? PushBlobOutcome::kMounted
                                                  : PushBlobOutcome::kUploaded;
    {
      std::lock_guard lock(mu_);
      switch (it.outcome) {
        case PushBlobOutcome::kUploaded:
          ++result_.uploaded;
          result_.bytes_uploaded += it.blob.size;
          break;
        case PushBlobOutcome::kExists:
          ++result_.skipped;
          break;
        case PushBlobOutcome::kMounted:
          ++result_.mounted;
          break;
      }
    }
    if (progress) progress->blob_done(i, it.outcome);
  }

  Store& store_;
  const ImageRecord& image_;
  const ImageRef& dest_;
  const PushOptions& options_;
  std::vector<Item> items_;
  Lease lease_;
  PushTarget target_;
  std::map<std::string, std::vector<std::string>> mounts_;
  std::mutex mu_;
  size_t next_ = 0;
  std::exception_ptr error_;
  std::atomic<bool> stop_{false};
  PushResult result_;
};

}  // namespace

PushOptions PushOptions::from_environment() {
  PushOptions o;
  o.client.config = RegistryConfig::load_default();
  if (const char* chunk = std::getenv("DABBA_PUSH_CHUNK_SIZE"); chunk != nullptr && *chunk)
    o.chunk_size = std::strtoull(chunk, nullptr, 10);
  return o;
}

PushResult push_image(Store& store, const ImageRecord& image, const ImageRef& destination,
                      const PushOptions& options) {
  return with_context("push " + destination.str(),
                      [&] { return Pusher(store, image, destination, options).run(); });
}

}  // namespace dabba
