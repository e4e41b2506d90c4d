// The one error type of dabba: a code, the errno (if a syscall failed), a context chain and a
// hint telling the user how to fix it. Thrown everywhere, caught at the CLI boundary, where code()
// picks the exit status and what() + hint() make the one-line message. A cloned or forked child
// throws it too, but never across its own boundary: one noexcept function per child catches it
// and sends the text to the parent (runner/workload_child.h: report_child_failure), then _exits.
#pragma once

#include <cerrno>
#include <exception>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>

namespace dabba {

enum class Errc {
  kFailed,           // anything else
  kInvalidArgument,  // bad user input: a reference, a flag, a file name
  kNotFound,         // an image, a container, a blob, a file that is not there
  kAlreadyExists,    // a name already taken
  kDigestMismatch,   // content does not hash to what it claims
  kCorrupt,          // the store or an input is malformed
  kUnsupported,      // a media type, a kernel feature, a store version we cannot use
  kPermission,       // the host refuses (subuid missing, no delegation, EPERM)
  kNetwork,          // connection, timeout, HTTP 5xx after retries
  kAuth,             // registry refused our credentials
  kConflict,         // something in use (a container using an image, a port taken)
  kInterrupted,      // SIGINT/SIGTERM while working
};

const char* errc_name(Errc code);

class Error : public std::exception {
 public:
  Error(Errc code, std::string message, int sys_errno = 0, std::string hint = {});

  Errc code() const { return code_; }
  int sys_errno() const { return errno_; }
  const std::string& hint() const { return hint_; }
  // The message with its context chain, outermost first: "pull alpine: layer sha256:ab..: EIO".
  const char* what() const noexcept override { return full_.c_str(); }

  // Prepends a context ("unpack layer sha256:ab12..") and returns *this for rethrowing.
  Error& add_context(const std::string& context);
  // Appends to the message (after strerror's text): " (the filesystem of /x is full)".
  Error& add_detail(const std::string& detail) {
    full_ += detail;
    return *this;
  }
  Error& set_hint(std::string hint) {
    if (hint_.empty()) hint_ = std::move(hint);
    return *this;
  }

 private:
  Errc code_;
  int errno_;
  std::string full_;
  std::string hint_;
};

// An errno as Go's syscall.Errno words it, which podman's messages carry and scripts match:
// strerror's text, lower case ("permission denied", "no such file or directory").
std::string go_errno_text(int err);

// Throws Error{kFailed or a code derived from errno} for the current errno.
[[noreturn]] void throw_errno(const std::string& what, int err = errno);

// Maps an errno to the closest Errc (ENOENT -> kNotFound, EACCES/EPERM -> kPermission, ...).
Errc errc_from_errno(int err);

// Runs f(); if it throws Error, prepends context and rethrows.
template <class F>
decltype(auto) with_context(const std::string& context, F&& f) {
  try {
    return std::forward<F>(f)();
  } catch (Error& e) {
    e.add_context(context);
    throw;
  }
}

namespace detail {
// The called function's name in a call's source text ("::write(fd, p, n)" -> "write"): messages
// name the operation, never the source expression.
std::string call_name(std::string_view expr);

// What a failed call's message names: the context given, or else the called function.
template <class... Args>
std::string join_context(const char* expr, const Args&... args) {
  if constexpr (sizeof...(args) == 0) {
    return call_name(expr);
  } else {
    std::ostringstream out;
    const char* sep = "";
    ((out << sep << args, sep = ", "), ...);
    return out.str();
  }
}
}  // namespace detail

}  // namespace dabba

// Runs a syscall-like expression that returns -1 and sets errno on failure; retries EINTR;
// throws dabba::Error naming the given context values (or else the called function, never the
// source expression: messages reach users). Returns the result.
//   int fd = DABBA_SYSCALL(openat(dir, name, O_RDONLY | O_CLOEXEC), name);
#define DABBA_SYSCALL(expr, ...)                                                   \
  ([&]() {                                                                         \
    for (;;) {                                                                     \
      auto dabba_rc_ = (expr);                                                     \
      if (dabba_rc_ != -1) return dabba_rc_;                                       \
      if (errno != EINTR)                                                          \
        ::dabba::throw_errno(::dabba::detail::join_context(#expr, ##__VA_ARGS__)); \
    }                                                                              \
  }())
