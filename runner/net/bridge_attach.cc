#include "runner/net/bridge_attach.h"

#include <fcntl.h>
#include <poll.h>
#include <net/if.h>
#include <sched.h>
#include <sys/socket.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <random>

#include <nlohmann/json.hpp>

#include "common/child_process.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/text.h"
#include "runner/net/netns_holder.h"
#include "runner/net/rtnetlink.h"

namespace dabba::runner {
namespace {

constexpr auto kAttachTimeout = std::chrono::seconds(10);
constexpr int kNoBridge = 3;  // the child's exit code when the bridge is not there

std::string aardvark_dir() { return netns_holder_dir() + "/netavark/aardvark-dns"; }

std::string bridge_name(const NetworkAttachment& a) {
  return nlohmann::json::parse(a.config).value("network_interface", "");
}

std::string random_veth_name() {
  std::random_device random;
  char name[16];
  std::snprintf(name, sizeof name, "dv%08x", static_cast<unsigned>(random()));
  return name;
}

// aardvark-dns, a child of the holder (PID 1 of its PID namespace reaps what netavark starts):
// its pid here, or -1. aardvark.pid holds its pid in the holder's PID namespace.
pid_t find_aardvark(pid_t holder) {
  std::string inner;
  try {
    inner = trim(read_file(aardvark_dir() + "/aardvark.pid"));
  } catch (const std::exception&) {
    return -1;
  }
  const std::string h = std::to_string(holder);
  std::string children;
  try {
    children = read_file("/proc/" + h + "/task/" + h + "/children");
  } catch (const std::exception&) {
    return -1;
  }
  for (const std::string& child : split(children, ' ')) {
    if (trim(child).empty()) continue;
    try {
      if (trim(read_file("/proc/" + child + "/comm")) != "aardvark-dns") continue;
      for (const std::string& line : split_lines(read_file("/proc/" + child + "/status")))
        if (line.rfind("NSpid:", 0) == 0) {
          const std::vector<std::string> pids = split(trim(line.substr(6)), '\t');
          if (!pids.empty() && trim(pids.back()) == inner) return std::stoi(child);
        }
    } catch (const std::exception&) {
    }
  }
  return -1;
}

// Whether the holder's network namespace has an interface named bridge (/proc/PID/net/dev shows
// the namespace of PID).
bool has_interface(pid_t holder, const std::string& bridge) {
  std::string dev;
  if (!read_file_if_exists("/proc/" + std::to_string(holder) + "/net/dev", dev)) return false;
  for (const std::string& line : split_lines(dev)) {
    const auto colon = line.find(':');
    if (colon != std::string::npos && trim(line.substr(0, colon)) == bridge) return true;
  }
  return false;
}

// In a child of ours: into the holder's network namespace, the veth pair, then into the
// container's, its address and route. A child, because a thread that left the caller's network
// namespace (the host's, owned by a user namespace where dabba has no capabilities) could not go
// back to it.
void attach_in_child(pid_t holder, int container_netns, const std::string& bridge,
                     const NetworkAttachment& a, int error_pipe) {
  try {
    const std::string holder_ns = "/proc/" + std::to_string(holder) + "/ns/net";
    UniqueFd ns(DABBA_SYSCALL(::open(holder_ns.c_str(), O_RDONLY | O_CLOEXEC), holder_ns));
    DABBA_SYSCALL(::setns(ns.get(), CLONE_NEWNET), "setns " + holder_ns);
    const unsigned bridge_index = ::if_nametoindex(bridge.c_str());
    if (bridge_index == 0) ::_exit(kNoBridge);
    const std::string name = random_veth_name();
    {
      RtNetlink holder_link;
      holder_link.add_veth_on_bridge(name, bridge_index, a.interface, container_netns, a.mac);
      const unsigned index = ::if_nametoindex(name.c_str());
      if (index == 0) throw_errno(name);
      holder_link.set_up(index);
    }
    DABBA_SYSCALL(::setns(container_netns, CLONE_NEWNET), "setns into the container's network");
    RtNetlink link;
    const unsigned index = ::if_nametoindex(a.interface.c_str());
    if (index == 0) throw_errno(a.interface + " in the container");
    link.add_address(index, a.ip, a.prefix);
    link.set_up(index);
    if (!a.internal && !a.gateway.empty()) link.add_default_route(index, a.gateway);
    ::_exit(0);
  } catch (const std::exception& e) {
    const std::string what = e.what();
    (void)!::write(error_pipe, what.data(), what.size());
    ::_exit(1);
  }
}

// The network's aardvark-dns config with the container's line added (line non-empty) or removed.
void edit_dns_entry(const std::string& network, const std::string& container_id,
                    const std::string& line) {
  const std::string path = aardvark_dir() + "/" + network;
  std::string kept;
  for (const std::string& l : split_lines(read_file(path)))
    if (!l.empty() && l.rfind(container_id + " ", 0) != 0) kept += l + "\n";
  write_file_atomic(path, kept + line, Sync::kNone, 0644);
}

// The child's side of attach_to_bridge: the veth pair, address and route. Throws Error with what
// the child reported.
void attach_veth(pid_t holder, int container_netns, const std::string& bridge,
                 const NetworkAttachment& a) {
  int pipe_fds[2];
  DABBA_SYSCALL(::pipe2(pipe_fds, O_CLOEXEC), "pipe");
  UniqueFd read_end(pipe_fds[0]), write_end(pipe_fds[1]);
  const pid_t pid = ::fork();
  if (pid < 0) throw_errno("fork");
  if (pid == 0) attach_in_child(holder, container_netns, bridge, a, write_end.get());
  ChildProcess child(pid);
  write_end.reset();
  // What the child says until it exits (the pipe's end), kAttachTimeout at most.
  std::string error;
  const auto deadline = std::chrono::steady_clock::now() + kAttachTimeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    struct pollfd p = {read_end.get(), POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) break;
    char buf[512];
    const ssize_t n = ::read(read_end.get(), buf, sizeof buf);
    if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) break;
    if (n > 0) error.append(buf, static_cast<std::size_t>(n));
  }
  const auto status = child.wait(std::chrono::milliseconds(
      std::max<long>(0, std::chrono::duration_cast<std::chrono::milliseconds>(
                            deadline - std::chrono::steady_clock::now())
                            .count())));
  if (!status) {
    child.stop(SIGKILL, std::chrono::milliseconds(0));
    throw Error(Errc::kFailed, "network " + a.name + ": attaching the container timed out");
  }
  if (status->exited() && status->code() == kNoBridge)
    throw Error(Errc::kFailed, "network " + a.name + ": its bridge " + bridge + " went away");
  if (!status->exited() || status->code() != 0)
    throw Error(Errc::kFailed, "network " + a.name + ": " +
                                   (error.empty() ? status->describe() : error));
}

}  // namespace

FileLock lock_network_setup() {
  return FileLock::acquire(netns_holder_dir() + "/setup.lock", FileLock::Mode::kExclusive);
}

bool attach_to_bridge(pid_t holder, int container_netns, const std::string& container_id,
                      const std::string& container_name, const NetworkAttachment& a) {
  const std::string bridge = bridge_name(a);
  if (bridge.empty() || !has_interface(holder, bridge)) return false;
  if (a.dns_enabled) {
    if (::access((aardvark_dir() + "/" + a.name).c_str(), F_OK) != 0) return false;
    const pid_t aardvark = find_aardvark(holder);
    if (aardvark <= 0) return false;
    // First, so that aardvark-dns re-reads it while the veth is made.
    std::string names = container_name;
    for (const std::string& alias : a.aliases) names += "," + alias;
    FileLock lock = FileLock::acquire(netns_holder_dir() + "/netavark/aardvark.lock",
                                      FileLock::Mode::kExclusive);
    edit_dns_entry(a.name, container_id, container_id + " " + a.ip + "  " + names + "\n");
    if (::kill(aardvark, SIGHUP) != 0) throw_errno("signal aardvark-dns");
  }
  try {
    attach_veth(holder, container_netns, bridge, a);
  } catch (...) {
    detach_from_bridge(holder, container_id, a);
    throw;
  }
  return true;
}

void detach_from_bridge(pid_t holder, const std::string& container_id,
                        const NetworkAttachment& a) noexcept {
  if (!a.dns_enabled) return;
  try {
    FileLock lock = FileLock::acquire(netns_holder_dir() + "/netavark/aardvark.lock",
                                      FileLock::Mode::kExclusive);
    edit_dns_entry(a.name, container_id, "");
    const pid_t aardvark = find_aardvark(holder);
    if (aardvark > 0) ::kill(aardvark, SIGHUP);
  } catch (const std::exception& e) {
    log_debug(std::string("network ") + a.name + ": removing the DNS entry: " + e.what());
  }
}

}  // namespace dabba::runner
