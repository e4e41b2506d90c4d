#include "common/idmap.h"

#include <gtest/gtest.h>

#include "common/fs.h"

namespace dabba {
namespace {

TEST(IdMap, ReadsEveryRangeOfTheUserByNameOrId) {
  TempDir dir("/tmp", "idmap-test-");
  std::string file = dir.path() + "/subuid";
  write_file_atomic(file,
                    "alice:100000:65536\n# comment\nbob:200000:1000\n1001:300000:10\n"
                    "alice:400000:5\nbroken line\ncarol:x:y\n",
                    Sync::kNone);
  auto alice = read_subid_ranges(file, "alice", 1000);
  ASSERT_EQ(alice.size(), 2u);
  EXPECT_EQ(alice[0].start, 100000u);
  EXPECT_EQ(alice[1].count, 5u);
  auto by_id = read_subid_ranges(file, "dave", 1001);
  ASSERT_EQ(by_id.size(), 1u);
  EXPECT_EQ(by_id[0].start, 300000u);
  EXPECT_TRUE(read_subid_ranges(file, "nobody-here", 4242).empty());
  EXPECT_TRUE(read_subid_ranges(dir.path() + "/missing", "alice", 1000).empty());
}

// default_id_map of WHO with files /etc/subuid and /etc/subgid as SUBUID and SUBGID.
IdMap id_map_with(const HostIdentity& who, const std::string& subuid, const std::string& subgid) {
  TempDir dir("/tmp", "idmap-test-");
  write_file_atomic(dir.path() + "/subuid", subuid, Sync::kNone);
  write_file_atomic(dir.path() + "/subgid", subgid, Sync::kNone);
  return default_id_map(who, dir.path() + "/subuid", dir.path() + "/subgid");
}

TEST(IdMap, PutsTheCallerOnZeroAndRangesAfter) {
  IdMap map = id_map_with(HostIdentity{1000, 1000, "alice"}, "alice:100000:65536\nalice:400000:5\n",
                          "alice:200000:65536\n");
  ASSERT_EQ(map.uids.size(), 3u);
  EXPECT_EQ(map.uids[0], (IdMapping{0, 1000, 1}));
  EXPECT_EQ(map.uids[1], (IdMapping{1, 100000, 65536}));
  EXPECT_EQ(map.uids[2], (IdMapping{65537, 400000, 5}));
  EXPECT_EQ(map.gids[1], (IdMapping{1, 200000, 65536}));
  EXPECT_FALSE(map.deny_setgroups);
  EXPECT_TRUE(map.maps_uid(65541));
  EXPECT_FALSE(map.maps_uid(65542));
  EXPECT_EQ(IdMap::describe(map.uids), "0-0,1-65536,65537-65541");
  EXPECT_EQ(IdMap::proc_lines(map.gids), "0 1000 1\n1 200000 65536\n");
}

TEST(IdMap, WithoutRangesMapsOneIdAndDeniesSetgroups) {
  IdMap map = id_map_with(HostIdentity{1001, 1002, "bob"}, "someone-else:100000:65536\n", "");
  EXPECT_TRUE(map.deny_setgroups);
  ASSERT_EQ(map.uids.size(), 1u);
  EXPECT_EQ(map.gids[0], (IdMapping{0, 1002, 1}));
}

TEST(IdMap, RootGetsTheIdentityMap) {
  IdMap map = default_id_map(HostIdentity{0, 0, "root"});
  ASSERT_EQ(map.uids.size(), 1u);
  EXPECT_EQ(map.uids[0], (IdMapping{0, 0, 4294967295u}));
}

}  // namespace
}  // namespace dabba
