#include "common/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>

#include "common/error.h"
#include "common/exit_codes.h"
#include "common/fs.h"
#include "common/unique_fd.h"

namespace dabba {

std::string search_path(const std::string& name, std::string_view dirs) {
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string_view::npos) end = dirs.size();
    std::string dir(dirs.substr(start, end - start));
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + name;
    struct stat st;
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        ::access(candidate.c_str(), X_OK) == 0)
      return candidate;
    start = end + 1;
  }
  return "";
}

std::string find_program(const std::string& name) {
  if (name.find('/') != std::string::npos) return ::access(name.c_str(), X_OK) == 0 ? name : "";
  const char* env = std::getenv("PATH");
  std::string path = env ? env : "/usr/local/bin:/usr/bin:/bin";
  return search_path(name, path + ":/usr/local/sbin:/usr/sbin:/sbin");
}

ChildProcess spawn(const std::vector<std::string>& argv, const SpawnOptions& options) {
  if (argv.empty()) throw Error(Errc::kInvalidArgument, "spawn: empty command");
  std::string program = find_program(argv[0]);
  if (program.empty())
    throw Error(Errc::kNotFound, "cannot find program '" + argv[0] + "' in PATH");
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  // The child reports an exec failure through this pipe; EOF means exec succeeded.
  Pipe status = Pipe::make();
  pid_t pid = ::fork();
  if (pid < 0) throw_errno("fork for " + argv[0]);
  if (pid == 0) {
    // Only async-signal-safe calls from here on: the parent may have threads.
    int in = options.stdin_fd;
    if (in < 0 && options.null_stdin) in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (in >= 0 && in != 0) ::dup2(in, 0);
    if (options.stdout_fd >= 0 && options.stdout_fd != 1) ::dup2(options.stdout_fd, 1);
    if (options.stderr_fd >= 0 && options.stderr_fd != 2) ::dup2(options.stderr_fd, 2);
    if (in == 0) ::fcntl(0, F_SETFD, 0);
    if (options.stdout_fd == 1) ::fcntl(1, F_SETFD, 0);
    if (options.stderr_fd == 2) ::fcntl(2, F_SETFD, 0);
    for (int fd : options.keep_fds) ::fcntl(fd, F_SETFD, 0);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execv(program.c_str(), args.data());
    int err = errno;
    ssize_t ignored = ::write(status.write.get(), &err, sizeof err);
    (void)ignored;
    ::_exit(kExitNotFound);
  }
  ChildProcess child(pid);
  status.write.reset();
  int err = 0;
  ssize_t n;
  do {
    n = ::read(status.read.get(), &err, sizeof err);
  } while (n < 0 && errno == EINTR);
  if (n == sizeof err) {
    child.wait();
    throw Error(errc_from_errno(err), "exec " + program, err);
  }
  return child;
}

CommandResult run_command(const std::vector<std::string>& argv) {
  return run_command(argv, std::nullopt);
}

CommandResult run_command(const std::vector<std::string>& argv,
                          std::optional<std::string_view> input) {
  Pipe out = Pipe::make();
  Pipe err = Pipe::make();
  SpawnOptions options;
  options.stdout_fd = out.write.get();
  options.stderr_fd = err.write.get();
  // stdin as a socket: send(MSG_NOSIGNAL) to a child that exits unread is EPIPE, not SIGPIPE.
  UniqueFd in_parent, in_child;
  if (input) {
    int sv[2];
    DABBA_SYSCALL(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
    in_parent = UniqueFd(sv[0]);
    in_child = UniqueFd(sv[1]);
    options.stdin_fd = in_child.get();
  }
  ChildProcess child = spawn(argv, options);
  out.write.reset();
  err.write.reset();
  if (input) {
    in_child.reset();
    // Small inputs (a credential helper's request): they fit the socket buffer.
    size_t done = 0;
    while (done < input->size()) {
      ssize_t n = ::send(in_parent.get(), input->data() + done, input->size() - done, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    ::shutdown(in_parent.get(), SHUT_WR);
  }
  CommandResult result;
  struct pollfd fds[2] = {{out.read.get(), POLLIN, 0}, {err.read.get(), POLLIN, 0}};
  int open_count = 2;
  char buf[8192];
  while (open_count > 0) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      throw_errno("poll");
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        (i == 0 ? result.out : result.err).append(buf, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        fds[i].fd = -1;
        --open_count;
      }
    }
  }
  result.status = child.wait();
  return result;
}

std::string self_exe_path() {
  char buf[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf);
  return n > 0 && static_cast<size_t>(n) < sizeof buf ? std::string(buf, static_cast<size_t>(n))
                                                        : std::string();
}

}  // namespace dabba
