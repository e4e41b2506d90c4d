#include "runner/net/published_ports.h"

#include <utility>

#include "runner/net/port_publish.h"

namespace dabba::runner {

PublishedPorts::PublishedPorts(std::string container_dir, const std::vector<PortMapping>& ports)
    : container_dir_(std::move(container_dir)) {
  remove_published_ports(container_dir_);
  ports_ = reserve_host_ports(ports);
}

void PublishedPorts::start_relay(pid_t child, const std::string& address,
                                 const std::string& log_dir) {
  if (ports_.empty()) return;
  relay_.emplace(PortRelay::start(child, ports_, address, log_dir + "/port-relay.log"));
}

void PublishedPorts::record() const {
  if (!ports_.empty()) write_published_ports(container_dir_, ports_);
}

void PublishedPorts::stop() noexcept {
  if (!relay_) return;
  relay_->stop();
  relay_.reset();
  remove_published_ports(container_dir_);
}

}  // namespace dabba::runner
