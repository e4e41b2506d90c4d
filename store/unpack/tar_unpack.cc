#include "store/unpack/tar_unpack.h"

#include <archive.h>
#include <archive_entry.h>

#include <exception>
#include <memory>
#include <string>

#include "common/error.h"
#include "store/unpack/layer_writer.h"

namespace dabba {
namespace {

struct ReadContext {
  const TarChunkSource* source;
  std::exception_ptr error;  // thrown by the source: exceptions must not cross libarchive's C
};

la_ssize_t read_callback(struct archive* a, void* opaque, const void** buffer) {
  auto* ctx = static_cast<ReadContext*>(opaque);
  try {
    const uint8_t* data = nullptr;
    size_t n = (*ctx->source)(&data);
    *buffer = data;
    return static_cast<la_ssize_t>(n);
  } catch (...) {
    ctx->error = std::current_exception();
    archive_set_error(a, EIO, "the layer stream failed");
    return ARCHIVE_FATAL;
  }
}

struct ArchiveDeleter {
  void operator()(struct archive* a) const { archive_read_free(a); }
};

}  // namespace

void unpack_tar(const TarChunkSource& source, LayerWriter& writer) {
  std::unique_ptr<struct archive, ArchiveDeleter> a(archive_read_new());
  if (!a) throw Error(Errc::kFailed, "libarchive: out of memory");
  archive_read_support_format_tar(a.get());
  archive_read_support_format_empty(a.get());
  ReadContext ctx{&source, nullptr};
  auto check = [&](int r, const char* what) {
    if (ctx.error) std::rethrow_exception(ctx.error);
    if (r < ARCHIVE_WARN) {
      const char* msg = archive_error_string(a.get());
      throw Error(Errc::kCorrupt, std::string("tar: ") + what + ": " + (msg ? msg : "error"));
    }
  };
  check(archive_read_open(a.get(), &ctx, nullptr, read_callback, nullptr), "open");
  for (;;) {
    struct archive_entry* entry = nullptr;
    int r = archive_read_next_header(a.get(), &entry);
    if (r == ARCHIVE_EOF) break;
    check(r, "read header");
    try {
      writer.write_entry(a.get(), entry);
    } catch (...) {
      if (ctx.error) std::rethrow_exception(ctx.error);  // the source failed under the writer
      throw;
    }
  }
  if (ctx.error) std::rethrow_exception(ctx.error);
}

}  // namespace dabba
