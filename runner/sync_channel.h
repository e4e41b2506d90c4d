// The parent <-> child channel of a sandbox start: one SOCK_SEQPACKET socketpair, both ends
// O_CLOEXEC. Each message is one datagram (a kind, an exit code, an errno and a text), and may
// carry one fd (SCM_RIGHTS: the pty master). EOF means the other side is gone: for the parent that
// is the child's successful exec (its end was O_CLOEXEC) or its death; for the child, the parent's
// death. So neither side can hang on the other.
//
// The child side never throws: after clone a failure is sent as text and the child _exits.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/unique_fd.h"

namespace dabba::runner {

enum class SyncKind : uint32_t {
  kProceed = 1,  // parent -> child: the id map is written; go on
  kReady,        // child -> parent: the root is built (carries the pty master with -t)
  kExec,         // parent -> child: helpers are ready, exec the workload
  kError,        // child -> parent: what failed, with the exit code dabba should use
  kPid,          // child -> parent: a pid (exec's workload) in `code`
  kExecFailed,   // exec shim -> parent: exec failed; `code` 126/127, `error` its errno (no text)
  kUnshared,     // child -> parent: in its nested user namespace, to be mapped (then kProceed)
};

struct SyncMessage {
  SyncKind kind = SyncKind::kError;
  int32_t code = 0;   // kError: 125, 126 or 127
  int32_t error = 0;  // kError: errno, 0 if none
  std::string text;
  UniqueFd fd;  // received with the message, if any
};

class SyncChannel {
 public:
  struct Pair;
  static Pair make();

  explicit SyncChannel(UniqueFd fd) : fd_(std::move(fd)) {}
  int fd() const { return fd_.get(); }
  void close() { fd_.reset(); }
  // Gives the end up (to a new owner: the supervisor's body).
  int release() { return fd_.release(); }
  // Moves the end to fd number `to` (O_CLOEXEC kept), for the child's close_range. False (errno
  // set) on failure.
  bool move_to(int to) noexcept;

  // Parent side: throw Error on failure.
  void send(SyncKind kind, int32_t code = 0);
  // Waits for the next message; nullopt on EOF. Throws Error on a read error.
  std::optional<SyncMessage> receive();

  // Child side: never throw; return false on failure.
  bool send_noexcept(SyncKind kind, int32_t code, int32_t error, std::string_view text,
                     int pass_fd = -1) noexcept;
  // Waits for a message of kind `expected`; false on EOF, error or another kind.
  bool wait_for_noexcept(SyncKind expected) noexcept;

 private:
  UniqueFd fd_;
};

struct SyncChannel::Pair {
  SyncChannel parent;
  SyncChannel child;
};

}  // namespace dabba::runner
