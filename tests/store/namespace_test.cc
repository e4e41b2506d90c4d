// Unpacking inside user namespaces, and the merged view of unpacked layers through the real
// kernel OverlayFS (userxattr), the way the runner will mount them.
#include <grp.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>

#include "common/idmap.h"
#include "common/subprocess.h"
#include "common/userns.h"
#include "store/store.h"
#include "tests/support/store_test_util.h"

namespace dabba {
namespace {

using testing::exists;
using testing::lstat_or_die;
using testing::Scratch;
using testing::TarBuilder;
using testing::TestSource;

// Runs fn in a forked child; its returned string ("" = fine) comes back through a pipe.
std::string in_child(const std::function<std::string()>& fn,
                     const std::function<void(pid_t)>& parent = {}) {
  Pipe report = Pipe::make();
  pid_t pid = ::fork();
  if (pid < 0) throw_errno("fork");
  if (pid == 0) {
    report.read.reset();
    std::string out;
    try {
      out = fn();
    } catch (const std::exception& e) {
      out = std::string("exception: ") + e.what();
    }
    write_all(report.write.get(), out.empty() ? "ok" : out);
    ::_exit(0);
  }
  report.write.reset();
  if (parent) parent(pid);
  std::string out = read_all(report.read.get());
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (out.empty()) return "child died (status " + std::to_string(status) + ")";
  return out == "ok" ? "" : out;
}

std::string ingest(Store& store, const std::string& tar) {
  Lease lease = store.lease();
  std::string blob = testing::gzip(tar);
  LayerIngest in =
      store.begin_layer({Digest::of(blob), int64_t(blob.size()), Digest::of(tar)}, lease);
  TestSource src(blob);
  return store.layer_dir(in.run(src).diff_id);
}

std::string base_layer() {
  return TarBuilder()
      .dir("etc")
      .file("etc/passwd", "root:x:0:0::/root:/bin/sh\n")
      .file("etc/group", "root:x:0:\n")
      .dir("opt/app")
      .file("opt/app/old", "old")
      .file("opt/app/also-old", "old")
      .file("tmp/file", "t")
      .build();
}

std::string top_layer() {
  return TarBuilder()
      .dir("etc")
      .file("etc/.wh.passwd", "")
      .dir("opt/app")
      .file("opt/app/.wh..wh..opq", "")
      .file("opt/app/new", "new")
      .file(".wh.tmp", "")
      .build();
}

// In a new mount namespace (the caller is already root of a user namespace): mount the stack and
// look at the merged view.
std::string check_merged_view(const std::string& work, const std::string& top,
                              const std::string& base) {
  if (::unshare(CLONE_NEWNS) != 0) return std::string("unshare(NEWNS): ") + strerror(errno);
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return "make / private";
  std::string merged = work + "/merged";
  make_dirs(merged);
  std::string opts = "lowerdir=" + top + ":" + base + ",userxattr";
  if (::mount("overlay", merged.c_str(), "overlay", MS_RDONLY, opts.c_str()) != 0)
    return "mount overlay (" + opts + "): " + strerror(errno);
  std::string problems;
  if (exists(merged + "/etc/passwd")) problems += "etc/passwd is not whited out; ";
  if (!exists(merged + "/etc/group")) problems += "etc/group is gone; ";
  if (exists(merged + "/opt/app/old") || exists(merged + "/opt/app/also-old"))
    problems += "opt/app is not opaque; ";
  if (!exists(merged + "/opt/app/new")) problems += "opt/app/new is missing; ";
  if (exists(merged + "/tmp")) problems += "tmp is not whited out; ";
  ::umount2(merged.c_str(), MNT_DETACH);
  return problems;
}

TEST(Overlay, WhiteoutsAndOpaqueDirsHideLowerLayers) {
  Scratch s;
  Store store = Store::open(s / "store");
  std::string base = ingest(store, base_layer());
  std::string top = ingest(store, top_layer());
  // A child in new user + mount namespaces, mapped by us (the parent, real root).
  Pipe go = Pipe::make();
  std::string result = in_child(
      [&] {
        go.write.reset();
        if (::unshare(CLONE_NEWUSER) != 0)
          return std::string("unshare(NEWUSER): ") + strerror(errno);
        char byte;
        if (::read(go.read.get(), &byte, 1) != 1) return std::string("parent did not map us");
        return check_merged_view(s.path(), top, base);
      },
      [&](pid_t child) {
        go.read.reset();
        ::usleep(100 * 1000);  // let the child unshare
        IdMap map;
        map.uids = {{0, 0, 65536}};
        map.gids = {{0, 0, 65536}};
        write_id_map(child, map);
        write_all(go.write.get(), "1");
      });
  EXPECT_EQ(result, "");
}

// The rootless path end to end: dabba-test enters dabba's user namespace (0 -> dabba-test,
// 1..65536 -> its subuid range), unpacks there, and mounts the stack.
TEST(Rootless, UnpacksWithSubuidOwnersAndMountsTheStack) {
  struct passwd* pw = ::getpwnam("dabba-test");
  if (pw == nullptr) GTEST_SKIP() << "no dabba-test user";
  auto ranges = read_subid_ranges("/etc/subuid", "dabba-test", pw->pw_uid);
  if (ranges.empty() || find_program("newuidmap").empty())
    GTEST_SKIP() << "no subuid range or newuidmap";
  const uint32_t subuid = ranges[0].start;

  Scratch s;
  DABBA_SYSCALL(::chown(s.path().c_str(), pw->pw_uid, pw->pw_gid));
  std::string owned = TarBuilder()
                          .dir("home/app", 0750, 1234, 1234)
                          .file("home/app/data", "mine", 0640, 1234, 1234)
                          .file("root-file", "r", 0600, 0, 0)
                          .special("dev/null", AE_IFCHR, makedev(1, 3))
                          .special("dev/sda", AE_IFBLK, makedev(8, 0))
                          .special("fifo", AE_IFIFO)
                          .file(".wh.gone", "")
                          .build();
  std::string unmapped = TarBuilder().file("too/far", "x", 0644, 70000, 0).build();
  std::string layer_dir;
  std::string result = in_child([&]() -> std::string {
    if (::setgroups(0, nullptr) != 0 || ::setgid(pw->pw_gid) != 0 || ::setuid(pw->pw_uid) != 0)
      return "cannot become dabba-test";
    // host_identity() was memoised as root by this test process: give the map explicitly, and
    // ask for a private namespace (not a shared one another dabba of this user may hold).
    ::setenv("DABBA_PAUSE", "0", 1);
    HostIdentity who{pw->pw_uid, pw->pw_gid, "dabba-test"};
    enter_user_namespace(default_id_map(who));
    if (::geteuid() != 0) return "not root in the namespace";
    Store store = Store::open(s / "store");
    std::string top = ingest(store, top_layer());
    std::string base = ingest(store, base_layer());
    ingest(store, owned);
    try {
      ingest(store, unmapped);
      return "an unmapped owner was accepted";
    } catch (const Error& e) {
      std::string m = e.what();
      if (e.code() != Errc::kPermission || m.find("too/far") == std::string::npos ||
          m.find("70000") == std::string::npos || m.find("0-65536") == std::string::npos)
        return "unclear error: " + m;
    }
    return check_merged_view(s.path(), top, base);
  });
  ASSERT_EQ(result, "");

  // Back outside, as the host sees the files.
  Store store = Store::open(s / "store");
  std::string dir = store.layer_dir(Digest::of(owned));
  struct stat data = lstat_or_die(dir + "/home/app/data");
  EXPECT_EQ(data.st_uid, subuid + 1233) << "container uid 1234 is host subuid base + 1233";
  EXPECT_EQ(data.st_gid, subuid + 1233);
  EXPECT_EQ(data.st_mode & 07777, 0640u);
  EXPECT_EQ(lstat_or_die(dir + "/root-file").st_uid, pw->pw_uid) << "container root is the caller";
  EXPECT_FALSE(exists(dir + "/dev/null")) << "devices are skipped rootless";
  EXPECT_FALSE(exists(dir + "/dev/sda"));
  EXPECT_TRUE(S_ISFIFO(lstat_or_die(dir + "/fifo").st_mode));
  struct stat wh = lstat_or_die(dir + "/gone");
  EXPECT_TRUE(S_ISCHR(wh.st_mode));
  EXPECT_EQ(wh.st_rdev, makedev(0, 0));
}

}  // namespace
}  // namespace dabba
