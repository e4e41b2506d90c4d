#include "runner/user.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/error.h"

namespace dabba::runner {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr const char* kPasswd =
    "root:x:0:0:root:/root:/bin/sh\n"
    "# comment\n"
    "broken line\n"
    "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
    "user:x:1000:1000:A User:/home/user:/bin/sh\n"
    "nohome:x:1001:1001::\n"
    "dup:x:1000:5:second entry for uid 1000:/dup:/bin/sh\n"
    "1234:x:77:77:numeric name:/n:/bin/sh\n";
constexpr const char* kGroup =
    "root:x:0:\n"
    "tty:x:5:\n"
    "wheel:x:10:user,root\n"
    "audio:x:29:user\n"
    "staff:x:50:\n"
    "user:x:1000:\n";

TEST(ResolveUser, EmptyIsRootWithRootsGroups) {
  ResolvedUser u = resolve_user("", kPasswd, kGroup);
  EXPECT_EQ(u.uid, 0u);
  EXPECT_EQ(u.gid, 0u);
  EXPECT_EQ(u.home, "/root");
  EXPECT_EQ(u.name, "root");
  EXPECT_THAT(u.groups, ElementsAre(0u, 10u));
}

TEST(ResolveUser, ByName) {
  ResolvedUser u = resolve_user("user", kPasswd, kGroup);
  EXPECT_EQ(u.uid, 1000u);
  EXPECT_EQ(u.gid, 1000u);
  EXPECT_EQ(u.home, "/home/user");
  EXPECT_THAT(u.groups, ElementsAre(1000u, 10u, 29u));
}

TEST(ResolveUser, ByUidTakesTheFirstEntry) {
  ResolvedUser u = resolve_user("1000", kPasswd, kGroup);
  EXPECT_EQ(u.name, "user");
  EXPECT_EQ(u.gid, 1000u);
  EXPECT_THAT(u.groups, ElementsAre(1000u, 10u, 29u));
}

TEST(ResolveUser, NumericSpecMatchesUidsNotNames) {
  // "1234" is a uid, not the user named "1234" (runc reads it the same way).
  ResolvedUser u = resolve_user("1234", kPasswd, kGroup);
  EXPECT_EQ(u.uid, 1234u);
  EXPECT_EQ(u.gid, 0u);
  EXPECT_EQ(u.home, "/");
}

TEST(ResolveUser, UnknownUidIsFineWithGidZeroAndHomeRoot) {
  ResolvedUser u = resolve_user("4242", kPasswd, kGroup);
  EXPECT_EQ(u.uid, 4242u);
  EXPECT_EQ(u.gid, 0u);
  EXPECT_EQ(u.home, "/");
  EXPECT_THAT(u.groups, ElementsAre(0u));
}

TEST(ResolveUser, UnknownNameIsAnError) {
  try {
    resolve_user("nosuch", kPasswd, kGroup);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::kNotFound);
    EXPECT_STREQ(e.what(), "unable to find user nosuch: no matching entries in passwd file");
  }
}

TEST(ResolveUser, ExplicitGroupByNameOrNumberAndNoSupplementaryGroups) {
  ResolvedUser u = resolve_user("user:staff", kPasswd, kGroup);
  EXPECT_EQ(u.uid, 1000u);
  EXPECT_EQ(u.gid, 50u);
  EXPECT_THAT(u.groups, ElementsAre(50u));  // the primary only, no memberships
  u = resolve_user("user:29", kPasswd, kGroup);
  EXPECT_EQ(u.gid, 29u);
  u = resolve_user("1000:777", kPasswd, kGroup);  // a number need not exist
  EXPECT_EQ(u.gid, 777u);
  EXPECT_THROW(resolve_user("user:nogroup", kPasswd, kGroup), Error);
}

TEST(ResolveUser, EmptyHomeFieldMeansRoot) {
  EXPECT_EQ(resolve_user("nohome", kPasswd, kGroup).home, "/");
}

TEST(ResolveUser, NoFilesAtAll) {
  ResolvedUser root = resolve_user("", "", "");
  EXPECT_EQ(root.uid, 0u);
  EXPECT_EQ(root.home, "/");
  ResolvedUser n = resolve_user("5:6", "", "");
  EXPECT_EQ(n.uid, 5u);
  EXPECT_EQ(n.gid, 6u);
  EXPECT_THROW(resolve_user("postgres", "", ""), Error);
}

TEST(ResolveUser, MalformedSpecs) {
  EXPECT_THROW(resolve_user("a:b:c", kPasswd, kGroup), Error);
  EXPECT_THROW(resolve_user("user:", kPasswd, kGroup), Error);
}

TEST(GroupAdd, NamesAndNumbersAppendedOnce) {
  ResolvedUser u = resolve_user("", kPasswd, kGroup);
  add_groups(u, {"staff", "4242", "wheel", "0", "29"}, kGroup);
  EXPECT_THAT(u.groups, ElementsAre(0u, 10u, 50u, 4242u, 29u));
  try {
    add_groups(u, {"nosuch"}, kGroup);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "looking up supplemental groups: unable to find group nosuch: no matching entries "
              "in group file");
  }
}

TEST(GroupAdd, KeepGroupsOnlyAlone) {
  check_group_add({"keep-groups"});
  check_group_add({"wheel", "10"});
  EXPECT_THROW(check_group_add({"keep-groups", "10"}), Error);
  EXPECT_THROW(check_group_add({""}), Error);
}

TEST(MissingEntries, AddsOnlyWhatNoLineHasByNameOrId) {
  const std::string passwd =
      "root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\n";
  EXPECT_EQ(missing_entries(passwd, {"alice:*:1001:1001::/:/bin/sh"}),
            "alice:*:1001:1001::/:/bin/sh\n");
  EXPECT_EQ(missing_entries(passwd, {"1000:*:1000:1000:container user:/:/bin/sh"}), "");
  EXPECT_EQ(missing_entries(passwd, {"user:*:1234:1234::/:/bin/sh"}), "");
  // A file without its last newline gets one first; an empty file none.
  EXPECT_EQ(missing_entries("root:x:0:", {"alice:x:1001:alice"}), "\nalice:x:1001:alice\n");
  EXPECT_EQ(missing_entries("", {"alice:x:1001:alice"}), "alice:x:1001:alice\n");
  // The same user twice (keep-id and --hostuser): the first line only.
  EXPECT_EQ(
      missing_entries(passwd, {"alice:*:1001:1001::/:/bin/sh", "alice:*:1001:1001:A:/:/bin/sh"}),
      "alice:*:1001:1001::/:/bin/sh\n");
}

}  // namespace
}  // namespace dabba::runner
