// --userns, --uidmap and --gidmap: parsing with podman's words, the nested maps podman 4.3 makes
// rootless (checked against `podman run --userns=... cat /proc/self/uid_map` on a host with one
// 65536-id subuid range), and what keep-id adds to the Spec.
#include "cli/userns_options.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "runner/spec.h"
#include "tests/support/error_of.h"

namespace dabba::cli {
namespace {

using Maps = std::vector<IdMapping>;
using testing_support::error_of;

UsernsHost rootless() {
  UsernsHost h;
  h.uid = 1001;
  h.gid = 1001;
  h.user = "alice";
  h.gecos = "Alice A";
  h.group = "alice";
  h.outer.uids = {{0, 1001, 1}, {1, 100000, 65536}};
  h.outer.gids = {{0, 1001, 1}, {1, 100000, 65536}};
  return h;
}

std::string message_of(const std::string& userns, const std::vector<std::string>& uidmap = {},
                       const std::vector<std::string>& gidmap = {}) {
  return error_of([&] { parse_userns(userns, uidmap, gidmap); }).what();
}

TEST(UsernsOptions, HostAndEmptyShareDabbasNamespace) {
  EXPECT_EQ(parse_userns("", {}, {}).mode, UsernsMode::kHost);
  EXPECT_EQ(parse_userns("host", {}, {}).mode, UsernsMode::kHost);
  EXPECT_TRUE(userns_map(parse_userns("host", {}, {}), rootless()).uids.empty());
}

TEST(UsernsOptions, ParsesModesAndOptions) {
  UsernsOptions k = parse_userns("keep-id:uid=1000,gid=1000", {}, {});
  EXPECT_EQ(k.mode, UsernsMode::kKeepId);
  EXPECT_EQ(k.keep_uid, 1000u);
  EXPECT_EQ(k.keep_gid, 1000u);
  EXPECT_EQ(parse_userns("nomap", {}, {}).mode, UsernsMode::kNoMap);
  UsernsOptions a = parse_userns("auto:size=10", {}, {});
  EXPECT_EQ(a.mode, UsernsMode::kAuto);
  EXPECT_EQ(a.auto_size, 10u);
  EXPECT_EQ(parse_userns("auto", {}, {}).auto_size, 1024u);
}

TEST(UsernsOptions, BadValuesUsePodmansWords) {
  EXPECT_EQ(message_of("bogus"), "unrecognized namespace mode bogus passed");
  EXPECT_EQ(message_of("keep-id:foo=1"), "unknown option specified: \"foo\"");
  EXPECT_EQ(message_of("keep-id:uid=abc"), "strconv.ParseUint: parsing \"abc\": invalid syntax");
  EXPECT_EQ(message_of("auto:size=abc"), "strconv.ParseUint: parsing \"abc\": invalid syntax");
  EXPECT_EQ(message_of("keep-id", {"0:1:10"}),
            "--userns and --uidmap/--gidmap/--subuidname/--subgidname are mutually exclusive");
  EXPECT_EQ(message_of("", {"0:1"}),
            "initializing ID mappings: UID setting is malformed expected "
            "[\"uint32:uint32:uint32\"]: [\"0:1\"]");
  EXPECT_EQ(message_of("", {}, {"a:1:1"}),
            "initializing ID mappings: GID setting is malformed expected "
            "[\"uint32:uint32:uint32\"]: [\"a:1:1\"]");
  EXPECT_EQ(message_of("", {"1:1:10"}), "container uses ID mappings, but doesn't map UID 0");
  EXPECT_EQ(error_of([] { parse_userns("ns:/proc/1/ns/user", {}, {}); }).code(),
            Errc::kUnsupported);
}

TEST(UsernsOptions, KeepIdMapIsPodmans) {
  IdMap m = userns_map(parse_userns("keep-id", {}, {}), rootless());
  // podman: 0 1 1001 / 1001 0 1 / 1002 1002 64535
  EXPECT_EQ(m.uids, (Maps{{0, 1, 1001}, {1001, 0, 1}, {1002, 1002, 64535}}));
  EXPECT_EQ(m.gids, m.uids);
  EXPECT_FALSE(m.deny_setgroups);
  m = userns_map(parse_userns("keep-id:uid=1000,gid=1000", {}, {}), rootless());
  EXPECT_EQ(m.uids, (Maps{{0, 1, 1000}, {1000, 0, 1}, {1001, 1001, 64536}}));
  m = userns_map(parse_userns("keep-id:uid=0", {}, {}), rootless());
  EXPECT_EQ(m.uids, (Maps{{0, 0, 1}, {1, 1, 65536}}));
  EXPECT_EQ(m.gids, (Maps{{0, 1, 1001}, {1001, 0, 1}, {1002, 1002, 64535}}));
}

TEST(UsernsOptions, KeepIdWithoutSubordinateIdsMapsOnlyTheCaller) {
  UsernsHost h = rootless();
  h.outer.uids = {{0, 1001, 1}};
  h.outer.gids = {{0, 1001, 1}};
  IdMap m = userns_map(parse_userns("keep-id", {}, {}), h);
  EXPECT_EQ(m.uids, (Maps{{1001, 0, 1}}));
  EXPECT_THROW(userns_map(parse_userns("nomap", {}, {}), h), Error);
}

TEST(UsernsOptions, NoMapAndAutoLeaveTheCallerOut) {
  IdMap m = userns_map(parse_userns("nomap", {}, {}), rootless());
  EXPECT_EQ(m.uids, (Maps{{0, 1, 65536}}));
  m = userns_map(parse_userns("auto", {}, {}), rootless());
  EXPECT_EQ(m.uids, (Maps{{0, 1, 1024}}));
  EXPECT_EQ(m.gids, (Maps{{0, 1, 1024}}));
  m = userns_map(parse_userns("auto:size=10", {}, {}), rootless());
  EXPECT_EQ(m.uids, (Maps{{0, 1, 10}}));
  EXPECT_STREQ(
      error_of([] { userns_map(parse_userns("auto:size=100000", {}, {}), rootless()); }).what(),
      "could not find enough available IDs");
}

TEST(UsernsOptions, UidmapAloneServesForGidsAndTheOtherWayRound) {
  UsernsOptions o = parse_userns("", {"0:1:10"}, {});
  EXPECT_EQ(o.mode, UsernsMode::kMapped);
  EXPECT_EQ(o.gidmap, (Maps{{0, 1, 10}}));
  o = parse_userns("", {}, {"0:5:10"});
  EXPECT_EQ(o.uidmap, (Maps{{0, 5, 10}}));
  o = parse_userns("", {"0:1:10", "10:0:1"}, {"0:5:10"});
  IdMap m = userns_map(o, rootless());
  EXPECT_EQ(m.uids, (Maps{{0, 1, 10}, {10, 0, 1}}));
  EXPECT_EQ(m.gids, (Maps{{0, 5, 10}}));
  EXPECT_THROW(userns_map(parse_userns("", {"0:1:100000"}, {}), rootless()), Error);
}

TEST(UsernsOptions, RootRefusesRootlessModesAndTakesMapsAsHostIds) {
  UsernsHost root;
  root.root = true;
  auto message = [&](const std::string& userns) {
    return std::string(error_of([&] { userns_map(parse_userns(userns, {}, {}), root); }).what());
  };
  EXPECT_EQ(message("keep-id"), "keep-id is only supported in rootless mode");
  EXPECT_EQ(message("nomap"), "nomap is only supported in rootless mode");
  EXPECT_THROW(userns_map(parse_userns("auto", {}, {}), root), Error);
  IdMap m = userns_map(parse_userns("", {"0:100000:65536"}, {}), root);
  EXPECT_EQ(m.uids, (Maps{{0, 100000, 65536}}));
}

TEST(UsernsOptions, KeepIdRunsAsTheCallerWithPasswdEntries) {
  runner::Spec spec;
  spec.cwd = "/work";
  spec.user = "app";
  apply_userns(parse_userns("keep-id", {}, {}), rootless(), false, spec);
  EXPECT_EQ(spec.user, "1001:1001");
  EXPECT_EQ(spec.passwd_entries,
            std::vector<std::string>{"alice:*:1001:1001:Alice A:/work:/bin/sh"});
  EXPECT_EQ(spec.group_entries, std::vector<std::string>{"alice:x:1001:alice"});
  EXPECT_EQ(spec.id_map.uids.size(), 3u);

  runner::Spec other;
  other.cwd = "/";
  other.user = "0";
  apply_userns(parse_userns("keep-id:uid=1000,gid=1000", {}, {}), rootless(), true, other);
  EXPECT_EQ(other.user, "0");  // -u wins
  EXPECT_EQ(other.passwd_entries,
            std::vector<std::string>{"1000:*:1000:1000:container user:/:/bin/sh"});
  EXPECT_EQ(other.group_entries, std::vector<std::string>{"1000:x:1000:1000"});
}

TEST(UsernsOptions, InspectNamesAndTexts) {
  EXPECT_EQ(userns_mode_name(parse_userns("", {}, {})), "");
  EXPECT_EQ(userns_mode_name(parse_userns("keep-id", {}, {})), "private");
  EXPECT_EQ(userns_mode_name(parse_userns("nomap", {}, {})), "private");
  EXPECT_EQ(userns_mode_name(parse_userns("auto", {}, {})), "private");  // podman 4.3 too
  EXPECT_EQ(id_mapping_texts({{0, 1, 1001}, {1001, 0, 1}}),
            (std::vector<std::string>{"0:1:1001", "1001:0:1"}));
}

}  // namespace
}  // namespace dabba::cli
