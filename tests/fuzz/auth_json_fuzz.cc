// auth.json (containers-auth.json(5)) as found on disk: a lookup either answers or throws
// dabba::Error naming the file. No credential helper is ever run: PATH is emptied first.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "common/error.h"
#include "common/fs.h"
#include "registry/credentials.h"

namespace {

const std::string& auth_file() {
  static const std::string path = [] {
    ::setenv("PATH", "/nonexistent", 1);
    char dir[] = "/tmp/dabba-fuzz-auth-XXXXXX";
    if (::mkdtemp(dir) == nullptr) std::abort();
    return std::string(dir) + "/auth.json";
  }();
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& path = auth_file();
  dabba::write_file_atomic(path, std::string(reinterpret_cast<const char*>(data), size),
                           dabba::Sync::kNone);
  dabba::CredentialStore store({path, {}, ""});
  for (const char* registry : {"docker.io", "quay.io", "localhost:5000"}) {
    try {
      (void)store.find(registry, "team/app");
    } catch (const dabba::Error&) {
    }
  }
  return 0;
}
