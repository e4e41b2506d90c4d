// containers.conf(5): parsing, merging files in order, where they are looked for, and what the
// settings make of run's flags (a flag given always wins).
#include "cli/containers_conf.h"

#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdlib>
#include <set>

#include "cli/run_options.h"
#include "common/error.h"
#include "common/fs.h"
#include "tests/support/error_of.h"
#include "tests/support/run_flags.h"

namespace dabba::cli {
namespace {

using testing_support::error_of;
using Strings = std::vector<std::string>;

TEST(ContainersConf, ReadsTheContainersTable) {
  ContainersConf c;
  c.merge(R"(
[containers]
env = ["A=1", "B"]
default_capabilities = ["CHOWN", "CAP_KILL"]
dns_servers = ["10.0.0.53"]
dns_searches = ["example.org"]
dns_options = ["ndots:2"]
tz = "Europe/Paris"
pids_limit = 200
shm_size = "128m"
init = true
http_proxy = false
env_host = true
log_driver = "none"
unknown_key = "podman ignores it"
[engine]
cgroup_manager = "cgroupfs"
[unknown_table]
x = 1
)",
          "/a.conf");
  EXPECT_EQ(c.files, Strings{"/a.conf"});
  EXPECT_EQ(c.env, (Strings{"A=1", "B"}));
  EXPECT_EQ(c.default_capabilities, (Strings{"CHOWN", "CAP_KILL"}));
  EXPECT_EQ(c.dns_servers, Strings{"10.0.0.53"});
  EXPECT_EQ(c.dns_searches, Strings{"example.org"});
  EXPECT_EQ(c.dns_options, Strings{"ndots:2"});
  EXPECT_EQ(c.tz, "Europe/Paris");
  EXPECT_EQ(c.pids_limit, 200);
  EXPECT_EQ(c.shm_size, "128m");
  EXPECT_EQ(c.init, true);
  EXPECT_EQ(c.http_proxy, false);
  EXPECT_EQ(c.env_host, true);
  EXPECT_EQ(c.log_driver, "none");
}

TEST(ContainersConf, ALaterFileOverridesOnlyTheKeysItSets) {
  ContainersConf c;
  c.merge("[containers]\nenv = [\"A=1\"]\ndns_servers = [\"10.0.0.1\"]\n", "/main.conf");
  c.merge("[containers]\nenv = [\"B=2\"]\n", "/drop.conf");
  c.merge("[engine]\nx = 1\n", "/other.conf");
  EXPECT_EQ(c.env, Strings{"B=2"});
  EXPECT_EQ(c.dns_servers, Strings{"10.0.0.1"});
  EXPECT_FALSE(c.init);
  EXPECT_EQ(c.files, (Strings{"/main.conf", "/drop.conf", "/other.conf"}));
}

TEST(ContainersConf, MalformedFileNamesFileAndLine) {
  ContainersConf c;
  Error e = error_of([&] { c.merge("[containers]\nenv = [\"A=1\"\n", "/etc/x.conf"); });
  EXPECT_EQ(e.code(), Errc::kInvalidArgument);
  EXPECT_NE(std::string(e.what()).find("/etc/x.conf"), std::string::npos) << e.what();
  EXPECT_NE(std::string(e.what()).find("line 2"), std::string::npos) << e.what();

  e = error_of([&] { c.merge("[containers]\n\ninit = \"yes\"\n", "/y.conf"); });
  EXPECT_NE(std::string(e.what()).find("/y.conf: line 3: containers.init must be true or false"),
            std::string::npos)
      << e.what();
  e = error_of([&] { c.merge("[containers]\nenv = [1]\n", "/z.conf"); });
  EXPECT_NE(std::string(e.what()).find("containers.env must be an array of strings"),
            std::string::npos)
      << e.what();
}

// Sets an environment variable for one test.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_)
      ::setenv(name_, old_->c_str(), 1);
    else
      ::unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(ContainersConf, UserFilesAndDropInsInOrder) {
  if (::getuid() == 0) GTEST_SKIP() << "real root reads no user files";
  TempDir home(::testing::TempDir(), "cconf");
  ScopedEnv xdg("XDG_CONFIG_HOME", home.path());
  ::unsetenv("CONTAINERS_CONF");
  make_dirs(home.path() + "/containers/containers.conf.d");
  write_file_atomic(home.path() + "/containers/containers.conf", "[containers]\ninit = true\n",
                    Sync::kNone);
  write_file_atomic(home.path() + "/containers/containers.conf.d/20-b.conf", "", Sync::kNone);
  write_file_atomic(home.path() + "/containers/containers.conf.d/10-a.conf", "", Sync::kNone);
  write_file_atomic(home.path() + "/containers/containers.conf.d/notes.txt", "not read",
                    Sync::kNone);
  Strings files = ContainersConf::default_files();
  ASSERT_GE(files.size(), 3u);
  EXPECT_EQ((Strings(files.end() - 3, files.end())),
            (Strings{home.path() + "/containers/containers.conf",
                     home.path() + "/containers/containers.conf.d/10-a.conf",
                     home.path() + "/containers/containers.conf.d/20-b.conf"}));
}

TEST(ContainersConf, ContainersConfReplacesEveryFile) {
  TempDir dir(::testing::TempDir(), "cconf");
  const std::string only = dir.path() + "/only.conf";
  write_file_atomic(only, "[containers]\ntz = \"UTC\"\n", Sync::kNone);
  {
    ScopedEnv env("CONTAINERS_CONF", only);
    EXPECT_EQ(ContainersConf::default_files(), Strings{only});
    EXPECT_EQ(ContainersConf::load().tz, "UTC");
  }
  ScopedEnv env("CONTAINERS_CONF", dir.path() + "/missing.conf");
  Error e = error_of([] { ContainersConf::default_files(); });
  EXPECT_NE(std::string(e.what()).find("missing.conf"), std::string::npos) << e.what();
}

// `dabba run ARGS...` parsed by CLI11 with the configuration applied as run.cc applies it.
RunOptions run_with(const ContainersConf& conf, std::vector<std::string> args) {
  std::set<std::string> given;
  RunFlags f = testing_support::typed_run_flags(std::move(args), &given);
  apply_containers_conf(
      conf, [&given](const char* flag) { return given.count(flag) > 0; }, f);
  return parse_run_options(f);
}

SpecInputs inputs(std::vector<std::string> image_env = {}) {
  SpecInputs in;
  in.id = std::string(64, 'a');
  in.container_dir = "/store/containers/a";
  in.layers = {"/store/layers/a"};
  in.image.cmd = {"/bin/sh"};
  in.image.env = std::move(image_env);
  return in;
}

bool has(const Strings& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(ContainersConfRun, SettingsBecomeDefaults) {
  ContainersConf c;
  c.merge(R"([containers]
env = ["FROM_CONF=1", "SHARED=conf"]
default_capabilities = ["CHOWN", "KILL"]
dns_servers = ["10.0.0.53"]
dns_searches = ["example.org"]
dns_options = ["ndots:2"]
pids_limit = 77
shm_size = "1m"
init = true
log_driver = "none"
)",
          "/c.conf");
  RunOptions o = run_with(c, {"img"});
  runner::Spec spec = build_spec(o, inputs({"SHARED=image"}));
  EXPECT_TRUE(has(spec.env, "FROM_CONF=1"));
  EXPECT_TRUE(has(spec.env, "SHARED=image"));  // the image's Env is above containers.conf's
  EXPECT_EQ(spec.capabilities, (1ULL << 0) | (1ULL << 5));
  EXPECT_EQ(spec.network.dns, Strings{"10.0.0.53"});
  EXPECT_EQ(spec.network.dns_search, Strings{"example.org"});
  EXPECT_EQ(spec.network.dns_options, Strings{"ndots:2"});
  EXPECT_EQ(spec.limits.pids_max, 77u);
  EXPECT_EQ(spec.shm_size, 1024u * 1024);
  EXPECT_TRUE(spec.init);
  EXPECT_EQ(spec.log.driver, runner::LogDriver::kNone);
}

TEST(ContainersConfRun, DefaultSysctlsUlimitsAndDevicesAddToTheFlags) {
  ContainersConf c;
  c.merge(R"([containers]
default_sysctls = ["net.ipv4.ping_group_range=0 0", "kernel.shmmni=4000"]
default_ulimits = ["nofile=1000:2000", "core=0:0"]
devices = ["/dev/zero:/dev/confzero"]
)",
          "/c.conf");
  runner::Spec spec = build_spec(
      run_with(c, {"--sysctl", "kernel.shmmni=5000", "--ulimit", "nofile=10:20", "--device",
                   "/dev/null:/dev/flagnull", "img"}),
      inputs());
  using runner::Sysctl;
  EXPECT_EQ(spec.sysctls, (std::vector<Sysctl>{{"net.ipv4.ping_group_range", "0 0"},
                                               {"kernel.shmmni", "5000"}}));
  ASSERT_EQ(spec.ulimits.size(), 2u);
  EXPECT_EQ(spec.ulimits[0].name, "core");
  EXPECT_EQ(spec.ulimits[1].name, "nofile");  // the flag's, not the default's
  EXPECT_EQ(spec.ulimits[1].soft, 10u);
  ASSERT_EQ(spec.devices.size(), 2u);
  EXPECT_EQ(spec.devices[0].container, "/dev/confzero");
  EXPECT_EQ(spec.devices[1].container, "/dev/flagnull");

  // On the host's network, a default net.* sysctl is left out (no error); --ulimit host takes none.
  spec = build_spec(run_with(c, {"--network", "host", "--ulimit", "host", "img"}), inputs());
  EXPECT_EQ(spec.sysctls, (std::vector<Sysctl>{{"kernel.shmmni", "4000"}}));
  EXPECT_TRUE(spec.ulimits.empty());
  EXPECT_TRUE(spec.ulimit_host);
}

TEST(ContainersConfRun, FlagsWin) {
  ContainersConf c;
  c.merge(R"([containers]
env = ["SHARED=conf"]
default_capabilities = ["CHOWN"]
dns_servers = ["10.0.0.53"]
pids_limit = 77
init = true
http_proxy = false
log_driver = "none"
)",
          "/c.conf");
  RunOptions o =
      run_with(c, {"-e", "SHARED=flag", "--cap-add", "KILL", "--dns", "10.9.9.9", "--pids-limit",
                   "5", "--init=false", "--http-proxy=true", "--log-driver", "k8s-file", "img"});
  runner::Spec spec = build_spec(o, inputs());
  EXPECT_TRUE(has(spec.env, "SHARED=flag"));
  EXPECT_FALSE(has(spec.env, "SHARED=conf"));
  EXPECT_EQ(spec.capabilities, (1ULL << 0) | (1ULL << 5));  // --cap-add adds to the conf's set
  EXPECT_EQ(spec.network.dns, Strings{"10.9.9.9"});
  EXPECT_EQ(spec.limits.pids_max, 5u);
  EXPECT_FALSE(spec.init);
  EXPECT_TRUE(o.flags.http_proxy);
  EXPECT_EQ(spec.log.driver, runner::LogDriver::kK8sFile);
}

TEST(ContainersConfRun, UnsupportedLogDriverAndBadCapability) {
  ContainersConf c;
  c.merge("[containers]\nlog_driver = \"syslog\"\n", "/c.conf");
  EXPECT_EQ(run_with(c, {"img"}).log.driver, runner::LogDriver::kK8sFile);
  ContainersConf bad;
  bad.merge("[containers]\ndefault_capabilities = [\"NOPE\"]\n", "/c.conf");
  Error e = error_of([&] { run_with(bad, {"img"}); });
  EXPECT_NE(std::string(e.what()).find("containers.conf default_capabilities"), std::string::npos)
      << e.what();
}

TEST(ContainersConfRun, DefaultRootlessNetworkCmdPasta) {
  ContainersConf c;
  c.merge("[network]\ndefault_rootless_network_cmd = \"pasta\"\n", "/main.conf");
  ASSERT_TRUE(c.default_rootless_network_cmd);
  // The default mode becomes pasta; the networks' namespace is to go out through pasta too.
  runner::Spec plain = build_spec(run_with(c, {"img"}), inputs());
  EXPECT_EQ(plain.network.mode, runner::NetworkMode::kPasta);
  // A --network given wins.
  EXPECT_EQ(build_spec(run_with(c, {"--network", "none", "img"}), inputs()).network.mode,
            runner::NetworkMode::kNone);
  EXPECT_EQ(build_spec(run_with(c, {"--network", "slirp4netns", "img"}), inputs()).network.mode,
            runner::NetworkMode::kSlirp4netns);
  ContainersConf bad;
  bad.merge("[network]\ndefault_rootless_network_cmd = \"vpnkit\"\n", "/main.conf");
  Error e = error_of([&] { run_with(bad, {"img"}); });
  EXPECT_NE(std::string(e.what()).find("default_rootless_network_cmd"), std::string::npos);
}

TEST(ContainersConfRun, NothingConfiguredChangesNothing) {
  RunOptions o = run_with(ContainersConf{}, {"img"});
  runner::Spec spec = build_spec(o, inputs());
  EXPECT_EQ(spec.capabilities, runner::kDefaultCapabilities);
  EXPECT_FALSE(spec.limits.pids_max);
  EXPECT_FALSE(spec.init);
  EXPECT_EQ(spec.network.mode, runner::NetworkMode::kSlirp4netns);
  EXPECT_FALSE(spec.network.holder_via_pasta);
}

}  // namespace
}  // namespace dabba::cli
