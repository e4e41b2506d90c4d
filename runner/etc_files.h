// /etc/hostname, /etc/hosts and /etc/resolv.conf of a container: generated per container into
// <container_dir>/etc/ and bind-mounted over the image's files. The network issue refines the
// contents (slirp's DNS, --dns, --add-host); the defaults here suit --network none and host.
#pragma once

#include <string>

#include "runner/spec.h"

namespace dabba::runner {

// none: localhost lines and the hostname on 127.0.1.1, no nameserver. host: the host's
// /etc/hosts plus the hostname, and the host's /etc/resolv.conf. slirp4netns: as none (the network
// setup rewrites them).
EtcFiles default_etc_files(const std::string& hostname, NetworkMode mode);

// Where the generated files live: <container_dir>/etc.
std::string etc_files_dir(const std::string& container_dir);

// Writes the three files into etc_files_dir(container_dir).
void write_etc_files(const std::string& container_dir, const EtcFiles& files);

}  // namespace dabba::runner
