// Volumes: records, directories, and the containers that hold them.
#include <gtest/gtest.h>

#include "tests/store/image_fixture.h"

namespace dabba {
namespace {

using namespace dabba::testing;

class VolumesTest : public ::testing::Test {
 protected:
  ContainerRecord container_with(const std::string& id, std::vector<std::string> volumes) {
    if (!image_)
      image_ = make_image(store_, {layer_tar("base")}, "v", {"r/v:1"});
    ContainerRecord c;
    c.id = id;
    c.image = image_->manifest;
    c.layers = {image_->layers[0].diff_id};
    c.volumes = std::move(volumes);
    return c;
  }
  Scratch scratch_;
  Store store_ = Store::open(scratch_ / "store");
  std::optional<ImageRecord> image_;
};

Errc code_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.code();
  }
  return Errc::kFailed;
}

TEST_F(VolumesTest, CreateListAndRemove) {
  VolumeRecord v;
  v.name = "data";
  v.labels = {{"a", "b"}};
  v.options = {{"o", "size=1"}};
  VolumeRecord made = store_.create_volume(v);
  EXPECT_GT(made.created, 0);
  EXPECT_TRUE(exists(store_.volume_data_dir("data")));
  EXPECT_EQ(store_.volume_data_dir("data"), scratch_ / "store/volumes/data/_data");
  auto got = store_.volume("data");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->labels.at("a"), "b");
  EXPECT_EQ(got->options.at("o"), "size=1");
  EXPECT_FALSE(got->anonymous);
  EXPECT_EQ(code_of([&] { store_.create_volume(v); }), Errc::kAlreadyExists);
  store_.create_volume(VolumeRecord{.name = "b.2-x_y"});
  ASSERT_EQ(store_.list_volumes().size(), 2u);
  EXPECT_EQ(store_.list_volumes()[0].name, "b.2-x_y");
  store_.remove_volume("data");
  EXPECT_FALSE(store_.volume("data"));
  EXPECT_FALSE(exists(scratch_ / "store/volumes/data"));
  EXPECT_EQ(code_of([&] { store_.remove_volume("data"); }), Errc::kNotFound);
}

TEST_F(VolumesTest, BadNamesAreRefused) {
  for (const char* bad : {"", "-x", ".x", "a/b", "..", "a b", "_a"})
    EXPECT_EQ(code_of([&] { store_.create_volume(VolumeRecord{.name = bad}); }),
              Errc::kInvalidArgument)
        << bad;
}

TEST_F(VolumesTest, AVolumeInUseStays) {
  store_.create_volume(VolumeRecord{.name = "data"});
  store_.add_container(container_with(std::string(64, 'a'), {"data"}));
  EXPECT_EQ(store_.volume_users("data"), std::vector<std::string>{std::string(64, 'a')});
  try {
    store_.remove_volume("data");
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::kConflict);
    EXPECT_NE(std::string(e.what()).find("volume is being used"), std::string::npos) << e.what();
  }
  store_.remove_container(std::string(64, 'a'), true);  // a named volume stays even with -v
  EXPECT_TRUE(store_.volume("data"));
  store_.remove_volume("data");
  // A container naming a volume that is not there is refused.
  EXPECT_EQ(code_of([&] { store_.add_container(container_with(std::string(64, 'b'), {"gone"})); }),
            Errc::kNotFound);
}

TEST_F(VolumesTest, AnonymousVolumesGoWithTheirLastContainer) {
  VolumeRecord anon;
  anon.name = std::string(64, 'f');
  anon.anonymous = true;
  store_.create_volume(anon);
  store_.add_container(container_with(std::string(64, 'a'), {anon.name}));
  store_.add_container(container_with(std::string(64, 'b'), {anon.name}));
  store_.remove_container(std::string(64, 'a'), true);
  EXPECT_TRUE(store_.volume(anon.name)) << "still used by b";
  store_.remove_container(std::string(64, 'b'), false);
  EXPECT_TRUE(store_.volume(anon.name)) << "rm without -v keeps it";
  store_.add_container(container_with(std::string(64, 'c'), {anon.name}));
  store_.remove_container(std::string(64, 'c'), true);
  EXPECT_FALSE(store_.volume(anon.name));
  EXPECT_FALSE(exists(scratch_ / ("store/volumes/" + anon.name)));
}

}  // namespace
}  // namespace dabba
