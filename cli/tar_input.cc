#include "cli/tar_input.h"

#include <archive.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "common/error.h"
#include "common/userns.h"
#include "store/unpack/layer_writer.h"
#include "store/unpack/tar_unpack.h"

namespace dabba::cli {

TempDir unpack_tar_input(int fd, const std::string& scratch_parent, const std::string& not_a_tar) {
  TempDir scratch(scratch_parent, "tar-");
  UniqueFd dir = open_dir(scratch.path());
  LayerWriter writer(dir.get(), current_id_map());
  std::unique_ptr<struct archive, int (*)(struct archive*)> a(archive_read_new(),
                                                              archive_read_free);
  archive_read_support_filter_all(a.get());
  archive_read_support_format_raw(a.get());
  struct archive_entry* entry;
  if (archive_read_open_fd(a.get(), fd, 1 << 16) != ARCHIVE_OK ||
      archive_read_next_header(a.get(), &entry) != ARCHIVE_OK)
    throw Error(Errc::kCorrupt, not_a_tar);
  std::vector<uint8_t> buf(1 << 16);
  TarChunkSource source = [&](const uint8_t** data) -> size_t {
    la_ssize_t n = archive_read_data(a.get(), buf.data(), buf.size());
    if (n < 0)
      throw Error(Errc::kCorrupt, std::string("read the tar: ") + archive_error_string(a.get()));
    *data = buf.data();
    return static_cast<size_t>(n);
  };
  try {
    unpack_tar(source, writer);
  } catch (const Error& e) {
    if (e.code() != Errc::kCorrupt) throw;
    throw Error(Errc::kCorrupt, not_a_tar);
  }
  writer.finish();
  return scratch;
}

}  // namespace dabba::cli
