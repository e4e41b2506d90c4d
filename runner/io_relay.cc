#include "runner/io_relay.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string_view>
#include <tuple>

namespace dabba::runner {
namespace {

constexpr size_t kChunk = 64 * 1024;
// Reads per stream and wake-up: a chatty stream cannot starve the other or the signals.
constexpr int kReadsPerTurn = 4;

void set_nonblocking(int fd) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

}  // namespace

bool write_all_to(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        struct pollfd p = {fd, POLLOUT, 0};
        ::poll(&p, 1, -1);
        continue;
      }
      return false;
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

StdioPipes StdioPipes::make(bool stdin_open) {
  StdioPipes p;
  if (stdin_open) p.in_ = Pipe::make();
  p.out_ = Pipe::make();
  p.err_ = Pipe::make();
  return p;
}

ChildStdio StdioPipes::child() const { return {in_.read.get(), out_.write.get(), err_.write.get()}; }

void StdioPipes::close_child_ends() {
  in_.read.reset();
  out_.write.reset();
  err_.write.reset();
}

IoEnds StdioPipes::take_ends() {
  IoEnds e;
  e.in = std::move(in_.write);
  e.out = std::move(out_.read);
  e.err = std::move(err_.read);
  return e;
}

IoRelay::IoRelay(IoEnds ends, IoSinks sinks) : ends_(std::move(ends)), sinks_(sinks) {
  for (UniqueFd* fd : {&ends_.in, &ends_.out, &ends_.err, &ends_.pty})
    if (fd->valid()) set_nonblocking(fd->get());
  const bool has_input = ends_.in.valid() || ends_.pty.valid();
  caller_input_ = sinks_.in >= 0 && has_input;
  input_open_ = (caller_input_ || sinks_.external_input) && has_input;
  input_is_terminal_ = ends_.pty.valid() && sinks_.in >= 0 && ::isatty(sinks_.in);
}

size_t IoRelay::add(std::vector<pollfd>& fds) {
  const size_t first = fds.size();
  in_slot_ = to_slot_ = out_slot_ = err_slot_ = -1;
  auto push = [&](int fd, short events) {
    fds.push_back({fd, events, 0});
    return static_cast<int>(fds.size() - first - 1);
  };
  if (caller_input_ && input_open_ && to_container_.empty()) in_slot_ = push(sinks_.in, POLLIN);
  if (ends_.pty.valid()) {
    out_slot_ = push(ends_.pty.get(),
                     static_cast<short>(POLLIN | (to_container_.empty() ? 0 : POLLOUT)));
  } else {
    if (ends_.in.valid() && !to_container_.empty()) to_slot_ = push(ends_.in.get(), POLLOUT);
    if (ends_.out.valid()) out_slot_ = push(ends_.out.get(), POLLIN);
    if (ends_.err.valid()) err_slot_ = push(ends_.err.get(), POLLIN);
  }
  return first;
}

void IoRelay::handle(const std::vector<pollfd>& fds, size_t first) {
  auto revents = [&](int slot) -> short {
    return slot < 0 ? 0 : fds[first + static_cast<size_t>(slot)].revents;
  };
  constexpr short kReady = POLLIN | POLLHUP | POLLERR;
  if (revents(in_slot_) & kReady) read_input();
  if (ends_.pty.valid()) {
    short re = revents(out_slot_);
    if ((re & POLLOUT) && !to_container_.empty()) write_input();
    if ((re & kReady) && !copy_out(ends_.pty, sinks_.out, LogStream::kStdout)) ends_.pty.reset();
  } else {
    if (revents(to_slot_) & (POLLOUT | POLLERR | POLLHUP)) write_input();
    if ((revents(out_slot_) & kReady) && !copy_out(ends_.out, sinks_.out, LogStream::kStdout))
      ends_.out.reset();
    if ((revents(err_slot_) & kReady) && !copy_out(ends_.err, sinks_.err, LogStream::kStderr))
      ends_.err.reset();
  }
}

void IoRelay::drain() {
  // PID 1 is gone, and with it every process of its pid namespace; an exec'd process's children
  // may not be: take what is there and stop.
  if (ends_.pty.valid()) {
    while (copy_out(ends_.pty, sinks_.out, LogStream::kStdout)) {
      struct pollfd p = {ends_.pty.get(), POLLIN, 0};
      if (::poll(&p, 1, 0) <= 0) break;
    }
  }
  for (auto [fd, sink, stream] : {std::tuple{&ends_.out, sinks_.out, LogStream::kStdout},
                                  {&ends_.err, sinks_.err, LogStream::kStderr}}) {
    while (fd->valid()) {
      struct pollfd p = {fd->get(), POLLIN, 0};
      if (::poll(&p, 1, 0) <= 0 || !copy_out(*fd, sink, stream)) break;
    }
  }
  ends_ = IoEnds{};
}

// Reads what `from` has (a few chunks at most) and copies it out. False at EOF (or EIO: a pty
// whose slave is closed).
bool IoRelay::copy_out(UniqueFd& from, int sink, LogStream stream) {
  char buf[kChunk];
  for (int i = 0; i < kReadsPerTurn; ++i) {
    ssize_t n = ::read(from.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return true;
    if (n <= 0) return false;
    std::string_view chunk(buf, static_cast<size_t>(n));
    if (sinks_.log) sinks_.log->write(stream, chunk);
    if (sinks_.tap) sinks_.tap(stream, chunk);
    bool& lost = stream == LogStream::kStderr ? err_lost_ : out_lost_;
    if (sink >= 0 && !lost && !write_all_to(sink, chunk.data(), chunk.size())) {
      lost = true;
      // The container's next write to this pipe gets EPIPE, as it would have written to the
      // caller's closed pipe itself (`run IMAGE yes | head -1` ends). The log keeps what came
      // before; copying on into it alone would fill the disk. (A pty is hung up by attach().)
      if (!ends_.pty.valid()) return false;
    }
  }
  return true;
}

void IoRelay::read_input() {
  char buf[4096];
  ssize_t r = ::read(sinks_.in, buf, sizeof buf);
  if (r > 0) {
    to_container_.append(buf, static_cast<size_t>(r));
    write_input();
    return;
  }
  if (r < 0 && (errno == EINTR || errno == EAGAIN)) return;
  caller_input_ = false;
  input_open_ = false;
  if (ends_.pty.valid()) {
    // A terminal that reads EOF or EIO is gone (closed window, dropped ssh). A pipe's EOF only
    // means the caller has nothing more to type.
    if (input_is_terminal_) terminal_gone_ = true;
  } else if (to_container_.empty()) {
    ends_.in.reset();  // the container reads EOF
  }
}

void IoRelay::send_input(std::string_view data) {
  if (!input_open_ || data.empty()) return;
  to_container_.append(data);
  write_input();
}

void IoRelay::close_input() {
  if (!input_open_ || ends_.pty.valid()) return;
  input_open_ = false;
  caller_input_ = false;
  if (to_container_.empty()) ends_.in.reset();  // the container reads EOF
}

void IoRelay::write_input() {
  int to = ends_.pty.valid() ? ends_.pty.get() : ends_.in.get();
  if (to < 0) {
    to_container_.clear();
    return;
  }
  ssize_t w = ::write(to, to_container_.data(), to_container_.size());
  if (w > 0) to_container_.erase(0, static_cast<size_t>(w));
  if (w < 0 && errno != EAGAIN && errno != EINTR) {
    // The container closed its stdin: drop what it will never read.
    to_container_.clear();
    if (!ends_.pty.valid()) ends_.in.reset();
    input_open_ = false;
    return;
  }
  if (to_container_.empty() && !input_open_ && !ends_.pty.valid()) ends_.in.reset();
}

}  // namespace dabba::runner
