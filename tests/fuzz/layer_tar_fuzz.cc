// A layer blob from a hostile registry (gzip, zstd or a plain tar, chosen by its magic bytes, as a
// pull does) through the pull's own stream: decompress, hash, unpack with LayerWriter into a new
// directory. Each either unpacks or throws dabba::Error, and nothing is ever written outside that
// directory (its parent must hold it alone afterwards).
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "common/dir_stream.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/unique_fd.h"
#include "common/userns.h"
#include "store/unpack/blob_tee.h"
#include "store/unpack/layer_stream.h"
#include "store/unpack/layer_writer.h"
#include "store/unpack/tar_unpack.h"

namespace {

const std::string& parent_dir() {
  static const std::string dir = [] {
    char templ[] = "/tmp/dabba-fuzz-layer-XXXXXX";
    if (::mkdtemp(templ) == nullptr) std::abort();
    return std::string(templ);
  }();
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& parent = parent_dir();
  {
    dabba::TempDir layer(parent, "layer-");
    dabba::UniqueFd blob(::memfd_create("blob", MFD_CLOEXEC));
    if (!blob.valid() || (size > 0 && ::write(blob.get(), data, size) != ssize_t(size)))
      std::abort();
    try {
      dabba::UniqueFd root = dabba::open_dir(layer.path());
      dabba::BlobTee tee(blob.get(), size, nullptr, false, static_cast<int64_t>(size));
      dabba::LayerStream stream(tee, dabba::GzipEngine::kAuto);
      dabba::LayerWriter writer(root.get(), dabba::current_id_map());
      dabba::unpack_tar([&](const uint8_t** d) { return stream.next(d); }, writer);
      stream.finish();
      writer.finish();
    } catch (const dabba::Error&) {
    }
  }
  if (!dabba::list_dir(parent).empty()) __builtin_trap();  // something escaped the layer dir
  return 0;
}
