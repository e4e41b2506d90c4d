// gc: shared layers kept, unshared dropped, leases and containers respected, leftovers of killed
// processes removed, and a gc killed halfway leaves only orphans for the next one.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include "store/lmdb_env.h"
#include "store/records.h"
#include "tests/store/image_fixture.h"

namespace dabba {
namespace {

using namespace dabba::testing;

class GcTest : public ::testing::Test {
 protected:
  std::string path(const std::string& rel) { return scratch_ / ("store/" + rel); }
  Scratch scratch_;
  Store store_ = Store::open(scratch_ / "store");
};

TEST_F(GcTest, KeepsSharedLayersAndDropsUnsharedOnes) {
  ImageRecord x = make_image(store_, {layer_tar("base"), layer_tar("x")}, "x", {"r/x:1"});
  ImageRecord y = make_image(store_, {layer_tar("base"), layer_tar("y")}, "y", {"r/y:1"});
  GcReport nothing = store_.gc();
  EXPECT_EQ(nothing.total_bytes(), 0u) << nothing.summary();
  EXPECT_EQ(nothing.summary(), "nothing to free");

  store_.remove_name("r/x:1", false);
  GcReport r = store_.gc();
  EXPECT_EQ(r.blobs, 3u) << r.summary();  // manifest, config, x's layer blob
  EXPECT_EQ(r.layers, 1u) << r.summary();
  EXPECT_GT(r.layer_bytes, 0u);
  EXPECT_NE(r.summary().find("freed 3 blobs, 1 layer"), std::string::npos) << r.summary();
  EXPECT_FALSE(exists(store_.layer_dir(x.layers[1].diff_id)));
  EXPECT_FALSE(exists(store_.blob_path(x.manifest)));
  EXPECT_TRUE(exists(store_.layer_dir(x.layers[0].diff_id))) << "base is shared with y";
  EXPECT_TRUE(exists(store_.layer_dir(y.layers[1].diff_id)));
  EXPECT_TRUE(exists(store_.blob_path(y.layers[0].blob)));
  EXPECT_TRUE(store_.check().ok());

  store_.remove_name("r/y:1", false);
  r = store_.gc();
  EXPECT_EQ(r.blobs, 4u) << r.summary();
  EXPECT_EQ(r.layers, 2u) << r.summary();
  EXPECT_TRUE(dir_entries(path("layers")).empty());
  EXPECT_TRUE(dir_entries(path("blobs/sha256")).empty());
  EXPECT_TRUE(dir_entries(path("ingest")).empty());
  EXPECT_TRUE(dir_entries(path("tmp")).empty());
  EXPECT_TRUE(store_.check().ok());
}

TEST_F(GcTest, LeasesAndContainersPin) {
  ImageRecord a = make_image(store_, {layer_tar("a")}, "a", {"r/a:1"});
  ContainerRecord c;
  c.id = std::string(64, 'a');
  c.image = a.manifest;
  c.layers = {a.layers[0].diff_id};
  store_.add_container(c);
  store_.remove_name("r/a:1", true);
  EXPECT_EQ(store_.gc().layers, 0u) << "the container holds its layer";
  EXPECT_TRUE(exists(store_.layer_dir(a.layers[0].diff_id)));

  {
    Lease lease = store_.lease();
    ImageLayer pulled = ingest_layer(store_, lease, layer_tar("in-flight"));
    EXPECT_EQ(store_.gc().layers, 0u) << "the lease holds the pull's layer";
    EXPECT_TRUE(exists(store_.layer_dir(pulled.diff_id)));
  }
  EXPECT_EQ(store_.gc().layers, 1u) << "released with the lease";

  store_.remove_container(c.id);
  GcReport r = store_.gc();
  EXPECT_EQ(r.layers, 1u);
  EXPECT_EQ(r.blobs, 3u);
  EXPECT_TRUE(store_.check().ok());
}

TEST_F(GcTest, DropsLeasesOfDeadProcesses) {
  pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ::waitpid(child, nullptr, 0);
  Lease lease = store_.lease();
  ImageLayer l = ingest_layer(store_, lease, layer_tar("orphaned"));
  {
    // Re-own the lease by the dead child, as if it had been killed mid-pull.
    auto env = LmdbEnv::open(path("db"));
    WriteTxn txn(*env);
    LeaseRecord rec{child, 12345, unix_now()};
    txn.put(Db::kLeases, lease.id(), encode_lease(rec));
    txn.commit();
  }
  GcReport r = store_.gc();
  EXPECT_EQ(r.leases, 1u);
  EXPECT_EQ(r.layers, 1u);
  EXPECT_FALSE(exists(store_.layer_dir(l.diff_id)));
}

TEST_F(GcTest, RemovesLeftoversButKeepsYoungPartials) {
  std::string blob = gzip(layer_tar("partial", 50));
  {
    Lease lease = store_.lease();
    LayerIngest in = store_.begin_layer({Digest::of(blob), int64_t(blob.size()), {}}, lease);
    TestSource src(blob);
    src.fail_after(100);
    EXPECT_THROW(in.run(src), Error);
  }
  // Leftovers of a killed process: an unpack dir, an orphan blob, an orphan layer dir, a
  // container dir without a record.
  make_dirs(path("tmp/unpack-" + Digest::of(blob).hex() + "-abc123/usr"));
  write_file_atomic(path("blobs/sha256/" + Digest::of("orphan").hex()), "orphan", Sync::kNone);
  make_dirs(path("layers/" + Digest::of("orphan layer").hex() + "/etc"));
  make_dirs(path("containers/" + std::string(64, 'f') + "/upper"));

  CheckReport before = store_.check();
  EXPECT_TRUE(before.ok());
  EXPECT_FALSE(before.notes.empty()) << "orphans are noted";

  GcReport r = store_.gc();
  EXPECT_EQ(r.temp_dirs, 1u);
  EXPECT_EQ(r.blobs, 1u);
  EXPECT_EQ(r.layers, 1u);
  EXPECT_EQ(r.container_dirs, 1u);
  EXPECT_EQ(r.partials, 0u) << "a young partial is kept for a resume";
  EXPECT_TRUE(exists(path("ingest/" + Digest::of(blob).hex())));

  r = store_.gc({.partial_max_age = std::chrono::seconds(-1)});
  EXPECT_EQ(r.partials, 1u);
  EXPECT_EQ(r.partial_bytes, 100u);
  EXPECT_TRUE(dir_entries(path("ingest")).empty());
  EXPECT_TRUE(dir_entries(path("tmp")).empty());
  EXPECT_EQ(dir_entries(path("locks")), std::vector<std::string>{"store.lock"});
}

TEST_F(GcTest, KilledAfterItsCommitLeavesOrphansForTheNextGc) {
  ImageRecord a = make_image(store_, {layer_tar("a"), layer_tar("b")}, "a", {"r/a:1"});
  store_.remove_name("r/a:1", false);
  pid_t child = ::fork();
  if (child == 0) {
    StoreOptions o;
    o.crash_point = [](std::string_view p) {
      if (p == "gc-committed") ::raise(SIGKILL);
    };
    Store s = Store::open(scratch_ / "store", o);
    s.gc();
    ::_exit(3);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;
  EXPECT_TRUE(exists(store_.layer_dir(a.layers[0].diff_id))) << "files outlive the records";
  EXPECT_FALSE(store_.layer(a.layers[0].diff_id));
  CheckReport c = store_.check();
  EXPECT_TRUE(c.ok()) << c.problems[0];
  GcReport r = store_.gc();
  EXPECT_EQ(r.layers, 2u);
  EXPECT_EQ(r.blobs, 4u);
  EXPECT_TRUE(dir_entries(path("layers")).empty());
}

}  // namespace
}  // namespace dabba
