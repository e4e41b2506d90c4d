#include "store/unpack/decompress.h"

#include <zlib.h>
#include <zstd.h>

#include <cstring>
#include <string>

#include "common/error.h"

#ifdef DABBA_HAVE_ISAL
#include <isa-l/igzip_lib.h>
#endif

namespace dabba {
namespace {

[[noreturn]] void corrupt(const std::string& what) {
  throw Error(Errc::kCorrupt, "decompress: " + what);
}

class Passthrough final : public Decompressor {
 public:
  Step run(const uint8_t* in, size_t in_size, uint8_t* out, size_t out_size) override {
    size_t n = in_size < out_size ? in_size : out_size;
    std::memcpy(out, in, n);
    return {n, n};
  }
  bool finished() const override { return true; }
  const char* name() const override { return "none"; }
};

// gzip streams may hold several members back to back (pigz, concatenated files); after the last
// one, bytes that do not start another member are ignored as trailing padding, like gzip(1).
class GzipMembers : public Decompressor {
 public:
  Step run(const uint8_t* in, size_t in_size, uint8_t* out, size_t out_size) final {
    if (trailing_) return {in_size, 0};
    if (!in_member_) {
      if (in_size == 0) return {};
      if (ended_ > 0 && in[0] != 0x1f) {
        trailing_ = true;
        return {in_size, 0};
      }
      if (ended_ > 0) reset();
      in_member_ = true;
    }
    bool member_end = false;
    Step s = inflate(in, in_size, out, out_size, member_end);
    if (member_end) {
      in_member_ = false;
      ++ended_;
    }
    return s;
  }
  bool finished() const final { return ended_ > 0 && !in_member_; }

 protected:
  virtual Step inflate(const uint8_t* in, size_t in_size, uint8_t* out, size_t out_size,
                       bool& member_end) = 0;
  virtual void reset() = 0;

 private:
  bool in_member_ = false;
  bool trailing_ = false;
  int ended_ = 0;
};

// zlib's z_stream and isa-l's inflate_state name their buffers alike: one step's input and output
// given to either, and what the step used of them.
template <class Stream>
void point_at(Stream& s, const uint8_t* in, size_t in_size, uint8_t* out, size_t out_size) {
  s.next_in = const_cast<decltype(s.next_in)>(in);  // neither writes its input
  s.avail_in = static_cast<decltype(s.avail_in)>(in_size);
  s.next_out = out;
  s.avail_out = static_cast<decltype(s.avail_out)>(out_size);
}
template <class Stream>
Decompressor::Step used(const Stream& s, size_t in_size, size_t out_size) {
  return {in_size - s.avail_in, out_size - s.avail_out};
}

class ZlibGzip final : public GzipMembers {
 public:
  ZlibGzip() {
    if (inflateInit2(&z_, 16 + MAX_WBITS) != Z_OK) corrupt("zlib init failed");
  }
  ~ZlibGzip() override { inflateEnd(&z_); }
  const char* name() const override { return "gzip (zlib)"; }

 protected:
  Step inflate(const uint8_t* in, size_t in_size, uint8_t* out, size_t out_size,
               bool& member_end) override {
    point_at(z_, in, in_size, out, out_size);
    int rc = ::inflate(&z_, Z_NO_FLUSH);
    if (rc == Z_STREAM_END) {
      member_end = true;
    } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
      corrupt(std::string("gzip: ") + (z_.msg != nullptr ? z_.msg : "zlib error"));
    }
    return used(z_, in_size, out_size);
  }
  void reset() override { inflateReset(&z_); }

 private:
  z_stream z_{};
};

#ifdef DABBA_HAVE_ISAL
class IsalGzip final : public GzipMembers {
 public:
  IsalGzip() { reset(); }
  const char* name() const override { return "gzip (isa-l)"; }

 protected:
  Step inflate(const uint8_t* in, size_t in_size, uint8_t* out, size_t out_size,
               bool& member_end) override {
    point_at(st_, in, in_size, out, out_size);
    int rc = isal_inflate(&st_);
    if (rc < 0) corrupt("gzip: " + describe(rc));
    if (st_.block_state == ISAL_BLOCK_FINISH) member_end = true;
    return used(st_, in_size, out_size);
  }
  void reset() override {
    isal_inflate_init(&st_);
    st_.crc_flag = ISAL_GZIP;
  }

 private:
  static std::string describe(int rc) {
    switch (rc) {
      case ISAL_INVALID_BLOCK:
        return "invalid deflate block";
      case ISAL_INVALID_SYMBOL:
        return "invalid deflate symbol";
      case ISAL_INVALID_LOOKBACK:
        return "invalid lookback distance";
      case ISAL_INVALID_WRAPPER:
        return "invalid gzip header";
      case ISAL_UNSUPPORTED_METHOD:
        return "unsupported compression method";
      case ISAL_INCORRECT_CHECKSUM:
        return "CRC mismatch";
      default:
        return "isa-l error " + std::to_string(rc);
    }
  }
  inflate_state st_{};
};
#endif

class Zstd final : public Decompressor {
 public:
  Zstd() : ctx_(ZSTD_createDCtx()) {
    if (ctx_ == nullptr) corrupt("zstd init failed");
  }
  ~Zstd() override { ZSTD_freeDCtx(ctx_); }
  Step run(const uint8_t* in, size_t in_size, uint8_t* out, size_t out_size) override {
    ZSTD_inBuffer ib{in, in_size, 0};
    ZSTD_outBuffer ob{out, out_size, 0};
    if (in_size == 0 && frame_done_) return {};
    size_t rc = ZSTD_decompressStream(ctx_, &ob, &ib);
    if (ZSTD_isError(rc)) corrupt(std::string("zstd: ") + ZSTD_getErrorName(rc));
    started_ = started_ || ib.pos > 0;
    // 0: a frame ended and is fully flushed; more input may begin another frame.
    frame_done_ = rc == 0;
    return {ib.pos, ob.pos};
  }
  bool finished() const override { return started_ && frame_done_; }
  const char* name() const override { return "zstd"; }

 private:
  ZSTD_DCtx* ctx_;
  bool started_ = false;
  bool frame_done_ = false;
};

}  // namespace

bool have_isal() {
#ifdef DABBA_HAVE_ISAL
  return true;
#else
  return false;
#endif
}

std::unique_ptr<Decompressor> make_decompressor(Compression c, GzipEngine gzip) {
  switch (c) {
    case Compression::kNone:
      return std::make_unique<Passthrough>();
    case Compression::kZstd:
      return std::make_unique<Zstd>();
    case Compression::kGzip:
#ifdef DABBA_HAVE_ISAL
      if (gzip != GzipEngine::kZlib) return std::make_unique<IsalGzip>();
#else
      if (gzip == GzipEngine::kIsal)
        throw Error(Errc::kUnsupported, "this dabba was built without ISA-L");
#endif
      return std::make_unique<ZlibGzip>();
  }
  return nullptr;
}

}  // namespace dabba
