#include "store/layer_create.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <optional>

#include "common/byte_source.h"
#include "common/error.h"
#include "common/fs.h"
#include "store/unpack/compress.h"

namespace dabba {
namespace {

// A temp file removed when this goes out of scope.
class TempFile {
 public:
  explicit TempFile(const std::string& dir) {
    make_dirs(dir, 0700);
    path_ = dir + "/layer-XXXXXX";
    int fd = ::mkostemp(path_.data(), O_CLOEXEC);
    if (fd < 0) throw_errno("create a temp file in " + dir);
    fd_ = UniqueFd(fd);
  }
  ~TempFile() { ::unlink(path_.c_str()); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  int fd() const { return fd_.get(); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  UniqueFd fd_;
};

NewLayer ingest(Store& store, int fd, const Digest& blob, uint64_t size, const Digest& diff_id,
                const Lease& lease) {
  LayerIngest in = store.begin_layer({blob, static_cast<int64_t>(size), diff_id}, lease);
  const bool reused = in.complete();
  DABBA_SYSCALL(::lseek(fd, 0, SEEK_SET), "lseek");
  FdSource source(fd);
  std::optional<LayerBlob> stored;  // named instead of this blob
  if (reused && !store.blob(blob)) {
    // The tar was unpacked here before (from another blob, or an earlier commit). A tar made
    // here (diff_id known: a second commit of the same change) names the layer's gzip blob
    // stored before, so both images name one blob: ISA-L need not give the same bytes twice.
    // Otherwise this blob is stored all the same, so save and push find it as a pulled layer's.
    if (!diff_id.empty()) stored = store.find_layer_blob(diff_id, Compression::kGzip, lease);
    if (!stored) store.put_blob(blob, static_cast<int64_t>(size), source, lease);
  } else if (!reused && in.resume_offset() > 0) {
    in.restart();
  }
  const LayerResult r = reused ? in.result() : in.run(source);
  NewLayer out;
  out.blob = stored ? stored->digest : blob;
  out.diff_id = r.diff_id;
  out.blob_size = stored ? stored->size : size;
  out.tar_size = r.tar_size;
  out.content_bytes = r.content_bytes;
  if (!reused) out.compression = r.compression;
  out.reused = reused;
  return out;
}

}  // namespace

NewLayer create_layer(Store& store, const std::function<void(const TarSink&)>& make_tar,
                      const Lease& lease) {
  TempFile blob_file(store.temp_dir());
  Sha256 tar_hash, blob_hash;
  uint64_t tar_bytes = 0, blob_bytes = 0;
  std::vector<uint8_t> pending;  // compressed bytes, written in large chunks
  auto flush = [&] {
    write_all(blob_file.fd(), pending.data(), pending.size());
    pending.clear();
  };
  std::unique_ptr<Compressor> gzip =
      make_compressor(Compression::kGzip, [&](const uint8_t* data, size_t size) {
        blob_hash.update(data, size);
        blob_bytes += size;
        pending.insert(pending.end(), data, data + size);
        if (pending.size() >= (1 << 20)) flush();
      });
  make_tar([&](const void* data, size_t size) {
    tar_hash.update(data, size);
    tar_bytes += size;
    gzip->write(static_cast<const uint8_t*>(data), size);
  });
  gzip->finish();
  flush();
  Digest diff_id = tar_hash.finish();
  NewLayer out = ingest(store, blob_file.fd(), blob_hash.finish(), blob_bytes, diff_id, lease);
  if (out.tar_size == 0) out.tar_size = tar_bytes;
  return out;
}

NewLayer ingest_layer_file(Store& store, const std::string& path, const Lease& lease) {
  UniqueFd fd = open_file(path, O_RDONLY);
  Sha256 hash;
  std::vector<char> buf(1 << 20);
  uint64_t size = 0;
  for (;;) {
    ssize_t n = DABBA_SYSCALL(::read(fd.get(), buf.data(), buf.size()), path);
    if (n == 0) break;
    hash.update(buf.data(), static_cast<size_t>(n));
    size += static_cast<uint64_t>(n);
  }
  return ingest(store, fd.get(), hash.finish(), size, Digest(), lease);
}

}  // namespace dabba
