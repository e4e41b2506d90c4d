// The registry client against a real Debian docker-registry on 127.0.0.1 (images pushed with
// skopeo, see registry_client_fixture.sh), a basic-auth instance, a small Bearer-token server
// with a CDN redirect (http_test_server.py), and the rig's token registry when the rig is up.
#include "registry/registry_client.h"

#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/error.h"
#include "common/fs.h"
#include "oci/image_config.h"
#include "tests/support/registry_test_support.h"
#include "tests/support/error_of.h"

namespace dabba {
namespace {

using nlohmann::json;
using testing_support::registry_fixture;
using testing_support::TestHttpServer;
using testing_support::TestRegistry;

class RegistryClientTest : public testing::Test {
 protected:
  RegistryClientTest() : home_("/tmp", "dabba-registry-client-home-") {
    paths_.primary = home_.path() + "/run/containers/auth.json";
    paths_.read_only = {home_.path() + "/config/containers/auth.json",
                        home_.path() + "/docker/config.json"};
  }
  // Options that never read the real user's credentials and retry fast.
  RegistryClientOptions options() const {
    RegistryClientOptions o;
    o.http.backoff_initial_ms = 10;
    o.http.backoff_max_ms = 50;
    o.http.max_attempts = 2;
    o.credentials = CredentialStore(paths_);
    return o;
  }
  void login(const std::string& registry, const std::string& user, const std::string& pass) {
    CredentialStore(paths_).save(registry, user, pass);
  }
  static std::string fact(const std::string& name) { return registry_fixture().fact(name); }

  TempDir home_;
  CredentialStore::Paths paths_;
};

using testing_support::error_in;
using testing_support::error_of;

// Fetches blobs into memory, checking each one's digest the way the store's ingest will.
struct Collected {
  std::vector<uint64_t> starts;
  std::string data;
  std::exception_ptr error;
  bool done = false;
};
std::vector<Collected> fetch(RegistryClient& client, const std::string& repo,
                             std::vector<BlobFetch>& fetches, size_t parallel = 4) {
  std::vector<Collected> out(fetches.size());
  for (size_t i = 0; i < fetches.size(); ++i) {
    fetches[i].on_start = [&out, i](uint64_t start) { out[i].starts.push_back(start); };
    fetches[i].on_data = [&out, i](const char* d, size_t n) {
      out[i].data.append(d, n);
      return true;
    };
    fetches[i].on_done = [&out, i](std::exception_ptr e) {
      EXPECT_FALSE(out[i].done) << "on_done twice";
      out[i].done = true;
      out[i].error = e;
    };
  }
  client.fetch_blobs(repo, fetches, parallel);
  for (auto& c : out) EXPECT_TRUE(c.done);
  return out;
}

BlobFetch blob(const std::string& digest, int64_t size = -1, uint64_t offset = 0) {
  BlobFetch f;
  f.digest = Digest::parse(digest);
  f.size = size;
  f.offset = offset;
  return f;
}

TEST_F(RegistryClientTest, PingsAPlainHttpLoopbackRegistry) {
  TestRegistry registry(registry_fixture().storage);
  RegistryClient client(registry.host(), options());
  EXPECT_NO_THROW(client.ping());
}

TEST_F(RegistryClientTest, ManifestByTagAndByDigest) {
  TestRegistry registry(registry_fixture().storage);
  RegistryClient client(registry.host(), options());
  ManifestResult by_tag = client.get_manifest("test/busybox", "latest");
  EXPECT_EQ(by_tag.digest.str(), fact("BUSYBOX_DIGEST"));
  EXPECT_EQ(by_tag.kind, ManifestKind::kImage);
  EXPECT_EQ(by_tag.media_type, media_type::kOciManifest);
  ManifestResult by_digest = client.get_manifest("test/busybox", fact("BUSYBOX_DIGEST"));
  EXPECT_EQ(by_digest.bytes, by_tag.bytes);
  ImageManifest m = parse_image_manifest(by_tag.bytes, by_tag.media_type);
  ASSERT_EQ(m.layers.size(), 1u);
  EXPECT_EQ(m.layers[0].blob.digest.str(), fact("BUSYBOX_LAYER"));
  EXPECT_EQ(m.layers[0].compression, Compression::kGzip);

  ManifestResult v2s2 = client.get_manifest("test/busybox", "v2s2");
  EXPECT_EQ(v2s2.digest.str(), fact("V2S2_DIGEST"));
  EXPECT_EQ(v2s2.media_type, media_type::kDockerManifest);
  EXPECT_EQ(parse_image_manifest(v2s2.bytes, v2s2.media_type).layers[0].blob.media_type,
            media_type::kDockerLayer);

  std::optional<Descriptor> head = client.head_manifest("test/busybox", "latest");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->digest.str(), fact("BUSYBOX_DIGEST"));
  EXPECT_EQ(head->media_type, media_type::kOciManifest);
  EXPECT_EQ(static_cast<size_t>(head->size), by_tag.bytes.size());
  // One Accept header listing the four kinds.
  std::string log = registry.log();
  EXPECT_NE(log.find("/v2/test/busybox/manifests/latest"), std::string::npos);
}

TEST_F(RegistryClientTest, MissingManifestsAndRepositories) {
  TestRegistry registry(registry_fixture().storage);
  RegistryClient client(registry.host(), options());
  Error tag = error_of([&] { client.get_manifest("test/busybox", "nope"); });
  EXPECT_EQ(tag.code(), Errc::kNotFound);
  EXPECT_NE(std::string(tag.what()).find("MANIFEST_UNKNOWN"), std::string::npos) << tag.what();
  EXPECT_NE(std::string(tag.what()).find("test/busybox:nope"), std::string::npos) << tag.what();
  Error repo = error_of([&] { client.get_manifest("test/nothing", "latest"); });
  EXPECT_EQ(repo.code(), Errc::kNotFound);
  Error blob = error_of([&] { client.get_blob("test/busybox", Digest::of("not there")); });
  EXPECT_EQ(blob.code(), Errc::kNotFound);
}

TEST_F(RegistryClientTest, ManifestThatDoesNotHashToItsDigestIsRefused) {
  TempDir copy("/tmp", "dabba-registry-corrupt-");
  ASSERT_EQ(run_command({"cp", "-a", registry_fixture().storage + "/.", copy.path()}).status.code(),
            0);
  std::string hex = Digest::parse(fact("BUSYBOX_DIGEST")).hex();
  std::string blob =
      copy.path() + "/docker/registry/v2/blobs/sha256/" + hex.substr(0, 2) + "/" + hex + "/data";
  std::string bytes = read_file(blob);
  bytes[bytes.find("\"size\"") + 1] = 'S';  // still JSON, other bytes
  write_file_atomic(blob, bytes, Sync::kNone);
  TestRegistry registry(copy.path());
  RegistryClient client(registry.host(), options());
  Error by_tag = error_of([&] { client.get_manifest("test/busybox", "latest"); });
  EXPECT_EQ(by_tag.code(), Errc::kDigestMismatch) << by_tag.what();
  Error by_digest = error_of([&] { client.get_manifest("test/busybox", fact("BUSYBOX_DIGEST")); });
  EXPECT_EQ(by_digest.code(), Errc::kDigestMismatch) << by_digest.what();
  EXPECT_NE(std::string(by_digest.what()).find(Digest::of(bytes).str()), std::string::npos);
}

TEST_F(RegistryClientTest, ResolvesAnIndexToThePlatformAsked) {
  TestRegistry registry(registry_fixture().storage);
  RegistryClient client(registry.host(), options());
  ImageRef ref = ImageRef::parse(registry.host() + "/test/multi");
  struct Case {
    const char* platform;
    const char* fact;
  };
  for (Case c : {Case{"linux/amd64", "MULTI_AMD64"}, Case{"linux/arm64", "MULTI_ARM64"},
                 Case{"linux/arm64/v8", "MULTI_ARM64"}, Case{"linux/arm/v7", "MULTI_ARM_V7"},
                 Case{"linux/arm", "MULTI_ARM_V7"}, Case{"linux/arm/v6", "MULTI_ARM_V6"},
                 Case{"linux/arm/v8", "MULTI_ARM_V7"}}) {
    ResolvedImage r = resolve_image(client, ref, Platform::parse(c.platform));
    EXPECT_EQ(r.digest.str(), fact("MULTI_DIGEST")) << c.platform;
    EXPECT_EQ(r.ref.digest().str(), fact("MULTI_DIGEST"));
    EXPECT_EQ(r.ref.tag(), "latest");
    ASSERT_TRUE(r.index);
    EXPECT_EQ(r.manifest.digest.str(), fact(c.fact)) << c.platform;
    EXPECT_EQ(r.image.layers.size(), 1u);
  }
  // The host (x86_64 here) gets amd64.
  if (Platform::host().architecture == "amd64") {
    EXPECT_EQ(resolve_image(client, ref, Platform::host()).manifest.digest.str(),
              fact("MULTI_AMD64"));
  }
  Error none = error_of([&] { resolve_image(client, ref, Platform::parse("linux/s390x")); });
  EXPECT_EQ(none.code(), Errc::kNotFound);
  std::string what = none.what();
  EXPECT_NE(what.find("linux/amd64, linux/arm64/v8, linux/arm/v7, linux/arm/v6"), std::string::npos)
      << what;
  EXPECT_NE(what.find(ref.str()), std::string::npos) << what;

  // A single-platform image resolves to itself.
  ResolvedImage single =
      resolve_image(client, ImageRef::parse(registry.host() + "/test/busybox"), Platform::host());
  EXPECT_FALSE(single.index);
  EXPECT_EQ(single.digest.str(), fact("BUSYBOX_DIGEST"));
}

TEST_F(RegistryClientTest, ConfigBlobIsVerifiedAndParsed) {
  TestRegistry registry(registry_fixture().storage);
  RegistryClient client(registry.host(), options());
  ResolvedImage r =
      resolve_image(client, ImageRef::parse(registry.host() + "/test/busybox"), Platform::host());
  std::string bytes = client.get_blob("test/busybox", r.image.config.digest);
  EXPECT_EQ(Digest::of(bytes), r.image.config.digest);
  ImageConfig c = parse_image_config(bytes);
  EXPECT_NO_THROW(check_layers_match(r.image, c));
  EXPECT_EQ(c.platform.str(), "linux/amd64");
  EXPECT_EQ(c.env, (std::vector<std::string>{"FOO=bar", "PATH=/bin"}));
  EXPECT_EQ(c.entrypoint, std::vector<std::string>{"/bin/busybox"});
  EXPECT_EQ(c.cmd, std::vector<std::string>{"/bin/sh"});
  EXPECT_EQ(c.working_dir, "/tmp");
  EXPECT_EQ(c.user, "1000:1000");
  EXPECT_EQ(c.stop_signal, "SIGTERM");
  EXPECT_EQ(c.exposed_ports, (std::vector<std::string>{"53/udp", "80/tcp"}));
  EXPECT_EQ(c.labels.at("org.example.test"), "yes");
  EXPECT_EQ(c.created, "2024-01-02T03:04:05Z");
  // Asking for another digest than the content's is a mismatch, not a silent success.
  EXPECT_EQ(error_of([&] { client.get_blob("test/busybox", Digest::of("x"), 1 << 20); }).code(),
            Errc::kNotFound);
}

TEST_F(RegistryClientTest, BlobsStreamInParallel) {
  TestRegistry registry(registry_fixture().storage);
  RegistryClient client(registry.host(), options());
  std::vector<BlobFetch> fetches{
      blob(fact("BUSYBOX_LAYER"), std::stoll(fact("BUSYBOX_LAYER_SIZE"))),
      blob(fact("BIG_LAYER"), std::stoll(fact("BIG_LAYER_SIZE"))),
      blob(fact("BUSYBOX_CONFIG")),
  };
  std::vector<Collected> got = fetch(client, "test/busybox", fetches);
  // test/big's layer through test/busybox? No: each repository holds its own; fetch it there.
  ASSERT_FALSE(got[0].error);
  EXPECT_EQ(Digest::of(got[0].data).str(), fact("BUSYBOX_LAYER"));
  EXPECT_EQ(got[0].starts, std::vector<uint64_t>{0});
  ASSERT_FALSE(got[2].error);
  EXPECT_EQ(Digest::of(got[2].data).str(), fact("BUSYBOX_CONFIG"));
  ASSERT_TRUE(got[1].error);  // the big layer is not in test/busybox
  Error e = error_in(got[1].error);
  EXPECT_EQ(e.code(), Errc::kNotFound) << e.what();
  EXPECT_NE(std::string(e.what()).find(fact("BIG_LAYER")), std::string::npos);
}

TEST_F(RegistryClientTest, BlobResumesFromAnOffsetWithRange) {
  TestRegistry registry(registry_fixture().storage);
  RegistryClient client(registry.host(), options());
  const int64_t size = std::stoll(fact("BIG_LAYER_SIZE"));
  std::vector<BlobFetch> whole{blob(fact("BIG_LAYER"), size)};
  std::vector<Collected> first = fetch(client, "test/big", whole);
  ASSERT_FALSE(first[0].error);
  ASSERT_EQ(first[0].data.size(), static_cast<size_t>(size));

  const uint64_t offset = 1234567;
  std::vector<BlobFetch> rest{blob(fact("BIG_LAYER"), size, offset)};
  std::vector<Collected> second = fetch(client, "test/big", rest);
  ASSERT_FALSE(second[0].error);
  EXPECT_EQ(second[0].starts, std::vector<uint64_t>{offset});
  EXPECT_EQ(Digest::of(first[0].data.substr(0, offset) + second[0].data).str(), fact("BIG_LAYER"));
  EXPECT_EQ(second[0].data.size(), static_cast<size_t>(size) - offset);
}

TEST_F(RegistryClientTest, BlobSinkCanPauseAndBeResumed) {
  TestRegistry registry(registry_fixture().storage);
  RegistryClient client(registry.host(), options());
  std::vector<BlobFetch> fetches{blob(fact("BIG_LAYER"), std::stoll(fact("BIG_LAYER_SIZE")))};
  std::string data;
  int pauses = 0;
  std::exception_ptr error;
  fetches[0].on_data = [&](const char* d, size_t n) {
    if (pauses < 5 && data.size() > static_cast<size_t>(pauses) * 300000) {
      ++pauses;
      std::thread([&client] {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        client.resume(0);
      }).detach();
      return false;
    }
    data.append(d, n);
    return true;
  };
  fetches[0].on_done = [&](std::exception_ptr e) { error = e; };
  client.fetch_blobs("test/big", fetches, 1);
  ASSERT_FALSE(error);
  EXPECT_EQ(pauses, 5);
  EXPECT_EQ(Digest::of(data).str(), fact("BIG_LAYER"));
}

TEST_F(RegistryClientTest, WrongSizeFromTheManifestIsCaught) {
  TestRegistry registry(registry_fixture().storage);
  RegistryClient client(registry.host(), options());
  std::vector<BlobFetch> fetches{blob(fact("BUSYBOX_LAYER"), 1000)};
  std::vector<Collected> got = fetch(client, "test/busybox", fetches);
  ASSERT_TRUE(got[0].error);
  Error e = error_in(got[0].error);
  EXPECT_EQ(e.code(), Errc::kCorrupt);
  EXPECT_NE(std::string(e.what()).find("more than the 1000 bytes"), std::string::npos)
      << e.what();
}

TEST_F(RegistryClientTest, BasicAuthRegistry) {
  const std::string password = "pw-Zq8-very-secret";
  TestRegistry registry(registry_fixture().storage, "alice:" + password);
  {
    RegistryClient anonymous(registry.host(), options());
    EXPECT_NO_THROW(anonymous.ping());  // a 401 to the ping still says "registry"
    Error e = error_of([&] { anonymous.get_manifest("test/busybox", "latest"); });
    EXPECT_EQ(e.code(), Errc::kAuth);
    EXPECT_NE(std::string(e.what()).find("anonymous access"), std::string::npos) << e.what();
    EXPECT_NE(e.hint().find("dabba login " + registry.host()), std::string::npos) << e.hint();
  }
  login(registry.host(), "alice", "wrong-" + password);
  {
    RegistryClient wrong(registry.host(), options());
    Error e = error_of([&] { wrong.get_manifest("test/busybox", "latest"); });
    EXPECT_EQ(e.code(), Errc::kAuth);
    std::string text = std::string(e.what()) + "\n" + e.hint();
    EXPECT_NE(text.find(paths_.primary), std::string::npos) << text;  // names where they came from
    EXPECT_EQ(text.find(password), std::string::npos) << "password leaked: " << text;
    EXPECT_EQ(text.find(base64_encode("alice:wrong-" + password)), std::string::npos) << text;
    EXPECT_EQ(text.find("Basic "), std::string::npos) << text;
  }
  login(registry.host(), "alice", password);
  RegistryClient client(registry.host(), options());
  EXPECT_EQ(client.get_manifest("test/busybox", "latest").digest.str(), fact("BUSYBOX_DIGEST"));
  std::vector<BlobFetch> fetches{blob(fact("BUSYBOX_LAYER"))};
  std::vector<Collected> got = fetch(client, "test/busybox", fetches);
  ASSERT_FALSE(got[0].error);
  EXPECT_EQ(Digest::of(got[0].data).str(), fact("BUSYBOX_LAYER"));
  EXPECT_EQ(client.tokens_fetched(), 0);  // Basic needs no token service
}

void point_blobs_at(const TestHttpServer& registry, const TestHttpServer& cdn, size_t size) {
  HttpClient http;
  HttpRequest req;
  req.url =
      registry.url("/_cdn?port=" + std::to_string(cdn.port()) + "&size=" + std::to_string(size));
  ASSERT_EQ(http.send(req).status, 200);
}

TEST_F(RegistryClientTest, BearerTokenIsFetchedOnceAndNeverSentToTheCdn) {
  TestHttpServer registry;  // Bearer-protected; redirects blobs to the CDN with a signed URL
  TestHttpServer cdn;
  point_blobs_at(registry, cdn, 300000);
  RegistryClient client(registry.host(), options());
  client.ping();
  for (int round = 0; round < 2; ++round) {
    std::vector<BlobFetch> fetches;
    for (int i = 0; i < 3; ++i)
      fetches.push_back(blob(Digest::of(std::to_string(i)).str(), 300000));
    std::vector<Collected> got = fetch(client, "team/app", fetches);
    for (auto& c : got) {
      ASSERT_FALSE(c.error);
      EXPECT_TRUE(c.data == testing_support::expected_body(0, 300000));
    }
  }
  EXPECT_EQ(client.tokens_fetched(), 1);  // cached for the scope across requests and calls

  int token_requests = 0;
  int blob_requests = 0;
  for (const json& e : registry.log()) {
    std::string path = e["path"];
    if (path.rfind("/token", 0) == 0) {
      ++token_requests;
      EXPECT_NE(path.find("service=dabba-test"), std::string::npos) << path;
      EXPECT_NE(path.find("scope=repository%3Ateam%2Fapp%3Apull"), std::string::npos) << path;
      EXPECT_FALSE(e["headers"].contains("Authorization")) << "anonymous token request";
    }
    if (path.find("/blobs/") != std::string::npos) {
      ++blob_requests;
      EXPECT_EQ(e["headers"].value("Authorization", ""), "Bearer good-token");
    }
  }
  EXPECT_EQ(token_requests, 1);
  EXPECT_EQ(blob_requests, 6);  // no 401 round trips: the ping taught us the realm
  json cdn_log = cdn.log();
  EXPECT_EQ(cdn_log.size(), 6u);
  for (const json& e : cdn_log) {
    EXPECT_FALSE(e["headers"].contains("Authorization")) << e.dump();
    EXPECT_NE(e["path"].get<std::string>().find("X-Amz-Signature"), std::string::npos);
  }
}

TEST_F(RegistryClientTest, BearerTokenWithCredentials) {
  const std::string password = "tok-pw-3131-secret";
  TestHttpServer registry("bob:" + password);
  TestHttpServer cdn;
  point_blobs_at(registry, cdn, 1000);
  const std::string digest = Digest::of("blob").str();
  {
    RegistryClient anonymous(registry.host(), options());
    std::vector<BlobFetch> fetches{blob(digest)};
    std::vector<Collected> got = fetch(anonymous, "team/app", fetches);
    ASSERT_TRUE(got[0].error);
    Error e = error_in(got[0].error);
    EXPECT_EQ(e.code(), Errc::kAuth) << e.what();
    EXPECT_NE(std::string(e.what()).find("refused anonymous access"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("incorrect username or password"), std::string::npos);
    EXPECT_NE(e.hint().find("dabba login"), std::string::npos);
  }
  login(registry.host(), "bob", "not-" + password);
  {
    RegistryClient wrong(registry.host(), options());
    Error e = error_of([&] { wrong.get_manifest("team/app", "latest"); });
    EXPECT_EQ(e.code(), Errc::kAuth);
    std::string text = std::string(e.what()) + "\n" + e.hint();
    EXPECT_NE(text.find(paths_.primary), std::string::npos) << text;
    EXPECT_EQ(text.find(password), std::string::npos) << "password leaked: " << text;
    EXPECT_EQ(text.find(base64_encode("bob:not-" + password)), std::string::npos) << text;
  }
  login(registry.host(), "bob", password);
  RegistryClient client(registry.host(), options());
  std::vector<BlobFetch> fetches{blob(digest, 1000)};
  std::vector<Collected> got = fetch(client, "team/app", fetches);
  ASSERT_FALSE(got[0].error);
  EXPECT_EQ(got[0].data, testing_support::expected_body(0, 1000));
  bool saw_basic = false;
  for (const json& e : registry.log())
    if (e["path"].get<std::string>().rfind("/token", 0) == 0 &&
        e["headers"].value("Authorization", "") == "Basic " + base64_encode("bob:" + password))
      saw_basic = true;
  EXPECT_TRUE(saw_basic);
}

TEST_F(RegistryClientTest, MirrorsAreTriedInOrderBeforeTheOrigin) {
  TestRegistry origin(registry_fixture().storage);
  TestRegistry mirror(registry_fixture().storage);
  TempDir empty("/tmp", "dabba-registry-empty-");
  TestRegistry empty_mirror(empty.path());
  const int dead = testing_support::free_port();
  RegistryClientOptions o = options();
  o.config = RegistryConfig::from_toml("[[registry]]\nlocation = \"" + origin.host() +
                                       "\"\n[[registry.mirror]]\nlocation = \"127.0.0.1:" +
                                       std::to_string(dead) + "\"\n[[registry.mirror]]\n"
                                       "location = \"" + empty_mirror.host() +
                                       "\"\n[[registry.mirror]]\nlocation = \"" +
                                       mirror.host() + "\"\n");
  RegistryClient client(origin.host(), o);
  ResolvedImage r =
      resolve_image(client, ImageRef::parse(origin.host() + "/test/busybox"), Platform::host());
  EXPECT_EQ(r.digest.str(), fact("BUSYBOX_DIGEST"));
  std::vector<BlobFetch> fetches{blob(fact("BUSYBOX_LAYER"))};
  std::vector<Collected> got = fetch(client, "test/busybox", fetches);
  ASSERT_FALSE(got[0].error);
  EXPECT_EQ(Digest::of(got[0].data).str(), fact("BUSYBOX_LAYER"));
  // The empty mirror was asked (and had nothing), the good one served, the origin never.
  EXPECT_NE(empty_mirror.log().find("/v2/test/busybox/manifests/latest"), std::string::npos);
  EXPECT_NE(mirror.log().find("/v2/test/busybox/manifests/latest"), std::string::npos);
  EXPECT_NE(mirror.log().find("/v2/test/busybox/blobs/" + fact("BUSYBOX_LAYER")),
            std::string::npos);
  EXPECT_EQ(origin.log().find("/v2/test/busybox/"), std::string::npos);
}

TEST_F(RegistryClientTest, UnreachableRegistryIsAClearNetworkError) {
  const int dead = testing_support::free_port();
  RegistryClient client("127.0.0.1:" + std::to_string(dead), options());
  Error e = error_of([&] { client.get_manifest("x/y", "latest"); });
  EXPECT_EQ(e.code(), Errc::kNetwork);
  EXPECT_NE(std::string(e.what()).find("cannot be reached"), std::string::npos) << e.what();
  // Not loopback, no insecure mark: HTTPS only, and the hint says how to allow HTTP.
  RegistryClient remote("registry.invalid", options());
  Error r = error_of([&] { remote.ping(); });
  EXPECT_EQ(r.code(), Errc::kNetwork);
  EXPECT_NE(r.hint().find("--tls-verify=false"), std::string::npos) << r.hint();
}

// The rig's docker-registry with token auth (a JWT issuer), when `scripts/rig up` has run.
TEST_F(RegistryClientTest, RigTokenRegistry) {
  auto env = testing_support::rig_env();
  if (env.count("REGISTRY_TOKEN") == 0) GTEST_SKIP() << "the rig is not up (scripts/rig up)";
  const std::string host = env["REGISTRY_TOKEN"];
  {
    RegistryClient anonymous(host, options());
    ImageRef pub = ImageRef::parse(env["FIXTURE_TOKEN_PUBLIC"]);
    EXPECT_NO_THROW(resolve_image(anonymous, pub, Platform::host()));
    Error e = error_of([&] { anonymous.get_manifest("rig/private", "latest"); });
    EXPECT_EQ(e.code(), Errc::kAuth) << e.what();
  }
  login(host, env["REGISTRY_TOKEN_USER"], "wrong-" + env["REGISTRY_TOKEN_PASS"]);
  {
    RegistryClient wrong(host, options());
    Error e = error_of([&] { wrong.get_manifest("rig/private", "latest"); });
    EXPECT_EQ(e.code(), Errc::kAuth) << e.what();
    std::string text = std::string(e.what()) + e.hint();
    EXPECT_EQ(text.find(env["REGISTRY_TOKEN_PASS"]), std::string::npos) << text;
  }
  login(host, env["REGISTRY_TOKEN_USER"], env["REGISTRY_TOKEN_PASS"]);
  RegistryClient client(host, options());
  ImageRef priv = ImageRef::parse(env["FIXTURE_TOKEN_PRIVATE"]);
  ResolvedImage r = resolve_image(client, priv, Platform::host());
  EXPECT_EQ(r.digest.str(), env["FIXTURE_TOKEN_PRIVATE_DIGEST"]);
  std::vector<BlobFetch> fetches;
  for (const ManifestLayer& l : r.image.layers)
    fetches.push_back(blob(l.blob.digest.str(), l.blob.size));
  fetches.push_back(blob(r.image.config.digest.str(), r.image.config.size));
  std::vector<Collected> got = fetch(client, priv.repository(), fetches);
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_FALSE(got[i].error);
    EXPECT_EQ(Digest::of(got[i].data), fetches[i].digest);
  }
  EXPECT_EQ(client.tokens_fetched(), 1);
}

// The rig's basic-auth registry, when the rig is up.
TEST_F(RegistryClientTest, RigBasicRegistry) {
  auto env = testing_support::rig_env();
  if (env.count("REGISTRY_BASIC") == 0) GTEST_SKIP() << "the rig is not up (scripts/rig up)";
  const std::string host = env["REGISTRY_BASIC"];
  login(host, env["REGISTRY_BASIC_USER"], env["REGISTRY_BASIC_PASS"]);
  RegistryClient client(host, options());
  ResolvedImage r =
      resolve_image(client, ImageRef::parse(env["FIXTURE_BASIC_PRIVATE"]), Platform::host());
  EXPECT_EQ(r.digest.str(), env["FIXTURE_BASIC_PRIVATE_DIGEST"]);
}

// The rig's fault proxy in front of its plain registry cuts a blob's connection: the client
// resumes with Range against the real registry and the sink sees one intact stream.
TEST_F(RegistryClientTest, RigProxyCutBlobResumesWithRange) {
  auto env = testing_support::rig_env();
  if (env.count("REGISTRY_PROXY") == 0) GTEST_SKIP() << "the rig is not up (scripts/rig up)";
  const std::string proxy = env["REGISTRY_PROXY"];
  const std::string layer = env["FIXTURE_BASE_LAYER_DIGEST"];
  // The proxy's log is shared by every test and every run against this rig: only what this
  // test's fetch adds to it counts.
  const size_t log_start = read_file(env["REGISTRY_PROXY_LOG"]).size();
  HttpClient http;
  HttpRequest rule;
  rule.url = env["REGISTRY_PROXY_CONTROL"] + "/cut?match=" + layer + "&after=100000&count=2";
  ASSERT_EQ(http.send(rule).status, 200);
  RegistryClientOptions o = options();
  o.http.max_attempts = 3;  // two cuts, then the rest
  RegistryClient client(proxy, o);
  ImageRef ref = ImageRef::parse(env["FIXTURE_BUSYBOX"]);
  std::vector<BlobFetch> fetches{blob(layer)};
  std::vector<Collected> got = fetch(client, ref.repository(), fetches);
  ASSERT_FALSE(got[0].error);
  EXPECT_EQ(got[0].starts, std::vector<uint64_t>{0});
  EXPECT_EQ(Digest::of(got[0].data).str(), layer);
  // The proxy log: after each cut (100000 bytes into its answer) the rest is asked for from
  // where the client's data ended: 100000 then 200000, or a little less when the cut's reset
  // reached the client before its last bytes did (the kernel drops unread data on a reset).
  // The proxy writes a request's line once its answer is over: the last one may come a moment
  // after the client has all the data (2 s at most).
  std::string log;
  std::vector<uint64_t> resumes;
  for (int i = 0; i < 100 && resumes.size() < 2; ++i) {
    if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    log = read_file(env["REGISTRY_PROXY_LOG"]);
    resumes.clear();
    size_t at = log_start;
    while ((at = log.find(layer + " bytes=", at)) != std::string::npos) {
      at += layer.size() + 7;
      resumes.push_back(std::stoull(log.substr(at)));
    }
  }
  const std::string tail = log.substr(log.size() > 2000 ? log.size() - 2000 : 0);
  ASSERT_GE(resumes.size(), 2u) << tail;
  const uint64_t first = resumes[resumes.size() - 2], second = resumes.back();
  EXPECT_GT(first, 0u) << tail;
  EXPECT_LE(first, 100000u) << tail;
  EXPECT_GT(second, first) << tail;
  EXPECT_LE(second, first + 100000u) << tail;
}

}  // namespace
}  // namespace dabba
