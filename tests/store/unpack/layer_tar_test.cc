// The tar writer for OverlayFS-format trees: a layer dir (or a container's upper dir) back to an
// OCI layer with `.wh.` whiteouts and opaque markers, and a stack of layers merged as overlay
// shows it (export).
#include "store/unpack/layer_tar.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <sys/xattr.h>

#include <map>

#include "common/userns.h"
#include "store/unpack/layer_writer.h"
#include "store/unpack/tar_unpack.h"
#include "tests/support/store_test_util.h"
#include "tests/support/unpack_into.h"

namespace dabba {
namespace {

using testing::exists;
using testing::lstat_or_die;
using testing::Scratch;
using testing::TarBuilder;
using testing::unpack_into;

std::string tar_of(const std::vector<std::string>& dirs, TreeTarMode mode,
                   TreeTarStats* stats = nullptr) {
  std::string out;
  TreeTarStats s = write_tree_tar(dirs, mode, [&](const void* data, size_t size) {
    out.append(static_cast<const char*>(data), size);
  });
  if (stats) *stats = s;
  return out;
}

// path -> "type:content" for every entry of a tar.
std::map<std::string, std::string> entries_of(const std::string& tar) {
  std::map<std::string, std::string> out;
  struct archive* a = archive_read_new();
  archive_read_support_format_tar(a);
  EXPECT_EQ(archive_read_open_memory(a, tar.data(), tar.size()), ARCHIVE_OK);
  struct archive_entry* e;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    std::string path = archive_entry_pathname(e);
    if (path.back() == '/') path.pop_back();
    std::string v;
    if (archive_entry_hardlink(e)) {
      v = std::string("link:") + archive_entry_hardlink(e);
    } else if (archive_entry_filetype(e) == AE_IFDIR) {
      v = "dir";
    } else if (archive_entry_filetype(e) == AE_IFLNK) {
      v = std::string("symlink:") + archive_entry_symlink(e);
    } else {
      std::string data(static_cast<size_t>(archive_entry_size(e)), '\0');
      archive_read_data(a, data.data(), data.size());
      v = "file:" + data;
    }
    out[path] = v;
  }
  archive_read_free(a);
  return out;
}

TEST(LayerTar, OverlayWhiteoutsBecomeOciOnesAndBack) {
  Scratch s;
  unpack_into(TarBuilder()
                  .dir("etc")
                  .file("etc/.wh.passwd", "")
                  .dir("opt/app")
                  .file("opt/app/.wh..wh..opq", "")
                  .file("opt/app/new", "kept")
                  .file("bin/tool", "#!", 0755, 1000, 1000)
                  .hardlink("bin/tool2", "bin/tool")
                  .symlink("bin/sh", "/bin/busybox")
                  .build(),
              s / "layer");
  ASSERT_EQ(::setxattr((s / "layer/bin/tool").c_str(), "user.dabba.note", "hi", 2, 0), 0);
  TreeTarStats stats;
  std::string tar = tar_of({s / "layer"}, TreeTarMode::kLayer, &stats);
  EXPECT_EQ(stats.whiteouts, 1u);
  EXPECT_EQ(stats.opaques, 1u);
  auto e = entries_of(tar);
  EXPECT_EQ(e["etc/.wh.passwd"], "file:");
  EXPECT_EQ(e["opt/app/.wh..wh..opq"], "file:");
  EXPECT_EQ(e["opt/app/new"], "file:kept");
  EXPECT_EQ(e["bin/sh"], "symlink:/bin/busybox");
  EXPECT_TRUE(e["bin/tool2"] == "link:bin/tool" || e["bin/tool"] == "link:bin/tool2");
  EXPECT_EQ(e.count("etc/passwd"), 0u);

  // Unpacked again, the tree is the same: whiteout device, opaque xattr, owner, xattrs.
  unpack_into(tar, s / "again");
  struct stat wh = lstat_or_die(s / "again/etc/passwd");
  EXPECT_TRUE(S_ISCHR(wh.st_mode));
  char v[8] = {};
  EXPECT_EQ(::getxattr((s / "again/opt/app").c_str(), "user.overlay.opaque", v, sizeof v), 1);
  EXPECT_EQ(lstat_or_die(s / "again/bin/tool").st_uid, 1000u);
  EXPECT_EQ(lstat_or_die(s / "again/bin/tool").st_ino, lstat_or_die(s / "again/bin/tool2").st_ino);
  EXPECT_EQ(::getxattr((s / "again/bin/tool").c_str(), "user.dabba.note", v, sizeof v), 2);
  // The same tree gives the same tar.
  EXPECT_EQ(tar_of({s / "again"}, TreeTarMode::kLayer), tar);
}

TEST(LayerTar, MergedAppliesWhiteoutsAndOpaqueDirs) {
  Scratch s;
  unpack_into(TarBuilder()
                  .file("keep.txt", "base")
                  .file("gone.txt", "base")
                  .file("dir/old.txt", "base")
                  .file("replaced/old.txt", "base")
                  .file("changed.txt", "v1")
                  .build(),
              s / "lower");
  unpack_into(TarBuilder()
                  .file(".wh.gone.txt", "")
                  .file("dir/new.txt", "upper")
                  .dir("replaced")
                  .file("replaced/.wh..wh..opq", "")
                  .file("replaced/new.txt", "upper")
                  .file("changed.txt", "v2")
                  .build(),
              s / "upper");
  auto e = entries_of(tar_of({s / "upper", s / "lower"}, TreeTarMode::kMerged));
  EXPECT_EQ(e["keep.txt"], "file:base");
  EXPECT_EQ(e.count("gone.txt"), 0u);
  EXPECT_EQ(e.count(".wh.gone.txt"), 0u);
  EXPECT_EQ(e["dir/old.txt"], "file:base");
  EXPECT_EQ(e["dir/new.txt"], "file:upper");
  EXPECT_EQ(e["replaced/new.txt"], "file:upper");
  EXPECT_EQ(e.count("replaced/old.txt"), 0u);
  EXPECT_EQ(e.count("replaced/.wh..wh..opq"), 0u);
  EXPECT_EQ(e["changed.txt"], "file:v2");
}

TEST(LayerTar, SinkErrorsStopTheWriter) {
  Scratch s;
  unpack_into(TarBuilder().file("a", std::string(200000, 'x')).build(), s / "l");
  EXPECT_THROW(write_tree_tar({s / "l"}, TreeTarMode::kLayer,
                              [](const void*, size_t) { throw Error(Errc::kNetwork, "full"); }),
               Error);
  EXPECT_THROW(write_tree_tar({s / "l", s / "l"}, TreeTarMode::kLayer, [](const void*, size_t) {}),
               Error);
}

}  // namespace
}  // namespace dabba
