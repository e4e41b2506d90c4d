// `dabba run`'s flags through CLI11 to the Spec, as a user types them.
#include "cli/run_options.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdlib>
#include <fstream>

#include "cli/container_info.h"
#include "cli/container_names.h"
#include "common/error.h"
#include "common/fs.h"
#include "tests/support/run_flags.h"

namespace dabba::cli {
namespace {

// Parses `dabba run ARGS...` as CLI11 does: the flags as typed, with rest filled in.
RunFlags flags(std::vector<std::string> args) { return testing_support::typed_run_flags(args); }

// ... and then parsed and checked, once.
RunOptions parse(std::vector<std::string> args) { return parse_run_options(flags(args)); }

SpecInputs inputs() {
  SpecInputs in;
  in.id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  in.container_dir = "/store/containers/0123";
  in.layers = {"/store/layers/top", "/store/layers/base"};
  in.image.env = {"PATH=/usr/bin:/bin", "FROM_IMAGE=1", "OVERRIDE=image"};
  in.image.entrypoint = {"/bin/echo", "entry:"};
  in.image.cmd = {"default"};
  in.image.working_dir = "/home/app";
  in.image.user = "app";
  return in;
}

std::string env_of(const runner::Spec& s, const std::string& name) {
  for (const auto& e : s.env)
    if (e.compare(0, name.size() + 1, name + "=") == 0) return e.substr(name.size() + 1);
  return "<unset>";
}

TEST(RunOptions, ImageAndCommandAreNotOurFlags) {
  RunOptions o = parse({"--rm", "-e", "A=1", "busybox", "ls", "-l", "--rm", "-e"});
  EXPECT_TRUE(o.flags.rm);
  EXPECT_EQ(o.flags.env, std::vector<std::string>{"A=1"});
  EXPECT_EQ(o.image, "busybox");
  EXPECT_EQ(o.command, (std::vector<std::string>{"ls", "-l", "--rm", "-e"}));
}

TEST(RunOptions, CombinedShortFlagsAndRepeats) {
  RunOptions o = parse({"-it", "-e", "A=1", "--env", "B=2", "-v", "/a:/b:ro", "-v", "/c:/d",
                        "--pull=never", "-h", "box", "--stop-timeout", "3", "img"});
  EXPECT_TRUE(o.flags.interactive);
  EXPECT_TRUE(o.flags.tty);
  EXPECT_EQ(o.flags.env, (std::vector<std::string>{"A=1", "B=2"}));
  ASSERT_EQ(o.mounts.size(), 2u);
  EXPECT_TRUE(o.mounts[0].read_only);
  EXPECT_EQ(o.pull, PullPolicy::kNever);
  EXPECT_EQ(o.flags.hostname, "box");
  EXPECT_EQ(o.stop_timeout, 3);
  EXPECT_EQ(o.image, "img");
  EXPECT_TRUE(o.command.empty());
}

TEST(RunOptions, NoImageOrUnknownFlagIsAnError) {
  EXPECT_THROW(parse({"--rm"}), Error);
  try {
    parse({"--bogus", "img"});
    FAIL() << "an unknown flag was taken for the image";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--bogus"), std::string::npos);
  }
}

TEST(RunOptions, BadValuesAreCaughtBeforeAnythingRuns) {
  auto bad = [](std::vector<std::string> args) {
    args.push_back("img");
    EXPECT_THROW(parse(args), Error) << args[0] << " " << args[1];
  };
  bad({"--memory", "lots"});
  bad({"--memory", "1k"});
  bad({"--pids-limit", "ten"});
  bad({"--cpus", "-1"});
  bad({"--stop-signal", "SIGNOPE"});
  bad({"--stop-timeout", "soon"});
  bad({"--pull", "sometimes"});
  bad({"--name", "-bad"});
  bad({"--name", "a/b"});
  bad({"-v", "rel/path:/x"});  // "relative:/x" is a named volume
  bad({"--network", "b@d"});
  bad({"--network-alias", "x"});  // only with a network of `network create`
  bad({"-w", "relative"});
  bad({"--cap-add", "NET_RAWR"});
  bad({"--cap-drop", "bogus"});
  bad({"--security-opt", "label=type:x"});
  bad({"--platform", "linux"});
  RunOptions fine = parse({"--memory", "32m", "--pids-limit", "-1", "--cpus", "0.5", "img"});
  EXPECT_EQ(fine.limits.memory_bytes, 32u << 20);
  EXPECT_FALSE(fine.limits.pids_max);
  EXPECT_DOUBLE_EQ(*fine.limits.cpus, 0.5);
}

TEST(RunOptions, CapabilityFlags) {
  EXPECT_EQ(build_spec(parse({"img"}), inputs()).capabilities, runner::kDefaultCapabilities);
  RunOptions o =
      parse({"--cap-drop", "ALL", "--cap-add", "net_raw", "--cap-add", "CAP_KILL", "img"});
  EXPECT_EQ(build_spec(o, inputs()).capabilities, (1ULL << 13) | (1ULL << 5));
}

TEST(RunOptions, SeccompOnUnlessUnconfined) {
  EXPECT_TRUE(build_spec(parse({"img"}), inputs()).seccomp);
  EXPECT_TRUE(build_spec(parse({"--security-opt", "no-new-privileges", "img"}), inputs()).seccomp);
  EXPECT_FALSE(
      build_spec(parse({"--security-opt", "seccomp=unconfined", "img"}), inputs()).seccomp);
}

TEST(RunOptions, SecurityOptionsAsPodman) {
  runner::Spec s = build_spec(parse({"img"}), inputs());
  EXPECT_EQ(s.masked, runner::MaskedPaths{});
  EXPECT_FALSE(s.privileged);
  EXPECT_TRUE(s.seccomp_profile.empty());
  // --privileged: everything, no filter, no masks; mask= still applies, --cap-drop does not.
  s = build_spec(
      parse({"--privileged", "--cap-drop", "NET_RAW", "--security-opt", "mask=/proc/keys", "img"}),
      inputs());
  EXPECT_TRUE(s.privileged);
  EXPECT_FALSE(s.seccomp);
  EXPECT_EQ(s.capabilities, runner::capability_set({"ALL"}, {}));
  EXPECT_TRUE(s.masked.readonly.empty());
  EXPECT_EQ(s.masked.masked, (std::vector<std::string>{"/proc/keys"}));
  // unmask takes shell patterns; ALL takes every default, masked and read-only.
  s = build_spec(parse({"--security-opt", "unmask=/proc/*", "img"}), inputs());
  EXPECT_EQ(s.masked.masked,
            (std::vector<std::string>{"/sys/firmware", "/sys/fs/selinux", "/sys/dev/block"}));
  EXPECT_TRUE(s.masked.readonly.empty());
  s = build_spec(parse({"--security-opt", "unmask=ALL", "--security-opt", "mask=/a:/b", "img"}),
                 inputs());
  EXPECT_TRUE(s.masked.readonly.empty());
  EXPECT_EQ(s.masked.masked, (std::vector<std::string>{"/a", "/b"}));
  s = build_spec(parse({"--security-opt", "unmask=/proc/keys:/proc/sys", "img"}), inputs());
  EXPECT_EQ(std::count(s.masked.masked.begin(), s.masked.masked.end(), "/proc/keys"), 0);
  EXPECT_EQ(std::count(s.masked.readonly.begin(), s.masked.readonly.end(), "/proc/sys"), 0);
  EXPECT_EQ(s.masked.masked.size(), runner::default_masked_paths().size() - 1);
  // A profile is read, checked and carried as text; a bad one is an error now.
  std::string dir = ::testing::TempDir();
  write_file_atomic(dir + "/ok.json", R"({"defaultAction": "SCMP_ACT_ALLOW"})", Sync::kNone);
  write_file_atomic(dir + "/bad.json", R"({"defaultAction": "SCMP_ACT_NOPE"})", Sync::kNone);
  s = build_spec(parse({"--security-opt", "seccomp=" + dir + "/ok.json", "img"}), inputs());
  EXPECT_TRUE(s.seccomp);
  EXPECT_NE(s.seccomp_profile.find("SCMP_ACT_ALLOW"), std::string::npos);
  EXPECT_THROW(
      build_spec(parse({"--security-opt", "seccomp=" + dir + "/bad.json", "img"}), inputs()),
      Error);
  EXPECT_THROW(
      build_spec(parse({"--security-opt", "seccomp=" + dir + "/none.json", "img"}), inputs()),
      Error);
  EXPECT_THROW(parse({"--security-opt", "mask=relative", "img"}), Error);
  EXPECT_THROW(parse({"--security-opt", "proc-opts=x", "img"}), Error);
}

TEST(RunOptions, PublishAllTakesTheImagesExposedPorts) {
  SpecInputs in = inputs();
  in.image.exposed_ports = {"53/udp", "80/tcp"};
  EXPECT_TRUE(build_spec(parse({"img"}), in).network.ports.empty());
  runner::Spec s = build_spec(parse({"-P", "-p", "127.0.0.1:8080:8080", "img"}), in);
  ASSERT_EQ(s.network.ports.size(), 3u);
  EXPECT_EQ(s.network.ports[0].host_port, 8080);
  EXPECT_EQ(s.network.ports[1].container_port, 53);
  EXPECT_EQ(s.network.ports[1].protocol, runner::PortProtocol::kUdp);
  EXPECT_EQ(s.network.ports[1].host_port, 0);  // a free one
  EXPECT_EQ(s.network.ports[2].container_port, 80);
  EXPECT_EQ(s.network.ports[2].host_ip, "");  // every address, as Docker's -P
  // A port -p publishes already is not published twice; ranges and sctp are skipped; no ports
  // without a network of the container's own.
  in.image.exposed_ports = {"80/tcp", "7000-7010/tcp", "99/sctp"};
  s = build_spec(parse({"-P", "-p", "8080:80", "img"}), in);
  ASSERT_EQ(s.network.ports.size(), 1u);
  EXPECT_EQ(s.network.ports[0].host_port, 8080);
  EXPECT_TRUE(build_spec(parse({"-P", "--network", "none", "img"}), in).network.ports.empty());
  EXPECT_TRUE(build_spec(parse({"-P", "--network", "host", "img"}), in).network.ports.empty());
}

TEST(RunOptions, ExposeAddsToWhatPublishAllPublishes) {
  SpecInputs in = inputs();
  in.image.exposed_ports = {"80/tcp"};
  EXPECT_EQ(parse({"--expose", "90", "--expose", "53/udp", "--expose", "7-9/sctp", "img"})
                .exposed_ports,
            (std::vector<std::string>{"90/tcp", "53/udp", "7-9/sctp"}));
  EXPECT_TRUE(build_spec(parse({"--expose", "90", "img"}), in).network.ports.empty());
  runner::Spec s = build_spec(parse({"-P", "--expose", "90", "img"}), in);
  ASSERT_EQ(s.network.ports.size(), 2u);
  EXPECT_EQ(s.network.ports[1].container_port, 90);
  EXPECT_THROW(parse({"--expose", "bogus", "img"}), Error);
  EXPECT_THROW(parse({"--expose", "70000", "img"}), Error);
  EXPECT_THROW(parse({"--expose", "80/xyz", "img"}), Error);
  EXPECT_THROW(parse({"--expose", "9-7", "img"}), Error);
  try {
    parse({"--expose", "70000", "img"});
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "invalid range format for --expose: 70000: strconv.ParseUint: parsing "
                           "\"70000\": value out of range");
  }
}

TEST(RunOptions, OomScoreAdj) {
  EXPECT_FALSE(build_spec(parse({"img"}), inputs()).oom_score_adj);
  EXPECT_EQ(build_spec(parse({"--oom-score-adj", "100", "img"}), inputs()).oom_score_adj, 100);
  EXPECT_EQ(parse({"--oom-score-adj=-1000", "img"}).oom_score_adj, -1000);
  EXPECT_THROW(parse({"--oom-score-adj", "abc", "img"}), Error);
  EXPECT_THROW(parse({"--oom-score-adj", "1001", "img"}), Error);
}

TEST(RunOptions, NamespaceModesDabbaHas) {
  EXPECT_NO_THROW(parse({"--uts", "private", "--ipc", "shareable", "--pid", "private",
                         "--cgroupns", "host", "img"}));
  EXPECT_NO_THROW(parse({"--ipc=private", "img"}));
  try {
    parse({"--uts", "bogus", "img"});
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::kInvalidArgument);
    EXPECT_STREQ(e.what(), "unrecognized namespace mode bogus passed");
  }
  try {
    parse({"--pid", "host", "img"});
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::kUnsupported);
  }
  EXPECT_THROW(parse({"--cgroupns", "private", "img"}), Error);
}

TEST(RunOptions, QuietAndSystemdAsPodman) {
  EXPECT_TRUE(parse({"-q", "img"}).flags.quiet);
  EXPECT_EQ(parse({"--systemd=false", "img"}).flags.systemd, "false");
  EXPECT_THROW(parse({"--systemd", "always", "img"}), Error);  // no systemd mode
  EXPECT_THROW(parse({"--systemd=bogus", "img"}), Error);
}

TEST(RunOptions, SecurityOptsPodmanScriptsUse) {
  for (const char* opt : {"label=disable", "apparmor=unconfined", "no-new-privileges"})
    EXPECT_TRUE(build_spec(parse({"--security-opt", opt, "img"}), inputs()).seccomp) << opt;
}

TEST(RunOptions, SpecFromTheImage) {
  runner::Spec s = build_spec(parse({"img"}), inputs());
  EXPECT_EQ(s.argv, (std::vector<std::string>{"/bin/echo", "entry:", "default"}));
  EXPECT_EQ(s.cwd, "/home/app");
  EXPECT_EQ(s.user, "app");
  EXPECT_EQ(s.hostname, "0123456789ab");
  EXPECT_EQ(env_of(s, "FROM_IMAGE"), "1");
  EXPECT_EQ(env_of(s, "HOSTNAME"), "0123456789ab");
  EXPECT_EQ(env_of(s, "container"), "dabba");
  EXPECT_EQ(s.layers, inputs().layers);
  EXPECT_EQ(s.network.mode, runner::NetworkMode::kSlirp4netns);
  EXPECT_FALSE(s.volatile_upper);
  EXPECT_FALSE(s.limits.any());
  EXPECT_NE(s.etc.hosts.find("0123456789ab"), std::string::npos);
}

TEST(RunOptions, FlagsOverrideTheImage) {
  TempDir dir("/tmp", "run-options-test.");
  std::string env_file = dir.path() + "/env";
  std::ofstream(env_file) << "# comment\nFROM_FILE=1\nOVERRIDE=file\n";
  ::setenv("DABBA_TEST_PASSED", "from-host", 1);
  RunOptions o = parse({"--rm",
                        "--entrypoint",
                        "/bin/sh",
                        "-w",
                        "/tmp",
                        "-u",
                        "1000:2000",
                        "--env-file",
                        env_file,
                        "-e",
                        "OVERRIDE=flag",
                        "-e",
                        "DABBA_TEST_PASSED",
                        "--hostname",
                        "box",
                        "--read-only",
                        "--init",
                        "-m",
                        "64m",
                        "--pids-limit",
                        "50",
                        "--cpus",
                        "1.5",
                        "--tmpfs",
                        "/scratch",
                        "-v",
                        "/tmp:/host-tmp:ro",
                        "--network",
                        "host",
                        "img",
                        "-c",
                        "true"});
  EXPECT_EQ(o.command, (std::vector<std::string>{"-c", "true"}));
  runner::Spec s = build_spec(o, inputs());
  EXPECT_EQ(s.argv, (std::vector<std::string>{"/bin/sh", "-c", "true"}));
  EXPECT_EQ(s.cwd, "/tmp");
  EXPECT_EQ(s.user, "1000:2000");
  EXPECT_EQ(s.hostname, "box");
  EXPECT_EQ(env_of(s, "OVERRIDE"), "flag");
  EXPECT_EQ(env_of(s, "FROM_FILE"), "1");
  EXPECT_EQ(env_of(s, "DABBA_TEST_PASSED"), "from-host");
  EXPECT_TRUE(s.read_only);
  EXPECT_TRUE(s.init);
  EXPECT_TRUE(s.volatile_upper);  // --rm
  EXPECT_EQ(s.limits.memory_bytes, 64u << 20);
  EXPECT_EQ(s.limits.pids_max, 50u);
  EXPECT_DOUBLE_EQ(*s.limits.cpus, 1.5);
  ASSERT_EQ(s.mounts.size(), 2u);
  EXPECT_EQ(s.mounts[0].target, "/host-tmp");
  EXPECT_TRUE(s.mounts[0].read_only);
  EXPECT_EQ(s.mounts[1].kind, runner::MountSpec::Kind::kTmpfs);
  EXPECT_EQ(s.network.mode, runner::NetworkMode::kHost);
}

TEST(RunOptions, MissingEnvFileIsAnError) {
  RunOptions o = parse({"--env-file", "/nonexistent/env", "img"});
  EXPECT_THROW(build_spec(o, inputs()), Error);
}

TEST(RunOptions, StopSignalAndTimeout) {
  runner::ImageConfig image;
  EXPECT_EQ(stop_signal_for(parse({"img"}), image), SIGTERM);
  image.stop_signal = "SIGUSR1";
  EXPECT_EQ(stop_signal_for(parse({"img"}), image), SIGUSR1);
  EXPECT_EQ(stop_signal_for(parse({"--stop-signal", "KILL", "img"}), image), SIGKILL);
  image.stop_signal = "SIGWHATEVER";
  EXPECT_EQ(stop_signal_for(parse({"img"}), image), SIGTERM);
  EXPECT_EQ(parse({"img"}).stop_timeout, 10);
  EXPECT_EQ(parse({"--stop-timeout", "3", "img"}).stop_timeout, 3);
}

TEST(ContainerNames, IdsAndNames) {
  std::string a = new_container_id(), b = new_container_id();
  EXPECT_EQ(a.size(), 64u);
  EXPECT_NE(a, b);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
  std::string n = generated_container_name(0);
  EXPECT_NE(n.find('_'), std::string::npos);
  EXPECT_NO_THROW(check_container_name(n));
  EXPECT_NO_THROW(check_container_name(generated_container_name(3)));
  EXPECT_NO_THROW(check_container_name("web.1_a-b"));
  EXPECT_THROW(check_container_name(""), Error);
  EXPECT_THROW(check_container_name("_x"), Error);
  EXPECT_THROW(check_container_name("a b"), Error);
}

TEST(ContainerInfo, RoundTripAndOldRecords) {
  ContainerInfo i;
  i.image = "busybox";
  i.command = {"sh", "-c", "echo hi"};
  i.env = {"A=1"};
  i.user = "app";
  i.cwd = "/w";
  i.stop_signal = SIGUSR1;
  i.stop_timeout = 3;
  i.auto_remove = true;
  i.mounts = {{.type = "volume", .name = "v", .source = "/s/v/_data", .destination = "/d"},
              {.type = "bind", .source = "/h", .destination = "/b", .read_only = true},
              {.type = "tmpfs", .destination = "/t", .options = "size=1m"}};
  ContainerInfo back = decode_container_info(encode_container_info(i));
  EXPECT_EQ(back.mounts, i.mounts);
  EXPECT_EQ(back.image, "busybox");
  EXPECT_EQ(back.command, i.command);
  EXPECT_EQ(back.user, "app");
  EXPECT_EQ(back.cwd, "/w");
  EXPECT_EQ(back.stop_signal, SIGUSR1);
  EXPECT_EQ(back.stop_timeout, 3);
  EXPECT_TRUE(back.auto_remove);
  ContainerInfo old = decode_container_info(R"({"image":"x"})");
  EXPECT_EQ(old.stop_signal, SIGTERM);
  EXPECT_EQ(old.cwd, "/");
  EXPECT_THROW(decode_container_info("not json"), Error);
}

TEST(VolumesFrom, OptionsAsPodman) {
  EXPECT_EQ(parse_volumes_from("web").container, "web");
  EXPECT_FALSE(parse_volumes_from("web").read_only);
  EXPECT_EQ(parse_volumes_from("web:ro").read_only, true);
  EXPECT_EQ(parse_volumes_from("web:z,rw").read_only, false);
  EXPECT_THROW(parse_volumes_from("web:Z"), Error);
  EXPECT_THROW(parse_volumes_from("web:ro,rw"), Error);
  EXPECT_THROW(parse_volumes_from("web:z,z"), Error);
  EXPECT_THROW(parse_volumes_from(":ro"), Error);
  RunOptions o = parse({"--volumes-from", "a:ro", "--volumes-from", "b", "img"});
  ASSERT_EQ(o.volumes_from.size(), 2u);
  EXPECT_EQ(o.volumes_from[1].container, "b");
}

// --- issue 11's run flags -----------------------------------------------------------------------

TEST(RunFlags11, RepeatedNameTzLogDriverTakeTheLast) {
  RunOptions o = parse({"--name", "a", "--name", "b", "--log-driver", "none", "--log-driver",
                        "k8s-file", "--tz", "UTC", "--tz", "local", "img"});
  EXPECT_EQ(o.flags.name, "b");
  EXPECT_EQ(o.log.driver, runner::LogDriver::kK8sFile);
  EXPECT_EQ(o.tz_file, "/etc/localtime");
}

TEST(RunFlags11, LogDriverAndOptions) {
  EXPECT_EQ(parse({"img"}).log.driver, runner::LogDriver::kK8sFile);
  EXPECT_EQ(parse({"--log-driver", "none", "img"}).log.driver, runner::LogDriver::kNone);
  EXPECT_EQ(parse({"--log-driver=json-file", "img"}).log_driver, "k8s-file");
  EXPECT_EQ(parse({"--log-driver=journald", "img"}).log_driver, "journald");
  EXPECT_EQ(parse({"--log-driver=passthrough", "img"}).log.driver, runner::LogDriver::kPassthrough);
  try {
    parse({"--log-driver=InvalidDriver", "img"});
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "running container create option: invalid log driver: invalid argument");
  }
  EXPECT_THROW(parse({"-d", "--log-driver=passthrough", "img"}), Error);
  RunOptions o = parse(
      {"--log-opt", "path=/tmp/x.log", "--log-opt=max-size=1k", "--log-opt", "tag=hello", "img"});
  EXPECT_EQ(o.log.path, "/tmp/x.log");
  EXPECT_EQ(o.log.max_size, 1000u);  // podman's units.FromHumanSize: powers of 1000
  EXPECT_EQ(parse({"--log-opt", "max-size=1.059m", "img"}).log.max_size, 1059000u);
  EXPECT_EQ(parse({"--log-opt", "max-size=10MB", "img"}).log.max_size, 10000000u);
  EXPECT_THROW(parse({"--log-opt", "max-size=10q", "img"}), Error);
  EXPECT_EQ(o.log_tag, "hello");
  EXPECT_THROW(parse({"--log-opt", "bogus=1", "img"}), Error);
  EXPECT_THROW(parse({"--log-opt", "path", "img"}), Error);
  runner::Spec s = build_spec(o, inputs());
  EXPECT_EQ(s.log.path, "/tmp/x.log");
}

TEST(RunFlags11, EntrypointAsJsonArray) {
  runner::Spec s = build_spec(parse({"--entrypoint", R"(["/bin/echo","x y"])", "img"}), inputs());
  EXPECT_EQ(s.argv, (std::vector<std::string>{"/bin/echo", "x y"}));
  s = build_spec(parse({"--entrypoint", R"(["/bin/echo"])", "img", "a"}), inputs());
  EXPECT_EQ(s.argv, (std::vector<std::string>{"/bin/echo", "a"}));
  s = build_spec(parse({"--entrypoint", "/bin/sh", "img"}), inputs());
  EXPECT_EQ(s.argv, (std::vector<std::string>{"/bin/sh"}));
  EXPECT_THROW(parse({"--entrypoint", "[1,2]", "img"}), Error);
}

TEST(RunFlags11, LabelsFromFilesThenFlags) {
  std::string dir = ::testing::TempDir();
  std::string path = dir + "/labels";
  std::ofstream(path) << "# comment\n\na=1\nb=from file\nbare\n";
  RunOptions o = parse({"--label-file", path, "-l", "b=2", "--label", "c=3=x", "img"});
  using L = std::map<std::string, std::string>;
  EXPECT_EQ(o.labels, (L{{"a", "1"}, {"b", "2"}, {"bare", ""}, {"c", "3=x"}}));
  EXPECT_THROW(parse({"--label-file", dir + "/missing", "img"}), Error);
  EXPECT_THROW(parse({"-l", "=v", "img"}), Error);
}

TEST(RunFlags11, MemoryZeroIsNoLimitTimeoutAttach) {
  EXPECT_FALSE(parse({"--memory=0", "img"}).limits.memory_bytes);
  RunOptions o = parse({"--timeout", "5", "-a", "stderr", "img"});
  EXPECT_EQ(o.timeout, 5u);
  EXPECT_FALSE(o.attach_stdout);
  EXPECT_TRUE(o.attach_stderr);
  runner::Spec s = build_spec(o, inputs());
  EXPECT_EQ(s.timeout_seconds, 5u);
  EXPECT_FALSE(s.attach_stdout);
  EXPECT_THROW(parse({"-a", "stdfoo", "img"}), Error);
  EXPECT_THROW(parse({"--timeout", "-1", "img"}), Error);
  EXPECT_THROW(parse({"-d", "-a", "stdout", "img"}), Error);
}

TEST(RunFlags11, TimezoneAndWorkdir) {
  EXPECT_THROW(parse({"--tz", "No/Such_Zone", "img"}), Error);
  EXPECT_THROW(parse({"--tz", "../../etc/passwd", "img"}), Error);
  EXPECT_TRUE(build_spec(parse({"img"}), inputs()).create_cwd);
  EXPECT_FALSE(build_spec(parse({"-w", "/x", "img"}), inputs()).create_cwd);
  EXPECT_TRUE(build_spec(parse({"img"}), inputs()).etc.localtime.empty());
}

TEST(RunFlags11, NetworkBridgeAndHostWithPorts) {
  // podman's bridge mode: the default network "podman", rootless too
  RunOptions bridge = parse({"--network", "bridge:alias=a", "img"});
  EXPECT_EQ(bridge.network.mode, runner::NetworkMode::kBridge);
  ASSERT_EQ(bridge.network.networks.size(), 1u);
  EXPECT_EQ(bridge.network.networks.front().name, "podman");
  EXPECT_EQ(parse({"--network=podman", "img"}).network.networks.front().name, "podman");
  EXPECT_EQ(parse({"--network=podman", "--mac-address", "02:AB:00:00:00:01", "img"})
                .network.networks.front()
                .mac,
            "02:ab:00:00:00:01");
  EXPECT_EQ(parse({"img"}).network.mode, runner::NetworkMode::kSlirp4netns);
  RunOptions o = parse({"--network", "host", "-p", "8080:80", "img"});
  EXPECT_EQ(o.network.mode, runner::NetworkMode::kHost);
  EXPECT_TRUE(o.network.ports.empty());
}

TEST(RunFlags11, TermIsAlwaysSet) {
  EXPECT_EQ(env_of(build_spec(parse({"img"}), inputs()), "TERM"), "xterm");
}

TEST(RunFlags11, CidfileThatExistsIsRefused) {
  std::string path = ::testing::TempDir() + "/cid-exists";
  std::ofstream(path) << "x";
  try {
    parse({"--cidfile", path, "img"});
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("container id file exists. Ensure another container is "
                                         "not using it or delete " +
                                         path),
              std::string::npos);
  }
}

TEST(ContainerInfo, Issue11Fields) {
  ContainerInfo i;
  i.labels = {{"b", "2"}, {"a", "1"}};
  i.log_driver = "none";
  i.log_path = "/x";
  i.log_tag = "t";
  i.timeout = 3;
  i.cidfile = "/c";
  i.group_add = {"wheel", "keep-groups"};
  ContainerInfo d = decode_container_info(encode_container_info(i));
  using L = std::map<std::string, std::string>;
  EXPECT_EQ(d.labels, (L{{"a", "1"}, {"b", "2"}}));
  EXPECT_EQ(d.log_driver, "none");
  EXPECT_EQ(d.log_path, "/x");
  EXPECT_EQ(d.log_tag, "t");
  EXPECT_EQ(d.timeout, 3u);
  EXPECT_EQ(d.cidfile, "/c");
  EXPECT_EQ(d.group_add, (std::vector<std::string>{"wheel", "keep-groups"}));
  EXPECT_EQ(decode_container_info("{}").log_driver, "k8s-file");
}

TEST(RunFlags11, UlimitGroupAddSysctlDeviceReachTheSpec) {
  RunOptions o = parse({"--ulimit", "nofile=100:200", "--ulimit=core=-1", "--group-add", "wheel",
                        "--group-add=10", "--sysctl", "kernel.shmmax=12345", "--sysctl",
                        "net.ipv4.ip_forward=1", "--device", "/dev/zero:/dev/myzero", "img"});
  runner::Spec s = build_spec(o, inputs());
  EXPECT_EQ(s.ulimits, (std::vector<runner::UlimitSpec>{{"nofile", 100, 200},
                                                        {"core", runner::kUnlimited,
                                                         runner::kUnlimited}}));
  EXPECT_FALSE(s.ulimit_host);
  EXPECT_EQ(s.group_add, (std::vector<std::string>{"wheel", "10"}));
  EXPECT_EQ(s.sysctls, (std::vector<runner::Sysctl>{{"kernel.shmmax", "12345"},
                                                    {"net.ipv4.ip_forward", "1"}}));
  EXPECT_EQ(s.devices, (std::vector<runner::DeviceSpec>{{"/dev/zero", "/dev/myzero", "rwm"}}));
  EXPECT_TRUE(build_spec(parse({"--ulimit", "host", "img"}), inputs()).ulimit_host);
  EXPECT_TRUE(build_spec(parse({"img"}), inputs()).ulimits.empty());
}

TEST(RunFlags11, UlimitGroupAddSysctlDeviceErrors) {
  for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
           {"--ulimit", "bogus=1"},
           {"--ulimit", "nofile=3:2"},
           {"--group-add", "keep-groups", "--group-add", "10"},
           {"--sysctl", "vm.swappiness=1"},
           {"--sysctl", "kernel.shmmax"},
           {"--network", "host", "--sysctl", "net.ipv4.ip_forward=1"},
           {"--device", "/dev/nosuch"},
           {"--device", "/dev/zero:/z:q"}}) {
    args.push_back("img");
    EXPECT_THROW(parse(args), Error) << args[0] << " " << args[1];
  }
  // kernel.* sysctls live in the IPC namespace, which is always the container's own.
  EXPECT_NO_THROW(parse({"--network", "host", "--sysctl", "kernel.shmmax=1", "img"}));
}

}  // namespace
}  // namespace dabba::cli
