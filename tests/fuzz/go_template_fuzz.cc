// --format templates (Go text/template, as podman reads them): each parses and renders against an
// inspect-like document, or throws dabba::Error.
#include <cstdint>
#include <string>

#include "cli/go_template.h"
#include "common/error.h"

namespace {

const dabba::cli::TemplateData& data() {
  static const dabba::cli::TemplateData doc = dabba::cli::TemplateData::parse(R"({
    "Id": "3b5814d98ee5aed1", "Names": ["web"], "RepoTags": ["localhost/bb:1"],
    "Size": 1997991, "Created": "2024-01-02T03:04:05.123456789Z", "Ratio": 1.5,
    "Config": {"Env": ["FOO=bar"], "Cmd": ["/bin/sh"], "Labels": {"a": "b"}},
    "State": {"Status": "running", "Running": true, "ExitCode": 0, "Pid": 42},
    "Mounts": [{"Source": "/s", "Destination": "/d"}], "Nothing": null
  })");
  return doc;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* text, size_t size) {
  if (size > 4096) return 0;  // a --format is a line, not a file
  try {
    dabba::cli::GoTemplate t("fuzz", std::string(reinterpret_cast<const char*>(text), size));
    const std::string out = t.render(data());
    if (out.size() > (1u << 24)) __builtin_trap();  // bounded output from a bounded template
  } catch (const dabba::Error&) {
  }
  return 0;
}
