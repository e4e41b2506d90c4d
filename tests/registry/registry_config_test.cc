// containers-registries.conf(5) as podman reads it: merging of the main file and its drop-ins,
// prefixes and locations, mirrors and pull-from-mirror, blocked and insecure registries, short
// names (aliases, search registries, modes), and containers-certs.d(5) files.
#include "registry/registry_config.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "common/fs.h"
#include "registry/certs_d.h"
#include "registry/short_names.h"
#include "tests/support/error_of.h"

namespace dabba {
namespace {

using testing_support::error_of;

TEST(RegistryConfig, LoopbackRegistries) {
  for (const char* yes : {"localhost", "localhost:5000", "LOCALHOST:1", "127.0.0.1",
                          "127.0.0.1:5000", "127.255.1.2:80", "[::1]:5000", "[::1]", "::1"})
    EXPECT_TRUE(is_loopback_registry(yes)) << yes;
  for (const char* no : {"docker.io", "10.0.0.1:5000", "128.0.0.1", "localhost.example.com",
                         "[::2]:5000", "127.0.0.1.nip.io", "0.0.0.0:5000"})
    EXPECT_FALSE(is_loopback_registry(no)) << no;
}

TEST(RegistryConfig, WithoutAConfigEveryRegistryIsItself) {
  RegistryConfig config;
  auto hub = config.pull_endpoints("docker.io", "library/alpine", false);
  ASSERT_EQ(hub.size(), 1u);
  EXPECT_EQ(hub[0].host, "registry-1.docker.io");
  EXPECT_EQ(hub[0].repository, "library/alpine");
  EXPECT_FALSE(hub[0].allow_http);
  EXPECT_TRUE(hub[0].tls_verify);
  auto local = config.pull_endpoints("127.0.0.1:5000", "a/b", false);
  ASSERT_EQ(local.size(), 1u);
  EXPECT_EQ(local[0].name(), "127.0.0.1:5000/a/b");
  EXPECT_TRUE(local[0].allow_http);  // loopback: HTTP after HTTPS (as Docker, unlike podman)
  EXPECT_TRUE(local[0].tls_verify);
  EXPECT_FALSE(config.pull_endpoints("registry.lan:5000", "x", false)[0].allow_http);
}

TEST(RegistryConfig, MirrorsInOrderThenTheRewrittenLocation) {
  RegistryConfig config = RegistryConfig::from_toml(R"(
[[registry]]
prefix = "example.com/foo"
location = "internal.example.net/bar"
[[registry.mirror]]
location = "mirror-0.local/mirror-for-foo"
[[registry.mirror]]
location = "mirror-1.local:5000/mirrors/foo"
insecure = true

[[registry]]
location = "docker.io"
[[registry.mirror]]
location = "hub-cache.lan"
)");
  auto e = config.pull_endpoints("example.com", "foo/image", false);
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[0].name(), "mirror-0.local/mirror-for-foo/image");
  EXPECT_TRUE(e[0].mirror);
  EXPECT_TRUE(e[0].tls_verify);
  EXPECT_EQ(e[1].name(), "mirror-1.local:5000/mirrors/foo/image");
  EXPECT_FALSE(e[1].tls_verify);
  EXPECT_TRUE(e[1].allow_http);
  EXPECT_EQ(e[2].name(), "internal.example.net/bar/image");
  EXPECT_FALSE(e[2].mirror);
  // A name the prefix does not match (example.com/foobar) is itself.
  auto other = config.pull_endpoints("example.com", "foobar/x", false);
  ASSERT_EQ(other.size(), 1u);
  EXPECT_EQ(other[0].name(), "example.com/foobar/x");
  // Docker Hub's names keep library/, and its API host stays registry-1.docker.io.
  auto hub = config.pull_endpoints("docker.io", "library/alpine", false);
  ASSERT_EQ(hub.size(), 2u);
  EXPECT_EQ(hub[0].name(), "hub-cache.lan/library/alpine");
  EXPECT_EQ(hub[1].name(), "registry-1.docker.io/library/alpine");
  // A push goes to the registry itself: no mirror, no rewriting.
  EXPECT_EQ(config.push_endpoint("example.com", "foo/image").name(), "example.com/foo/image");
}

TEST(RegistryConfig, PullFromMirrorAndMirrorByDigestOnly) {
  RegistryConfig config = RegistryConfig::from_toml(R"(
[[registry]]
location = "a.example"
[[registry.mirror]]
location = "digests.lan"
pull-from-mirror = "digest-only"
[[registry.mirror]]
location = "tags.lan"
pull-from-mirror = "tag-only"
[[registry.mirror]]
location = "all.lan"

[[registry]]
location = "b.example"
mirror-by-digest-only = true
[[registry.mirror]]
location = "m.lan"
)");
  auto hosts = [&](const char* reg, bool digest) {
    std::vector<std::string> out;
    for (const auto& e : config.pull_endpoints(reg, "x", digest)) out.push_back(e.host);
    return out;
  };
  EXPECT_EQ(hosts("a.example", false), (std::vector<std::string>{"tags.lan", "all.lan", "a.example"}));
  EXPECT_EQ(hosts("a.example", true),
            (std::vector<std::string>{"digests.lan", "all.lan", "a.example"}));
  EXPECT_EQ(hosts("b.example", false), (std::vector<std::string>{"b.example"}));
  EXPECT_EQ(hosts("b.example", true), (std::vector<std::string>{"m.lan", "b.example"}));
  EXPECT_THROW(RegistryConfig::from_toml(R"(
[[registry]]
location = "c.example"
mirror-by-digest-only = true
[[registry.mirror]]
location = "m.lan"
pull-from-mirror = "tag-only"
)"),
               Error);
}

TEST(RegistryConfig, LongestPrefixWildcardsInsecureAndBlocked) {
  RegistryConfig config = RegistryConfig::from_toml(R"(
[[registry]]
prefix = "*.corp.example"
insecure = true
[[registry]]
location = "quay.io"
blocked = true
[[registry]]
location = "quay.io/allowed"
)", "/etc/containers/registries.conf");
  auto corp = config.pull_endpoints("r.a.corp.example:5000", "team/app", false);
  ASSERT_EQ(corp.size(), 1u);
  EXPECT_EQ(corp[0].name(), "r.a.corp.example:5000/team/app");
  EXPECT_FALSE(corp[0].tls_verify);
  EXPECT_TRUE(corp[0].allow_http);
  EXPECT_TRUE(config.pull_endpoints("corp.example", "x", false)[0].tls_verify);
  Error e = error_of([&] { config.pull_endpoints("quay.io", "team/app", false); });
  EXPECT_EQ(e.code(), Errc::kPermission);
  EXPECT_EQ(std::string(e.what()), "registry quay.io is blocked in /etc/containers/registries.conf");
  EXPECT_THROW(config.push_endpoint("quay.io", "team/app"), Error);
  EXPECT_EQ(config.pull_endpoints("quay.io", "allowed/x", false).size(), 1u);
  // --tls-verify=true wins over insecure; =false makes everything insecure.
  config.set_tls_verify(true);
  EXPECT_TRUE(config.pull_endpoints("r.corp.example", "x", false)[0].tls_verify);
  config.set_tls_verify(false);
  auto any = config.pull_endpoints("registry.example", "x", false);
  EXPECT_FALSE(any[0].tls_verify);
  EXPECT_TRUE(any[0].allow_http);
}

TEST(RegistriesConf, DropInsOverrideInOrder) {
  RegistriesConf conf;
  conf.merge(R"(
unqualified-search-registries = ["a.example", "b.example"]
short-name-mode = "enforcing"
[[registry]]
location = "r.example"
insecure = true
[aliases]
"one" = "a.example/one"
"two" = "a.example/two"
)", "/etc/containers/registries.conf");
  conf.merge(R"(
[[registry]]
location = "r.example"
blocked = true
[aliases]
"two" = "b.example/two"
"one" = ""
)", "/etc/containers/registries.conf.d/10.conf", true);
  EXPECT_EQ(conf.search_registries(), (std::vector<std::string>{"a.example", "b.example"}));
  EXPECT_EQ(conf.search_origin(), "/etc/containers/registries.conf");
  EXPECT_EQ(conf.short_name_mode(), ShortNameMode::kEnforcing);
  const RegistryConf* r = conf.find("r.example/x");
  ASSERT_NE(r, nullptr);
  EXPECT_TRUE(r->blocked);
  EXPECT_FALSE(r->insecure) << "the later table replaces the earlier one with that prefix";
  EXPECT_FALSE(conf.alias("one"));
  ASSERT_TRUE(conf.alias("two"));
  EXPECT_EQ(conf.alias("two")->value, "b.example/two");
  EXPECT_EQ(conf.alias("two")->origin, "/etc/containers/registries.conf.d/10.conf");
  conf.merge(R"(unqualified-search-registries = ["c.example:5000"])", "/home/u/.config/x.conf",
             true);
  EXPECT_EQ(conf.search_registries(), (std::vector<std::string>{"c.example:5000"}));
  // short-name-aliases.conf wins over every registries.conf.
  conf.merge_alias_cache(R"([aliases]
"two" = "cache.example/two")", "/home/u/.cache/containers/short-name-aliases.conf");
  EXPECT_EQ(conf.alias("two")->value, "cache.example/two");
}

TEST(RegistriesConf, Version1Format) {
  RegistriesConf conf;
  conf.merge(R"(
[registries.search]
registries = ['registry1.com', 'registry2.com']
[registries.insecure]
registries = ['registry3.com']
[registries.block]
registries = ['registry.untrusted.com']
)", "v1.conf");
  EXPECT_EQ(conf.search_registries(), (std::vector<std::string>{"registry1.com", "registry2.com"}));
  EXPECT_TRUE(conf.find("registry3.com/x")->insecure);
  EXPECT_TRUE(conf.find("registry.untrusted.com/x")->blocked);
  EXPECT_THROW(conf.merge("[registries.search]\nregistries = ['x.com']\n", "d.conf", true), Error);
}

TEST(RegistriesConf, BadFilesSayWhatIsWrong) {
  struct Case {
    const char* text;
    const char* says;
  } cases[] = {
      {"unqualified-search-registries = [", "not valid TOML (line"},
      {"unqualified-search-registries = \"docker.io\"", "must be an array of strings"},
      {"unqualified-search-registries = [\"docker.io/library\"]", "invalid unqualified-search"},
      {"short-name-mode = \"sometimes\"", "invalid short-name mode \"sometimes\""},
      {"[[registry]]\nlocation = \"https://x.example\"", "URI schemes are not supported"},
      {"[[registry]]\nprefix = \"x.example\"\nlocation = \"\"", "cannot be empty"},
      {"[[registry]]\nlocation = \"x.example\"\ninsecure = \"yes\"", "must be true or false"},
      {"[[registry]]\nlocation = \"x.example\"\n[[registry]]\nlocation = \"x.example\"\n"
       "blocked = true",
       "conflicting 'blocked' setting"},
      {"[aliases]\n\"quay.io/x\" = \"quay.io/x\"", "must be a short name"},
      {"[aliases]\n\"x\" = \"x\"", "must be fully qualified"},
      {"[aliases]\n\"x:1\" = \"quay.io/x\"", "must not contain a tag"},
      {"[aliases]\n\"x\" = \"quay.io/x:1\"", "must not contain a tag or digest"},
      {"[[registry]]\nlocation = \"a.example\"\n[[registry.mirror]]\nlocation = \"m\"\n"
       "pull-from-mirror = \"some\"",
       "unsupported pull-from-mirror value"},
  };
  for (const Case& c : cases) {
    RegistriesConf conf;
    Error e = error_of([&] { conf.merge(c.text, "/x/registries.conf"); });
    std::string what = e.what();
    EXPECT_EQ(e.code(), Errc::kCorrupt) << c.text;
    EXPECT_NE(what.find("/x/registries.conf"), std::string::npos) << what;
    EXPECT_NE(what.find(c.says), std::string::npos) << c.text << " -> " << what;
  }
}

TEST(RegistriesConf, LoadsMainAndDropInsFromDirectories) {
  TempDir dir("/tmp", "dabba-registries-conf-");
  RegistriesConf::Paths paths;
  paths.main = dir.path() + "/registries.conf";
  paths.dropin_dirs = {dir.path() + "/system.d", dir.path() + "/user.d"};
  paths.aliases_cache = dir.path() + "/cache/short-name-aliases.conf";
  make_dirs(dir.path() + "/system.d");
  make_dirs(dir.path() + "/user.d");
  write_file_atomic(paths.main, "unqualified-search-registries = [\"main.example\"]\n", Sync::kNone);
  write_file_atomic(dir.path() + "/system.d/20-b.conf", "[aliases]\n\"b\" = \"b.example/b\"\n", Sync::kNone);
  write_file_atomic(dir.path() + "/system.d/10-a.conf",
                    "unqualified-search-registries = [\"a.example\"]\n", Sync::kNone);
  write_file_atomic(dir.path() + "/system.d/30-ignored.txt", "not toml [[[", Sync::kNone);
  write_file_atomic(dir.path() + "/user.d/00-user.conf",
                    "unqualified-search-registries = [\"user.example\"]\n", Sync::kNone);
  RegistriesConf conf = RegistriesConf::load(paths);
  EXPECT_EQ(conf.search_registries(), (std::vector<std::string>{"user.example"}));
  EXPECT_EQ(conf.files(),
            (std::vector<std::string>{paths.main, dir.path() + "/system.d/10-a.conf",
                                      dir.path() + "/system.d/20-b.conf",
                                      dir.path() + "/user.d/00-user.conf"}));
  EXPECT_TRUE(conf.alias("b"));
  // A missing main file is empty, unless CONTAINERS_REGISTRIES_CONF named it.
  paths.main = dir.path() + "/missing.conf";
  EXPECT_NO_THROW(RegistriesConf::load(paths));
  paths.main_explicit = true;
  EXPECT_EQ(error_of([&] { RegistriesConf::load(paths); }).code(), Errc::kNotFound);
}

TEST(ShortNames, AliasesThenSearchRegistries) {
  RegistriesConf conf;
  conf.merge(R"(
unqualified-search-registries = ["one.example", "two.example:5000"]
[aliases]
"fedora" = "registry.fedoraproject.org/fedora"
"library/busybox" = "docker.io/library/busybox"
)", "/etc/containers/registries.conf");
  EXPECT_TRUE(is_short_name("alpine"));
  EXPECT_TRUE(is_short_name("library/fedora:38"));
  EXPECT_FALSE(is_short_name("quay.io/x"));
  EXPECT_FALSE(is_short_name("localhost/x"));
  EXPECT_FALSE(is_short_name("host:5000/x"));

  ShortNameResolution a = resolve_pull_name("fedora:38", conf);
  ASSERT_EQ(a.candidates.size(), 1u);
  EXPECT_EQ(a.candidates[0].str(), "registry.fedoraproject.org/fedora:38");
  EXPECT_EQ(a.description,
            "Resolved \"fedora\" as an alias (/etc/containers/registries.conf)");
  EXPECT_EQ(resolve_pull_name("library/busybox", conf).candidates[0].str(),
            "docker.io/library/busybox:latest");

  ShortNameResolution s = resolve_pull_name("team/app:1", conf);
  ASSERT_EQ(s.candidates.size(), 2u);
  EXPECT_EQ(s.candidates[0].str(), "one.example/team/app:1");
  EXPECT_EQ(s.candidates[1].str(), "two.example:5000/team/app:1");
  EXPECT_EQ(s.description, "Resolving \"team/app\" using unqualified-search registries "
                           "(/etc/containers/registries.conf)");
  // A fully qualified name is only itself.
  ShortNameResolution q = resolve_pull_name("quay.io/x/y", conf);
  ASSERT_EQ(q.candidates.size(), 1u);
  EXPECT_TRUE(q.description.empty());

  // Enforcing with several search registries: podman's non-interactive refusal.
  conf.merge("short-name-mode = \"enforcing\"\n", "/etc/containers/registries.conf.d/m.conf", true);
  Error e = error_of([&] { resolve_pull_name("team/app", conf); });
  EXPECT_EQ(std::string(e.what()), "short-name resolution enforced but cannot prompt without a TTY");
  EXPECT_EQ(resolve_pull_name("fedora", conf).candidates.size(), 1u) << "an alias is no ambiguity";

  RegistriesConf empty;
  empty.merge("# nothing\n", "/etc/containers/registries.conf");
  Error n = error_of([&] { resolve_pull_name("alpine", empty); });
  EXPECT_NE(std::string(n.what()).find(
                "short-name \"alpine\" did not resolve to an alias and no unqualified-search "
                "registries are defined in"),
            std::string::npos)
      << n.what();
  // No registries.conf anywhere (no podman on the machine): Docker Hub, as Docker does.
  RegistriesConf none;
  ShortNameResolution hub = resolve_pull_name("alpine", none);
  ASSERT_EQ(hub.candidates.size(), 1u);
  EXPECT_EQ(hub.candidates[0].str(), "docker.io/library/alpine:latest");
}

TEST(ShortNames, LocalCandidates) {
  RegistriesConf conf;
  conf.merge(R"(
unqualified-search-registries = ["one.example"]
[aliases]
"app" = "quay.io/team/app"
)", "r.conf");
  std::vector<std::string> got;
  for (const ImageRef& r : local_name_candidates("app:2", conf)) got.push_back(r.str());
  EXPECT_EQ(got, (std::vector<std::string>{"quay.io/team/app:2", "localhost/app:2",
                                           "one.example/app:2", "docker.io/library/app:2"}));
  EXPECT_EQ(local_name_candidates("quay.io/x", conf).size(), 1u);
}

TEST(CertsD, FindsCasAndTheClientPair) {
  TempDir dir("/tmp", "dabba-certs-d-");
  write_file_atomic(dir.path() + "/b.crt", "B", Sync::kNone);
  write_file_atomic(dir.path() + "/a.crt", "A", Sync::kNone);
  write_file_atomic(dir.path() + "/client.cert", "C", Sync::kNone);
  write_file_atomic(dir.path() + "/client.key", "K", Sync::kNone);
  write_file_atomic(dir.path() + "/notes.txt", "ignored", Sync::kNone);
  TlsFiles f = find_tls_files("r.example:5000", dir.path());
  EXPECT_EQ(f.dir, dir.path());
  EXPECT_EQ(f.ca_files, (std::vector<std::string>{dir.path() + "/a.crt", dir.path() + "/b.crt"}));
  EXPECT_EQ(f.client_cert, dir.path() + "/client.cert");
  EXPECT_EQ(f.client_key, dir.path() + "/client.key");
  std::string pem = trusted_ca_pem(f);
  EXPECT_NE(pem.find("A\nB"), std::string::npos);
  ::unlink((dir.path() + "/client.key").c_str());
  Error e = error_of([&] { find_tls_files("r.example:5000", dir.path()); });
  EXPECT_NE(std::string(e.what()).find("missing key"), std::string::npos) << e.what();
  // No --cert-dir and no certs.d directory for the host: nothing.
  EXPECT_TRUE(find_tls_files("nothing-here.invalid:1").dir.empty());
}

}  // namespace
}  // namespace dabba
