// registries.conf (v1 and v2, as a main file and as a drop-in) and short-name-aliases.conf:
// each merges or throws dabba::Error naming the file; a merged configuration answers lookups.
#include <cstdint>
#include <string_view>

#include "common/error.h"
#include "registry/registries_conf.h"
#include "registry/short_names.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (bool dropin : {false, true}) {
    dabba::RegistriesConf conf;
    try {
      conf.merge(text, "fuzz.conf", dropin);
      (void)conf.find("docker.io/library/alpine");
      (void)dabba::resolve_pull_name("alpine", conf);
    } catch (const dabba::Error&) {
    }
  }
  dabba::RegistriesConf conf;
  try {
    conf.merge_alias_cache(text, "short-name-aliases.conf");
    (void)dabba::resolve_pull_name("alpine", conf);
  } catch (const dabba::Error&) {
  }
  return 0;
}
