#include "runner/slirp_api.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/unique_fd.h"
#include "runner/network_parse.h"
#include "runner/port_publish.h"

namespace dabba::runner {
namespace {

using Clock = std::chrono::steady_clock;

// Waits for events on fd until deadline; false on timeout.
bool wait_for(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    struct pollfd p = {fd, events, 0};
    int n = ::poll(&p, 1, static_cast<int>(left.count()));
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) throw_errno("poll the slirp4netns API socket");
  }
}

}  // namespace

std::string slirp_api_call(const std::string& socket_path, const std::string& request,
                           std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  struct sockaddr_un addr;
  std::memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  if (socket_path.size() >= sizeof addr.sun_path)
    throw Error(Errc::kInvalidArgument, "API socket path too long: " + socket_path);
  std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
  UniqueFd fd(DABBA_SYSCALL(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)));
  auto what = [&](const std::string& step) { return step + " " + socket_path; };
  if (::connect(fd.get(), reinterpret_cast<struct sockaddr*>(&addr), sizeof addr) != 0) {
    if (errno != EINPROGRESS && errno != EAGAIN) throw_errno(what("connect to"));
    if (!wait_for(fd.get(), POLLOUT, deadline))
      throw Error(Errc::kFailed, what("timed out connecting to"));
  }
  // One write: slirp4netns takes the request from a single read.
  size_t sent = 0;
  while (sent < request.size()) {
    ssize_t n = ::send(fd.get(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (!wait_for(fd.get(), POLLOUT, deadline))
        throw Error(Errc::kFailed, what("timed out writing to"));
    } else {
      throw_errno(what("write to"));
    }
  }
  std::string answer;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n > 0) {
      answer.append(buf, static_cast<size_t>(n));
    } else if (n == 0) {
      break;
    } else if (errno == EAGAIN || errno == EINTR) {
      if (!wait_for(fd.get(), POLLIN, deadline))
        throw Error(Errc::kFailed, what("timed out waiting for an answer on"));
    } else if (errno == ECONNRESET) {
      break;
    } else {
      throw_errno(what("read from"));
    }
  }
  return answer;
}

std::string add_hostfwd_request(const PortMapping& port, const std::string& guest_addr) {
  nlohmann::json request = {{"execute", "add_hostfwd"},
                            {"arguments",
                             {{"proto", port_protocol_name(port.protocol)},
                              {"host_addr", port.host_ip.empty() ? "0.0.0.0" : port.host_ip},
                              {"host_port", port.host_port},
                              {"guest_addr", guest_addr},
                              {"guest_port", port.container_port}}}};
  return request.dump();
}

int add_hostfwd(const std::string& socket_path, const PortMapping& port,
                const std::string& guest_addr) {
  std::string answer = slirp_api_call(socket_path, add_hostfwd_request(port, guest_addr));
  nlohmann::json reply = nlohmann::json::parse(answer, nullptr, false);
  if (reply.is_object() && reply.contains("return")) {
    const auto& r = reply["return"];
    return r.is_object() && r.contains("id") && r["id"].is_number_integer() ? r["id"].get<int>()
                                                                            : 0;
  }
  // slirp4netns says only "slirp_add_hostfwd failed": find out why by binding it ourselves.
  probe_port(port);
  std::string desc = answer;
  if (reply.is_object() && reply.contains("error") && reply["error"].is_object() &&
      reply["error"].contains("desc") && reply["error"]["desc"].is_string())
    desc = reply["error"]["desc"].get<std::string>();
  throw Error(Errc::kFailed, "slirp4netns could not publish " + format_port(port) + ": " + desc);
}

}  // namespace dabba::runner
