// `info --format` and `version`: podman's objects (its JSON keys, which templates reach as
// .Host.Arch, .Store.GraphRoot, .Client.Version ...), filled with what dabba is and what this
// host has. Scripts read a few fields; every one podman's tests read is present.
#pragma once

#include <string>

#include "cli/go_template.h"

namespace dabba::cli {

// podman's Info: host (arch, kernel, distribution, cgroups, ociRuntime, networkBackend, ...),
// store (graphRoot, runRoot, graphDriverName, imageStore, containerStore, ...), registries,
// version.
TemplateData podman_info(const std::string& store_root);

// podman's version object: {"Client": {APIVersion, Version, GoVersion, GitCommit, BuiltTime,
// Built, OsArch, Os}}.
TemplateData podman_version();

// "amd64" for x86_64 and the like (Go's GOARCH names, which podman prints).
std::string go_arch(const std::string& machine);

}  // namespace dabba::cli
