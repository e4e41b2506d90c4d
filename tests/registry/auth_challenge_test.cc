#include "registry/auth_challenge.h"

#include <gtest/gtest.h>

namespace dabba {
namespace {

TEST(AuthChallenge, DockerHubBearer) {
  auto c = parse_www_authenticate(
      R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull")");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].scheme, "bearer");
  EXPECT_EQ(c[0].param("realm"), "https://auth.docker.io/token");
  EXPECT_EQ(c[0].param("service"), "registry.docker.io");
  EXPECT_EQ(c[0].param("scope"), "repository:library/alpine:pull");
}

TEST(AuthChallenge, Basic) {
  auto c = parse_www_authenticate(R"(Basic realm="Registry Realm")");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].scheme, "basic");
  EXPECT_EQ(c[0].param("realm"), "Registry Realm");
}

TEST(AuthChallenge, ToleratesSpacesCaseAndUnquotedValues) {
  auto c = parse_www_authenticate(
      "  BEARER   Realm = https://a.example/token ,  SERVICE=reg.example ,, "
      "scope=\"x:y:pull,push\"");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].scheme, "bearer");
  EXPECT_EQ(c[0].param("realm"), "https://a.example/token");
  EXPECT_EQ(c[0].param("service"), "reg.example");
  EXPECT_EQ(c[0].param("scope"), "x:y:pull,push");  // the comma inside quotes stays
}

TEST(AuthChallenge, EscapesInQuotedStrings) {
  auto c = parse_www_authenticate(R"(Basic realm="say \"hi\" \\ there")");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].param("realm"), R"(say "hi" \ there)");
}

TEST(AuthChallenge, SeveralChallengesInOneHeader) {
  auto c = parse_www_authenticate(
      R"(Basic realm="basic", Bearer realm="https://t/token",service="s", Negotiate)");
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[0].scheme, "basic");
  EXPECT_EQ(c[0].param("realm"), "basic");
  EXPECT_EQ(c[1].scheme, "bearer");
  EXPECT_EQ(c[1].param("realm"), "https://t/token");
  EXPECT_EQ(c[1].param("service"), "s");
  EXPECT_EQ(c[2].scheme, "negotiate");
  EXPECT_TRUE(c[2].params.empty());
}

TEST(AuthChallenge, UnterminatedQuoteAndJunkDoNotCrash) {
  auto c = parse_www_authenticate(R"(Bearer service="s",realm="https://t/token)");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].param("service"), "s");
  EXPECT_EQ(c[0].param("realm"), "https://t/token");
  EXPECT_TRUE(parse_www_authenticate("").empty());
  EXPECT_TRUE(parse_www_authenticate(" , ,").empty());
  auto junk = parse_www_authenticate("@@@ Bearer realm=x");
  ASSERT_FALSE(junk.empty());
  EXPECT_EQ(junk.back().param("realm"), "x");
  auto token68 = parse_www_authenticate("Negotiate abc==, Basic realm=r");
  ASSERT_EQ(token68.size(), 2u);
  EXPECT_EQ(token68[1].scheme, "basic");
  EXPECT_EQ(token68[1].param("realm"), "r");
}

}  // namespace
}  // namespace dabba
