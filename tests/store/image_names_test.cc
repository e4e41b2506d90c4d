// Image names as the store keeps them, and archive paths as `load` reads them.
#include "store/image_names.h"

#include <gtest/gtest.h>

#include "store/image_archive.h"

namespace dabba {
namespace {

TEST(ImageNames, FromReferences) {
  ImageRef ref = ImageRef::parse("alpine");
  EXPECT_EQ(tag_name(ref), "docker.io/library/alpine:latest");
  Digest d = Digest::of("x");
  EXPECT_EQ(digest_name(ref, d), "docker.io/library/alpine@" + d.str());
  EXPECT_EQ(tag_name(ImageRef::parse("localhost:5000/a/b@" + d.str())), "");
  EXPECT_EQ(tag_name(ImageRef::parse("localhost:5000/a/b:v1@" + d.str())), "localhost:5000/a/b:v1");
}

TEST(ImageNames, SplitsTagsDigestsAndPorts) {
  NameParts p = split_name("127.0.0.1:5000/rig/busybox:latest");
  EXPECT_EQ(p.repository, "127.0.0.1:5000/rig/busybox");
  EXPECT_EQ(p.tag, "latest");
  EXPECT_EQ(p.digest, "");
  p = split_name("127.0.0.1:5000/rig/busybox@sha256:abc");
  EXPECT_EQ(p.repository, "127.0.0.1:5000/rig/busybox");
  EXPECT_EQ(p.tag, "");
  EXPECT_EQ(p.digest, "sha256:abc");
  p = split_name("localhost:5000/x");  // the port is not a tag
  EXPECT_EQ(p.repository, "localhost:5000/x");
  EXPECT_EQ(p.tag, "");
}

TEST(ImageNames, DanglingNamesHaveNoRepository) {
  Digest d = Digest::of("manifest");
  std::string n = dangling_name(d);
  EXPECT_TRUE(is_dangling_name(n));
  EXPECT_FALSE(is_dangling_name("docker.io/library/alpine:latest"));
  NameParts p = split_name(n);
  EXPECT_EQ(p.repository, "");
  EXPECT_EQ(p.digest, d.str());
}

TEST(ArchivePaths, CleanedLikeTarNames) {
  EXPECT_EQ(clean_archive_path("./index.json"), "index.json");
  EXPECT_EQ(clean_archive_path("/blobs//sha256/ab"), "blobs/sha256/ab");
  EXPECT_EQ(clean_archive_path("abc/../def.tar"), "def.tar");
  EXPECT_EQ(clean_archive_path("abc/./layer.tar"), "abc/layer.tar");
  EXPECT_EQ(clean_archive_path("../etc/passwd"), "");
  EXPECT_EQ(clean_archive_path("a/../../b"), "");
}

}  // namespace
}  // namespace dabba
