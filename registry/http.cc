#include "registry/http.h"

#include "common/text.h"
#include "registry/http_url.h"

namespace dabba {
namespace {

}  // namespace

void HttpHeaders::add(std::string_view name, std::string_view value) {
  entries_.emplace_back(lower(name), std::string(value));
}

std::optional<std::string> HttpHeaders::get(std::string_view name) const {
  std::string key = lower(name);
  for (const auto& [k, v] : entries_)
    if (k == key) return v;
  return std::nullopt;
}

std::vector<std::string> HttpHeaders::get_all(std::string_view name) const {
  std::string key = lower(name);
  std::vector<std::string> out;
  for (const auto& [k, v] : entries_)
    if (k == key) out.push_back(v);
  return out;
}

std::string describe_request(std::string_view method, std::string_view url) {
  return std::string(method) + " " + url_for_display(url);
}

}  // namespace dabba
