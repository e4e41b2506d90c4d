#include "runner/restart_policy.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <string>

#include "common/error.h"

namespace dabba::runner {
namespace {

TEST(RestartPolicy, PodmansNames) {
  EXPECT_FALSE(parse_restart_policy("").given);
  EXPECT_EQ(restart_policy_name(parse_restart_policy("")), "");
  for (const char* name : {"no", "on-failure", "always", "unless-stopped"}) {
    const RestartPolicy p = parse_restart_policy(name);
    EXPECT_TRUE(p.given);
    EXPECT_EQ(restart_policy_name(p), name);
    EXPECT_EQ(parse_restart_policy(format_restart_policy(p)), p);
  }
  const RestartPolicy p = parse_restart_policy("on-failure:3");
  EXPECT_EQ(p.kind, RestartKind::kOnFailure);
  EXPECT_EQ(p.max_retries, 3u);
  EXPECT_EQ(format_restart_policy(p), "on-failure:3");
  EXPECT_EQ(parse_restart_policy("on-failure:0").max_retries, 0u);  // podman: no limit
}

std::string error_of(const std::string& text) {
  try {
    parse_restart_policy(text);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::kInvalidArgument);
    return e.what();
  }
  return "(accepted)";
}

TEST(RestartPolicy, PodmansErrors) {
  EXPECT_NE(error_of("never").find("\"never\" is not a valid restart policy"), std::string::npos);
  EXPECT_NE(error_of("bogus").find("is not a valid restart policy"), std::string::npos);
  EXPECT_NE(error_of("always:3").find("retries can only be specified with on-failure"),
            std::string::npos);
  EXPECT_NE(error_of("on-failure:x").find("retry count"), std::string::npos);
  EXPECT_NE(error_of("on-failure:").find("retry count"), std::string::npos);
  EXPECT_NE(error_of("on-failure:-1").find("greater than 0"), std::string::npos);
}

TEST(RestartPolicy, WhenTheOwnerStartsItAgain) {
  const RestartPolicy no = parse_restart_policy("no");
  const RestartPolicy none = parse_restart_policy("");
  const RestartPolicy failure = parse_restart_policy("on-failure");
  const RestartPolicy failure2 = parse_restart_policy("on-failure:2");
  const RestartPolicy always = parse_restart_policy("always");
  const RestartPolicy unless = parse_restart_policy("unless-stopped");
  EXPECT_FALSE(restart_wanted(no, 1, 0));
  EXPECT_FALSE(restart_wanted(none, 1, 0));
  EXPECT_FALSE(restart_wanted(failure, 0, 0));
  EXPECT_TRUE(restart_wanted(failure, 1, 1000));
  EXPECT_TRUE(restart_wanted(failure2, 137, 1));
  EXPECT_FALSE(restart_wanted(failure2, 137, 2));
  EXPECT_TRUE(restart_wanted(always, 0, 5000));
  EXPECT_TRUE(restart_wanted(unless, 0, 0));
}

TEST(RestartPolicy, DelayDoublesToOneSecond) {
  EXPECT_EQ(restart_delay(0).count(), 100);
  EXPECT_EQ(restart_delay(1).count(), 200);
  EXPECT_EQ(restart_delay(3).count(), 800);
  EXPECT_EQ(restart_delay(4).count(), 1000);
  EXPECT_EQ(restart_delay(4000000000u).count(), 1000);
}

TEST(RestartPolicy, StopRequestLivesInTheContainersDirectory) {
  char tmpl[] = "/tmp/dabba-restart-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  EXPECT_FALSE(stop_requested(dir));
  request_stop(dir);
  EXPECT_TRUE(stop_requested(dir));
  request_stop(dir);  // twice is once
  clear_stop_request(dir);
  EXPECT_FALSE(stop_requested(dir));
  clear_stop_request(dir);  // nothing to clear: no error
  request_stop(dir + "/gone");  // a removed container: nothing, no throw
  EXPECT_FALSE(stop_requested(dir + "/gone"));
  ::rmdir(dir.c_str());
}

}  // namespace
}  // namespace dabba::runner
