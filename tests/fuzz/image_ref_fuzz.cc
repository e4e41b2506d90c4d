// Image references, tags, digests and platforms as a user or a registry writes them: each either
// parses or throws dabba::Error, and what parses prints back to something that parses the same.
#include <cstdint>
#include <string_view>

#include "common/error.h"
#include "oci/digest.h"
#include "oci/image_ref.h"
#include "oci/platform.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const dabba::ImageRef ref = dabba::ImageRef::parse(text);
    const dabba::ImageRef again = dabba::ImageRef::parse(ref.str());
    if (again.str() != ref.str()) __builtin_trap();  // str() must be a fixed point
  } catch (const dabba::Error&) {
  }
  try {
    dabba::validate_tag(text);
  } catch (const dabba::Error&) {
  }
  dabba::Digest d;
  if (dabba::Digest::try_parse(text, d) && dabba::Digest::parse(d.str()) != d) __builtin_trap();
  try {
    (void)dabba::Platform::parse(text).str();
  } catch (const dabba::Error&) {
  }
  return 0;
}
