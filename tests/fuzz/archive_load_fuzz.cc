// `dabba load` of a hostile archive (a docker-archive, an OCI layout tar, a dir: layout; whole-file
// gzip/zstd/xz as load accepts) into a real store: each either loads or throws dabba::Error, and
// the store stays sound (check finds no problem).
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "common/error.h"
#include "common/fs.h"
#include "pull/image_load.h"
#include "store/store.h"

namespace {

struct Scene {
  std::string dir;
  dabba::Store store;
};

Scene& scene() {
  static Scene s = [] {
    char templ[] = "/tmp/dabba-fuzz-load-XXXXXX";
    if (::mkdtemp(templ) == nullptr) std::abort();
    dabba::StoreOptions options;
    options.sync = false;  // a throw-away store
    return Scene{templ, dabba::Store::open(std::string(templ) + "/store", options)};
  }();
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Scene& s = scene();
  const std::string path = s.dir + "/archive";
  dabba::write_file_atomic(path, std::string(reinterpret_cast<const char*>(data), size),
                           dabba::Sync::kNone);
  try {
    (void)dabba::load_images(s.store, path, {});
  } catch (const dabba::Error&) {
  }
  const dabba::CheckReport report = s.store.check({.verify_blobs = false});
  if (!report.ok()) {
    for (const auto& p : report.problems) std::fprintf(stderr, "check: %s\n", p.c_str());
    __builtin_trap();
  }
  return 0;
}
