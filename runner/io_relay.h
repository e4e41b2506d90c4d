// A container's stdio, copied by dabba (podman's conmon, in-process): the container never holds
// the caller's terminal or files, nor its own log. On the container's side, pipes (stdout,
// stderr, and stdin with -i; /dev/null otherwise) or its own pty with -t; on dabba's side, the
// caller's stdio (foreground run and exec) and/or a k8s-file log (container_log.h; the -d
// supervisor). One object per container, driven by the owner's poll loop (attach.h):
//
//   container stdout/stderr pipe (or pty) --> caller's 1/2 and/or LogWriter (stdout/stderr)
//   caller's stdin (-i)                   --> container's stdin pipe (or pty)
//
// A caller's output that goes away (EPIPE: `dabba run ... | head -1`) closes our end of that
// stream, so the container's next write gets EPIPE as it would have without us. After the
// container's PID 1 is gone, drain() copies what its pipes still hold and stops: a process an
// `exec` left behind can neither keep the caller waiting nor reach its terminal.
#pragma once

#include <poll.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/unique_fd.h"
#include "runner/container_log.h"

namespace dabba::runner {

// All of data to a caller's fd (blocking or not: EAGAIN waits for room); false once it is gone
// (EPIPE, a closed terminal). The relay and attach's client (attach_client.h) write with it.
bool write_all_to(int fd, const char* data, size_t size);

// The container's stdio, dabba's ends (made by start_container / join_container).
struct IoEnds {
  UniqueFd in;   // write end of the container's stdin pipe (-i without -t)
  UniqueFd out;  // read end of its stdout pipe
  UniqueFd err;  // read end of its stderr pipe
  UniqueFd pty;  // -t: the pty's master (the container's 0, 1 and 2)
};

// The container's ends of new pipes: what its first process makes its 0, 1, 2 (-1: /dev/null).
struct ChildStdio {
  int in = -1;
  int out = -1;
  int err = -1;
};

// The pipes of a container without -t: stdin only when stdin_open. The child ends are closed by
// close_child_ends() once the child has its copies.
class StdioPipes {
 public:
  static StdioPipes make(bool stdin_open);
  ChildStdio child() const;
  void close_child_ends();
  IoEnds take_ends();

 private:
  Pipe in_, out_, err_;
};

struct IoSinks {
  int in = -1;   // copied into the container (-i); -1: nothing
  int out = -1;  // where its stdout goes; -1: only the log
  int err = -1;  // where its stderr goes (with a pty, nothing: one stream)
  LogWriter* log = nullptr;
  // Every chunk of output also goes here (the attach clients: attach_server.h).
  std::function<void(LogStream, std::string_view)> tap;
  // Input may also come through send_input() (attach clients of a -i container).
  bool external_input = false;
};

class IoRelay {
 public:
  IoRelay(IoEnds ends, IoSinks sinks);
  IoRelay(const IoRelay&) = delete;
  IoRelay& operator=(const IoRelay&) = delete;

  // Appends the fds to wait on; handle() takes the same vector and the index add() returned.
  size_t add(std::vector<pollfd>& fds);
  void handle(const std::vector<pollfd>& fds, size_t first);
  // After the container exited: copies what is left without waiting for more.
  void drain();

  // Input from elsewhere (an attach client), queued for the container like the caller's.
  void send_input(std::string_view data);
  // That input ended: the container's stdin pipe is closed once what is queued went in (a pty
  // stays open).
  void close_input();
  // Input queued and not yet taken by the container.
  size_t input_backlog() const { return to_container_.size(); }

  int pty_master() const { return ends_.pty.get(); }
  // The caller's output went away (EPIPE, a terminal hung up).
  bool output_lost() const { return out_lost_ || err_lost_; }
  // -t: the caller's terminal read EOF or EIO (a closed window).
  bool terminal_gone() const { return terminal_gone_; }

 private:
  bool copy_out(UniqueFd& from, int sink, LogStream stream);
  void read_input();
  void write_input();

  IoEnds ends_;
  IoSinks sinks_;
  bool input_open_;   // the container's stdin (or pty) still takes input
  bool caller_input_;  // and sinks_.in is read
  std::string to_container_;
  bool out_lost_ = false;  // each stream's sink on its own: stderr still reaches a terminal
  bool err_lost_ = false;  // after `| head` closed stdout
  bool terminal_gone_ = false;
  bool input_is_terminal_ = false;
  int in_slot_ = -1, to_slot_ = -1, out_slot_ = -1, err_slot_ = -1;
};

}  // namespace dabba::runner
