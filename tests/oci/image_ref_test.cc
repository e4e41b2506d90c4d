// ImageRef against the distribution/reference grammar and Docker's normalisation
// (cases taken from distribution/reference's reference_test.go and normalize_test.go).
#include "oci/image_ref.h"

#include <gtest/gtest.h>

#include <string>

#include "common/error.h"

namespace dabba {
namespace {

const std::string kHex = "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";
const std::string kDigest = "sha256:" + kHex;

struct Good {
  std::string input;
  std::string canonical;  // str()
  std::string registry;
  std::string repository;
  std::string tag;
  std::string digest;
};

// Short readable names in test listings (and so in CTest's test names).
std::string printable(const std::string& input) {
  std::string out;
  for (char c : input.substr(0, 40)) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 std::string_view("-._:/@").find(c) != std::string_view::npos;
    out += plain ? c : '?';
  }
  return input.size() > 40 ? out + "..." : out;
}

class ImageRefGood : public testing::TestWithParam<Good> {};
void PrintTo(const Good& g, std::ostream* os) { *os << printable(g.input); }

TEST_P(ImageRefGood, NormalisesLikeDocker) {
  const Good& g = GetParam();
  ImageRef ref = ImageRef::parse(g.input);
  EXPECT_EQ(ref.str(), g.canonical);
  EXPECT_EQ(ref.registry(), g.registry);
  EXPECT_EQ(ref.repository(), g.repository);
  EXPECT_EQ(ref.tag(), g.tag);
  EXPECT_EQ(ref.has_digest() ? ref.digest().str() : "", g.digest);
  // The canonical form parses to itself.
  EXPECT_EQ(ImageRef::parse(ref.str()), ref);
  EXPECT_EQ(ImageRef::parse(ref.familiar()), ref);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ImageRefGood,
    testing::Values(
        Good{"alpine", "docker.io/library/alpine:latest", "docker.io", "library/alpine", "latest",
             ""},
        Good{"alpine:3.19", "docker.io/library/alpine:3.19", "docker.io", "library/alpine", "3.19",
             ""},
        Good{"user/app:1.2", "docker.io/user/app:1.2", "docker.io", "user/app", "1.2", ""},
        Good{"docker.io/alpine", "docker.io/library/alpine:latest", "docker.io", "library/alpine",
             "latest", ""},
        Good{"index.docker.io/library/debian", "docker.io/library/debian:latest", "docker.io",
             "library/debian", "latest", ""},
        Good{"index.docker.io/debian", "docker.io/library/debian:latest", "docker.io",
             "library/debian", "latest", ""},
        Good{"docker.io/library/foo/bar", "docker.io/library/foo/bar:latest", "docker.io",
             "library/foo/bar", "latest", ""},
        Good{"registry.example:5000/a/b/c:tag", "registry.example:5000/a/b/c:tag",
             "registry.example:5000", "a/b/c", "tag", ""},
        Good{"localhost/x", "localhost/x:latest", "localhost", "x", "latest", ""},
        Good{"localhost:5000/x:y", "localhost:5000/x:y", "localhost:5000", "x", "y", ""},
        Good{"localhost", "docker.io/library/localhost:latest", "docker.io", "library/localhost",
             "latest", ""},
        Good{"127.0.0.1:5000/private/moonbase", "127.0.0.1:5000/private/moonbase:latest",
             "127.0.0.1:5000", "private/moonbase", "latest", ""},
        Good{"192.168.1.1/repo", "192.168.1.1/repo:latest", "192.168.1.1", "repo", "latest", ""},
        Good{"192.168.1.1:5000/repo:5050", "192.168.1.1:5000/repo:5050", "192.168.1.1:5000", "repo",
             "5050", ""},
        Good{"[2001:db8::1]/repo", "[2001:db8::1]/repo:latest", "[2001:db8::1]", "repo", "latest",
             ""},
        Good{"[::1]:5000/repo:tag", "[::1]:5000/repo:tag", "[::1]:5000", "repo", "tag", ""},
        Good{"test.com:5000", "docker.io/library/test.com:5000", "docker.io", "library/test.com",
             "5000", ""},
        Good{"test_com/foo", "docker.io/test_com/foo:latest", "docker.io", "test_com/foo", "latest",
             ""},
        Good{"test-com:8080/foo", "test-com:8080/foo:latest", "test-com:8080", "foo", "latest", ""},
        Good{"xn--n3h.com/myimage:xn--n3h.com", "xn--n3h.com/myimage:xn--n3h.com", "xn--n3h.com",
             "myimage", "xn--n3h.com", ""},
        Good{"b.gcr.io/test.example.com/my-app:test.example.com",
             "b.gcr.io/test.example.com/my-app:test.example.com", "b.gcr.io",
             "test.example.com/my-app", "test.example.com", ""},
        Good{"Docker/docker", "Docker/docker:latest", "Docker", "docker", "latest", ""},
        Good{"lowercase:Uppercase", "docker.io/library/lowercase:Uppercase", "docker.io",
             "library/lowercase", "Uppercase", ""},
        Good{"docker---rules/dock__er", "docker.io/docker---rules/dock__er:latest", "docker.io",
             "docker---rules/dock__er", "latest", ""},
        Good{"d/t", "docker.io/d/t:latest", "docker.io", "d/t", "latest", ""},
        Good{"foo/foo_bar.com:8080", "docker.io/foo/foo_bar.com:8080", "docker.io",
             "foo/foo_bar.com", "8080", ""},
        Good{"a:_tag.with-dots", "docker.io/library/a:_tag.with-dots", "docker.io", "library/a",
             "_tag.with-dots", ""},
        Good{"name@" + kDigest, "docker.io/library/name@" + kDigest, "docker.io", "library/name",
             "", kDigest},
        Good{"name:tag@" + kDigest, "docker.io/library/name:tag@" + kDigest, "docker.io",
             "library/name", "tag", kDigest},
        Good{"test:5000/repo:tag@" + kDigest, "test:5000/repo:tag@" + kDigest, "test:5000", "repo",
             "tag", kDigest},
        Good{"docker.io/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a",
             "docker.io/library/"
             "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a:latest",
             "docker.io",
             "library/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a", "latest",
             ""},
        Good{std::string(126, 'a') + "/" + std::string(128, 'b') + ":" + std::string(128, 't'),
             "docker.io/" + std::string(126, 'a') + "/" + std::string(128, 'b') + ":" +
                 std::string(128, 't'),
             "docker.io", std::string(126, 'a') + "/" + std::string(128, 'b'),
             std::string(128, 't'), ""}));

struct Bad {
  std::string input;
  std::string why;  // a piece of the message
};

class ImageRefBad : public testing::TestWithParam<Bad> {};
void PrintTo(const Bad& b, std::ostream* os) { *os << printable(b.input); }

TEST_P(ImageRefBad, SaysWhatIsWrong) {
  const Bad& b = GetParam();
  try {
    ImageRef ref = ImageRef::parse(b.input);
    ADD_FAILURE() << "accepted '" << b.input << "' as " << ref.str();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find(b.why), std::string::npos)
        << "'" << b.input << "': " << e.what();
    EXPECT_NE(std::string(e.what()).find("invalid image reference"), std::string::npos);
    EXPECT_FALSE(e.hint().empty());
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ImageRefBad,
    testing::Values(
        Bad{"", "empty reference"}, Bad{":justtag", "no repository name"},
        Bad{"@" + kDigest, "no repository name"}, Bad{"alpine:", "empty tag"},
        Bad{"alpine@", "empty digest"}, Bad{"Uppercase:tag", "must be lowercase"},
        Bad{"Uppercase", "must be lowercase"}, Bad{"docker/Docker", "must be lowercase"},
        Bad{"test:5000/Uppercase/lowercase:tag", "must be lowercase"},
        Bad{"docker.io/docker/Docker", "must be lowercase"},
        Bad{"docker///docker", "empty path component"}, Bad{"docker/", "empty path component"},
        Bad{"localhost/", "empty path component"}, Bad{"/alpine", "empty path component"},
        Bad{"-docker", "must start and end"}, Bad{"-docker/docker", "must start and end"},
        Bad{"docker-/docker", "must start and end"}, Bad{"_docker/_docker", "must start and end"},
        Bad{"____/____", "must start and end"}, Bad{"docker/dock..er", "invalid separator '..'"},
        Bad{"docker/dock_.er", "invalid separator"}, Bad{"docker/dock-.er", "invalid separator"},
        Bad{"dock..er/docker", "invalid registry host"},
        Bad{"dock___er/docker", "invalid separator"}, Bad{"aa/asdf$$^/aa", "invalid character '$'"},
        Bad{"-docker.io/docker/docker", "invalid registry host"},
        Bad{"https://github.com/docker/docker", "port"}, Bad{"fc00::1:5000/debian", "invalid port"},
        Bad{"[fc00::1]", "invalid character ']'"}, Bad{"[fc00::1]:5000", "invalid character '['"},
        Bad{"[fe80::1%eth0]:5000/debian", "invalid IPv6"},
        Bad{"[2001:db8:3:4::192.0.2.33]:5000/debian", "invalid IPv6"},
        Bad{"example.com:/x", "empty port"}, Bad{"exa_mple.com/x", "invalid registry host"},
        Bad{"alpine:-tag", "must start with"}, Bad{"alpine:.tag", "must start with"},
        Bad{"alpine:ta+g", "invalid character '+'"},
        Bad{"alpine:" + std::string(129, 't'), "at most 128"},
        Bad{"alpine@sha256:abc", "64 lowercase hex"},
        Bad{"alpine@sha256:" + std::string(64, 'F'), "64 lowercase hex"},
        Bad{"alpine@sha512:" + std::string(128, 'f'), "unsupported digest algorithm 'sha512'"},
        Bad{"alpine@" + kHex, "has no algorithm"},
        Bad{"validname@invaliddigest:" + kHex, "unsupported digest algorithm"},
        Bad{"1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a", "image ID"},
        Bad{std::string(128, 'a') + "/" + std::string(128, 'b') + ":tag", "at most 255"},
        Bad{"alp ine", "whitespace"}, Bad{"alpine\n", "whitespace"},
        Bad{"caf\xc3\xa9", "non-ASCII"}));

TEST(ImageRef, DigestWinsForFetchingButTheTagIsKept) {
  ImageRef ref = ImageRef::parse("registry.example:5000/a/b:v1@" + kDigest);
  EXPECT_EQ(ref.manifest_reference(), kDigest);
  EXPECT_EQ(ref.tag(), "v1");
  EXPECT_EQ(ImageRef::parse("a/b:v1").manifest_reference(), "v1");
  EXPECT_EQ(ImageRef::parse("alpine").manifest_reference(), "latest");
}

TEST(ImageRef, DockerHubIsServedFromRegistry1) {
  EXPECT_EQ(ImageRef::parse("alpine").api_host(), "registry-1.docker.io");
  EXPECT_EQ(ImageRef::parse("index.docker.io/x/y").api_host(), "registry-1.docker.io");
  EXPECT_EQ(ImageRef::parse("quay.io/x/y").api_host(), "quay.io");
  EXPECT_EQ(ImageRef::parse("localhost:5000/y").api_host(), "localhost:5000");
}

TEST(ImageRef, FamiliarFormDropsDockerHubAndLibrary) {
  EXPECT_EQ(ImageRef::parse("alpine").familiar(), "alpine:latest");
  EXPECT_EQ(ImageRef::parse("docker.io/library/foo/bar").familiar(), "library/foo/bar:latest");
  EXPECT_EQ(ImageRef::parse("user/app:1.2").familiar(), "user/app:1.2");
  EXPECT_EQ(ImageRef::parse("localhost:5000/x").familiar(), "localhost:5000/x:latest");
  EXPECT_EQ(ImageRef::parse("name@" + kDigest).familiar(), "name@" + kDigest);
}

TEST(ImageRef, WithDigestPinsTheName) {
  Digest d = Digest::parse(kDigest);
  ImageRef ref = ImageRef::parse("alpine:3").with_digest(d);
  EXPECT_EQ(ref.str(), "docker.io/library/alpine:3@" + kDigest);
  EXPECT_EQ(ref.manifest_reference(), kDigest);
}

TEST(ImageRef, ValidateTag) {
  EXPECT_NO_THROW(validate_tag("v1.2.3-rc_1"));
  EXPECT_THROW(validate_tag(""), Error);
  EXPECT_THROW(validate_tag("a/b"), Error);
}

}  // namespace
}  // namespace dabba
