#include "cli/key_values.h"

#include "common/error.h"

namespace dabba::cli {

std::map<std::string, std::string> key_values(const std::vector<std::string>& items,
                                              const char* what) {
  std::map<std::string, std::string> out;
  for (const auto& item : items) {
    auto eq = item.find('=');
    if (item.empty() || eq == 0)
      throw Error(Errc::kInvalidArgument, std::string("invalid ") + what + " \"" + item + "\"");
    out[item.substr(0, eq)] = eq == std::string::npos ? "" : item.substr(eq + 1);
  }
  return out;
}

}  // namespace dabba::cli
