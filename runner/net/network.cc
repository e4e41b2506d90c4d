#include "runner/net/network.h"

#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cstring>
#include <optional>

#include "common/error.h"
#include "common/fs.h"
#include "common/unique_fd.h"
#include "runner/net/bridge_network.h"
#include "runner/net/network_parse.h"
#include "runner/net/pasta.h"
#include "runner/net/published_ports.h"
#include "runner/net/slirp.h"
#include "runner/state.h"

namespace dabba::runner {
namespace {

constexpr const char* kApiSocketName = "slirp4netns.sock";
constexpr std::chrono::seconds kReadyTimeout{10};

class SlirpNetwork : public NetworkSetup {
 public:
  explicit SlirpNetwork(const Spec& spec)
      : container_dir_(spec.container_dir),
        options_(spec.network.slirp),
        guest_(slirp_addresses(spec.network.slirp).guest),
        binary_(find_slirp4netns()) {
    check_tun_usable();
    ports_.emplace(container_dir_, spec.network.ports);
  }
  ~SlirpNetwork() override { parent_container_exited(); }

  void parent_child_created(pid_t child) override {
    std::string logs = make_log_dir(container_dir_);
    Slirp4netnsConfig c;
    c.netns_pid = child;
    c.options = options_;
    c.dir = container_dir_;
    c.socket_name = kApiSocketName;
    c.log_path = logs + "/slirp4netns.log";
    slirp_.emplace(Slirp4netns::start(binary_, c));
    ports_->start_relay(child, guest_, logs);
  }

  void parent_before_exec() override {
    if (!slirp_) throw Error(Errc::kFailed, "slirp4netns was not started");
    // Until then tap0 has no address, and the relay could not connect to it.
    slirp_->wait_ready(kReadyTimeout);
    slirp_->remove_api_socket();
    ports_->record();
  }

  void parent_container_exited() noexcept override {
    if (ports_) ports_->stop();
    if (slirp_) {
      slirp_->stop();
      slirp_.reset();
    }
  }

 private:
  std::string container_dir_;
  SlirpOptions options_;
  std::string guest_;
  Slirp4netnsBinary binary_;
  std::optional<PublishedPorts> ports_;  // set in the constructor
  std::optional<Slirp4netns> slirp_;
};

}  // namespace

bool has_own_network_namespace(NetworkMode mode) {
  return mode != NetworkMode::kHost && mode != NetworkMode::kContainer;
}

std::unique_ptr<NetworkSetup> make_network_setup(const Spec& spec) {
  validate_network(spec.network);
  switch (spec.network.mode) {
    case NetworkMode::kNone:
    case NetworkMode::kHost:
    case NetworkMode::kContainer:  // the other container's owner keeps its network
      return nullptr;
    case NetworkMode::kSlirp4netns:
      return std::make_unique<SlirpNetwork>(spec);
    case NetworkMode::kBridge:
      // Every network disconnected (podman allows it): its loopback only, until a connect.
      if (spec.network.networks.empty()) return nullptr;
      return make_bridge_network(spec);
    case NetworkMode::kPasta:
      return make_pasta_network(spec);
  }
  return nullptr;
}

void bring_loopback_up_child() {
  UniqueFd sock(DABBA_SYSCALL(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), "socket"));
  struct ifreq ifr;
  std::memset(&ifr, 0, sizeof ifr);
  std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  DABBA_SYSCALL(::ioctl(sock.get(), SIOCGIFFLAGS, &ifr), "get the flags of lo");
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  DABBA_SYSCALL(::ioctl(sock.get(), SIOCSIFFLAGS, &ifr), "bring lo up");
}

}  // namespace dabba::runner
