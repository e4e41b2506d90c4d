// The runner's small pieces that touch the system only a little: the legacy overlay option, PATH
// lookup, the sync channel (a real socketpair, with an fd passed), signal names, /etc files.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/error.h"
#include "common/fs.h"
#include "common/subprocess.h"
#include "runner/etc_files.h"
#include "runner/overlay.h"
#include "runner/signals.h"
#include "runner/sync_channel.h"
#include "runner/workload_child.h"
#include "tests/support/error_of.h"

namespace dabba::runner {
namespace {

using ::testing::HasSubstr;
using testing_support::error_of;

TEST(LegacyLowerdir, AbsoluteWhenItFits) {
  std::string chdir_to;
  std::vector<int> fds;
  EXPECT_EQ(legacy_lowerdir({"/a/x", "/b/y:z"}, 100, &chdir_to, &fds), "/a/x:/b/y\\:z");
  EXPECT_EQ(chdir_to, "");
  EXPECT_TRUE(fds.empty());
}

TEST(LegacyLowerdir, RelativeToTheCommonParentThenFdNumbers) {
  TempDir dir(::testing::TempDir(), "lower");
  std::vector<std::string> layers;
  for (int i = 0; i < 3; ++i) {
    std::string l = dir.path() + "/" + std::string(64, static_cast<char>('a' + i));
    make_dirs(l);
    layers.push_back(l);
  }
  std::string chdir_to;
  std::vector<int> fds;
  std::string rel = legacy_lowerdir(layers, 3 * 65, &chdir_to, &fds);
  EXPECT_EQ(chdir_to, dir.path());
  EXPECT_EQ(rel, std::string(64, 'a') + ":" + std::string(64, 'b') + ":" + std::string(64, 'c'));

  std::string by_fd = legacy_lowerdir(layers, 20, &chdir_to, &fds);
  EXPECT_EQ(chdir_to, "/proc/self/fd");
  ASSERT_EQ(fds.size(), 3u);
  EXPECT_EQ(by_fd,
            std::to_string(fds[0]) + ":" + std::to_string(fds[1]) + ":" + std::to_string(fds[2]));
  for (int fd : fds) ::close(fd);
  fds.clear();

  EXPECT_EQ(legacy_lowerdir(layers, 3, &chdir_to, &fds), "");
  EXPECT_TRUE(fds.empty());
}

TEST(FindInPath, OnlyExecutableRegularFiles) {
  TempDir dir(::testing::TempDir(), "path");
  std::string a = dir.path() + "/a", b = dir.path() + "/b";
  make_dirs(a);
  make_dirs(b);
  write_file_atomic(a + "/tool", "x", Sync::kNone, 0644);  // not executable: skipped
  write_file_atomic(b + "/tool", "x", Sync::kNone, 0755);
  make_dirs(a + "/dir");
  EXPECT_EQ(search_path("tool", a + ":" + b), b + "/tool");
  EXPECT_EQ(search_path("dir", a + ":" + b), "");
  EXPECT_EQ(search_path("nope", a + ":" + b), "");
}

TEST(SyncChannel, MessagesFdsAndEof) {
  auto pair = SyncChannel::make();
  EXPECT_GT(pair.parent.fd(), 2);
  EXPECT_GT(pair.child.fd(), 2);
  EXPECT_TRUE(::fcntl(pair.parent.fd(), F_GETFD) & FD_CLOEXEC);

  Pipe pipe = Pipe::make();
  ASSERT_TRUE(pair.child.send_noexcept(SyncKind::kReady, 0, 0, {}, pipe.write.get()));
  auto ready = pair.parent.receive();
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->kind, SyncKind::kReady);
  ASSERT_TRUE(ready->fd.valid());
  write_all(ready->fd.get(), "via fd");
  ready->fd.reset();
  pipe.write.reset();
  EXPECT_EQ(read_all(pipe.read.get()), "via fd");

  std::string text = std::string("failed") + '\0' + "hint";
  ASSERT_TRUE(pair.child.send_noexcept(SyncKind::kError, 127, ENOENT, text));
  auto err = pair.parent.receive();
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code, 127);
  EXPECT_EQ(err->error, ENOENT);
  EXPECT_EQ(err->text, text);

  pair.parent.send(SyncKind::kExec);
  EXPECT_TRUE(pair.child.wait_for_noexcept(SyncKind::kExec));
  pair.parent.send(SyncKind::kProceed);
  EXPECT_FALSE(pair.child.wait_for_noexcept(SyncKind::kExec));  // wrong kind

  pair.child.close();
  EXPECT_FALSE(pair.parent.receive());  // EOF
}

TEST(Signals, Names) {
  EXPECT_EQ(parse_signal("SIGTERM"), SIGTERM);
  EXPECT_EQ(parse_signal("term"), SIGTERM);
  EXPECT_EQ(parse_signal("9"), 9);
  EXPECT_EQ(parse_signal("SIGRTMIN"), SIGRTMIN);
  EXPECT_EQ(parse_signal("SIGRTMIN+3"), SIGRTMIN + 3);
  EXPECT_EQ(parse_signal("RTMAX-1"), SIGRTMAX - 1);
  EXPECT_THROW(parse_signal("SIGRTMIN+99"), Error);
  EXPECT_THROW(parse_signal("SIGNOPE"), Error);
  EXPECT_THROW(parse_signal("0"), Error);
  // podman's: a leading '-' dropped, and its words for the rest.
  EXPECT_EQ(parse_signal("-1"), SIGHUP);
  EXPECT_EQ(parse_signal("-HUP"), SIGHUP);
  EXPECT_EQ(parse_signal("64"), 64);
  auto error_text = [](const std::string& s) {
    return std::string(error_of([&] { parse_signal(s); }).what());
  };
  EXPECT_EQ(error_text("0"), "invalid signal: 0");
  EXPECT_EQ(error_text("-0"), "invalid signal: 0");
  EXPECT_EQ(error_text("SIGBADSIG"), "invalid signal: SIGBADSIG");
  EXPECT_EQ(error_text("-"), "invalid signal: ");
  for (const char* out_of_range : {"65", "-65", "96", "999", "99999999", "99999999999999"})
    EXPECT_EQ(error_text(out_of_range), "valid signals are 1 through 64") << out_of_range;
}

TEST(SignalRelay, ReadsBlockedSignalsAndRestoresTheMask) {
  sigset_t before;
  sigprocmask(SIG_BLOCK, nullptr, &before);
  {
    SignalRelay relay;
    EXPECT_FALSE(relay.next());
    ::kill(::getpid(), SIGUSR1);
    EXPECT_EQ(relay.next(), SIGUSR1);
  }
  sigset_t after;
  sigprocmask(SIG_BLOCK, nullptr, &after);
  EXPECT_EQ(sigismember(&after, SIGUSR1), sigismember(&before, SIGUSR1));
}

TEST(EtcFiles, NoneNetwork) {
  EtcFiles f = default_etc_files("box", NetworkMode::kNone);
  EXPECT_EQ(f.hostname, "box\n");
  EXPECT_THAT(f.hosts, HasSubstr("127.0.0.1\tlocalhost\n"));
  EXPECT_THAT(f.hosts, HasSubstr("127.0.1.1\tbox\n"));
  EXPECT_EQ(f.resolv_conf, "");
}

TEST(EtcFiles, WrittenIntoTheContainerDir) {
  TempDir dir(::testing::TempDir(), "etc");
  write_etc_files(dir.path(), EtcFiles{"h\n", "hosts\n", "nameserver 1.1.1.1\n"});
  EXPECT_EQ(read_file(dir.path() + "/etc/hostname"), "h\n");
  EXPECT_EQ(read_file(dir.path() + "/etc/resolv.conf"), "nameserver 1.1.1.1\n");
  struct stat before, same;
  ASSERT_EQ(::stat((dir.path() + "/etc/hosts").c_str(), &before), 0);
  // Unchanged content is left alone; new content gets a new inode (never a rewrite in place,
  // which ext4 flushes on close).
  write_etc_files(dir.path(), EtcFiles{"h\n", "hosts\n", "nameserver 1.1.1.1\n"});
  ASSERT_EQ(::stat((dir.path() + "/etc/hosts").c_str(), &same), 0);
  EXPECT_EQ(same.st_ino, before.st_ino);
  EXPECT_EQ(same.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
  write_etc_files(dir.path(), EtcFiles{"h\n", "other hosts\n", ""});
  EXPECT_EQ(read_file(dir.path() + "/etc/hosts"), "other hosts\n");
}

}  // namespace
}  // namespace dabba::runner
