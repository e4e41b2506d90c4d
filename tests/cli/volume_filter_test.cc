// volume ls/prune --filter: parsing and matching (dangling needs the store's containers).
#include <gtest/gtest.h>

#include "cli/volumes.h"
#include "common/error.h"
#include "tests/support/store_test_util.h"

namespace dabba::cli {
namespace {

TEST(VolumeFilter, RefusesUnknownAndMalformed) {
  EXPECT_THROW(VolumeFilter({"bogus=1"}), Error);
  EXPECT_THROW(VolumeFilter({"label"}), Error);
  EXPECT_THROW(VolumeFilter({"=x"}), Error);
  EXPECT_THROW(VolumeFilter({"dangling=maybe"}), Error);
  EXPECT_NO_THROW(VolumeFilter({"name=a", "label=k=v", "driver=local", "dangling=true"}));
}

TEST(VolumeFilter, Matches) {
  dabba::testing::Scratch scratch;
  Store store = Store::open(scratch / "store");
  VolumeRecord v;
  v.name = "data1";
  v.labels = {{"k", "v"}, {"flag", ""}};
  v.options = {{"o", "1"}};
  EXPECT_TRUE(VolumeFilter({}).match(store, v));
  EXPECT_TRUE(VolumeFilter({"name=data"}).match(store, v));
  EXPECT_FALSE(VolumeFilter({"name=other"}).match(store, v));
  EXPECT_TRUE(VolumeFilter({"name=other", "name=data"}).match(store, v)) << "one key: any value";
  EXPECT_FALSE(VolumeFilter({"name=data", "label=k=x"}).match(store, v)) << "keys: all";
  EXPECT_TRUE(VolumeFilter({"label=k"}).match(store, v));
  EXPECT_TRUE(VolumeFilter({"label=k=v"}).match(store, v));
  EXPECT_TRUE(VolumeFilter({"label!=k=x"}).match(store, v));
  EXPECT_TRUE(VolumeFilter({"opt=o=1"}).match(store, v));
  EXPECT_TRUE(VolumeFilter({"driver=local"}).match(store, v));
  EXPECT_TRUE(VolumeFilter({"dangling=true"}).match(store, v)) << "no container uses it";
  EXPECT_FALSE(VolumeFilter({"dangling=false"}).match(store, v));
}

}  // namespace
}  // namespace dabba::cli
