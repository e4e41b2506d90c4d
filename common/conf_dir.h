// The drop-in directories of the containers-*.conf(5) files (registries.conf.d,
// containers.conf.d): which files in them are read, in which order.
#pragma once

#include <string>
#include <vector>

namespace dabba {

// dir/NAME for each regular file whose NAME ends in ".conf", in byte order (the "alpha numeric
// sorted order" of containers.conf(5)); empty when dir cannot be read.
std::vector<std::string> conf_files_in(const std::string& dir);

}  // namespace dabba
