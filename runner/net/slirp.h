// The slirp4netns process of one container (Debian package slirp4netns; 1.2.0 here).
//
// Which namespaces it lives in. It is spawned by dabba (or the -d supervisor) after the container's
// first process exists, so it runs where dabba runs: rootless, inside dabba's user namespace as its
// uid 0 (which owns the container's network namespace, so slirp4netns may enter it without
// --userns-path), and always in the host's network namespace. It enters the container's namespace
// only in a short-lived child that creates and configures tap0 and hands the tap fd back; the
// process that stays binds published ports and makes outgoing connections on the host.
//
// Lifetime. It gets exactly its stdio (/dev/null, its log twice) plus the write end of the ready
// pipe (fd 3, --ready-fd) and the read end of the exit pipe (fd 4, --exit-fd); everything else is
// closed at exec. The exit pipe's write end stays, O_CLOEXEC, in the owner alone: when the owner
// goes, even by SIGKILL, slirp4netns sees the hang-up and exits. Its own session keeps the user's
// Ctrl-C (meant for the container) away from it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>

#include "common/child_process.h"
#include "common/unique_fd.h"
#include "runner/net/network_spec.h"

namespace dabba::runner {

// The slirp4netns binary and the flags it knows. $DABBA_SLIRP4NETNS names it explicitly, else
// PATH. Throws Error{kNotFound} naming the Debian package when there is none.
struct Slirp4netnsBinary {
  std::string path;
  bool sandbox = false;  // --enable-sandbox (0.4+)
  bool seccomp = false;  // --enable-seccomp (0.4+)
  bool netns_type = false;  // --netns-type=path (0.4+)
};
Slirp4netnsBinary find_slirp4netns();

// /dev/net/tun must open read-write for slirp4netns to make the container's tap device. Throws
// Error with the fix (modprobe tun, chmod 0666) when it does not.
void check_tun_usable();

struct Slirp4netnsConfig {
  pid_t netns_pid = 0;  // a process in the container's network namespace
  SlirpOptions options;
  std::string dir;          // its working dir; the API socket is made here
  std::string socket_name;  // relative to dir (sun_path is only 108 bytes)
  std::string log_path;     // its stdout and stderr (appended)
};

class Slirp4netns {
 public:
  // Spawns it; returns at once (the tap is made in the background).
  static Slirp4netns start(const Slirp4netnsBinary& binary, const Slirp4netnsConfig& config);

  Slirp4netns(Slirp4netns&& other) noexcept = default;
  Slirp4netns& operator=(Slirp4netns&&) noexcept = delete;
  ~Slirp4netns() { stop(); }

  pid_t pid() const { return child_.pid(); }
  // Blocks until slirp4netns reports the network configured. Throws Error with the tail of its log
  // when it died first, or when it takes longer than timeout.
  void wait_ready(std::chrono::milliseconds timeout);
  // A path that reaches the API socket from this process (short even when dir is long).
  std::string api_socket_path() const;
  // Unlinks the API socket once nothing more will be asked of it: slirp4netns keeps serving its
  // listening fd, but no path is left behind that an owner killed by SIGKILL could not remove.
  void remove_api_socket() noexcept;
  // Ends it (hang-up on the exit fd; SIGKILL if it lingers), reaps it, removes the API socket.
  void stop() noexcept;

 private:
  Slirp4netns() = default;
  std::string log_tail() const;

  ChildProcess child_;
  UniqueFd ready_;  // read end of --ready-fd
  UniqueFd exit_;   // write end of --exit-fd: closing it ends slirp4netns
  UniqueFd dir_;    // O_PATH of config.dir: the socket is reached and removed through it
  std::string dir_path_;
  std::string socket_name_;
  std::string log_path_;
  size_t log_start_ = 0;  // where this run's lines begin in the (appended) log
};

}  // namespace dabba::runner
