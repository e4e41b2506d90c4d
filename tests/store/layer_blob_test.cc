// Layer blobs for a push: the stored one found, other compressions made once and kept while the
// layer is, and a layer without any blob written again from its directory, byte for byte the tar
// it was made from (what commit and push rely on).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <fstream>

#include "common/fs.h"
#include "store/unpack/compress.h"
#include "store/unpack/decompress.h"
#include "store/unpack/layer_tar.h"
#include "tests/store/image_fixture.h"

namespace dabba {
namespace {

using namespace dabba::testing;

std::string decompress_all(const std::string& data) {
  uint8_t head[4] = {};
  std::memcpy(head, data.data(), std::min<size_t>(4, data.size()));
  auto d = make_decompressor(detect_compression(head, std::min<size_t>(4, data.size())));
  std::string out;
  std::vector<uint8_t> buf(1 << 16);
  size_t off = 0;
  for (;;) {
    auto s = d->run(reinterpret_cast<const uint8_t*>(data.data()) + off, data.size() - off,
                    buf.data(), buf.size());
    off += s.consumed;
    out.append(reinterpret_cast<char*>(buf.data()), s.produced);
    if (off == data.size() && s.produced == 0) break;
  }
  EXPECT_TRUE(d->finished());
  return out;
}

std::string tar_of(const std::string& dir) {
  std::string out;
  write_tree_tar({dir}, TreeTarMode::kLayer,
                 [&](const void* d, size_t n) { out.append(static_cast<const char*>(d), n); });
  return out;
}

class LayerBlobTest : public ::testing::Test {
 protected:
  Scratch scratch_;
  Store store_ = Store::open(scratch_ / "store");
};

TEST_F(LayerBlobTest, StoredBlobFirstOtherCompressionsMadeOnceAndKeptWithTheLayer) {
  const std::string tar = layer_tar("a", 20);
  ImageRecord img = make_image(store_, {tar}, "a", {"r/a:1"});
  const Digest diff = img.layers[0].diff_id;
  {
    Lease lease = store_.lease();
    auto gz = store_.find_layer_blob(diff, Compression::kGzip, lease);
    ASSERT_TRUE(gz);
    EXPECT_EQ(gz->digest, img.layers[0].blob);
    EXPECT_FALSE(store_.find_layer_blob(diff, Compression::kZstd, lease));

    uint64_t seen = 0;
    LayerBlob zst = store_.layer_blob(diff, Compression::kZstd, lease, {},
                                      [&](uint64_t n) { seen = n; });
    EXPECT_TRUE(zst.made);
    EXPECT_EQ(seen, tar.size());
    EXPECT_EQ(zst.compression, Compression::kZstd);
    std::string bytes = read_file(store_.blob_path(zst.digest));
    EXPECT_EQ(Digest::of(bytes), zst.digest);
    EXPECT_EQ(decompress_all(bytes), tar);
    EXPECT_EQ(store_.diff_id_of(zst.digest), diff);

    LayerBlob again = store_.layer_blob(diff, Compression::kZstd, lease);
    EXPECT_FALSE(again.made) << "the second push finds the first one's blob";
    EXPECT_EQ(again.digest, zst.digest);
    // Uncompressed, then gzip again from it: the same bytes as the stored gzip's content.
    LayerBlob plain = store_.layer_blob(diff, Compression::kNone, lease);
    EXPECT_EQ(plain.digest, diff);
  }
  EXPECT_TRUE(store_.check().ok());
  GcReport kept = store_.gc();
  EXPECT_EQ(kept.blobs, 0u) << "a layer's blobs stay while the layer does: " << kept.summary();
  store_.remove_name("r/a:1", false);
  GcReport r = store_.gc();
  EXPECT_EQ(r.layers, 1u);
  EXPECT_EQ(r.blobs, 5u) << r.summary();  // manifest, config, gzip, zstd, plain
  EXPECT_TRUE(dir_entries(scratch_ / "store/blobs/sha256").empty());
}

TEST_F(LayerBlobTest, TwoDifferentInputsNeverShareALock) {
  ImageRecord a = make_image(store_, {layer_tar("a")}, "a", {"r/a:1"});
  ImageRecord b = make_image(store_, {layer_tar("b")}, "b", {"r/b:1"});
  Lease lease = store_.lease();
  LayerBlob za = store_.layer_blob(a.layers[0].diff_id, Compression::kZstd, lease);
  LayerBlob zb = store_.layer_blob(b.layers[0].diff_id, Compression::kZstd, lease);
  EXPECT_NE(za.digest, zb.digest);
  EXPECT_THROW(store_.layer_blob(Digest::of("no such layer"), Compression::kGzip, lease), Error);
}

// A directory as commit finds it (a container's upper dir in OverlayFS format): its tar,
// unpacked by the store and written again, gives the same bytes; with no blob left, the store
// makes the layer's blob from its directory.
TEST_F(LayerBlobTest, DirectoryRoundTripAndBlobFromTheDirectory) {
  const std::string dir = scratch_ / "upper";
  make_dirs(dir + "/etc/sub", 0755);
  make_dirs(dir + "/opaque/inner", 0750);
  write_file_atomic(dir + "/etc/hosts", "127.0.0.1 localhost\n", Sync::kNone, 0644);
  write_file_atomic(dir + "/etc/sub/secret", "s\n", Sync::kNone, 0600);
  write_file_atomic(dir + "/opaque/inner/new", "new\n", Sync::kNone, 0644);
  write_file_atomic(dir + "/big", std::string(300000, 'x'), Sync::kNone, 0755);
  ASSERT_EQ(::chmod((dir + "/big").c_str(), 04755), 0);
  ASSERT_EQ(::link((dir + "/etc/hosts").c_str(), (dir + "/hosts-link").c_str()), 0);
  ASSERT_EQ(::symlink("etc/hosts", (dir + "/hosts-sym").c_str()), 0);
  ASSERT_EQ(::mkfifo((dir + "/fifo").c_str(), 0640), 0);
  ASSERT_EQ(::lchown((dir + "/etc/sub/secret").c_str(), 1234, 5678), 0);
  ASSERT_EQ(::setxattr((dir + "/etc/hosts").c_str(), "user.dabba.test", "v", 1, 0), 0);
  ASSERT_EQ(::setxattr((dir + "/opaque").c_str(), "user.overlay.opaque", "y", 1, 0), 0);
  ASSERT_EQ(::mknod((dir + "/etc/removed").c_str(), S_IFCHR | 0, makedev(0, 0)), 0)
      << "whiteouts need mknod of 0:0 (root, or Linux >= 5.8 in a user namespace)";
  struct timespec ts[2] = {{1700000000, 123456789}, {1700000000, 123456789}};
  ASSERT_EQ(::utimensat(AT_FDCWD, (dir + "/etc/hosts").c_str(), ts, 0), 0);

  const std::string tar = tar_of(dir);
  EXPECT_EQ(tar_of(dir), tar) << "the same directory gives the same tar";
  for (const char* name : {"etc/.wh.removed", "opaque/.wh..wh..opq", "SCHILY.xattr.user.dabba.test"})
    EXPECT_NE(tar.find(name), std::string::npos) << name;
  EXPECT_EQ(tar.find("user.overlay.opaque"), std::string::npos);

  // Ingested as an uncompressed layer, unpacked into the store, written again: the same bytes.
  const Digest diff = Digest::of(tar);
  {
    Lease lease = store_.lease();
    LayerIngest in = store_.begin_layer({diff, int64_t(tar.size()), diff}, lease);
    TestSource src(tar);
    in.run(src);
    EXPECT_EQ(tar_of(store_.layer_dir(diff)), tar);

    // With its only blob gone (damaged, dropped by check --repair), the blob is made from the
    // directory, and its content is the layer's tar.
    {
      std::fstream f(store_.blob_path(diff), std::ios::in | std::ios::out | std::ios::binary);
      f.seekp(600);
      f.put('!');
    }
    CheckOptions repair;
    repair.repair = true;
    store_.check(repair);
    EXPECT_FALSE(store_.blob(diff));
    ASSERT_TRUE(store_.layer(diff));
    // A directory that changed since no longer gives its diff_id: refused, not pushed wrong.
    const std::string etc = store_.layer_dir(diff) + "/etc";
    struct stat etc_st {};
    ASSERT_EQ(::stat(etc.c_str(), &etc_st), 0);
    write_file_atomic(etc + "/hosts-changed", "x", Sync::kNone);
    try {
      store_.layer_blob(diff, Compression::kZstd, lease);
      ADD_FAILURE() << "no error";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Errc::kDigestMismatch) << e.what();
    }
    ::unlink((etc + "/hosts-changed").c_str());
    struct timespec etc_time[2] = {etc_st.st_atim, etc_st.st_mtim};
    ASSERT_EQ(::utimensat(AT_FDCWD, etc.c_str(), etc_time, 0), 0);
    LayerBlob gz = store_.layer_blob(diff, Compression::kGzip, lease);
    EXPECT_TRUE(gz.made);
    EXPECT_EQ(decompress_all(read_file(store_.blob_path(gz.digest))), tar);
  }
}

TEST(Compressors, OutputIsDeterministicAndReadable) {
  std::string data;
  for (int i = 0; i < 200000; ++i) data += static_cast<char>('a' + (i * 7) % 13);
  for (Compression c : {Compression::kGzip, Compression::kZstd, Compression::kNone}) {
    auto run = [&] {
      std::string out;
      auto z = make_compressor(c, [&](const uint8_t* d, size_t n) {
        out.append(reinterpret_cast<const char*>(d), n);
      });
      z->write(reinterpret_cast<const uint8_t*>(data.data()), 100000);
      z->write(reinterpret_cast<const uint8_t*>(data.data()) + 100000, data.size() - 100000);
      z->finish();
      return out;
    };
    std::string a = run();
    EXPECT_EQ(run(), a) << compression_name(c);
    EXPECT_EQ(decompress_all(a), data) << compression_name(c);
    if (c != Compression::kNone) {
      EXPECT_LT(a.size(), data.size() / 4) << compression_name(c);
    }
  }
}

}  // namespace
}  // namespace dabba
