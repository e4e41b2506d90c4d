#include "runner/net/pasta.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <optional>
#include <thread>

#include "common/child_process.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/subprocess.h"
#include "common/text.h"
#include "common/unique_fd.h"
#include "runner/net/published_ports.h"
#include "runner/state.h"

namespace dabba::runner {
namespace {

constexpr std::chrono::seconds kReadyTimeout{10};

class PastaNetwork : public NetworkSetup {
 public:
  explicit PastaNetwork(const Spec& spec)
      : container_dir_(spec.container_dir), binary_(find_pasta()) {
    for (const std::string& option : split(spec.network.options, ','))
      if (!option.empty()) options_.push_back(option);
    ports_.emplace(container_dir_, spec.network.ports);
  }
  ~PastaNetwork() override { parent_container_exited(); }

  void parent_child_created(pid_t child) override {
    const std::string logs = make_log_dir(container_dir_);
    const std::string ns_path = "/proc/" + std::to_string(child) + "/ns/net";
    UniqueFd netns(DABBA_SYSCALL(::open(ns_path.c_str(), O_RDONLY), ns_path));
    UniqueFd log(DABBA_SYSCALL(::open((logs + "/pasta.log").c_str(),
                                      O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600),
                               logs + "/pasta.log"));
    std::vector<std::string> args = {binary_, "--config-net", "--foreground", "--quiet",
                                     "--runas", "0:0"};
    args.insert(args.end(), options_.begin(), options_.end());
    args.insert(args.end(), {"--netns", "/proc/self/fd/" + std::to_string(netns.get())});
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const pid_t owner = ::getpid();
    pid_t pid = ::fork();
    if (pid < 0) throw_errno("fork pasta");
    if (pid == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != owner) ::_exit(1);
      ::setsid();  // the terminal's Ctrl-C is the container's
      const int null_fd = ::open("/dev/null", O_RDWR);
      if (null_fd < 0 || ::dup2(null_fd, 0) < 0 || ::dup2(log.get(), 1) < 0 ||
          ::dup2(log.get(), 2) < 0)
        ::_exit(127);
      const int keep = netns.get();
      if (keep > 3) ::syscall(SYS_close_range, 3, keep - 1, 0);
      ::syscall(SYS_close_range, keep + 1, ~0U, 0);
      sigset_t none;
      sigemptyset(&none);
      ::sigprocmask(SIG_SETMASK, &none, nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    pasta_ = ChildProcess(pid);
    child_ = child;
    ports_->start_relay(child, "127.0.0.1", logs);
  }

  void parent_before_exec() override {
    const auto deadline = std::chrono::steady_clock::now() + kReadyTimeout;
    while (!has_default_route(child_)) {
      if (auto status = pasta_.wait(std::chrono::milliseconds(0)))
        throw Error(Errc::kFailed, "pasta exited (" + status->describe() + ") before the network "
                                   "was up: see " + log_dir(container_dir_) + "/pasta.log");
      if (std::chrono::steady_clock::now() > deadline)
        throw Error(Errc::kFailed, "pasta did not configure the network in 10 s: see " +
                                       log_dir(container_dir_) + "/pasta.log");
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    ports_->record();
  }

  void parent_container_exited() noexcept override {
    if (ports_) ports_->stop();
    if (pasta_.running()) pasta_.stop(SIGTERM, std::chrono::milliseconds(1000));
  }

 private:
  std::string container_dir_;
  std::string binary_;
  std::vector<std::string> options_;
  std::optional<PublishedPorts> ports_;  // set in the constructor
  pid_t child_ = -1;
  ChildProcess pasta_;
};

}  // namespace

std::string find_pasta() {
  const char* given = std::getenv("DABBA_PASTA");
  std::string path = find_program(given != nullptr && *given != '\0' ? given : "pasta");
  if (path.empty())
    throw Error(Errc::kNotFound, "pasta not found: --network pasta needs it", 0,
                "install the Debian package passt (sudo apt-get install passt), or use "
                "--network slirp4netns");
  return path;
}

// Whether the namespace of pid has a default route yet (/proc/PID/net/route shows that namespace).
bool has_default_route(pid_t pid) {
  std::string routes;
  if (!read_file_if_exists("/proc/" + std::to_string(pid) + "/net/route", routes)) return false;
  for (const std::string& line : split_lines(routes)) {
    const std::vector<std::string> fields = split(line, '\t');
    if (fields.size() > 2 && fields[1] == "00000000" && fields[0] != "Iface") return true;
  }
  return false;
}

std::unique_ptr<NetworkSetup> make_pasta_network(const Spec& spec) {
  return std::make_unique<PastaNetwork>(spec);
}

}  // namespace dabba::runner
