// Option values of run and network verbs: -v, --mount, --tmpfs, -p, --add-host, --dns,
// --mac-address, --network slirp4netns:OPTS. Each parses or throws dabba::Error.
#include <cstdint>
#include <string>

#include "common/error.h"
#include "runner/net/network_parse.h"
#include "runner/spec.h"

namespace {

template <class Parse>
void attempt(Parse parse) {
  try {
    parse();
  } catch (const dabba::Error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  using namespace dabba::runner;
  switch (data[0] % 9) {
    case 0:
      attempt([&] { (void)parse_volume(text); });
      break;
    case 1:
      attempt([&] { (void)parse_mount(text); });
      break;
    case 2:
      attempt([&] { (void)parse_tmpfs(text); });
      break;
    case 3:
      attempt([&] {
        const PortMapping p = parse_publish(text);
        if (parse_formatted_port(format_port(p)).container_port != p.container_port)
          __builtin_trap();
      });
      break;
    case 4:
      attempt([&] { (void)parse_publish_ranges(text); });
      break;
    case 5:
      attempt([&] { (void)parse_add_host(text); });
      break;
    case 6:
      attempt([&] { (void)parse_dns(text); });
      break;
    case 7:
      attempt([&] { (void)parse_mac_address(text); });
      break;
    case 8:
      attempt([&] { (void)slirp_addresses(parse_slirp_options(text)); });
      break;
  }
  return 0;
}
