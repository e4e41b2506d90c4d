// One blob's way into a registry for a push (the OCI distribution spec's push API):
//
//   HEAD /v2/<repo>/blobs/<digest>            200 with the right size: nothing to do
//   POST /v2/<repo>/blobs/uploads/?mount=<digest>&from=<other repo>
//                                             201: mounted from a repository that has it
//                                             202: not mounted; the upload session it opened
//                                                  is used below
//   POST /v2/<repo>/blobs/uploads/            202 + Location: an upload session
//   monolithic: PUT <location>&digest=<digest> with every byte          201
//   chunked:    PATCH <location> Content-Range: a-b, one chunk           202 + new Location
//               ... then PUT <location>&digest=<digest> (no body)        201
//   the registry's Docker-Content-Digest must be ours.
//
// A failed request (a broken connection, a 5xx) is resumed where the registry allows it: GET
// <location> answers 204 with the Range it holds, and the upload goes on from there in chunks;
// when it does not (the session is gone, or the registry dropped it), the upload starts over in
// a new session, a bounded number of times.
//
// One BlobUploader per thread (each has its own HTTP client); the PushTarget's auth is shared.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "oci/digest.h"
#include "registry/http_client.h"
#include "registry/registry_client.h"

namespace dabba {

struct BlobSource {
  Digest digest;
  uint64_t size = 0;
  // Reads up to size bytes at offset into buf (pread-like); returns how many, 0 only past the
  // end. Called again from any offset when an upload resumes or starts over.
  std::function<size_t(uint64_t offset, char* buf, size_t size)> read;
};

enum class UploadOutcome { kExists, kMounted, kUploaded };

struct UploadOptions {
  // 0: monolithic (one PUT with the blob). Else PATCH chunks of this many bytes, then PUT.
  uint64_t chunk_size = 0;
  // Repositories of the same registry that hold the blob: a cross-repository mount is asked
  // from the first ones (at most three) before uploading.
  std::vector<std::string> mount_from;
  int max_restarts = 3;  // new sessions after a failure the registry cannot resume
  int max_resumes = 5;   // resumed sessions after failures
  // Bytes of the blob the registry has taken so far (may go back when an upload starts over).
  std::function<void(uint64_t bytes)> on_progress;
  // Checked between requests; when set, the upload stops with Error{kInterrupted}.
  const std::atomic<bool>* cancel = nullptr;
};

class BlobUploader {
 public:
  BlobUploader(PushTarget target, HttpOptions http);

  // HEAD: true when the registry has the blob (with that size, when it says a size).
  bool exists(const Digest& digest, uint64_t size);
  // exists(), else a mount, else an upload. Throws Error (kAuth, kNetwork, kDigestMismatch, ...)
  // naming the blob.
  UploadOutcome push(const BlobSource& blob, const UploadOptions& options);

 private:
  HttpRequest request_to(const std::string& url, const std::string& scope) const;
  // POST of a new session (or a mount); returns the session's Location, or "" when mounted.
  std::string start(const BlobSource& blob, const std::string& mount_from);
  // Sends the bytes from offset on through the session at location (kept up to date with the
  // registry's answers, so a failure can ask that session where it stands); returns when
  // committed.
  void send(const BlobSource& blob, std::string& location, uint64_t offset, bool chunked,
            const UploadOptions& options);
  // GET of the session's status: the offset to go on from and the new location, or false.
  bool status(std::string& location, uint64_t& offset);
  void check_committed(const HttpResponse& r, const BlobSource& blob, const std::string& what);

  PushTarget target_;
  HttpClient http_;
  std::string scope_;  // push scope of the target repository
};

}  // namespace dabba
