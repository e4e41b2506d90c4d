// Layers made here (commit, import): stored exactly as a pulled layer is, with their gzip blob.
#include "store/layer_create.h"

#include <gtest/gtest.h>

#include "common/fs.h"
#include "store/unpack/decompress.h"
#include "tests/support/store_test_util.h"

namespace dabba {
namespace {

using testing::Scratch;
using testing::TarBuilder;

const std::string kTar = TarBuilder()
                             .dir("etc")
                             .file("etc/hostname", "box\n")
                             .file("etc/.wh.passwd", "")
                             .file("big", std::string(300000, 'x'))
                             .build();

TEST(CreateLayer, StoresTheGzipBlobAndTheUnpackedLayer) {
  Scratch s;
  Store store = Store::open(s / "store");
  Lease lease = store.lease();
  NewLayer l = create_layer(store, [](const TarSink& sink) { sink(kTar.data(), kTar.size()); },
                            lease);
  EXPECT_EQ(l.diff_id, Digest::of(kTar));
  EXPECT_FALSE(l.reused);
  auto blob = store.blob(l.blob);
  ASSERT_TRUE(blob.has_value());
  EXPECT_EQ(blob->size, l.blob_size);
  std::string bytes = read_file(store.blob_path(l.blob));
  EXPECT_EQ(detect_compression(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()),
            Compression::kGzip);
  EXPECT_LT(bytes.size(), kTar.size() / 4);  // compressed, not stored
  EXPECT_EQ(store.diff_id_of(l.blob), l.diff_id);
  EXPECT_EQ(read_file(store.layer_dir(l.diff_id) + "/etc/hostname"), "box\n");
  EXPECT_TRUE(S_ISCHR(testing::lstat_or_die(store.layer_dir(l.diff_id) + "/etc/passwd").st_mode));
  EXPECT_TRUE(testing::dir_entries_of(store.temp_dir()).empty());  // the temp blob is gone

  // Again: the layer is reused, and so is its blob, even were the new compression's bytes to
  // differ (ISA-L does not promise the same bytes twice; a CI run once saw them differ).
  NewLayer again =
      create_layer(store, [](const TarSink& sink) { sink(kTar.data(), kTar.size()); }, lease);
  EXPECT_TRUE(again.reused);
  EXPECT_EQ(again.blob, l.blob);
  EXPECT_EQ(again.blob_size, l.blob_size);
  EXPECT_TRUE(store.blob(again.blob).has_value());
  EXPECT_TRUE(testing::dir_entries_of(store.temp_dir()).empty());
}

TEST(CreateLayer, AFileIsIngestedAsItIs) {
  Scratch s;
  Store store = Store::open(s / "store");
  Lease lease = store.lease();
  std::string gz = testing::gzip(kTar);
  write_file_atomic(s / "layer.tar.gz", gz, Sync::kNone);
  NewLayer l = ingest_layer_file(store, s / "layer.tar.gz", lease);
  EXPECT_EQ(l.blob, Digest::of(gz));
  EXPECT_EQ(l.diff_id, Digest::of(kTar));
  EXPECT_EQ(store.blob(l.blob)->size, gz.size());
  EXPECT_EQ(read_file(store.layer_dir(l.diff_id) + "/big").size(), 300000u);

  // The same tar made here (a commit) names that gzip blob (zlib's bytes, as a pull or load
  // brings them) rather than storing a second one of ISA-L's bytes.
  NewLayer made =
      create_layer(store, [](const TarSink& sink) { sink(kTar.data(), kTar.size()); }, lease);
  EXPECT_TRUE(made.reused);
  EXPECT_EQ(made.diff_id, l.diff_id);
  EXPECT_EQ(made.blob, l.blob);
  EXPECT_EQ(made.blob_size, gz.size());
  EXPECT_TRUE(testing::dir_entries_of(store.temp_dir()).empty());
}

TEST(CreateLayer, ATarThatFailsLeavesNothing) {
  Scratch s;
  Store store = Store::open(s / "store");
  Lease lease = store.lease();
  EXPECT_THROW(create_layer(
                   store,
                   [](const TarSink& sink) {
                     sink(kTar.data(), 1000);
                     throw Error(Errc::kFailed, "read error (test)");
                   },
                   lease),
               Error);
  EXPECT_TRUE(testing::dir_entries_of(store.temp_dir()).empty());
}

}  // namespace
}  // namespace dabba
