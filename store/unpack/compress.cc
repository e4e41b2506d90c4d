#include "store/unpack/compress.h"

#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <thread>
#include <vector>

#include "common/error.h"

#ifdef DABBA_HAVE_ISAL
#include <isa-l/igzip_lib.h>
#endif

namespace dabba {
namespace {

constexpr size_t kOutChunk = 256 << 10;

// Calls fn(piece, n) for DATA in pieces of at most 1 GiB: zlib's and isa-l's avail_in are 32 bits.
template <class Fn>
void in_pieces(const uint8_t* data, size_t size, Fn&& fn) {
  while (size > 0) {
    size_t n = std::min<size_t>(size, 1u << 30);
    fn(data, n);
    data += n;
    size -= n;
  }
}

class Passthrough final : public Compressor {
 public:
  explicit Passthrough(Sink sink) : sink_(std::move(sink)) {}
  void write(const uint8_t* data, size_t size) override { sink_(data, size); }
  void finish() override {}
  const char* name() const override { return "none"; }

 private:
  Sink sink_;
};

#ifdef DABBA_HAVE_ISAL
// ISA-L's deflate: several times zlib's speed at its levels 1-3 (for a ratio near zlib's 1-6).
class IsalGzip final : public Compressor {
 public:
  IsalGzip(Sink sink, int level) : sink_(std::move(sink)), out_(kOutChunk) {
    isal_deflate_init(&st_);
    st_.gzip_flag = IGZIP_GZIP;
    st_.level = static_cast<uint32_t>(level);
    size_t need = level == 1   ? ISAL_DEF_LVL1_DEFAULT
                  : level == 2 ? ISAL_DEF_LVL2_DEFAULT
                  : level == 3 ? ISAL_DEF_LVL3_DEFAULT
                               : 0;
    level_buf_.resize(need);
    st_.level_buf = level_buf_.empty() ? nullptr : level_buf_.data();
    st_.level_buf_size = static_cast<uint32_t>(level_buf_.size());
  }
  void write(const uint8_t* data, size_t size) override {
    in_pieces(data, size,
              [this](const uint8_t* p, size_t n) { run(p, static_cast<uint32_t>(n), false); });
  }
  void finish() override { run(nullptr, 0, true); }
  const char* name() const override { return "isa-l gzip"; }

 private:
  void run(const uint8_t* data, uint32_t size, bool end) {
    st_.next_in = const_cast<uint8_t*>(data);
    st_.avail_in = size;
    st_.end_of_stream = end ? 1 : 0;
    st_.flush = NO_FLUSH;
    do {
      st_.next_out = out_.data();
      st_.avail_out = static_cast<uint32_t>(out_.size());
      int rc = isal_deflate(&st_);
      if (rc != COMP_OK) throw Error(Errc::kFailed, "isal_deflate failed (" + std::to_string(rc) + ")");
      size_t produced = out_.size() - st_.avail_out;
      if (produced > 0) sink_(out_.data(), produced);
    } while (st_.avail_in > 0 || st_.avail_out == 0 ||
             (end && st_.internal_state.state != ZSTATE_END));
  }

  Sink sink_;
  isal_zstream st_{};
  std::vector<uint8_t> level_buf_;
  std::vector<uint8_t> out_;
};
#endif

class ZlibGzip final : public Compressor {
 public:
  ZlibGzip(Sink sink, int level) : sink_(std::move(sink)), out_(kOutChunk) {
    // windowBits 15 + 16: a gzip header and trailer; mtime 0 in the header (deterministic).
    if (deflateInit2(&z_, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
      throw Error(Errc::kFailed, "deflateInit2 failed");
  }
  ~ZlibGzip() override { deflateEnd(&z_); }
  void write(const uint8_t* data, size_t size) override {
    in_pieces(data, size,
              [this](const uint8_t* p, size_t n) { run(p, static_cast<uInt>(n), Z_NO_FLUSH); });
  }
  void finish() override { run(nullptr, 0, Z_FINISH); }
  const char* name() const override { return "zlib gzip"; }

 private:
  void run(const uint8_t* data, uInt size, int flush) {
    z_.next_in = const_cast<Bytef*>(data);
    z_.avail_in = size;
    int rc;
    do {
      z_.next_out = out_.data();
      z_.avail_out = static_cast<uInt>(out_.size());
      rc = deflate(&z_, flush);
      if (rc == Z_STREAM_ERROR) throw Error(Errc::kFailed, "deflate failed");
      size_t produced = out_.size() - z_.avail_out;
      if (produced > 0) sink_(out_.data(), produced);
    } while (z_.avail_in > 0 || z_.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
  }

  Sink sink_;
  z_stream z_{};
  std::vector<uint8_t> out_;
};

class Zstd final : public Compressor {
 public:
  Zstd(Sink sink, int level) : sink_(std::move(sink)), ctx_(ZSTD_createCCtx()), out_(kOutChunk) {
    if (ctx_ == nullptr) throw Error(Errc::kFailed, "ZSTD_createCCtx failed");
    ZSTD_CCtx_setParameter(ctx_, ZSTD_c_compressionLevel, level);
    ZSTD_CCtx_setParameter(ctx_, ZSTD_c_checksumFlag, 1);
    // zstd's own threads (a big layer is one stream): its output is the same for any number
    // of workers >= 1, so the blob digest does not depend on the machine. Without them (a
    // libzstd built single-threaded) the call fails and the output is that of 0 workers.
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    ZSTD_CCtx_setParameter(ctx_, ZSTD_c_nbWorkers, static_cast<int>(std::min(cores, 4u)));
  }
  ~Zstd() override { ZSTD_freeCCtx(ctx_); }
  void write(const uint8_t* data, size_t size) override { run(data, size, ZSTD_e_continue); }
  void finish() override { run(nullptr, 0, ZSTD_e_end); }
  const char* name() const override { return "zstd"; }

 private:
  void run(const uint8_t* data, size_t size, ZSTD_EndDirective mode) {
    ZSTD_inBuffer in{data, size, 0};
    for (;;) {
      ZSTD_outBuffer out{out_.data(), out_.size(), 0};
      size_t left = ZSTD_compressStream2(ctx_, &out, &in, mode);
      if (ZSTD_isError(left))
        throw Error(Errc::kFailed, std::string("zstd: ") + ZSTD_getErrorName(left));
      if (out.pos > 0) sink_(out_.data(), out.pos);
      bool done = mode == ZSTD_e_end ? left == 0 : in.pos == in.size;
      if (done) break;
    }
  }

  Sink sink_;
  ZSTD_CCtx* ctx_;
  std::vector<uint8_t> out_;
};

}  // namespace

std::unique_ptr<Compressor> make_compressor(Compression c, Compressor::Sink sink, int level) {
  switch (c) {
    case Compression::kNone:
      return std::make_unique<Passthrough>(std::move(sink));
    case Compression::kZstd:
      return std::make_unique<Zstd>(std::move(sink), level < 0 ? 3 : level);
    case Compression::kGzip:
#ifdef DABBA_HAVE_ISAL
      if (level < 0 || level <= 3) return std::make_unique<IsalGzip>(std::move(sink), level < 0 ? 1 : level);
#endif
      return std::make_unique<ZlibGzip>(std::move(sink), level < 0 ? 6 : level);
  }
  throw Error(Errc::kFailed, "unknown compression");
}

}  // namespace dabba
