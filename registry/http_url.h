// URL helpers on libcurl's URL API: resolving a redirect's Location, comparing origins,
// percent-encoding query values, showing a URL without its secrets.
#pragma once

#include <string>
#include <string_view>

namespace dabba {

struct UrlParts {
  std::string scheme;  // lowercase
  std::string host;    // lowercase, IPv6 without brackets
  long port = 0;       // explicit or the scheme's default
  std::string path;    // with the query, as sent
};

// Parses an absolute http(s) URL; throws Error{kInvalidArgument} otherwise.
UrlParts parse_url(std::string_view url);
// Resolves location (absolute or relative) against base.
std::string resolve_url(std::string_view base, std::string_view location);
// "https://host:443": equal origins share credentials, different ones never do.
std::string url_origin(std::string_view url);
// scheme://host[:port]/path without userinfo, query or fragment.
std::string url_for_display(std::string_view url);
// RFC 3986 percent-encoding of everything but unreserved characters.
std::string url_encode(std::string_view value);

}  // namespace dabba
