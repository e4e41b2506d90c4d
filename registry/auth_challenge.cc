#include "registry/auth_challenge.h"

#include "common/text.h"

namespace dabba {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// RFC 7230 tchar.
bool is_token_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  std::vector<AuthChallenge> parse() {
    std::vector<AuthChallenge> out;
    for (;;) {
      skip_separators();
      if (done()) break;
      std::string_view scheme = token();
      if (scheme.empty()) {
        ++pos_;  // garbage: step over it
        continue;
      }
      AuthChallenge challenge;
      challenge.scheme = lower(scheme);
      parse_params(challenge);
      out.push_back(std::move(challenge));
    }
    return out;
  }

 private:
  bool done() const { return pos_ >= s_.size(); }
  void skip_spaces() {
    while (!done() && is_space(s_[pos_])) ++pos_;
  }
  void skip_separators() {
    while (!done() && (is_space(s_[pos_]) || s_[pos_] == ',')) ++pos_;
  }
  std::string_view token() {
    size_t start = pos_;
    while (!done() && is_token_char(s_[pos_])) ++pos_;
    return s_.substr(start, pos_ - start);
  }

  std::string quoted() {
    std::string out;
    ++pos_;  // the opening quote
    while (!done() && s_[pos_] != '"') {
      if (s_[pos_] == '\\' && pos_ + 1 < s_.size()) ++pos_;
      out += s_[pos_++];
    }
    if (!done()) ++pos_;  // the closing quote (a missing one ends the value at the end)
    return out;
  }

  // Unquoted values are tokens by the RFC, but realms like https://a/b appear unquoted too:
  // take everything up to a comma or a space.
  std::string bare_value() {
    size_t start = pos_;
    while (!done() && s_[pos_] != ',' && !is_space(s_[pos_])) ++pos_;
    return std::string(s_.substr(start, pos_ - start));
  }

  // name=value pairs until the next challenge (a token not followed by '=') or the end.
  void parse_params(AuthChallenge& challenge) {
    for (;;) {
      skip_separators();
      if (done()) return;
      size_t name_start = pos_;
      std::string_view name = token();
      if (name.empty()) {
        // token68 (e.g. "Negotiate abc=="), or junk: skip to the next comma.
        while (!done() && s_[pos_] != ',') ++pos_;
        continue;
      }
      skip_spaces();
      if (done() || s_[pos_] != '=') {
        pos_ = name_start;  // a token without '=' starts the next challenge
        return;
      }
      ++pos_;  // '='
      skip_spaces();
      // A token68 ("Negotiate abc==") reads as a harmless parameter "abc" here.
      std::string value;
      if (!done() && s_[pos_] == '"') {
        value = quoted();
      } else {
        value = bare_value();
      }
      challenge.params[lower(name)] = std::move(value);
    }
  }

  std::string_view s_;
  size_t pos_ = 0;
};

}  // namespace

std::vector<AuthChallenge> parse_www_authenticate(std::string_view header) {
  return Parser(header).parse();
}

}  // namespace dabba
