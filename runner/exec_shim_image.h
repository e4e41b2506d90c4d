// The exec shim's static binary (runner/shim/dabba_shim.c), embedded by the build in the generated
// exec_shim_image.cc.
#pragma once

#include <cstddef>

namespace dabba::runner {

extern const unsigned char kExecShimImage[];
extern const size_t kExecShimImageSize;

}  // namespace dabba::runner
