// Blob and layer ingest: good, short, long, corrupted and interrupted streams, resume, reuse.
#include <gtest/gtest.h>

#include "store/unpack/decompress.h"
#include "store/lmdb_env.h"
#include "store/store.h"
#include "tests/support/store_test_util.h"

namespace dabba {
namespace {

using testing::Scratch;
using testing::TarBuilder;
using testing::TestSource;

std::string sample_tar(int files = 20, size_t size = 50000) {
  TarBuilder b;
  b.dir("etc").file("etc/hostname", "box\n").dir("usr").dir("usr/bin");
  for (int i = 0; i < files; ++i) {
    std::string data(size + i, '\0');
    for (size_t j = 0; j < data.size(); ++j) data[j] = static_cast<char>((j * 7 + i) % 251);
    b.file("usr/bin/tool" + std::to_string(i), data, 0755);
  }
  return b.build();
}

class IngestTest : public ::testing::Test {
 protected:
  Store open(StoreOptions o = {}) { return Store::open(scratch_ / "store", o); }

  LayerResult ingest(Store& store, const std::string& blob, Digest diff = {},
                     size_t chunk = 65536) {
    Lease lease = store.lease();
    LayerIngest in = store.begin_layer({Digest::of(blob), int64_t(blob.size()), diff}, lease);
    if (in.complete()) return in.result();
    TestSource src(blob.substr(in.resume_offset()), chunk);
    return in.run(src);
  }

  // Nothing left in tmp/ and ingest/.
  void expect_no_leftovers() {
    for (const char* dir : {"tmp", "ingest"}) {
      std::vector<std::string> names = list_dir(scratch_ / "store/" + dir);
      EXPECT_TRUE(names.empty()) << dir << " holds " << (names.empty() ? "" : names[0]);
    }
  }

  Scratch scratch_;
};

struct Variant {
  const char* name;
  Compression compression;
  GzipEngine engine;
  bool pipeline;
  size_t chunk;
};

class IngestVariants : public IngestTest, public ::testing::WithParamInterface<Variant> {};

TEST_P(IngestVariants, UnpacksVerifiesAndRecords) {
  const Variant& v = GetParam();
  std::string tar = sample_tar();
  std::string blob = v.compression == Compression::kGzip   ? testing::gzip(tar)
                     : v.compression == Compression::kZstd ? testing::zstd(tar)
                                                           : tar;
  StoreOptions o;
  o.gzip = v.engine;
  o.pipeline_thread = v.pipeline;
  Store store = open(o);
  LayerResult r = ingest(store, blob, Digest::of(tar), v.chunk);
  EXPECT_EQ(r.blob, Digest::of(blob));
  EXPECT_EQ(r.diff_id, Digest::of(tar));
  EXPECT_EQ(r.blob_size, blob.size());
  EXPECT_EQ(r.tar_size, tar.size());
  EXPECT_EQ(r.compression, v.compression);
  EXPECT_FALSE(r.reused);

  std::string dir = store.layer_dir(r.diff_id);
  EXPECT_EQ(read_file(dir + "/etc/hostname"), "box\n");
  EXPECT_EQ(read_file(dir + "/usr/bin/tool3").size(), 50003u);
  EXPECT_EQ(read_file(store.blob_path(r.blob)), blob);
  auto layer = store.layer(r.diff_id);
  ASSERT_TRUE(layer);
  EXPECT_EQ(layer->tar_size, tar.size());
  EXPECT_EQ(store.diff_id_of(r.blob), r.diff_id);
  EXPECT_TRUE(store.blob(r.blob));
  expect_no_leftovers();
}

INSTANTIATE_TEST_SUITE_P(
    All, IngestVariants,
    ::testing::Values(
        Variant{"gzip_isal", Compression::kGzip, GzipEngine::kAuto, true, 65536},
        Variant{"gzip_zlib", Compression::kGzip, GzipEngine::kZlib, true, 65536},
        Variant{"gzip_one_thread", Compression::kGzip, GzipEngine::kAuto, false, 65536},
        Variant{"gzip_tiny_reads", Compression::kGzip, GzipEngine::kAuto, true, 7},
        Variant{"gzip_zlib_tiny_reads", Compression::kGzip, GzipEngine::kZlib, false, 1},
        Variant{"zstd", Compression::kZstd, GzipEngine::kAuto, true, 65536},
        Variant{"zstd_tiny_reads", Compression::kZstd, GzipEngine::kAuto, false, 3},
        Variant{"plain", Compression::kNone, GzipEngine::kAuto, true, 65536},
        Variant{"plain_one_thread", Compression::kNone, GzipEngine::kAuto, false, 4096}),
    [](const auto& info) { return std::string(info.param.name); });

TEST_F(IngestTest, MultiMemberGzipIsOneStream) {
  std::string tar = sample_tar(4);
  std::string blob = testing::gzip(tar.substr(0, 3000)) + testing::gzip(tar.substr(3000));
  for (GzipEngine engine : {GzipEngine::kIsal, GzipEngine::kZlib}) {
    if (engine == GzipEngine::kIsal && !have_isal()) continue;
    Scratch s;
    StoreOptions o;
    o.gzip = engine;
    Store store = Store::open(s / "store", o);
    LayerResult r = ingest(store, blob, Digest::of(tar));
    EXPECT_EQ(r.diff_id, Digest::of(tar));
  }
}

TEST_F(IngestTest, CorruptedStreamNamesExpectedAndActualDigests) {
  std::string tar = sample_tar();
  std::string good = testing::gzip(tar);
  for (size_t at : {size_t{20}, good.size() / 2, good.size() - 3}) {
    std::string bad = good;
    bad[at] ^= 0x10;
    Store store = open();
    Lease lease = store.lease();
    LayerIngest in = store.begin_layer({Digest::of(good), int64_t(good.size()), {}}, lease);
    TestSource src(bad);
    try {
      in.run(src);
      ADD_FAILURE() << "accepted a flipped byte at " << at;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Errc::kDigestMismatch) << e.what();
      EXPECT_NE(std::string(e.what()).find(Digest::of(good).str()), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(Digest::of(bad).str()), std::string::npos) << e.what();
    }
    EXPECT_FALSE(store.blob(Digest::of(good)));
    EXPECT_FALSE(store.layer(Digest::of(tar)));
    expect_no_leftovers();
  }
}

TEST_F(IngestTest, LongStreamIsRefused) {
  std::string tar = sample_tar(2);
  std::string blob = testing::gzip(tar);
  Store store = open();
  Lease lease = store.lease();
  LayerIngest in = store.begin_layer({Digest::of(blob), int64_t(blob.size()), {}}, lease);
  TestSource src(blob + std::string(5000, '\0'));
  try {
    in.run(src);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::kDigestMismatch) << e.what();
    EXPECT_NE(std::string(e.what()).find("longer than"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(store.layer(Digest::of(tar)));
  expect_no_leftovers();
}

TEST_F(IngestTest, ShortStreamKeepsThePartialAndResumes) {
  std::string tar = sample_tar();
  std::string blob = testing::gzip(tar);
  size_t cut = blob.size() / 3;
  Store store = open();
  {
    Lease lease = store.lease();
    LayerIngest in = store.begin_layer({Digest::of(blob), int64_t(blob.size()), {}}, lease);
    EXPECT_EQ(in.resume_offset(), 0u);
    TestSource src(blob.substr(0, cut));  // ends cleanly, too early
    try {
      in.run(src);
      ADD_FAILURE();
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Errc::kNetwork) << e.what();
      EXPECT_NE(
          std::string(e.what()).find(std::to_string(cut) + " of " + std::to_string(blob.size())),
          std::string::npos)
          << e.what();
    }
  }
  EXPECT_EQ(testing::lstat_or_die(scratch_ / "store/ingest/" + Digest::of(blob).hex()).st_size,
            off_t(cut));
  Lease lease = store.lease();
  LayerIngest in =
      store.begin_layer({Digest::of(blob), int64_t(blob.size()), Digest::of(tar)}, lease);
  ASSERT_EQ(in.resume_offset(), cut);
  TestSource rest(blob.substr(cut));
  LayerResult r = in.run(rest);
  EXPECT_EQ(r.resumed_from, cut);
  EXPECT_EQ(rest.delivered(), blob.size() - cut);
  EXPECT_EQ(r.diff_id, Digest::of(tar));
  EXPECT_EQ(read_file(store.blob_path(r.blob)), blob);
  expect_no_leftovers();
}

TEST_F(IngestTest, SourceFailureKeepsThePartialForResume) {
  std::string tar = sample_tar(30);
  std::string blob = testing::zstd(tar);
  Store store = open();
  size_t fail_at = blob.size() / 2;
  {
    Lease lease = store.lease();
    LayerIngest in = store.begin_layer({Digest::of(blob), int64_t(blob.size()), {}}, lease);
    TestSource src(blob, 1000);
    src.fail_after(int64_t(fail_at));
    EXPECT_THROW(in.run(src), Error);
  }
  Lease lease = store.lease();
  LayerIngest in = store.begin_layer({Digest::of(blob), int64_t(blob.size()), {}}, lease);
  EXPECT_EQ(in.resume_offset(), fail_at);
  TestSource rest(blob.substr(in.resume_offset()));
  EXPECT_EQ(in.run(rest).diff_id, Digest::of(tar));
}

TEST_F(IngestTest, RestartDiscardsThePartial) {
  std::string blob = testing::gzip(sample_tar());
  Store store = open();
  {
    Lease lease = store.lease();
    LayerIngest in = store.begin_layer({Digest::of(blob), int64_t(blob.size()), {}}, lease);
    TestSource src(blob);
    src.fail_after(1000);
    EXPECT_THROW(in.run(src), Error);
  }
  Lease lease = store.lease();
  LayerIngest in = store.begin_layer({Digest::of(blob), int64_t(blob.size()), {}}, lease);
  EXPECT_EQ(in.resume_offset(), 1000u);
  in.restart();  // the server ignored the Range request
  EXPECT_EQ(in.resume_offset(), 0u);
  TestSource src(blob);
  EXPECT_FALSE(in.run(src).reused);
}

TEST_F(IngestTest, WrongDiffIdIsRefused) {
  std::string tar = sample_tar(2);
  std::string blob = testing::gzip(tar);
  Store store = open();
  Lease lease = store.lease();
  Digest wrong = Digest::of("not the tar");
  LayerIngest in = store.begin_layer({Digest::of(blob), int64_t(blob.size()), wrong}, lease);
  TestSource src(blob);
  try {
    in.run(src);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::kDigestMismatch);
    EXPECT_NE(std::string(e.what()).find(wrong.str()), std::string::npos);
    EXPECT_NE(std::string(e.what()).find(Digest::of(tar).str()), std::string::npos);
  }
  EXPECT_FALSE(store.layer(Digest::of(tar)));
  expect_no_leftovers();
}

TEST_F(IngestTest, KnownLayerIsReusedWhateverTheCompression) {
  std::string tar = sample_tar(3);
  Store store = open();
  LayerResult first = ingest(store, testing::gzip(tar), Digest::of(tar));
  EXPECT_FALSE(first.reused);
  // Same blob again: nothing to fetch.
  LayerResult again = ingest(store, testing::gzip(tar));
  EXPECT_TRUE(again.reused);
  // Same diff_id from a zstd blob, diff_id known up front: nothing to fetch either.
  Lease lease = store.lease();
  std::string z = testing::zstd(tar);
  LayerIngest in = store.begin_layer({Digest::of(z), int64_t(z.size()), Digest::of(tar)}, lease);
  EXPECT_TRUE(in.complete());
  EXPECT_EQ(in.result().diff_id, Digest::of(tar));
  // diff_id unknown: it is unpacked, found to exist, and the temp copy dropped.
  LayerResult r = ingest(store, z);
  EXPECT_EQ(r.diff_id, Digest::of(tar));
  EXPECT_EQ(store.diff_id_of(Digest::of(z)), Digest::of(tar));
  expect_no_leftovers();
}

TEST_F(IngestTest, StoredBlobIsReplayedWhenItsLayerIsGone) {
  std::string tar = sample_tar(3);
  std::string blob = testing::gzip(tar);
  Store store = open();
  ingest(store, blob, Digest::of(tar));
  // Drop the layer the way check --repair would.
  remove_tree(store.layer_dir(Digest::of(tar)));
  CheckReport report = store.check({.repair = true});
  EXPECT_FALSE(report.ok());
  EXPECT_FALSE(store.layer(Digest::of(tar)));
  Lease lease = store.lease();
  LayerIngest in =
      store.begin_layer({Digest::of(blob), int64_t(blob.size()), Digest::of(tar)}, lease);
  ASSERT_FALSE(in.complete());
  EXPECT_EQ(in.resume_offset(), blob.size());
  TestSource nothing("");
  LayerResult r = in.run(nothing);
  EXPECT_EQ(nothing.delivered(), 0u);
  EXPECT_EQ(read_file(store.layer_dir(r.diff_id) + "/etc/hostname"), "box\n");
}

TEST_F(IngestTest, DamagedStoredBlobIsDroppedAndFetchedAgain) {
  std::string tar = sample_tar(3);
  std::string blob = testing::gzip(tar);
  Store store = open();
  ingest(store, blob, Digest::of(tar));
  {
    // The layer goes (as check --repair would drop it) and the stored blob rots.
    auto env = LmdbEnv::open(scratch_ / "store/db");
    WriteTxn txn(*env);
    txn.del(Db::kLayers, Digest::of(tar).hex());
    txn.commit();
  }
  remove_tree(store.layer_dir(Digest::of(tar)));
  std::string rotten = blob;
  rotten[100] ^= 4;
  write_file_atomic(store.blob_path(Digest::of(blob)), rotten, Sync::kNone);

  {
    Lease lease = store.lease();
    LayerIngest in =
        store.begin_layer({Digest::of(blob), int64_t(blob.size()), Digest::of(tar)}, lease);
    ASSERT_EQ(in.resume_offset(), blob.size());
    TestSource nothing("");
    try {
      in.run(nothing);
      ADD_FAILURE();
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Errc::kCorrupt) << e.what();
      EXPECT_NE(std::string(e.what()).find("stored blob is damaged"), std::string::npos)
          << e.what();
    }
  }
  EXPECT_FALSE(store.blob(Digest::of(blob)));
  Lease lease = store.lease();
  LayerIngest in =
      store.begin_layer({Digest::of(blob), int64_t(blob.size()), Digest::of(tar)}, lease);
  EXPECT_EQ(in.resume_offset(), 0u);
  TestSource src(blob);
  EXPECT_EQ(in.run(src).diff_id, Digest::of(tar));
  EXPECT_TRUE(store.check().ok());
}

TEST_F(IngestTest, PutBlobVerifies) {
  Store store = open();
  Lease lease = store.lease();
  store.put_blob(Digest::of("{}"), "{}", lease);
  EXPECT_EQ(store.read_blob(Digest::of("{}")), "{}");
  try {
    store.put_blob(Digest::of("{}x"), "{}", lease);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::kDigestMismatch);
  }
  EXPECT_FALSE(store.blob(Digest::of("{}x")));
  EXPECT_THROW(store.put_blob(Digest::of("a"), "a", Lease{}), Error);
  expect_no_leftovers();
}

// Writes schema into a store's meta database, as another version of dabba would have.
void set_schema(const std::string& db_dir, const std::string& schema) {
  auto env = LmdbEnv::open(db_dir);
  WriteTxn txn(*env);
  txn.put(Db::kMeta, "schema", schema);
  txn.commit();
}

TEST_F(IngestTest, NewerSchemaIsRefused) {
  {
    Store store = open();
    set_schema(scratch_ / "store/db", "99");
  }
  try {
    open();
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::kUnsupported);
    EXPECT_NE(std::string(e.what()).find("newer dabba"), std::string::npos) << e.what();
  }
}

TEST_F(IngestTest, SchemaOneIsMigratedToTheCurrent) {
  {
    Store store = open();
    set_schema(scratch_ / "store/db", "1");
  }
  Store store = open();  // a version 1 store: layer_blobs and volumes added, nothing else to do
  auto env = LmdbEnv::open(scratch_ / "store/db");
  ReadTxn txn(*env);
  EXPECT_EQ(txn.get(Db::kMeta, "schema"), std::optional<std::string_view>("3"));
  EXPECT_EQ(txn.count(Db::kLayerBlobs), 0u);
  EXPECT_EQ(txn.count(Db::kVolumes), 0u);
}

}  // namespace
}  // namespace dabba
