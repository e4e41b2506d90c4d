// `-c/--change` of commit and import: Dockerfile instructions applied to an image config's
// "config" object, as podman applies them:
//
//   CMD ["a","b"] | CMD a b      (shell form: ["/bin/sh","-c","a b"])   ENTRYPOINT likewise
//   ENV K=V [K2=V2...] | ENV K V  LABEL K=V [K2=V2...]    EXPOSE 80 [443/tcp 53/udp]
//   USER u[:g]   WORKDIR /dir   VOLUME /a [/b] | VOLUME ["/a"]   STOPSIGNAL SIGTERM
//   ONBUILD INSTRUCTION...
//
// Plain data in, plain data out: tested without a store.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace dabba::cli {

// Applies each change to config (the image config's "config" object, created if null). Throws
// Error{kInvalidArgument} naming a change it cannot apply.
void apply_changes(nlohmann::json& config, const std::vector<std::string>& changes);

}  // namespace dabba::cli
