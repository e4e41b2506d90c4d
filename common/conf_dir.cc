#include "common/conf_dir.h"

#include "common/fs.h"

namespace dabba {

std::vector<std::string> conf_files_in(const std::string& dir) {
  std::vector<std::string> out;
  for (const std::string& name : list_directory(dir)) {
    if (name.size() <= 5 || name.compare(name.size() - 5, 5, ".conf") != 0) continue;
    if (is_regular_file(dir + "/" + name)) out.push_back(dir + "/" + name);
  }
  return out;
}

}  // namespace dabba
