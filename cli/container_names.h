// Container ids and names: a 64-hex random id, and a name that is either the user's (--name,
// checked as Docker checks it) or generated from two word lists ("brave_turing") as Docker does.
#pragma once

#include <string>

namespace dabba::cli {

// 32 random bytes from getrandom(), as 64 lowercase hex digits.
std::string new_container_id();

// "adjective_noun"; attempt > 0 adds a digit (Docker's answer to a taken name).
std::string generated_container_name(unsigned attempt);

// Throws Error{kInvalidArgument} unless name matches [a-zA-Z0-9][a-zA-Z0-9_.-]* (Docker's rule).
void check_container_name(const std::string& name);

}  // namespace dabba::cli
