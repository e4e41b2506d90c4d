#include "cli/confirm.h"

#include <cstdio>
#include <iostream>

#include "common/error.h"

namespace dabba::cli {

bool confirm(const std::string& warning) {
  std::printf("%s\nAre you sure you want to continue? [y/N] ", warning.c_str());
  std::fflush(stdout);
  std::string answer;
  if (!std::getline(std::cin, answer))
    throw Error(Errc::kInvalidArgument, "EOF", 0, "answer y, or pass -f/--force");
  return answer == "y" || answer == "Y" || answer == "yes" || answer == "Yes";
}

}  // namespace dabba::cli
