// /etc/hostname, /etc/hosts and /etc/resolv.conf of a container: generated per container into
// <container_dir>/etc/ and bind-mounted over the image's files. What they say depends on the
// network (slirp4netns's DNS, --dns, --add-host): network_etc_files.h.
#pragma once

#include <string>

#include "runner/spec.h"

namespace dabba::runner {

// The files for the network (network_etc_files.h has the rules): --dns, --add-host and the
// slirp4netns options included.
EtcFiles default_etc_files(const std::string& hostname, const NetworkSpec& network);
// The same for a network with no flags but its mode.
EtcFiles default_etc_files(const std::string& hostname, NetworkMode mode);

// network connect/disconnect: the container's hosts and resolv.conf rewritten in place (the same
// files, which a running container has bound at /etc/hosts and /etc/resolv.conf, so it sees the
// change at once, as podman's).
void rewrite_network_etc_files(const std::string& container_dir, const EtcFiles& files);

// Where the generated files live: <container_dir>/etc.
std::string etc_files_dir(const std::string& container_dir);

// Writes the files into etc_files_dir(container_dir): hostname, hosts, resolv.conf, containerenv
// (bound on /run/.containerenv) and, with --tz, localtime.
void write_etc_files(const std::string& container_dir, const EtcFiles& files);

}  // namespace dabba::runner
