// Archive paths as `load` reads them.
#include "pull/image_archive.h"

#include <gtest/gtest.h>

namespace dabba {
namespace {

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
