// The layer writer: every tar entry type with its metadata, OverlayFS whiteouts, and hostile
// archives (each refused, nothing written outside the layer).
#include <gtest/gtest.h>
#include <sys/xattr.h>

#include "common/dir_stream.h"
#include "common/userns.h"
#include "store/store.h"
#include "store/unpack/layer_writer.h"
#include "store/unpack/tar_unpack.h"
#include "tests/support/store_test_util.h"
#include "tests/support/unpack_into.h"

namespace dabba {
namespace {

using testing::Entry;
using testing::exists;
using testing::lstat_or_die;
using testing::Scratch;
using testing::TarBuilder;
using testing::unpack_into;

std::string xattr(const std::string& path, const char* name) {
  char buf[256];
  ssize_t n = ::lgetxattr(path.c_str(), name, buf, sizeof buf);
  return n < 0 ? "<none>" : std::string(buf, static_cast<size_t>(n));
}

TEST(Unpack, EveryEntryTypeWithItsMetadata) {
  Scratch s;
  std::string sparse_data = "head" + std::string("tail");
  Entry sparse;
  sparse.path = "data/sparse";
  sparse.data = sparse_data;
  sparse.sparse = {{0, 4}, {4 * 1024 * 1024, 4}};
  sparse.sparse_size = 4 * 1024 * 1024 + 4;
  Entry setuid;
  setuid.path = "bin/su";
  setuid.data = "#!/bin/true\n";
  setuid.mode = 04755;
  setuid.uid = 1000;
  setuid.gid = 1000;
  Entry attrs;
  attrs.path = "bin/ping";
  attrs.data = "ping";
  attrs.mode = 0755;
  // VFS_CAP_REVISION_2, CAP_NET_RAW (bit 13) permitted + effective.
  std::string cap(
      "\x01\x00\x00\x02\x00\x20\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", 20);
  attrs.xattrs = {{"user.note", "hello"},
                  {"security.capability", cap},
                  {"trusted.secret", "no"},
                  {"user.overlay.redirect", "/etc"}};
  Entry old;
  old.path = "etc/motd";
  old.data = "old";
  old.mtime = 1600000000;
  Entry dated_dir;
  dated_dir.path = "var/lib";
  dated_dir.type = AE_IFDIR;
  dated_dir.mode = 02750;
  dated_dir.uid = 12;
  dated_dir.gid = 34;
  dated_dir.mtime = 1500000000;
  Entry owned_link;
  owned_link.path = "etc/localtime";
  owned_link.type = AE_IFLNK;
  owned_link.link = "/usr/share/zoneinfo/UTC";
  owned_link.uid = 7;
  owned_link.gid = 8;
  std::string tar =
      TarBuilder()
          .dir("./", 0755)
          .dir("bin", 0755)
          .add(setuid)
          .add(attrs)
          .dir("etc", 0755)
          .add(old)
          .file("etc/motd", "new")  // replaces the earlier entry of the same path
          .add(owned_link)
          .hardlink("bin/su-again", "bin/su")
          .special("dev/null", AE_IFCHR, makedev(1, 3), 0666)  // dev/ is created as a parent
          .special("dev/loop0", AE_IFBLK, makedev(7, 0), 0660)
          .special("run/fifo", AE_IFIFO, 0, 0600)
          .add(dated_dir)
          .file("var/lib/state", "x", 0600, 12, 34)  // written after var/lib: its mtime is kept
          .add(sparse)
          .file("replace/dir", "a")
          .dir("replace/dir", 0700)  // a directory replaces the file
          .dir("replace/file")
          .file("replace/file/inner", "gone")
          .file("replace/file", "now a file")  // a file replaces the directory and its content
          .file("ünïcødé/naïve file", "utf8")
          .file(std::string(150, 'L') + "/" + std::string(120, 'n'), "long names")
          .file("owned/by/nobody", "n", 0644, 65534, 65534)
          .build();
  unpack_into(tar, s / "layer");
  const std::string l = s / "layer";

  EXPECT_EQ(lstat_or_die(l).st_mode & 07777, 0755u);
  struct stat su = lstat_or_die(l + "/bin/su");
  EXPECT_TRUE(S_ISREG(su.st_mode));
  EXPECT_EQ(su.st_mode & 07777, 04755u) << "setuid must survive the chown";
  EXPECT_EQ(su.st_uid, 1000u);
  EXPECT_EQ(su.st_gid, 1000u);
  EXPECT_EQ(su.st_mtime, 1700000000);
  EXPECT_EQ(lstat_or_die(l + "/bin/su-again").st_ino, su.st_ino);
  EXPECT_EQ(su.st_nlink, 2u);

  EXPECT_EQ(xattr(l + "/bin/ping", "user.note"), "hello");
  EXPECT_EQ(xattr(l + "/bin/ping", "security.capability").size(), 20u);
  EXPECT_EQ(xattr(l + "/bin/ping", "trusted.secret"), "<none>");
  EXPECT_EQ(xattr(l + "/bin/ping", "user.overlay.redirect"), "<none>");

  EXPECT_EQ(read_file(l + "/etc/motd"), "new");
  EXPECT_EQ(lstat_or_die(l + "/etc/motd").st_mtime, 1700000000);
  struct stat lt = lstat_or_die(l + "/etc/localtime");
  EXPECT_TRUE(S_ISLNK(lt.st_mode));
  EXPECT_EQ(lt.st_uid, 7u);
  EXPECT_EQ(lt.st_gid, 8u);
  char target[128] = {};
  ASSERT_GT(::readlink((l + "/etc/localtime").c_str(), target, sizeof target), 0);
  EXPECT_STREQ(target, "/usr/share/zoneinfo/UTC");

  struct stat null = lstat_or_die(l + "/dev/null");
  EXPECT_TRUE(S_ISCHR(null.st_mode));
  EXPECT_EQ(null.st_rdev, makedev(1, 3));
  EXPECT_EQ(null.st_mode & 07777, 0666u);
  EXPECT_TRUE(S_ISBLK(lstat_or_die(l + "/dev/loop0").st_mode));
  EXPECT_EQ(lstat_or_die(l + "/dev").st_mode & 07777, 0755u);  // a created parent
  EXPECT_TRUE(S_ISFIFO(lstat_or_die(l + "/run/fifo").st_mode));
  EXPECT_EQ(lstat_or_die(l + "/run/fifo").st_mode & 07777, 0600u);

  struct stat lib = lstat_or_die(l + "/var/lib");
  EXPECT_EQ(lib.st_mode & 07777, 02750u);
  EXPECT_EQ(lib.st_uid, 12u);
  EXPECT_EQ(lib.st_gid, 34u);
  EXPECT_EQ(lib.st_mtime, 1500000000) << "directory mtimes are fixed after their children";
  EXPECT_EQ(lstat_or_die(l + "/var/lib/state").st_gid, 34u);

  struct stat sp = lstat_or_die(l + "/data/sparse");
  EXPECT_EQ(sp.st_size, 4 * 1024 * 1024 + 4);
  EXPECT_LT(sp.st_blocks * 512, 1024 * 1024) << "holes stay holes";
  std::string content = read_file(l + "/data/sparse");
  EXPECT_EQ(content.substr(0, 4), "head");
  EXPECT_EQ(content.substr(4 * 1024 * 1024), "tail");
  EXPECT_EQ(content[1000], '\0');

  EXPECT_TRUE(S_ISDIR(lstat_or_die(l + "/replace/dir").st_mode));
  EXPECT_EQ(read_file(l + "/replace/file"), "now a file");
  EXPECT_EQ(read_file(l + "/ünïcødé/naïve file"), "utf8");
  EXPECT_EQ(read_file(l + "/" + std::string(150, 'L') + "/" + std::string(120, 'n')), "long names");
  EXPECT_EQ(lstat_or_die(l + "/owned/by/nobody").st_uid, 65534u);
}

TEST(Unpack, WhiteoutsBecomeOverlayFormat) {
  Scratch s;
  std::string tar = TarBuilder()
                        .dir("etc")
                        .file("etc/.wh.passwd", "")
                        .dir("opt/app")
                        .file("opt/app/.wh..wh..opq", "")
                        .file("opt/app/new", "kept")
                        .file(".wh.tmp", "")
                        .build();
  unpack_into(tar, s / "layer");
  struct stat wh = lstat_or_die(s / "layer/etc/passwd");
  EXPECT_TRUE(S_ISCHR(wh.st_mode));
  EXPECT_EQ(wh.st_rdev, makedev(0, 0));
  EXPECT_FALSE(exists(s / "layer/etc/.wh.passwd"));
  EXPECT_TRUE(S_ISCHR(lstat_or_die(s / "layer/tmp").st_mode));
  EXPECT_EQ(xattr(s / "layer/opt/app", "user.overlay.opaque"), "y");
  EXPECT_FALSE(exists(s / "layer/opt/app/.wh..wh..opq"));
  EXPECT_EQ(read_file(s / "layer/opt/app/new"), "kept");
}

TEST(Unpack, SymlinkedParentsInsideTheLayerAndTheParentCache) {
  Scratch s;
  std::string tar = TarBuilder()
                        .dir("real/sub")
                        .symlink("s", "real")
                        .file("s/sub/x", "through a symlink inside the layer")
                        .file("s", "now a file")  // the cached parent path changes meaning
                        .file("s/sub/y", "must not land in real/sub")
                        .build();
  try {
    unpack_into(tar, s / "layer");
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("not a directory"), std::string::npos) << e.what();
  }
  EXPECT_EQ(read_file(s / "layer/real/sub/x"), "through a symlink inside the layer");
  EXPECT_FALSE(exists(s / "layer/real/sub/y"));
}

// ---- hostile archives

struct Hostile {
  const char* name;
  std::function<TarBuilder(const std::string& outside)> build;
  const char* message;  // part of the error
};

std::vector<std::string> listing(const std::string& dir) {
  std::vector<std::string> out = list_dir(dir);
  std::sort(out.begin(), out.end());
  return out;
}

class HostileArchive : public ::testing::TestWithParam<Hostile> {};

TEST_P(HostileArchive, IsRefusedAndWritesNothingOutside) {
  Scratch s;
  const std::string outside = s / "outside";
  make_dirs(outside);
  write_file_atomic(outside + "/secret", "keep", Sync::kNone);
  auto before = listing(outside);

  std::string tar = GetParam().build(outside).build();
  // Through the whole store, as a pull would.
  Store store = Store::open(s / "store");
  Lease lease = store.lease();
  LayerIngest in = store.begin_layer({Digest::of(tar), int64_t(tar.size()), {}}, lease);
  testing::TestSource src(tar);
  try {
    in.run(src);
    ADD_FAILURE() << "accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(GetParam().message), std::string::npos) << e.what();
    EXPECT_EQ(e.code(), Errc::kCorrupt) << e.what();
  }
  EXPECT_EQ(listing(outside), before);
  EXPECT_EQ(read_file(outside + "/secret"), "keep");
  EXPECT_EQ(xattr(outside, "user.overlay.opaque"), "<none>");
  EXPECT_TRUE(path_exists(s / "store/layers"));
  EXPECT_EQ(listing(s / "store/layers"), std::vector<std::string>{});
  EXPECT_TRUE(path_exists(s / "store/tmp"));
  EXPECT_EQ(listing(s / "store/tmp"), std::vector<std::string>{});
  EXPECT_EQ(listing(s.path()), (std::vector<std::string>{"outside", "store"}));
}

const std::string kUp = "../../../../../../../../..";

INSTANTIATE_TEST_SUITE_P(
    All, HostileArchive,
    ::testing::Values(
        Hostile{"absolute_path", [](auto&) { return TarBuilder().file("/abs", "x"); },
                "absolute path"},
        Hostile{"dotdot", [](auto&) { return TarBuilder().file("../escape", "x"); },
                "'..' component"},
        Hostile{"inner_dotdot", [](auto&) { return TarBuilder().file("a/../../escape", "x"); },
                "'..' component"},
        Hostile{"relative_symlink_parent",
                [](auto& out) {
                  return TarBuilder().symlink("link", kUp + out).file("link/pwned", "x");
                },
                "outside the layer"},
        Hostile{"absolute_symlink_parent",
                [](auto& out) { return TarBuilder().symlink("link", out).file("link/pwned", "x"); },
                "outside the layer"},
        Hostile{
            "dir_replaced_by_symlink",
            [](auto& out) {
              return TarBuilder().dir("d").file("d/a", "x").symlink("d", out).file("d/pwned", "x");
            },
            "outside the layer"},
        Hostile{"symlink_dir_then_mkdir",
                [](auto& out) { return TarBuilder().symlink("link", out).dir("link/sub"); },
                "outside the layer"},
        Hostile{"hardlink_absolute",
                [](auto&) { return TarBuilder().hardlink("h", "/etc/passwd"); }, "absolute path"},
        Hostile{"hardlink_dotdot", [](auto&) { return TarBuilder().hardlink("h", "../x"); },
                "'..' component"},
        Hostile{"hardlink_through_symlink",
                [](auto& out) {
                  return TarBuilder().symlink("link", out).hardlink("h", "link/secret");
                },
                "outside the layer"},
        Hostile{
            "whiteout_through_symlink",
            [](auto& out) { return TarBuilder().symlink("link", out).file("link/.wh.secret", ""); },
            "outside the layer"},
        Hostile{"opaque_through_symlink",
                [](auto& out) {
                  return TarBuilder().symlink("link", out).file("link/.wh..wh..opq", "");
                },
                "outside the layer"},
        Hostile{"unknown_whiteout_meta",
                [](auto&) { return TarBuilder().file(".wh..wh.plnk", ""); },
                "unsupported whiteout"},
        Hostile{"empty_whiteout", [](auto&) { return TarBuilder().file("dir/.wh.", ""); },
                "whiteout without a valid name"},
        Hostile{"whiteout_dotdot", [](auto&) { return TarBuilder().file(".wh...", ""); },
                "whiteout without a valid name"},
        // Harmless tricks that must not write through a symlink: these are accepted, and the
        // final check (nothing outside changed) still runs after the "bait" entry fails.
        Hostile{"file_over_symlink_then_bad",
                [](auto& out) {
                  return TarBuilder()
                      .symlink("f", out + "/secret")
                      .file("f", "overwritten?")  // replaces the symlink itself
                      .hardlink("h", "f")
                      .file("h", "via hardlink?")
                      .file("/abs", "x");
                },
                "absolute path"}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace dabba
