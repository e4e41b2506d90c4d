#include "common/userns.h"

#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sstream>
#include <string>

#include "common/error.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/unique_fd.h"

namespace dabba {
namespace {

std::vector<IdMapping> read_proc_map(const char* path) {
  std::vector<IdMapping> out;
  std::string text;
  if (!read_file_if_exists(path, text)) return out;
  std::istringstream in(text);
  IdMapping m;
  while (in >> m.inside >> m.outside >> m.count) out.push_back(m);
  return out;
}

[[noreturn]] void throw_unshare_failed(int err) {
  throw Error(Errc::kPermission, "cannot create a user namespace", err,
              "check that user namespaces are enabled: sysctl user.max_user_namespaces (> 0) and "
              "kernel.unprivileged_userns_clone=1 where that sysctl exists");
}

}  // namespace

IdMap current_id_map() {
  IdMap map;
  map.uids = read_proc_map("/proc/self/uid_map");
  map.gids = read_proc_map("/proc/self/gid_map");
  return map;
}

void enter_user_namespace(const IdMap& map) {
  const HostIdentity& who = host_identity();  // must be read before the namespace exists
  if (!in_initial_user_namespace()) return;
  if (who.is_root() && ::geteuid() == 0) return;

  const pid_t self = ::getpid();
  bool single = map.uids.size() == 1 && map.gids.size() == 1 && map.uids[0].count == 1;
  if (single) {
    // An unprivileged process may map its own id into its own namespace without a helper.
    if (::unshare(CLONE_NEWUSER) != 0) throw_unshare_failed(errno);
    write_id_map(self, map);
    return;
  }

  // newuidmap must run from outside the namespace: a helper child waits until we have unshared,
  // maps us, and reports "ok" or the error text.
  Pipe go = Pipe::make();
  Pipe report = Pipe::make();
  pid_t helper = ::fork();
  if (helper < 0) throw_errno("fork");
  if (helper == 0) {
    go.write.reset();
    report.read.reset();
    char byte;
    ssize_t n;
    do {
      n = ::read(go.read.get(), &byte, 1);
    } while (n < 0 && errno == EINTR);
    if (n != 1) ::_exit(1);
    std::string message = "ok";
    try {
      write_id_map(self, map);
    } catch (const Error& e) {
      message = std::string(e.what()) + "\n" + e.hint();
    } catch (const std::exception& e) {
      message = e.what();
    }
    ssize_t ignored = ::write(report.write.get(), message.data(), message.size());
    (void)ignored;
    ::_exit(0);
  }
  go.read.reset();
  report.write.reset();
  auto reap = [&] {
    int status;
    while (::waitpid(helper, &status, 0) < 0 && errno == EINTR) {
    }
  };
  if (::unshare(CLONE_NEWUSER) != 0) {
    int err = errno;
    go.write.reset();
    reap();
    throw_unshare_failed(err);
  }
  char byte = 1;
  if (::write(go.write.get(), &byte, 1) != 1) {
    int err = errno;
    reap();
    throw_errno("signal the id-map helper", err);
  }
  go.write.reset();
  std::string message = read_all(report.read.get());
  reap();
  if (message != "ok") {
    auto nl = message.find('\n');
    std::string text = nl == std::string::npos ? message : message.substr(0, nl);
    std::string hint = nl == std::string::npos ? "" : message.substr(nl + 1);
    if (text.empty()) text = "the id-map helper died";
    throw Error(Errc::kPermission, "map ids of the user namespace: " + text, 0, hint);
  }
}

IdMap enter_default_user_namespace() {
  const HostIdentity& who = host_identity();
  if (!in_initial_user_namespace()) return current_id_map();
  IdMap map = default_id_map(who);
  if (map.deny_setgroups && !who.is_root())
    log_warn("no /etc/subuid or /etc/subgid range for " + who.user +
             ": only one uid and gid are mapped; " + subid_hint(who));
  enter_user_namespace(map);
  return map;
}

}  // namespace dabba
