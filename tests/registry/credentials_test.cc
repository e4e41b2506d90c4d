#include "registry/credentials.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <utility>

#include "common/error.h"
#include "common/fs.h"

namespace dabba {
namespace {

class CredentialsTest : public testing::Test {
 protected:
  CredentialsTest() : dir_("/tmp", "dabba-credentials-test-") {
    paths_.primary = dir_.path() + "/run/containers/auth.json";
    paths_.read_only = {config_, docker_};
    paths_.dockercfg = dir_.path() + "/home/.dockercfg";
  }
  void write(const std::string& path, const std::string& text) {
    make_dirs(dirname_of(path));
    write_file_atomic(path, text, Sync::kNone);
  }
  static std::string auth(const std::string& user_pass) { return base64_encode(user_pass); }

  TempDir dir_;
  const std::string config_ = dir_.path() + "/config/containers/auth.json";
  const std::string docker_ = dir_.path() + "/home/.docker/config.json";
  CredentialStore::Paths paths_;
};

TEST_F(CredentialsTest, NothingAnywhereIsNoCredentials) {
  CredentialStore store(paths_);
  EXPECT_FALSE(store.find("docker.io"));
}

TEST_F(CredentialsTest, ReadsDockerConfigIncludingTheLegacyHubKey) {
  write(docker_, R"({"auths": {"https://index.docker.io/v1/": {"auth": ")" +
                           auth("hubuser:hub:pass") + R"("},
                                    "quay.io": {"auth": ")" +
                           auth("q:p") + R"("}},
                          "credsStore": "desktop"})");
  CredentialStore store(paths_);
  auto hub = store.find("docker.io");
  ASSERT_TRUE(hub);
  EXPECT_EQ(hub->username, "hubuser");
  EXPECT_EQ(hub->password, "hub:pass");  // only the first ':' separates
  EXPECT_EQ(hub->source, docker_);
  EXPECT_TRUE(store.find("registry-1.docker.io"));
  EXPECT_TRUE(store.find("index.docker.io"));
  EXPECT_EQ(store.find("QUAY.io")->username, "q");
  EXPECT_FALSE(store.find("ghcr.io"));
}

TEST_F(CredentialsTest, PrecedenceIsPrimaryThenConfigThenDocker) {
  write(docker_, R"({"auths": {"r.example": {"auth": ")" + auth("docker:1") + R"("}}})");
  CredentialStore store(paths_);
  EXPECT_EQ(store.find("r.example")->username, "docker");
  write(config_, R"({"auths": {"r.example": {"auth": ")" + auth("config:2") + R"("}}})");
  EXPECT_EQ(store.find("r.example")->username, "config");
  store.save("r.example", "login", "3");
  EXPECT_EQ(store.find("r.example")->username, "login");
  EXPECT_EQ(store.find("r.example")->password, "3");
  EXPECT_EQ(store.find_primary("r.example")->username, "login");
  EXPECT_EQ(store.other_sources("r.example"), (std::vector<std::string>{config_, docker_}));
  EXPECT_TRUE(store.remove("r.example"));
  EXPECT_FALSE(store.remove("r.example"));
  EXPECT_FALSE(store.find_primary("r.example"));
  EXPECT_EQ(store.find("r.example")->username, "config");
}

TEST_F(CredentialsTest, LegacyDockercfgAndRemoveAll) {
  write(paths_.dockercfg, R"({"old.example": {"auth": ")" + auth("old:1") + R"("}})");
  CredentialStore store(paths_);
  EXPECT_EQ(store.find("old.example")->username, "old");
  store.save("a.example", "a", "1");
  store.save("b.example/ns", "b", "2");
  EXPECT_EQ(store.find("b.example", "ns/x")->username, "b");
  EXPECT_FALSE(store.find("b.example", "other/x"));
  store.remove_all();
  EXPECT_FALSE(store.find_primary("a.example"));
  EXPECT_FALSE(store.find("b.example", "ns/x"));
}

TEST_F(CredentialsTest, CredentialHelpers) {
  // A docker-credential-* helper keeping its secrets in a file, as the protocol wants them.
  const std::string bin = dir_.path() + "/bin";
  const std::string db = dir_.path() + "/helper.db";
  write(bin + "/docker-credential-testhelper", R"SH(#!/bin/sh
db=)SH" + db + R"SH(
case "$1" in
  get) read -r server; line=$(grep "^$server " "$db" 2>/dev/null | tail -n 1)
       [ -n "$line" ] || { echo "credentials not found in native keychain"; exit 1; }
       set -- $line; printf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}
' "$1" "$2" "$3" ;;
  store) req=$(cat); server=$(echo "$req" | sed 's/.*"ServerURL":"\([^"]*\)".*/\1/')
         user=$(echo "$req" | sed 's/.*"Username":"\([^"]*\)".*/\1/')
         secret=$(echo "$req" | sed 's/.*"Secret":"\([^"]*\)".*/\1/')
         echo "$server $user $secret" >>"$db" ;;
  erase) read -r server; grep -q "^$server " "$db" 2>/dev/null || { echo "credentials not found in native keychain"; exit 1; }
         grep -v "^$server " "$db" >"$db.new"; mv "$db.new" "$db" ;;
esac
)SH");
  ::chmod((bin + "/docker-credential-testhelper").c_str(), 0755);
  std::string path = std::getenv("PATH");
  ::setenv("PATH", (bin + ":" + path).c_str(), 1);
  write(paths_.primary, R"({"credHelpers": {"helped.example": "testhelper"}})");
  CredentialStore store(paths_);
  EXPECT_FALSE(store.find("helped.example"));
  store.save("helped.example", "hu", "hs");
  std::string file = read_file(paths_.primary);
  EXPECT_EQ(file.find(base64_encode("hu:hs")), std::string::npos) << "the secret is the helper's";
  EXPECT_NE(read_file(db).find("helped.example hu hs"), std::string::npos);
  auto c = store.find("helped.example");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->username, "hu");
  EXPECT_EQ(c->password, "hs");
  EXPECT_NE(c->source.find("docker-credential-testhelper"), std::string::npos);
  EXPECT_TRUE(store.remove("helped.example"));
  EXPECT_FALSE(store.find("helped.example"));
  // Docker's credsStore: the helper for every registry the file has no entry for; a helper that
  // is not installed gives nothing (no error).
  write(docker_, R"({"credsStore": "testhelper"})");
  store.save("other.example", "x", "y");  // the primary has no helper for it: saved in the file
  write(db, "stored.example su ss\n");
  EXPECT_EQ(store.find("stored.example")->username, "su");
  write(docker_, R"({"credsStore": "not-installed"})");
  EXPECT_FALSE(store.find("stored.example"));
  ::setenv("PATH", path.c_str(), 1);
}

TEST_F(CredentialsTest, MostSpecificNamespaceWins) {
  write(paths_.primary, R"({"auths": {
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
  write(docker_, R"({"auths": {"localhost:5000": {"username": "u", "password": "p"}}})");
  CredentialStore store(paths_);
  auto c = store.find("localhost:5000");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->basic_authorization(), "Basic " + base64_encode("u:p"));
}

TEST_F(CredentialsTest, SavedFileIsPrivate) {
  CredentialStore store(paths_);
  store.save("docker.io", "me", "s3cret");
  struct stat st {};
  ASSERT_EQ(::stat(paths_.primary.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(dirname_of(paths_.primary).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  // Saved under the canonical key, readable by podman and docker alike.
  std::string text = read_file(paths_.primary);
  EXPECT_NE(text.find("\"docker.io\""), std::string::npos);
  EXPECT_EQ(text.find("s3cret"), std::string::npos);  // base64, not plain
  EXPECT_EQ(store.find("index.docker.io")->password, "s3cret");
  EXPECT_THROW(store.save("docker.io", "a:b", "c"), Error);
}

TEST_F(CredentialsTest, BrokenFilesAreNamedButTheirContentIsNeverShown) {
  const std::string secret = "hunter2-very-secret";
  write(docker_, R"({"auths": {"x.example": {"auth": ")" + secret + R"(!!"}}})");
  CredentialStore store(paths_);
  try {
    store.find("x.example");
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    std::string what = e.what();
    EXPECT_NE(what.find(docker_), std::string::npos) << what;
    EXPECT_EQ(what.find("hunter2"), std::string::npos) << what;
  }
  write(docker_, R"({"auths": {"x.example": {"auth": ")" + auth(secret) + "}}");
  try {
    store.find("x.example");
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    std::string what = e.what();
    EXPECT_EQ(e.code(), Errc::kCorrupt);
    EXPECT_NE(what.find("not valid JSON"), std::string::npos) << what;
    EXPECT_EQ(what.find(auth(secret).substr(0, 8)), std::string::npos) << what;
  }
  write(docker_,
        R"({"auths": {"x.example": {"auth": ")" + auth("no-colon-" + secret) + R"("}}})");
  try {
    store.find("x.example");
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos) << e.what();
  }
}

TEST(AuthKey, Normalisation) {
  const std::pair<const char*, const char*> cases[] = {
      {"https://index.docker.io/v1/", "docker.io"},
      {"index.docker.io", "docker.io"},
      {"registry-1.docker.io", "docker.io"},
      {"http://Localhost:5000", "localhost:5000"},
      {"quay.io/team/", "quay.io/team"},
      {"https://quay.io/v2/whatever", "quay.io"},
  };
  for (const auto& [typed, key] : cases) EXPECT_EQ(normalize_auth_key(typed), key) << typed;
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
