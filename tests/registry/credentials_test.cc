#include "registry/credentials.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "common/error.h"
#include "common/fs.h"

namespace dabba {
namespace {

class CredentialsTest : public testing::Test {
 protected:
  CredentialsTest() : dir_("/tmp", "dabba-credentials-test-") {
    paths_.dabba = dir_.path() + "/config/dabba/auth.json";
    paths_.podman = dir_.path() + "/run/containers/auth.json";
    paths_.docker = dir_.path() + "/home/.docker/config.json";
  }
  void write(const std::string& path, const std::string& text) {
    make_dirs(dirname_of(path));
    write_file_atomic(path, text, Sync::kNone);
  }
  static std::string auth(const std::string& user_pass) { return base64_encode(user_pass); }

  TempDir dir_;
  CredentialStore::Paths paths_;
};

TEST_F(CredentialsTest, NothingAnywhereIsNoCredentials) {
  CredentialStore store(paths_);
  EXPECT_FALSE(store.find("docker.io"));
}

TEST_F(CredentialsTest, ReadsDockerConfigIncludingTheLegacyHubKey) {
  write(paths_.docker, R"({"auths": {"https://index.docker.io/v1/": {"auth": ")" +
                           auth("hubuser:hub:pass") + R"("},
                                    "quay.io": {"auth": ")" +
                           auth("q:p") + R"("}},
                          "credsStore": "desktop"})");
  CredentialStore store(paths_);
  auto hub = store.find("docker.io");
  ASSERT_TRUE(hub);
  EXPECT_EQ(hub->username, "hubuser");
  EXPECT_EQ(hub->password, "hub:pass");  // only the first ':' separates
  EXPECT_EQ(hub->source, paths_.docker);
  EXPECT_TRUE(store.find("registry-1.docker.io"));
  EXPECT_TRUE(store.find("index.docker.io"));
  EXPECT_EQ(store.find("QUAY.io")->username, "q");
  EXPECT_FALSE(store.find("ghcr.io"));
}

TEST_F(CredentialsTest, PrecedenceIsDabbaThenPodmanThenDocker) {
  write(paths_.docker, R"({"auths": {"r.example": {"auth": ")" + auth("docker:1") + R"("}}})");
  write(paths_.podman, R"({"auths": {"r.example": {"auth": ")" + auth("podman:2") + R"("}}})");
  CredentialStore store(paths_);
  EXPECT_EQ(store.find("r.example")->username, "podman");
  store.save("r.example", "dabba", "3");
  EXPECT_EQ(store.find("r.example")->username, "dabba");
  EXPECT_EQ(store.find("r.example")->password, "3");
  EXPECT_EQ(store.other_sources("r.example"),
            (std::vector<std::string>{paths_.podman, paths_.docker}));
  EXPECT_TRUE(store.remove("r.example"));
  EXPECT_FALSE(store.remove("r.example"));
  EXPECT_EQ(store.find("r.example")->username, "podman");
}

TEST_F(CredentialsTest, MostSpecificNamespaceWins) {
  write(paths_.podman, R"({"auths": {
      "quay.io": {"auth": ")" +
                           auth("all:1") + R"("},
      "quay.io/team": {"auth": ")" +
                           auth("team:2") + R"("},
      "quay.io/team/app": {"auth": ")" +
                           auth("app:3") + R"("}}})");
  CredentialStore store(paths_);
  EXPECT_EQ(store.find("quay.io", "team/app")->username, "app");
  EXPECT_EQ(store.find("quay.io", "team/other")->username, "team");
  EXPECT_EQ(store.find("quay.io", "elsewhere/x")->username, "all");
  EXPECT_EQ(store.find("quay.io")->username, "all");
}

TEST_F(CredentialsTest, UsernamePasswordFieldsToo) {
  write(paths_.docker, R"({"auths": {"localhost:5000": {"username": "u", "password": "p"}}})");
  CredentialStore store(paths_);
  auto c = store.find("localhost:5000");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->basic_authorization(), "Basic " + base64_encode("u:p"));
}

TEST_F(CredentialsTest, SavedFileIsPrivate) {
  CredentialStore store(paths_);
  store.save("docker.io", "me", "s3cret");
  struct stat st {};
  ASSERT_EQ(::stat(paths_.dabba.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(dirname_of(paths_.dabba).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  // Saved under the canonical key, readable by podman and docker alike.
  std::string text = read_file(paths_.dabba);
  EXPECT_NE(text.find("\"docker.io\""), std::string::npos);
  EXPECT_EQ(text.find("s3cret"), std::string::npos);  // base64, not plain
  EXPECT_EQ(store.find("index.docker.io")->password, "s3cret");
  EXPECT_THROW(store.save("docker.io", "a:b", "c"), Error);
}

TEST_F(CredentialsTest, BrokenFilesAreNamedButTheirContentIsNeverShown) {
  const std::string secret = "hunter2-very-secret";
  write(paths_.docker, R"({"auths": {"x.example": {"auth": ")" + secret + R"(!!"}}})");
  CredentialStore store(paths_);
  try {
    store.find("x.example");
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    std::string what = e.what();
    EXPECT_NE(what.find(paths_.docker), std::string::npos) << what;
    EXPECT_EQ(what.find("hunter2"), std::string::npos) << what;
  }
  write(paths_.docker, R"({"auths": {"x.example": {"auth": ")" + auth(secret) + "}}");
  try {
    store.find("x.example");
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    std::string what = e.what();
    EXPECT_EQ(e.code(), Errc::kCorrupt);
    EXPECT_NE(what.find("not valid JSON"), std::string::npos) << what;
    EXPECT_EQ(what.find(auth(secret).substr(0, 8)), std::string::npos) << what;
  }
  write(paths_.docker,
        R"({"auths": {"x.example": {"auth": ")" + auth("no-colon-" + secret) + R"("}}})");
  try {
    store.find("x.example");
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos) << e.what();
  }
}

TEST(AuthKey, Normalisation) {
  EXPECT_EQ(normalize_auth_key("https://index.docker.io/v1/"), "docker.io");
  EXPECT_EQ(normalize_auth_key("index.docker.io"), "docker.io");
  EXPECT_EQ(normalize_auth_key("registry-1.docker.io"), "docker.io");
  EXPECT_EQ(normalize_auth_key("http://Localhost:5000"), "localhost:5000");
  EXPECT_EQ(normalize_auth_key("quay.io/team/"), "quay.io/team");
  EXPECT_EQ(normalize_auth_key("https://quay.io/v2/whatever"), "quay.io");
}

TEST(Base64, RoundTrips) {
  for (const std::string& s : std::vector<std::string>{
           "", "a", "ab", "abc", "abcd", "user:p@ss:w0rd", std::string("\0\xff\x10", 3)})
    EXPECT_EQ(base64_decode(base64_encode(s)), s);
  EXPECT_EQ(base64_encode("user:pass"), "dXNlcjpwYXNz");
  EXPECT_EQ(base64_decode("dXNlcjpwYXNz"), "user:pass");
  EXPECT_THROW(base64_decode("dXN*"), Error);
  EXPECT_THROW(base64_decode("dX=N"), Error);
}

}  // namespace
}  // namespace dabba
