#include "runner/net/bridge_network.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <optional>

#include "common/error.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/unique_fd.h"
#include "runner/net/bridge_attach.h"
#include "runner/net/netavark.h"
#include "runner/net/netns_holder.h"
#include "runner/net/published_ports.h"
#include "runner/spec_codec.h"
#include "runner/state.h"

namespace dabba::runner {
namespace {

class BridgeNetwork : public NetworkSetup {
 public:
  explicit BridgeNetwork(const Spec& spec)
      : id_(spec.id), container_dir_(spec.container_dir),
        via_pasta_(spec.network.holder_via_pasta) {
    if (spec.network.networks.empty())
      throw Error(Errc::kInvalidArgument, "a container on networks needs at least one network");
    check_netavark_installed();
    name_ = spec.network.container_name;
    networks_ = spec.network.networks;
    address_ = spec.network.networks.front().ip;
    ports_.emplace(container_dir_, spec.network.ports);
  }
  ~BridgeNetwork() override { parent_container_exited(); }

  void parent_child_created(pid_t child) override {
    const std::string logs = make_log_dir(container_dir_);
    log_path_ = logs + "/netavark.log";
    holder_ = join_netns_holder(id_, via_pasta_);
    // Kept open until the teardown: netavark then still finds the veths in it after PID 1 died.
    const std::string path = "/proc/" + std::to_string(child) + "/ns/net";
    netns_ = UniqueFd(DABBA_SYSCALL(::open(path.c_str(), O_RDONLY | O_CLOEXEC), path));
    // What `network connect` or `disconnect` changed since (a restart by the policy).
    refresh_networks();
    set_up_ = true;
    {
      FileLock lock = lock_network_setup();  // released before the relay is forked
      std::vector<NetworkAttachment> by_netavark;
      for (const NetworkAttachment& a : networks_) {
        if (attach_to_bridge(holder_, netns_.get(), id_, name_, a))
          quick_.push_back(a.name);
        else
          by_netavark.push_back(a);
      }
      if (!by_netavark.empty())
        run_netavark(holder_, "setup", netns_path(), netavark_options(id_, name_, by_netavark),
                     log_path_);
    }
    ports_->start_relay(child, address_, logs);
  }

  void parent_before_exec() override {
    ports_->record();
  }

  void parent_container_exited() noexcept override {
    if (ports_) ports_->stop();
    if (set_up_) {
      set_up_ = false;
      try {
        refresh_networks();  // the networks it is on now (network connect/disconnect)
        FileLock lock = lock_network_setup();
        std::vector<NetworkAttachment> by_netavark;
        for (const NetworkAttachment& a : networks_) {
          if (std::find(quick_.begin(), quick_.end(), a.name) != quick_.end())
            detach_from_bridge(holder_, id_, a);
          else
            by_netavark.push_back(a);
        }
        quick_.clear();
        if (!by_netavark.empty())
          run_netavark(holder_, "teardown", netns_path(),
                       netavark_options(id_, name_, by_netavark), log_path_);
      } catch (const std::exception& e) {
        log_debug(std::string("network teardown: ") + e.what());
      }
    }
    netns_.reset();
    if (holder_ > 0) {
      holder_ = -1;
      leave_netns_holder(id_);
    }
  }

 private:
  // The networks of the saved Spec, when there is one (a foreground run without a record has
  // none: what it was given stays).
  void refresh_networks() noexcept {
    try {
      Spec saved = load_spec(container_dir_);
      if (saved.network.mode == NetworkMode::kBridge && !saved.network.networks.empty())
        networks_ = saved.network.networks;
    } catch (const std::exception&) {
    }
  }

  // The container's network namespace as netavark (in the holder's namespaces, the same /proc)
  // can open it: through our fd.
  std::string netns_path() const {
    return "/proc/" + std::to_string(::getpid()) + "/fd/" + std::to_string(netns_.get());
  }

  std::string id_;
  std::string container_dir_;
  bool via_pasta_ = false;  // the holder's way out, when this container starts it
  std::string name_;
  std::vector<NetworkAttachment> networks_;
  std::vector<std::string> quick_;  // the networks attach_to_bridge joined (no netavark)
  std::string address_;
  std::optional<PublishedPorts> ports_;  // set in the constructor
  std::string log_path_;
  pid_t holder_ = -1;
  UniqueFd netns_;
  bool set_up_ = false;
};

}  // namespace

std::unique_ptr<NetworkSetup> make_bridge_network(const Spec& spec) {
  return std::make_unique<BridgeNetwork>(spec);
}

}  // namespace dabba::runner
