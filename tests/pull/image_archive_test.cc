// Archive paths as `load` reads them.
#include "pull/image_archive.h"

#include <gtest/gtest.h>

#include <utility>

namespace dabba {
namespace {

TEST(ArchivePaths, CleanedLikeTarNames) {
  const std::pair<const char*, const char*> cases[] = {
      {"./index.json", "index.json"}, {"/blobs//sha256/ab", "blobs/sha256/ab"},
      {"abc/../def.tar", "def.tar"},  {"abc/./layer.tar", "abc/layer.tar"},
      {"../etc/passwd", ""},          {"a/../../b", ""},  // out of the archive: refused
  };
  for (const auto& [path, cleaned] : cases) EXPECT_EQ(clean_archive_path(path), cleaned) << path;
}

}  // namespace
}  // namespace dabba
