#include "registry/blob_upload.h"

#include <charconv>

#include "common/error.h"
#include "common/log.h"
#include "registry/auth.h"
#include "registry/http_url.h"
#include "registry/registry_errors.h"

namespace dabba {
namespace {

// The end of a registry's "Range: 0-1234" (bytes it holds, inclusive); -1 without one.
int64_t range_end(const HttpResponse& r) {
  auto v = r.headers.get("range");
  if (!v) return -1;
  std::string_view s = *v;
  if (s.substr(0, 6) == "bytes=") s.remove_prefix(6);
  size_t dash = s.find('-');
  if (dash == std::string_view::npos) return -1;
  int64_t end = -1;
  std::string_view tail = s.substr(dash + 1);
  if (std::from_chars(tail.data(), tail.data() + tail.size(), end).ec != std::errc()) return -1;
  return end;
}

std::string with_query(const std::string& url, const std::string& param) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + param;
}

bool cancelled(const UploadOptions& o) { return o.cancel != nullptr && o.cancel->load(); }

}  // namespace

BlobUploader::BlobUploader(PushTarget target, HttpOptions http)
    : target_(std::move(target)), http_(std::move(http)), scope_(push_scope(target_.repository)) {}

HttpRequest BlobUploader::request_to(const std::string& url, const std::string& scope) const {
  HttpRequest req = target_.request("", scope);
  req.url = url;
  return req;
}

bool BlobUploader::exists(const Digest& digest, uint64_t size) {
  HttpRequest req = target_.request("blobs/" + digest.str(), scope_);
  req.method = "HEAD";
  HttpResponse r = http_.send(req);
  if (r.status == 404) return false;
  if (!r.ok()) throw http_error(r, "HEAD blob " + digest.str(), *target_.auth, target_.host);
  // A registry holding other bytes under that name would be broken; treat a size mismatch as
  // absent, and the upload's digest check will say more.
  auto length = r.headers.get("content-length");
  uint64_t have = 0;
  if (length && std::from_chars(length->data(), length->data() + length->size(), have).ec ==
                    std::errc() && have != size)
    return false;
  return true;
}

std::string BlobUploader::start(const BlobSource& blob, const std::string& mount_from) {
  const std::string base = target_.base_url + "/v2/" + target_.repository + "/blobs/uploads/";
  std::string scope = scope_;
  std::string url = base;
  if (!mount_from.empty()) {
    url += "?mount=" + url_encode(blob.digest.str()) + "&from=" + url_encode(mount_from);
    scope += " " + pull_scope(mount_from);  // the token must let us read the other repository
  }
  HttpRequest req = request_to(url, scope);
  req.method = "POST";
  HttpResponse r = http_.send(req);
  if (r.status == 201 && !mount_from.empty()) {
    check_committed(r, blob, "mount of blob " + blob.digest.str() + " from " + mount_from);
    return {};
  }
  if (r.status != 202)
    throw http_error(r, "start the upload of blob " + blob.digest.str(), *target_.auth,
                     target_.host);
  auto location = r.headers.get("location");
  if (!location || location->empty())
    throw Error(Errc::kFailed, "the registry opened an upload without a Location");
  return resolve_url(url, *location);
}

void BlobUploader::check_committed(const HttpResponse& r, const BlobSource& blob,
                                   const std::string& what) {
  Digest answered;
  if (auto header = r.headers.get("docker-content-digest");
      header && Digest::try_parse(*header, answered) && answered != blob.digest)
    throw Error(Errc::kDigestMismatch, what + ": the registry stored " + answered.str() +
                                           " instead of " + blob.digest.str());
}

bool BlobUploader::status(std::string& location, uint64_t& offset) {
  HttpRequest req = request_to(location, scope_);
  try {
    HttpResponse r = http_.send(req);
    if (r.status != 204 && r.status != 200) return false;
    int64_t end = range_end(r);
    offset = end < 0 ? 0 : static_cast<uint64_t>(end) + 1;
    if (auto next = r.headers.get("location"); next && !next->empty())
      location = resolve_url(location, *next);
    return true;
  } catch (const Error& e) {
    if (e.code() == Errc::kInterrupted) throw;
    return false;
  }
}

void BlobUploader::send(const BlobSource& blob, std::string& location, uint64_t offset,
                        bool chunked, const UploadOptions& options) {
  const std::string what = "upload of blob " + blob.digest.str();
  auto body = [&](HttpRequest& req, uint64_t from, uint64_t size) {
    req.body_reader = [&blob, from](uint64_t off, char* buf, size_t n) {
      return blob.read(from + off, buf, n);
    };
    req.body_size = size;
    req.retry = false;  // the registry may hold half of it: resumed above, from its status
    req.headers.push_back("Content-Type: application/octet-stream");
    if (options.on_progress)
      req.on_sent = [&options, from](uint64_t sent) { options.on_progress(from + sent); };
  };
  if (chunked) {
    const uint64_t chunk = options.chunk_size > 0 ? options.chunk_size : blob.size;
    while (offset < blob.size) {
      if (cancelled(options)) throw Error(Errc::kInterrupted, "interrupted");
      const uint64_t n = std::min(chunk, blob.size - offset);
      HttpRequest req = request_to(location, scope_);
      req.method = "PATCH";
      body(req, offset, n);
      req.headers.push_back("Content-Range: " + std::to_string(offset) + "-" +
                            std::to_string(offset + n - 1));
      HttpResponse r = http_.send(req);
      if (r.status != 202 && r.status != 204)
        throw http_error(r, what + " (bytes " + std::to_string(offset) + "-" +
                                std::to_string(offset + n - 1) + ")",
                         *target_.auth, target_.host);
      if (auto next = r.headers.get("location"); next && !next->empty())
        location = resolve_url(location, *next);
      int64_t end = range_end(r);
      offset = end >= 0 ? static_cast<uint64_t>(end) + 1 : offset + n;
      if (options.on_progress) options.on_progress(offset);
    }
    HttpRequest put = request_to(with_query(location, "digest=" + url_encode(blob.digest.str())),
                                 scope_);
    put.method = "PUT";
    put.headers.push_back("Content-Type: application/octet-stream");
    HttpResponse r = http_.send(put);
    if (r.status != 201 && r.status != 204 && r.status != 200)
      throw http_error(r, "commit of the " + what, *target_.auth, target_.host);
    check_committed(r, blob, what);
    return;
  }
  HttpRequest put =
      request_to(with_query(location, "digest=" + url_encode(blob.digest.str())), scope_);
  put.method = "PUT";
  body(put, 0, blob.size);
  HttpResponse r = http_.send(put);
  if (r.status != 201 && r.status != 204 && r.status != 200)
    throw http_error(r, what, *target_.auth, target_.host);
  check_committed(r, blob, what);
}

UploadOutcome BlobUploader::push(const BlobSource& blob, const UploadOptions& options) {
  return with_context("push blob " + blob.digest.str(), [&]() -> UploadOutcome {
    if (exists(blob.digest, blob.size)) return UploadOutcome::kExists;
    std::string location;
    size_t mounts = 0;
    for (const std::string& from : options.mount_from) {
      if (from == target_.repository || mounts++ == 3) continue;
      try {
        location = start(blob, from);
      } catch (const Error& e) {
        // No right to read the other repository, say: upload it instead.
        if (e.code() == Errc::kInterrupted || e.code() == Errc::kDigestMismatch) throw;
        log_debug("mount of " + blob.digest.str() + " from " + from + " refused: " + e.what());
        continue;
      }
      if (location.empty()) return UploadOutcome::kMounted;
      break;  // not mounted: the session it opened takes the upload
    }
    uint64_t offset = 0;
    bool chunked = options.chunk_size > 0 && options.chunk_size < blob.size;
    int restarts = 0, resumes = 0;
    for (;;) {
      if (cancelled(options)) throw Error(Errc::kInterrupted, "interrupted");
      if (location.empty()) {
        location = start(blob, "");
        offset = 0;
        chunked = options.chunk_size > 0 && options.chunk_size < blob.size;
      }
      try {
        send(blob, location, offset, chunked, options);
        return UploadOutcome::kUploaded;
      } catch (const Error& e) {
        if (e.code() == Errc::kInterrupted || e.code() == Errc::kAuth ||
            e.code() == Errc::kDigestMismatch)
          throw;
        // Where does the registry stand? Go on from there if it says, else start over.
        uint64_t have = 0;
        if (resumes < options.max_resumes && status(location, have) && have <= blob.size) {
          ++resumes;
          log_info("upload of " + blob.digest.str() + " failed (" + e.what() +
                   "); resuming at byte " + std::to_string(have));
          offset = have;
          chunked = true;  // the rest, as chunks (a PUT with a body must start at 0)
          continue;
        }
        if (++restarts > options.max_restarts) throw;
        log_info("upload of " + blob.digest.str() + " failed (" + e.what() + "); starting over");
        location.clear();
      }
    }
  });
}

}  // namespace dabba
