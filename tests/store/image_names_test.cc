// Image names as the store keeps them.
#include "store/image_names.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "tests/store/image_fixture.h"

namespace dabba {
namespace {

TEST(ImageNames, FromReferences) {
  ImageRef ref = ImageRef::parse("alpine");
  EXPECT_EQ(tag_name(ref), "docker.io/library/alpine:latest");
  Digest d = Digest::of("x");
  EXPECT_EQ(digest_name(ref, d), "docker.io/library/alpine@" + d.str());
  EXPECT_EQ(tag_name(ImageRef::parse("localhost:5000/a/b@" + d.str())), "");
  EXPECT_EQ(tag_name(ImageRef::parse("localhost:5000/a/b:v1@" + d.str())), "localhost:5000/a/b:v1");
}

TEST(ImageNames, SplitsTagsDigestsAndPorts) {
  NameParts p = split_name("127.0.0.1:5000/rig/busybox:latest");
  EXPECT_EQ(p.repository, "127.0.0.1:5000/rig/busybox");
  EXPECT_EQ(p.tag, "latest");
  EXPECT_EQ(p.digest, "");
  p = split_name("127.0.0.1:5000/rig/busybox@sha256:abc");
  EXPECT_EQ(p.repository, "127.0.0.1:5000/rig/busybox");
  EXPECT_EQ(p.tag, "");
  EXPECT_EQ(p.digest, "sha256:abc");
  p = split_name("localhost:5000/x");  // the port is not a tag
  EXPECT_EQ(p.repository, "localhost:5000/x");
  EXPECT_EQ(p.tag, "");
}

TEST(ImageNames, DanglingNamesHaveNoRepository) {
  Digest d = Digest::of("manifest");
  std::string n = dangling_name(d);
  EXPECT_TRUE(is_dangling_name(n));
  EXPECT_FALSE(is_dangling_name("docker.io/library/alpine:latest"));
  NameParts p = split_name(n);
  EXPECT_EQ(p.repository, "");
  EXPECT_EQ(p.digest, d.str());
}

class StoredNames : public ::testing::Test {
 protected:
  StoredNames() {
    StoreOptions o;
    o.sync = false;
    store_ = std::make_unique<Store>(Store::open(scratch_ / "store", o));
  }
  ImageRecord image(const std::string& seed, const std::vector<std::string>& names) {
    return testing::make_image(*store_, {testing::layer_tar(seed)}, seed, names);
  }
  std::vector<std::string> drops(std::string_view text, bool force = false) {
    return plan_removal(*store_, text, force).names;
  }
  testing::Scratch scratch_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoredNames, FindsByReferenceNameAndId) {
  ImageRecord a = image("a", {"docker.io/library/alpine:latest"});
  EXPECT_EQ(find_image(*store_, "alpine")->manifest, a.manifest);
  EXPECT_EQ(find_image(*store_, "docker.io/library/alpine:latest")->manifest, a.manifest);
  EXPECT_EQ(find_image(*store_, a.short_id())->manifest, a.manifest);
  EXPECT_EQ(find_image(*store_, a.config.hex().substr(0, 6))->manifest, a.manifest);
  EXPECT_FALSE(find_image(*store_, "busybox"));
  EXPECT_EQ(find_name(*store_, "alpine:latest"), "docker.io/library/alpine:latest");
}

TEST_F(StoredNames, ANamedImageLosesItsDanglingName) {
  ImageRecord a = image("a", {});
  store_->add_image(a, {dangling_name(a.manifest)});
  EXPECT_TRUE(store_->lookup_name(dangling_name(a.manifest)));
  add_named_image(*store_, a, {"localhost/a:1"});
  EXPECT_FALSE(store_->lookup_name(dangling_name(a.manifest)));
  EXPECT_EQ(store_->names_of(a.manifest), std::vector<std::string>{"localhost/a:1"});
}

TEST_F(StoredNames, RemovingATagKeepsTheOthers) {
  image("b", {"docker.io/r/y:1", "docker.io/r/y:2", "docker.io/r/y@" + Digest::of("j").str(),
              "docker.io/r/z:1"});
  EXPECT_EQ(drops("r/y:1"), std::vector<std::string>{"docker.io/r/y:1"});
  EXPECT_EQ(drops("docker.io/r/y:2"), std::vector<std::string>{"docker.io/r/y:2"});
}

TEST_F(StoredNames, TheLastTagOfARepositoryTakesItsDigestNames) {
  std::string d = "docker.io/r/y@" + Digest::of("j").str();
  image("b", {"docker.io/r/y:1", d, "docker.io/r/z:1"});
  EXPECT_EQ(drops("r/y:1"), (std::vector<std::string>{"docker.io/r/y:1", d}));
}

TEST_F(StoredNames, TheLastTagTakesEveryName) {
  std::string d = "docker.io/r/y@" + Digest::of("j").str();
  ImageRecord b = image("b", {"docker.io/r/y:1", d});
  Removal r = plan_removal(*store_, "r/y:1", false);
  EXPECT_EQ(r.names, (std::vector<std::string>{"docker.io/r/y:1", d}));
  EXPECT_TRUE(r.all_names);
  EXPECT_EQ(r.image.manifest, b.manifest);
}

TEST_F(StoredNames, AnIdTakesEveryNameButRefusesSeveralTags) {
  ImageRecord a = image("a", {"docker.io/r/a:1"});
  EXPECT_EQ(drops(a.short_id()), std::vector<std::string>{"docker.io/r/a:1"});
  ImageRecord b = image("b", {"docker.io/r/b:1", "docker.io/r/b:2"});
  try {
    drops(b.short_id());
    FAIL() << "several tags by id should be refused";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::kConflict);
  }
  EXPECT_EQ(drops(b.short_id(), true).size(), 2u);
  EXPECT_THROW(drops("0123456789ab"), Error);
  EXPECT_THROW(drops("docker.io/r/nope:1"), Error);
}

TEST_F(StoredNames, AnImageContainersUseIsKeptUnlessForced) {
  ImageRecord a = image("a", {"docker.io/r/a:1", "docker.io/r/a:2"});
  ContainerRecord c;
  c.id = std::string(64, 'c');
  c.name = "c1";
  c.image = a.manifest;
  for (const auto& l : a.layers) c.layers.push_back(l.diff_id);
  store_->add_container(c);
  EXPECT_EQ(drops("r/a:1"), std::vector<std::string>{"docker.io/r/a:1"});  // a name stays
  store_->remove_name("docker.io/r/a:1", false);
  try {
    drops("r/a:2");
    FAIL() << "the image's last name, with a container, should be refused";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::kConflict) << e.what();
  }
  Removal forced = plan_removal(*store_, "r/a:2", true);
  EXPECT_TRUE(forced.all_names);
}

}  // namespace
}  // namespace dabba
