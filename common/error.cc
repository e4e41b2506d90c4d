#include "common/error.h"

#include <cctype>
#include <cstring>

namespace dabba {

const char* errc_name(Errc code) {
  switch (code) {
    case Errc::kFailed:
      return "failed";
    case Errc::kInvalidArgument:
      return "invalid argument";
    case Errc::kNotFound:
      return "not found";
    case Errc::kAlreadyExists:
      return "already exists";
    case Errc::kDigestMismatch:
      return "digest mismatch";
    case Errc::kCorrupt:
      return "corrupt";
    case Errc::kUnsupported:
      return "unsupported";
    case Errc::kPermission:
      return "permission denied";
    case Errc::kNetwork:
      return "network";
    case Errc::kAuth:
      return "authentication";
    case Errc::kConflict:
      return "conflict";
    case Errc::kInterrupted:
      return "interrupted";
  }
  return "failed";
}

Error::Error(Errc code, std::string message, int sys_errno, std::string hint)
    : code_(code), errno_(sys_errno), full_(std::move(message)), hint_(std::move(hint)) {
  if (errno_ != 0) {
    full_ += ": ";
    full_ += std::strerror(errno_);
  }
}

Error& Error::add_context(const std::string& context) {
  if (!context.empty()) full_ = context + ": " + full_;
  return *this;
}

Errc errc_from_errno(int err) {
  switch (err) {
    case ENOENT:
      return Errc::kNotFound;
    case EACCES:
    case EPERM:
      return Errc::kPermission;
    case EEXIST:
      return Errc::kAlreadyExists;
    case EINVAL:
      return Errc::kInvalidArgument;
    case ENOSYS:
    case EOPNOTSUPP:
      return Errc::kUnsupported;
    case EBUSY:
    case EADDRINUSE:
      return Errc::kConflict;
    case EINTR:
      return Errc::kInterrupted;
    default:
      return Errc::kFailed;
  }
}

void throw_errno(const std::string& what, int err) { throw Error(errc_from_errno(err), what, err); }

namespace detail {
std::string call_name(std::string_view expr) {
  std::string_view name = expr.substr(0, expr.find('('));
  if (size_t colons = name.rfind("::"); colons != std::string_view::npos)
    name.remove_prefix(colons + 2);
  while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
  while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
  return std::string(name);
}
}  // namespace detail

std::string go_errno_text(int err) {
  std::string text = std::strerror(err);
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

}  // namespace dabba
