// A registry's WWW-Authenticate header and a token service's answer: each parses or throws
// dabba::Error; a grant always carries a token and a lifetime the clock can hold.
#include <cstdint>
#include <string_view>

#include "common/error.h"
#include "registry/auth.h"
#include "registry/auth_challenge.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    (void)dabba::parse_www_authenticate(text);
  } catch (const dabba::Error&) {
  }
  try {
    const dabba::TokenGrant grant = dabba::parse_token_response(text);
    if (grant.token.empty() || grant.expires_in < 60 || grant.expires_in > 86400L * 365)
      __builtin_trap();
  } catch (const dabba::Error&) {
  }
  return 0;
}
