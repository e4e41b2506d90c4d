#include "cli/ps_filters.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace dabba::cli {
namespace {

std::vector<PsRow> rows() {
  PsRow runner{.id = "aaa111", .name = "runner", .image = "localhost/bb:1",
               .image_id = "sha256:beef00", .labels = {{"tier", "web"}}, .state = "running",
               .created = 100, .command = "top", .status = "Up 3 seconds"};
  PsRow stopped{.id = "bbb222", .name = "stopped", .image = "docker.io/library/alpine:3.20",
                .image_id = "sha256:cafe00", .state = "exited", .exit_code = 0, .created = 200,
                .command = "true", .status = "Exited (0)"};
  PsRow failed{.id = "ccc333", .name = "failed", .image = "localhost/bb:1",
               .image_id = "sha256:beef00", .labels = {{"tier", "db"}}, .state = "exited",
               .exit_code = 1, .created = 300, .command = "false", .status = "Exited (1)"};
  PsRow created{.id = "ddd444", .name = "created", .image = "localhost/bb:1",
                .image_id = "sha256:beef00", .state = "created", .created = 400,
                .command = "echo hi", .status = "Created"};
  return {runner, stopped, failed, created};
}

std::string names(const PsFilters& f) {
  std::string out;
  const auto all = rows();
  for (const auto& r : all)
    if (f.matches(r, all)) out += (out.empty() ? "" : " ") + r.name;
  return out;
}

TEST(PsFilters, EachKeyAsPodmanReadsIt) {
  EXPECT_EQ(names(PsFilters({"id=bbb"})), "stopped");
  EXPECT_EQ(names(PsFilters({"name=^run"})), "runner");
  EXPECT_EQ(names(PsFilters({"name=e"})), "runner stopped failed created");
  EXPECT_EQ(names(PsFilters({"label=tier"})), "runner failed");
  EXPECT_EQ(names(PsFilters({"label=tier=db"})), "failed");
  EXPECT_EQ(names(PsFilters({"label!=tier"})), "stopped created");
  EXPECT_EQ(names(PsFilters({"status=exited"})), "stopped failed");
  EXPECT_EQ(names(PsFilters({"status=stopped"})), "stopped failed");
  EXPECT_EQ(names(PsFilters({"status=created"})), "created");
  EXPECT_EQ(names(PsFilters({"exited=1"})), "failed");
  EXPECT_EQ(names(PsFilters({"ancestor=alpine"})), "stopped");
  EXPECT_EQ(names(PsFilters({"ancestor=bb:1"})), "runner failed created");
  EXPECT_EQ(names(PsFilters({"ancestor=cafe"})), "stopped");
  EXPECT_EQ(names(PsFilters({"before=failed"})), "runner stopped");
  EXPECT_EQ(names(PsFilters({"since=stopped"})), "failed created");
  EXPECT_EQ(names(PsFilters({"since=nosuch"})), "");
}

TEST(PsFilters, SameKeyIsEitherOtherKeysAreAll) {
  EXPECT_EQ(names(PsFilters({"status=exited", "status=running"})), "runner stopped failed");
  EXPECT_EQ(names(PsFilters({"status=exited", "exited=0"})), "stopped");
  EXPECT_TRUE(PsFilters({"status=exited"}).has_status());
  EXPECT_FALSE(PsFilters({"name=x"}).has_status());
}

TEST(PsFilters, BadFiltersAreRefused) {
  EXPECT_THROW(PsFilters({"bogus=1"}), Error);
  EXPECT_THROW(PsFilters({"noequals"}), Error);
  EXPECT_THROW(PsFilters({"status=sleeping"}), Error);
  EXPECT_THROW(PsFilters({"exited=x"}), Error);
  EXPECT_THROW(PsFilters({"name=("}), Error);
}

TEST(PsFilters, SortKeys) {
  auto r = rows();
  sort_ps_rows(r, "names");
  EXPECT_EQ(r[0].name, "created");
  EXPECT_EQ(r[3].name, "stopped");
  sort_ps_rows(r, "created");
  EXPECT_EQ(r[0].name, "runner");
  sort_ps_rows(r, "runningfor");
  EXPECT_EQ(r[0].name, "created");
  sort_ps_rows(r, "command");
  EXPECT_EQ(r[0].name, "created");  // "echo hi"
  EXPECT_THROW(sort_ps_rows(r, "bogus"), Error);
}

}  // namespace
}  // namespace dabba::cli
