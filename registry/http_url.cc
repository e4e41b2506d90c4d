#include "registry/http_url.h"

#include <curl/curl.h>

#include <memory>

#include "common/error.h"
#include "common/text.h"

namespace dabba {
namespace {

struct UrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
using UrlHandle = std::unique_ptr<CURLU, UrlDeleter>;

struct CurlStringDeleter {
  void operator()(char* s) const { curl_free(s); }
};

// Returns the part, or "" when absent.
std::string get_part(CURLU* u, CURLUPart part, unsigned flags = 0) {
  char* raw = nullptr;
  if (curl_url_get(u, part, &raw, flags) != CURLUE_OK || raw == nullptr) return {};
  std::unique_ptr<char, CurlStringDeleter> owned(raw);
  return std::string(raw);
}

UrlHandle parse_handle(std::string_view url) {
  UrlHandle u(curl_url());
  if (!u) throw Error(Errc::kFailed, "out of memory parsing a URL");
  std::string text(url);
  if (curl_url_set(u.get(), CURLUPART_URL, text.c_str(), 0) != CURLUE_OK)
    throw Error(Errc::kInvalidArgument, "invalid URL '" + url_for_display(url) + "'");
  std::string scheme = lower(get_part(u.get(), CURLUPART_SCHEME));
  if (scheme != "http" && scheme != "https")
    throw Error(Errc::kInvalidArgument, "URL '" + url_for_display(url) + "' is not http(s)");
  return u;
}

}  // namespace

UrlParts parse_url(std::string_view url) {
  UrlHandle u = parse_handle(url);
  UrlParts parts;
  parts.scheme = lower(get_part(u.get(), CURLUPART_SCHEME));
  parts.host = lower(get_part(u.get(), CURLUPART_HOST));
  if (parts.host.size() > 2 && parts.host.front() == '[' && parts.host.back() == ']')
    parts.host = parts.host.substr(1, parts.host.size() - 2);
  std::string port = get_part(u.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
  parts.port = port.empty() ? 0 : std::stol(port);
  parts.path = get_part(u.get(), CURLUPART_PATH);
  std::string query = get_part(u.get(), CURLUPART_QUERY);
  if (!query.empty()) parts.path += "?" + query;
  return parts;
}

std::string resolve_url(std::string_view base, std::string_view location) {
  UrlHandle u = parse_handle(base);
  std::string loc(location);
  // With a URL already set, curl resolves a relative one against it, as a browser would.
  if (curl_url_set(u.get(), CURLUPART_URL, loc.c_str(), 0) != CURLUE_OK)
    throw Error(Errc::kInvalidArgument, "invalid redirect location '" + url_for_display(loc) + "'");
  std::string out = get_part(u.get(), CURLUPART_URL);
  parse_handle(out);  // the target must be http(s) too
  return out;
}

std::string url_origin(std::string_view url) {
  UrlParts p = parse_url(url);
  std::string host = p.host.find(':') != std::string::npos ? "[" + p.host + "]" : p.host;
  return p.scheme + "://" + host + ":" + std::to_string(p.port);
}

std::string url_for_display(std::string_view url) {
  // Works on text alone so that it can describe even a URL curl refuses.
  std::string_view rest = url;
  std::string scheme;
  if (size_t sep = rest.find("://"); sep != std::string_view::npos) {
    scheme = std::string(rest.substr(0, sep + 3));
    rest.remove_prefix(sep + 3);
  }
  size_t path_start = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, path_start);
  if (size_t at = authority.rfind('@'); at != std::string_view::npos)
    authority.remove_prefix(at + 1);
  std::string_view path =
      path_start == std::string_view::npos ? std::string_view() : rest.substr(path_start);
  path = path.substr(0, path.find_first_of("?#"));
  return scheme + std::string(authority) + std::string(path);
}

std::string url_encode(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size());
  for (unsigned char c : value) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace dabba
