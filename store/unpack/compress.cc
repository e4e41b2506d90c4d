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

// One write (or, with end, the finish) of a zlib-style deflate: zlib's z_stream and isa-l's
// isal_zstream name their buffers alike. The input is given in pieces of at most 1 GiB (their
// avail_in is 32 bits); after each, output goes in out-sized chunks to sink for as long as the
// stream has input left or fills a chunk, and at the end until deflate() says the stream is
// complete.
template <class Stream, class Deflate>
void deflate_into(Stream& s, const uint8_t* data, size_t size, bool end, std::vector<uint8_t>& out,
                  const Compressor::Sink& sink, Deflate deflate) {
  if (size == 0 && !end) return;
  do {
    const size_t piece = std::min<size_t>(size, 1u << 30);
    s.next_in = const_cast<decltype(s.next_in)>(data);  // neither writes its input
    s.avail_in = static_cast<decltype(s.avail_in)>(piece);
    bool complete = false;
    do {
      s.next_out = out.data();
      s.avail_out = static_cast<decltype(s.avail_out)>(out.size());
      complete = deflate();
      const size_t produced = out.size() - s.avail_out;
      if (produced > 0) sink(out.data(), produced);
    } while (s.avail_in > 0 || s.avail_out == 0 || (end && !complete));
    data += piece;
    size -= piece;
  } while (size > 0);
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
  void write(const uint8_t* data, size_t size) override { run(data, size, false); }
  void finish() override { run(nullptr, 0, true); }
  const char* name() const override { return "isa-l gzip"; }

 private:
  void run(const uint8_t* data, size_t size, bool end) {
    st_.end_of_stream = end ? 1 : 0;
    st_.flush = NO_FLUSH;
    deflate_into(st_, data, size, end, out_, sink_, [&] {
      const int rc = isal_deflate(&st_);
      if (rc != COMP_OK)
        throw Error(Errc::kFailed, "isal_deflate failed (" + std::to_string(rc) + ")");
      return st_.internal_state.state == ZSTATE_END;
    });
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
  void write(const uint8_t* data, size_t size) override { run(data, size, Z_NO_FLUSH); }
  void finish() override { run(nullptr, 0, Z_FINISH); }
  const char* name() const override { return "zlib gzip"; }

 private:
  void run(const uint8_t* data, size_t size, int flush) {
    deflate_into(z_, data, size, flush == Z_FINISH, out_, sink_, [&] {
      const int rc = deflate(&z_, flush);
      if (rc == Z_STREAM_ERROR) throw Error(Errc::kFailed, "deflate failed");
      return rc == Z_STREAM_END;
    });
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
