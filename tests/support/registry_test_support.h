// Test support for the HTTP layer and the registry client: real servers on 127.0.0.1.
//   TestHttpServer   tests/registry/http_test_server.py (Debian's python3), for misbehaviour
//   TestRegistry     /usr/bin/docker-registry over the fixture storage, optionally htpasswd
//   registry_fixture the images of tests/registry/registry_client_fixture.sh, built once per
//                    version of that script and shared by every test process (flock)
//   rig_env          the rig's env file (scripts/rig up), if the rig is up
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <thread>

#include "common/error.h"
#include "common/fs.h"
#include "common/subprocess.h"
#include "common/unique_fd.h"
#include "oci/digest.h"
#include "registry/http_client.h"

namespace dabba::testing_support {

inline std::string source_dir() { return DABBA_SOURCE_DIR; }

// Byte i of the test server's bodies.
inline std::string expected_body(uint64_t start, uint64_t end) {
  std::string out;
  out.reserve(end - start);
  for (uint64_t i = start; i < end; ++i) out += static_cast<char>((i * 7 + i / 251) % 256);
  return out;
}

inline int free_port() {
  UniqueFd s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  DABBA_SYSCALL(::bind(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr));
  socklen_t len = sizeof addr;
  DABBA_SYSCALL(::getsockname(s.get(), reinterpret_cast<sockaddr*>(&addr), &len));
  return ntohs(addr.sin_port);
}

// Waits until GET url answers with an HTTP status (any), or throws after timeout.
inline void wait_http(const std::string& url, ChildProcess& process, const std::string& log) {
  HttpOptions options;
  options.max_attempts = 1;
  options.connect_timeout_ms = 500;
  HttpClient http(options);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      HttpRequest req;
      req.url = url;
      http.send(req);
      return;
    } catch (const Error&) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
  }
  process.signal(SIGKILL);
  std::string text;
  read_file_if_exists(log, text);
  throw Error(Errc::kFailed, "server at " + url + " did not start: " + text.substr(0, 2000));
}

class TestHttpServer {
 public:
  explicit TestHttpServer(const std::string& user = {}) : dir_("/tmp", "dabba-http-test-") {
    std::string port_file = dir_.path() + "/port";
    std::string log = dir_.path() + "/log";
    UniqueFd log_fd = open_file(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<std::string> argv = {"/usr/bin/python3",
                                     source_dir() + "/tests/registry/http_test_server.py",
                                     "--port-file", port_file};
    if (!user.empty()) {
      argv.push_back("--user");
      argv.push_back(user);
    }
    SpawnOptions so;
    so.stdout_fd = log_fd.get();
    so.stderr_fd = log_fd.get();
    process_ = spawn(argv, so);
    std::string text;
    for (int i = 0; i < 400 && !read_file_if_exists(port_file, text); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    if (text.empty()) throw Error(Errc::kFailed, "http_test_server.py did not start");
    port_ = std::stoi(text);
    wait_http(url("/status/200"), process_, log);
    HttpClient http;
    HttpRequest reset;
    reset.url = url("/_reset");
    http.send(reset);  // the tests count requests: forget the start-up probe
  }
  ~TestHttpServer() { process_.stop(SIGKILL, std::chrono::milliseconds(0)); }
  int port() const { return port_; }
  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string url(const std::string& path) const { return "http://" + host() + path; }
  // The requests the server has had since it started (or since /_reset): its /_log, a JSON
  // array of {"path", "headers", ...} in the order they came.
  nlohmann::json log() const {
    HttpClient http;
    HttpRequest req;
    req.url = url("/_log");
    return nlohmann::json::parse(http.send(req).body);
  }

 private:
  TempDir dir_;
  ChildProcess process_;
  int port_ = 0;
};

struct RegistryFixture {
  std::string storage;
  std::map<std::string, std::string> facts;  // from facts.env
  std::string fact(const std::string& name) const {
    auto it = facts.find(name);
    if (it == facts.end()) throw Error(Errc::kNotFound, "fixture fact " + name);
    return it->second;
  }
};

// Built once per version of the fixture script, under a lock other test processes wait on.
inline const RegistryFixture& registry_fixture() {
  static std::optional<RegistryFixture> fixture;
  if (fixture) return *fixture;
  std::string script = source_dir() + "/tests/registry/registry_client_fixture.sh";
  std::string version =
      Digest::of(read_file(script) + read_file(source_dir() + "/tests/fixtures/oci.sh"))
          .short_hex();
  std::string dir =
      "/tmp/dabba-registry-client-fixture-" + std::to_string(::getuid()) + "-" + version;
  UniqueFd lock = open_file(dir + ".lock", O_RDWR | O_CREAT, 0644);
  DABBA_SYSCALL(::flock(lock.get(), LOCK_EX));
  if (!path_exists(dir + "/done")) {
    CommandResult r = run_command({"bash", script, dir});
    if (!r.status.exited() || r.status.code() != 0)
      throw Error(Errc::kFailed, "registry fixture build failed: " + r.err + r.out);
    write_file_atomic(dir + "/done", "", Sync::kNone);
  }
  RegistryFixture f;
  f.storage = dir + "/storage";
  std::string facts = read_file(dir + "/facts.env");
  size_t pos = 0;
  while (pos < facts.size()) {
    size_t nl = facts.find('\n', pos);
    std::string line = facts.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? facts.size() : nl + 1;
    size_t eq = line.find('=');
    if (eq != std::string::npos) f.facts[line.substr(0, eq)] = line.substr(eq + 1);
  }
  fixture = std::move(f);
  return *fixture;
}

// A docker-registry serving storage on a free 127.0.0.1 port; htpasswd_user "user:pass" turns
// on basic auth (bcrypt, as the registry wants).
class TestRegistry {
 public:
  explicit TestRegistry(const std::string& storage, const std::string& htpasswd_user = {})
      : dir_("/tmp", "dabba-registry-test-") {
    std::string auth;
    if (!htpasswd_user.empty()) {
      size_t colon = htpasswd_user.find(':');
      CommandResult r = run_command(
          {"htpasswd", "-Bbn", htpasswd_user.substr(0, colon), htpasswd_user.substr(colon + 1)});
      if (r.status.code() != 0) throw Error(Errc::kFailed, "htpasswd failed: " + r.err);
      write_file_atomic(dir_.path() + "/htpasswd", r.out, Sync::kNone);
      auth = "auth:\n  htpasswd:\n    realm: dabba-test\n    path: " + dir_.path() + "/htpasswd\n";
    }
    for (int attempt = 0;; ++attempt) {
      port_ = free_port();
      std::string config =
          "version: 0.1\nlog:\n  level: info\n  accesslog:\n    disabled: false\n"
          "storage:\n  filesystem:\n    rootdirectory: " +
          storage +
          "\n  maintenance:\n    uploadpurging:\n      enabled: false\n"
          "http:\n  addr: 127.0.0.1:" +
          std::to_string(port_) + "\n" + auth;
      write_file_atomic(dir_.path() + "/config.yml", config, Sync::kNone);
      log_ = dir_.path() + "/registry.log";
      UniqueFd log_fd = open_file(log_, O_WRONLY | O_CREAT | O_TRUNC, 0644);
      SpawnOptions so;
      so.stdout_fd = log_fd.get();
      so.stderr_fd = log_fd.get();
      process_ = spawn({"/usr/bin/docker-registry", "serve", dir_.path() + "/config.yml"}, so);
      try {
        wait_http("http://" + host() + "/v2/", process_, log_);
        return;
      } catch (const Error&) {
        if (attempt >= 2) throw;
      }
    }
  }
  ~TestRegistry() { process_.stop(SIGTERM, std::chrono::seconds(10)); }
  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
  // The registry's log: one access-log line per request.
  std::string log() const { return read_file(log_); }

 private:
  TempDir dir_;
  ChildProcess process_;
  int port_ = 0;
  std::string log_;
};

// The rig's env file (KEY=value lines from `export KEY=value`), empty when the rig is not up.
inline std::map<std::string, std::string> rig_env() {
  std::map<std::string, std::string> env;
  const char* path = std::getenv("DABBA_RIG_ENV");
  std::string file = path != nullptr ? path : "/tmp/dabba-rig/env";
  std::string text;
  if (!read_file_if_exists(file, text)) return env;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string line = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? text.size() : nl + 1;
    if (line.rfind("export ", 0) == 0) line.erase(0, 7);
    size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string value = line.substr(eq + 1);
    if (value.size() >= 2 && value.front() == '\'' && value.back() == '\'')
      value = value.substr(1, value.size() - 2);
    env[line.substr(0, eq)] = value;
  }
  return env;
}

}  // namespace dabba::testing_support
