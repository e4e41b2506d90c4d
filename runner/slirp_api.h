// Client of slirp4netns's API socket (--api-socket): one JSON request per connection, written in
// one piece (slirp4netns reads it with a single read(2)), answered with one JSON object, after
// which slirp4netns closes the connection. slirp4netns serves the API from its packet loop, so a
// request is short: connect, write, read to EOF, bounded by a timeout.
//
//   {"execute": "add_hostfwd", "arguments": {"proto": "tcp", "host_addr": "127.0.0.1",
//    "host_port": 8080, "guest_addr": "10.0.2.100", "guest_port": 80}}
//   -> {"return": {"id": 1}}  or  {"error": {"desc": "bad request: add_hostfwd: ..."}}
#pragma once

#include <chrono>
#include <string>

#include "runner/network_spec.h"

namespace dabba::runner {

// Sends request (a JSON object as text) and returns the answer's text. Throws Error on a socket
// failure or timeout.
std::string slirp_api_call(const std::string& socket_path, const std::string& request,
                           std::chrono::milliseconds timeout = std::chrono::seconds(5));

// The add_hostfwd request for port (host_port already chosen) towards guest_addr.
std::string add_hostfwd_request(const PortMapping& port, const std::string& guest_addr);

// Publishes port through the API. On refusal the port is probed (port_publish.h) so the error
// says why ("host port 8080/tcp on 127.0.0.1 is already in use"); else it quotes slirp4netns.
// Returns the forwarding's id.
int add_hostfwd(const std::string& socket_path, const PortMapping& port,
                const std::string& guest_addr);

}  // namespace dabba::runner
