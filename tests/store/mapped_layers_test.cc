// Layers owned for a nested user namespace's map: owners shifted through the map, everything
// else of the layer kept (modes, links, whiteouts, overlay xattrs), and gc's clean-up. Root can
// chown and mknod, as dabba can in its own namespace; as another user the test is skipped.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "common/fs.h"
#include "store/layout.h"
#include "store/mapped_layers.h"
#include "tests/store/image_fixture.h"

namespace dabba {
namespace {

using namespace dabba::testing;

struct stat stat_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
  return st;
}

class MappedLayersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs to chown and mknod (root)";
    layer_ = layout_.layer_dir(diff_id_);
    make_dirs(layer_ + "/etc", 0755);
    make_dirs(layout_.tmp_dir(), 0700);
    write_file_atomic(layer_ + "/etc/passwd", "root:x:0:0::/:/bin/sh\n", Sync::kNone, 0644);
    ASSERT_EQ(::chown((layer_ + "/etc/passwd").c_str(), 0, 0), 0);
    write_file_atomic(layer_ + "/app", "x", Sync::kNone, 04750);
    ASSERT_EQ(::chown((layer_ + "/app").c_str(), 5, 7), 0);
    ASSERT_EQ(::chmod((layer_ + "/app").c_str(), 04750), 0);
    ASSERT_EQ(::link((layer_ + "/app").c_str(), (layer_ + "/etc/app-link").c_str()), 0);
    ASSERT_EQ(::symlink("/etc/passwd", (layer_ + "/pw").c_str()), 0);
    ASSERT_EQ(::mknod((layer_ + "/gone").c_str(), S_IFCHR | 0, makedev(0, 0)), 0);
    ASSERT_EQ(::setxattr((layer_ + "/etc").c_str(), "user.overlay.opaque", "y", 1, 0), 0);
    ASSERT_EQ(::chmod(layer_.c_str(), 0555), 0);
    map_.uids = {{0, 100000, 10}};
    map_.gids = {{0, 200000, 10}};
  }

  Scratch scratch_;
  StoreLayout layout_{scratch_ / "store"};
  Digest diff_id_ = Digest::of("a layer");
  std::string layer_;
  IdMap map_;
};

TEST_F(MappedLayersTest, OwnersShiftedThroughTheMapAndTheRestKept) {
  const std::string copy = mapped_layer_dir(layout_, diff_id_, map_);
  EXPECT_EQ(copy, layout_.mapped_layers_dir() + "/" + id_map_key(map_) + "/" + diff_id_.hex());
  struct stat root = stat_of(copy);
  EXPECT_EQ(root.st_uid, 100000u);
  EXPECT_EQ(root.st_mode & 07777, 0555u);
  struct stat passwd = stat_of(copy + "/etc/passwd");
  EXPECT_EQ(passwd.st_uid, 100000u);
  EXPECT_EQ(passwd.st_gid, 200000u);
  EXPECT_EQ(read_file(copy + "/etc/passwd"), "root:x:0:0::/:/bin/sh\n");
  struct stat app = stat_of(copy + "/app");
  EXPECT_EQ(app.st_uid, 100005u);
  EXPECT_EQ(app.st_gid, 200007u);
  EXPECT_EQ(app.st_mode & 07777, 04750u) << "setuid kept after the chown";
  EXPECT_EQ(app.st_ino, stat_of(copy + "/etc/app-link").st_ino) << "a hard link stays one";
  struct stat pw = stat_of(copy + "/pw");
  ASSERT_TRUE(S_ISLNK(pw.st_mode));
  EXPECT_EQ(pw.st_uid, 100000u);
  struct stat gone = stat_of(copy + "/gone");
  EXPECT_TRUE(S_ISCHR(gone.st_mode) && gone.st_rdev == makedev(0, 0)) << "the whiteout kept";
  char v[4] = {};
  EXPECT_EQ(::getxattr((copy + "/etc").c_str(), "user.overlay.opaque", v, sizeof v), 1);
  EXPECT_EQ(v[0], 'y');
  // The original is untouched, and a second call reuses the copy.
  EXPECT_EQ(stat_of(layer_ + "/etc/passwd").st_uid, 0u);
  EXPECT_EQ(mapped_layer_dir(layout_, diff_id_, map_), copy);
  EXPECT_TRUE(list_directory(layout_.tmp_dir()).empty()) << "no temp dir left";
}

TEST_F(MappedLayersTest, AnIdOutsideTheMapStaysUnmappedForTheContainer) {
  // 0 is not in the map: it must not land on an id the map covers (the container would see it as
  // some other user), but on one it does not, which it sees as nobody.
  map_.uids = {{1, 65530, 10}};  // covers 65530..65539, so 65534 is taken: 65529 is the first free
  const std::string copy = mapped_layer_dir(layout_, diff_id_, map_);
  EXPECT_EQ(stat_of(copy + "/etc/passwd").st_uid, 65529u);
  EXPECT_EQ(stat_of(copy + "/app").st_uid, 65534u) << "5 is in the map: 65530 + 4";
  EXPECT_EQ(stat_of(copy + "/app").st_gid, 200007u) << "gids mapped as before";
}

TEST_F(MappedLayersTest, GcRemovesTheCopiesOfLayersThatAreGone) {
  const std::string copy = mapped_layer_dir(layout_, diff_id_, map_);
  EXPECT_EQ(remove_stale_mapped_layers(layout_, [](const std::string&) { return true; }), 0u);
  EXPECT_TRUE(path_exists(copy));
  EXPECT_GT(remove_stale_mapped_layers(layout_, [](const std::string&) { return false; }), 0u);
  EXPECT_FALSE(path_exists(copy));
  EXPECT_FALSE(path_exists(layout_.mapped_layers_dir() + "/" + id_map_key(map_)));
}

}  // namespace
}  // namespace dabba
