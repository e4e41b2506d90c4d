// parse_token_response: Docker's token answer, and what a broken or hostile token service sends.
#include <gtest/gtest.h>

#include "common/error.h"
#include "registry/auth.h"

namespace dabba {
namespace {

TEST(TokenResponse, TokenOrAccessTokenAndLifetime) {
  TokenGrant g = parse_token_response(R"({"token":"t1","expires_in":300})");
  EXPECT_EQ(g.token, "t1");
  EXPECT_EQ(g.expires_in, 300);
  g = parse_token_response(R"({"access_token":"t2"})");
  EXPECT_EQ(g.token, "t2");
  EXPECT_EQ(g.expires_in, 60) << "the default and minimum";
  EXPECT_EQ(parse_token_response(R"({"token":"t","expires_in":5})").expires_in, 60);
}

TEST(TokenResponse, AHugeLifetimeIsCappedNotOverflowed) {
  // 1e300 seconds once went through get<long>() (undefined behaviour; found by tests/fuzz).
  EXPECT_EQ(parse_token_response(R"({"token":"t","expires_in":1e300})").expires_in, 86400L * 365);
  EXPECT_EQ(parse_token_response(R"({"token":"t","expires_in":-1e300})").expires_in, 60);
}

TEST(TokenResponse, GarbageIsAnAuthErrorSayingWhat) {
  for (const char* body : {"<html>oops</html>", "", "[1,2]", "{\"expires_in\": 1e999}"}) {
    try {
      parse_token_response(body);
      ADD_FAILURE() << body;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Errc::kAuth) << body;
    }
  }
  try {
    parse_token_response(R"({"token":""})");
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "answered without a token");
  }
}

}  // namespace
}  // namespace dabba
