#include "runner/detach_keys.h"

#include "common/error.h"
#include "common/text.h"

namespace dabba::runner {
namespace {

[[noreturn]] void unknown(const std::string& key) {
  throw Error(Errc::kInvalidArgument, "invalid detach keys: Unknown character: '" + key + "'", 0,
              "keys are one character or ctrl-X (X in a-z, @, [, \\, ], ^, _), comma-separated; "
              "\"\" turns detaching off");
}

}  // namespace

std::string parse_detach_keys(const std::string& spec) {
  std::string out;
  if (spec.empty()) return out;
  for (const std::string& key : split(spec, ',')) {
    if (key.size() == 1) {
      out += key[0];
      continue;
    }
    if (key.size() != 6 || key.compare(0, 5, "ctrl-") != 0) unknown(key);
    const char c = key[5];
    if (c >= 'a' && c <= 'z')
      out += static_cast<char>(c - 'a' + 1);
    else if (c == '@')
      out += '\0';
    else if (c >= '[' && c <= '_')  // [ \ ] ^ _ -> 27..31
      out += static_cast<char>(c - '[' + 27);
    else
      unknown(key);
  }
  return out;
}

std::string DetachKeyMatcher::feed(std::string_view typed, bool& detached) {
  detached = false;
  std::string out;
  if (keys_.empty()) return std::string(typed);
  for (char c : typed) {
    if (c == keys_[matched_]) {
      if (++matched_ == keys_.size()) {
        matched_ = 0;
        detached = true;
        return out;
      }
      continue;
    }
    // The sequence broke off: what was held back goes on, and this key may start it anew.
    out.append(keys_, 0, matched_);
    matched_ = 0;
    if (c == keys_[0])
      matched_ = 1;
    else
      out += c;
  }
  return out;
}

}  // namespace dabba::runner
