// Images, names, containers and their reference counts.
#include <gtest/gtest.h>

#include <map>

#include "tests/store/image_fixture.h"

namespace dabba {
namespace {

using namespace dabba::testing;

class ImagesTest : public ::testing::Test {
 protected:
  Scratch scratch_;
  Store store_ = Store::open(scratch_ / "store");
};

TEST_F(ImagesTest, AddResolveAndList) {
  ImageRecord a =
      make_image(store_, {layer_tar("base"), layer_tar("a")}, "a",
                 {"reg.io/lib/a:1", "reg.io/lib/a@sha256:" + std::string(64, '1')}, 100);
  ImageRecord b = make_image(store_, {layer_tar("base")}, "b", {"reg.io/lib/b:latest"}, 200);
  EXPECT_EQ(a.name_refs, 2u);
  EXPECT_EQ(a.unpacked_size, store_.layer(a.layers[0].diff_id)->content_bytes +
                                 store_.layer(a.layers[1].diff_id)->content_bytes);

  EXPECT_EQ(store_.resolve_image("reg.io/lib/a:1").manifest, a.manifest);
  EXPECT_EQ(store_.resolve_image(a.manifest.str()).manifest, a.manifest);
  EXPECT_EQ(store_.resolve_image(a.config.str()).manifest, a.manifest);
  EXPECT_EQ(store_.resolve_image(a.short_id()).manifest, a.manifest);
  EXPECT_EQ(store_.resolve_image(b.config.hex().substr(0, 6)).manifest, b.manifest);
  try {
    store_.resolve_image("reg.io/lib/c:1");
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::kNotFound);
  }

  auto list = store_.list_images();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].image.manifest, b.manifest) << "newest first";
  EXPECT_EQ(list[1].names.size(), 2u);
  EXPECT_EQ(store_.names_of(a.manifest).size(), 2u);

  // Reference counts: the shared base layer is used twice, its blob twice.
  EXPECT_EQ(store_.layer(a.layers[0].diff_id)->refs, 2u);
  EXPECT_EQ(store_.blob(a.layers[0].blob)->refs, 2u);
  EXPECT_EQ(store_.layer(a.layers[1].diff_id)->refs, 1u);
  EXPECT_EQ(store_.blob(a.manifest)->refs, 1u);
  EXPECT_TRUE(store_.check().ok());
}

TEST_F(ImagesTest, AmbiguousIdPrefixIsAnError) {
  // Two configs whose digests share 4 leading hex digits.
  std::map<std::string, std::string> seen;
  std::string s1, s2;
  for (int i = 0; s2.empty(); ++i) {
    std::string seed = std::to_string(i);
    std::string config_hex = Digest::of("{\"seed\":\"" + seed + "\",\"rootfs\":{\"diff_ids\":[\"" +
                                        Digest::of(layer_tar("base")).str() + "\"]}}")
                                 .hex();
    auto [it, fresh] = seen.emplace(config_hex.substr(0, 4), seed);
    if (!fresh) s1 = it->second, s2 = seed;
  }
  ImageRecord a = make_image(store_, {layer_tar("base")}, s1, {"x:1"});
  ImageRecord b = make_image(store_, {layer_tar("base")}, s2, {"x:2"});
  ASSERT_EQ(a.config.hex().substr(0, 4), b.config.hex().substr(0, 4));
  try {
    store_.resolve_image(a.config.hex().substr(0, 4));
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("ambiguous"), std::string::npos);
  }
  EXPECT_EQ(store_.resolve_image(a.short_id()).manifest, a.manifest);
}

TEST_F(ImagesTest, TagsMoveAndTheLastNameReleasesTheImage) {
  ImageRecord a =
      make_image(store_, {layer_tar("base"), layer_tar("a")}, "a", {"r/x:latest", "r/x:1"});
  ImageRecord b = make_image(store_, {layer_tar("base"), layer_tar("b")}, "b", {"r/x:latest"});
  EXPECT_EQ(store_.image(a.manifest)->name_refs, 1u) << ":latest moved to b";
  EXPECT_EQ(store_.lookup_name("r/x:latest"), b.manifest);
  EXPECT_TRUE(store_.remove_name("r/x:1", false));
  EXPECT_FALSE(store_.image(a.manifest));
  EXPECT_EQ(store_.blob(a.manifest)->refs, 0u);
  EXPECT_EQ(store_.layer(a.layers[1].diff_id)->refs, 0u);
  EXPECT_EQ(store_.layer(a.layers[0].diff_id)->refs, 1u) << "base still used by b";
  EXPECT_THROW(store_.remove_name("r/x:1", false), Error);
  EXPECT_TRUE(store_.check().ok());
}

TEST_F(ImagesTest, NamesHistoryAsContainersStorageKeepsIt) {
  // podman's own test: tag, untag, tag another, untag; the image's name first, then the others
  // newest first.
  ImageRecord a = make_image(store_, {layer_tar("h")}, "h", {"localhost/my:latest"});
  auto history = [&] { return store_.image(a.manifest)->names_history; };
  EXPECT_EQ(history(), std::vector<std::string>({"localhost/my:latest"}));
  store_.add_image(a, {"localhost/t1:latest"});
  EXPECT_EQ(history(), std::vector<std::string>({"localhost/t1:latest", "localhost/my:latest"}));
  store_.remove_name("localhost/t1:latest", false);
  EXPECT_EQ(history(), std::vector<std::string>({"localhost/my:latest", "localhost/t1:latest"}));
  store_.add_image(a, {"localhost/t2:latest"});
  store_.remove_name("localhost/t2:latest", false);
  EXPECT_EQ(history(), std::vector<std::string>(
                           {"localhost/my:latest", "localhost/t2:latest", "localhost/t1:latest"}));
}

TEST_F(ImagesTest, NamesInTheImagesOrderAsContainersStorageKeepsThem) {
  ImageRecord a = make_image(store_, {layer_tar("o")}, "o", {"r/z:1"});
  store_.add_image(a, {"r/a:1"}, Store::NamePlace::kLast);  // tag: last
  EXPECT_EQ(store_.names_of(a.manifest), std::vector<std::string>({"r/z:1", "r/a:1"}));
  store_.add_image(a, {"r/m:1"});  // a load or pull of it: first
  EXPECT_EQ(store_.names_of(a.manifest), std::vector<std::string>({"r/m:1", "r/z:1", "r/a:1"}));
  store_.remove_name("r/z:1", false);
  std::vector<ImageEntry> all = store_.list_images();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].names, std::vector<std::string>({"r/m:1", "r/a:1"}));
}

TEST_F(ImagesTest, ContainersPinTheirImageAndLayers) {
  ImageRecord a = make_image(store_, {layer_tar("base"), layer_tar("a")}, "a", {"r/a:1"});
  ContainerRecord c;
  c.id = std::string(64, 'c');
  c.name = "web";
  c.image = a.manifest;
  c.layers = {a.layers[0].diff_id, a.layers[1].diff_id};
  c.runner_json = R"({"state":"created"})";
  store_.add_container(c);
  EXPECT_TRUE(exists(store_.container_dir(c.id)));
  EXPECT_EQ(store_.container("web")->id, c.id);
  EXPECT_EQ(store_.container("ccc")->name, "web");
  EXPECT_EQ(store_.container(c.id)->runner_json, R"({"state":"created"})");
  store_.update_container(c.id, R"({"state":"running"})");
  EXPECT_EQ(store_.container("web")->runner_json, R"({"state":"running"})");
  EXPECT_EQ(store_.layer(a.layers[1].diff_id)->refs, 2u);

  ContainerRecord dup = c;
  dup.id = std::string(64, 'd');
  try {
    store_.add_container(dup);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::kAlreadyExists);
  }

  dup.name = "db";
  store_.add_container(dup);
  try {
    store_.rename_container(c.id, "db");
    ADD_FAILURE() << "db is taken";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::kAlreadyExists);
  }
  store_.rename_container(c.id, "site");
  EXPECT_EQ(store_.container("site")->id, c.id);
  EXPECT_FALSE(store_.container("web")) << "the old name is free";
  store_.rename_container(dup.id, "web");
  EXPECT_EQ(store_.container("web")->id, dup.id);
  EXPECT_THROW(store_.rename_container(std::string(64, 'e'), "x"), Error);
  EXPECT_TRUE(store_.check().ok());
  store_.remove_container(dup.id);
  EXPECT_FALSE(store_.container("web"));

  try {
    store_.remove_name("r/a:1", false);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::kConflict);
    EXPECT_NE(std::string(e.what()).find("1 container"), std::string::npos);
  }
  EXPECT_FALSE(store_.remove_name("r/a:1", true)) << "forced: the image stays for its container";
  EXPECT_TRUE(store_.image(a.manifest));
  EXPECT_EQ(store_.list_images()[0].names.size(), 0u);
  EXPECT_TRUE(store_.check().ok());

  store_.remove_container(c.id);
  EXPECT_FALSE(exists(store_.container_dir(c.id)));
  EXPECT_FALSE(store_.image(a.manifest)) << "released with its last container";
  EXPECT_EQ(store_.layer(a.layers[1].diff_id)->refs, 0u);
  EXPECT_TRUE(store_.list_containers().empty());
  EXPECT_TRUE(store_.check().ok());
}

TEST_F(ImagesTest, AddImageNeedsItsContent) {
  ImageRecord a = make_image(store_, {layer_tar("base")}, "a", {});
  ImageRecord missing_layer = a;
  missing_layer.layers.push_back({Digest::of("b"), Digest::of("d"), 1, ""});
  EXPECT_THROW(store_.add_image(missing_layer, {"r/a:1"}), Error);
  ImageRecord missing_config = a;
  missing_config.config = Digest::of("nope");
  EXPECT_THROW(store_.add_image(missing_config, {"r/a:1"}), Error);
  EXPECT_THROW(store_.add_image(a, {}), Error);
  EXPECT_TRUE(store_.list_images().empty());
  store_.add_image(a, {"r/a:1"});
  EXPECT_TRUE(store_.check().ok());
}

}  // namespace
}  // namespace dabba
