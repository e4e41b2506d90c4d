// The detach keys of attach (podman's and Docker's --detach-keys): a comma-separated sequence of
// keys, each one character or `ctrl-X` (X in a-z, @, [, \, ], ^, _), default "ctrl-p,ctrl-q";
// "" turns detaching off. The attach client looks for the sequence in what the user types: the
// keys of a sequence that breaks off pass on to the container, a completed one detaches (and
// never reaches the container), as Docker's escape proxy does.
#pragma once

#include <string>
#include <string_view>

namespace dabba::runner {

inline constexpr const char* kDefaultDetachKeys = "ctrl-p,ctrl-q";

// "ctrl-p,ctrl-q" -> "\x10\x11"; throws Error{kInvalidArgument} "invalid detach keys: Unknown
// character: 'X'" (podman's words) for anything else.
std::string parse_detach_keys(const std::string& spec);

class DetachKeyMatcher {
 public:
  explicit DetachKeyMatcher(std::string keys) : keys_(std::move(keys)) {}
  // What of `typed` goes on to the container; `detached` is set when the sequence completed (what
  // was typed after it is dropped).
  std::string feed(std::string_view typed, bool& detached);

 private:
  std::string keys_;
  size_t matched_ = 0;  // how much of keys_ the last bytes typed were
};

}  // namespace dabba::runner
