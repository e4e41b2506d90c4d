// `inspect` of a container: podman's InspectContainerData shape (the fields scripts read:
// .Id .Name .Created .State.* .Image .ImageName .Config.* .HostConfig.* .Mounts
// .NetworkSettings.*), built from the store record, the creation info and the live state.
#pragma once

#include "cli/containers.h"
#include "cli/go_template.h"
#include "cli/inspect.h"

namespace dabba::cli {

// The inspect JSON of one container. image_config: the image's config blob (for its Entrypoint
// and Labels), an empty object when unreadable.
TemplateData inspect_container(const ContainerView& view, const TemplateData& image_config);

// The `inspect` table's row for containers (inspect.h).
InspectKind container_inspect_kind();

}  // namespace dabba::cli
