// `dabba attach`'s way in: the owner of a running container (the -d supervisor, or a foreground
// run) listens on a unix socket in the container's directory, as conmon's attach socket, and
// serves attach clients from its poll loop (attach.h). The model is conmon's: a SOCK_SEQPACKET
// socket (one message per send, boundaries kept) whose messages are one type byte and a payload.
//
//   owner -> client   'H' tty stdin_open (two bytes '0'/'1'), once on accept
//                     'o' / 'e' a chunk of the container's stdout / stderr (the pty's output: 'o')
//                     'x' the exit code (decimal), then the owner closes the connection
//   client -> owner   'i' input for the container's stdin (or its pty); only with -i
//                     'c' the client's stdin ended: the container's stdin pipe is closed (conmon
//                       does the same; a pty cannot be closed, so nothing happens with -t)
//                     'w' "ROWS COLS": the client's window size, for the pty (conmon's ctl fifo)
//                     's' a signal number for PID 1 (--sig-proxy)
//
// Every chunk of output goes to each client besides the log. A slow client is never waited for:
// what it has not taken yet is queued, up to kClientBacklog bytes, and a client that falls further
// behind is dropped (its `attach` ends as if the container had gone away). The socket is bound as
// "/proc/self/fd/N/attach" with N the container directory (conmon's trick for the 108-byte
// sun_path limit: the store's path can be longer).
#pragma once

#include <poll.h>

#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "common/unique_fd.h"
#include "runner/container_log.h"

namespace dabba::runner {

class ContainerProcess;
class IoRelay;

// The largest payload of one message (a chunk of output is split into messages this big).
inline constexpr size_t kAttachMessageMax = 16 * 1024;
// The socket's path: <container_dir>/attach.
std::string attach_socket_path(const std::string& container_dir);
// A connected SOCK_SEQPACKET socket to the container's owner; throws Error (ENOENT, ECONNREFUSED:
// nobody listens) otherwise.
UniqueFd connect_attach_socket(const std::string& container_dir);

class AttachServer {
 public:
  // Binds (a stale socket of an earlier owner is replaced) and listens. tty and stdin_open are the
  // container's -t and -i: what clients are told, and whether their input is taken.
  AttachServer(const std::string& container_dir, bool tty, bool stdin_open);
  ~AttachServer();  // unlinks the socket
  AttachServer(const AttachServer&) = delete;
  AttachServer& operator=(const AttachServer&) = delete;

  // Appends the fds to wait on (the listening socket, each client: input only while the container
  // takes it, POLLOUT while output is queued); handle() takes the same vector and add()'s index.
  size_t add(std::vector<pollfd>& fds, const IoRelay& io);
  // Accepts clients, reads their messages: input and stdin's end go to io, a window size to the
  // pty, signals to the container.
  void handle(const std::vector<pollfd>& fds, size_t first, IoRelay& io,
              ContainerProcess& container);
  bool stdin_open() const { return stdin_open_; }
  // A chunk of the container's output, for every client.
  void output(LogStream stream, std::string_view data);
  // The container exited: each client gets its queued output (a second at most in all) and the
  // exit code, and is let go. Clients that come later are served by the next start (--restart).
  void container_exited(int exit_code);

 private:
  struct Client {
    UniqueFd fd;
    std::deque<std::string> queue;  // messages not sent yet
    size_t queued = 0;              // their bytes
  };
  void accept_clients();
  void send(Client& c, std::string message);
  bool flush(Client& c);  // false: the client is gone
  // Reads a client's messages; false when it went away.
  bool read_client(Client& c, IoRelay& io, ContainerProcess& container);

  std::string path_;
  UniqueFd listener_;
  bool tty_;
  bool stdin_open_;
  std::vector<Client> clients_;
  size_t listener_slot_ = 0;
};

}  // namespace dabba::runner
