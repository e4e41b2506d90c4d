#include "store/unpack/gzip_writer.h"

#include <zlib.h>

#include "common/error.h"

#ifdef DABBA_HAVE_ISAL
#include <isa-l/igzip_lib.h>
#endif

namespace dabba {

struct GzipWriter::Impl {
  Sink sink;
  std::vector<uint8_t> out = std::vector<uint8_t>(256 * 1024);
  bool finished = false;
#ifdef DABBA_HAVE_ISAL
  isal_zstream isal{};
  std::vector<uint8_t> level_buf = std::vector<uint8_t>(ISAL_DEF_LVL1_DEFAULT);
#else
  z_stream z{};
#endif

  explicit Impl(Sink s) : sink(std::move(s)) {
#ifdef DABBA_HAVE_ISAL
    isal_deflate_init(&isal);
    isal.gzip_flag = IGZIP_GZIP;
    isal.level = 1;
    isal.level_buf = level_buf.data();
    isal.level_buf_size = static_cast<uint32_t>(level_buf.size());
#else
    if (deflateInit2(&z, 1, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
      throw Error(Errc::kFailed, "gzip: zlib init failed");
#endif
  }
  ~Impl() {
#ifndef DABBA_HAVE_ISAL
    deflateEnd(&z);
#endif
  }

  void run(const uint8_t* in, size_t size, bool end) {
#ifdef DABBA_HAVE_ISAL
    isal.next_in = const_cast<uint8_t*>(in);
    isal.avail_in = static_cast<uint32_t>(size);
    isal.end_of_stream = end ? 1 : 0;
    isal.flush = NO_FLUSH;
    do {
      isal.next_out = out.data();
      isal.avail_out = static_cast<uint32_t>(out.size());
      if (isal_deflate(&isal) != COMP_OK) throw Error(Errc::kFailed, "gzip: igzip failed");
      size_t made = out.size() - isal.avail_out;
      if (made > 0) sink(out.data(), made);
    } while (isal.avail_in > 0 || (end && isal.internal_state.state != ZSTATE_END));
#else
    z.next_in = const_cast<Bytef*>(in);
    z.avail_in = static_cast<uInt>(size);
    int rc;
    do {
      z.next_out = out.data();
      z.avail_out = static_cast<uInt>(out.size());
      rc = deflate(&z, end ? Z_FINISH : Z_NO_FLUSH);
      if (rc == Z_STREAM_ERROR) throw Error(Errc::kFailed, "gzip: zlib failed");
      size_t made = out.size() - z.avail_out;
      if (made > 0) sink(out.data(), made);
    } while (z.avail_in > 0 || (end && rc != Z_STREAM_END));
#endif
  }
};

GzipWriter::GzipWriter(Sink sink) : impl_(std::make_unique<Impl>(std::move(sink))) {}
GzipWriter::~GzipWriter() = default;

void GzipWriter::write(const void* data, size_t size) {
  // igzip and zlib take 32-bit lengths.
  const auto* p = static_cast<const uint8_t*>(data);
  while (size > 0) {
    size_t n = size < (1u << 30) ? size : (1u << 30);
    impl_->run(p, n, false);
    p += n;
    size -= n;
  }
}

void GzipWriter::finish() {
  if (impl_->finished) return;
  impl_->run(nullptr, 0, true);
  impl_->finished = true;
}

const char* GzipWriter::engine() const {
#ifdef DABBA_HAVE_ISAL
  return "igzip";
#else
  return "zlib";
#endif
}

}  // namespace dabba
