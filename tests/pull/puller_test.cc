// The puller against a real docker-registry (the registry client's fixture images) into a real
// store: naming, the cached paths that need no registry at all, --pull policies, platforms,
// reuse by diff_id, progress events and cancellation. tests/integration/pull_*.sh drive the
// binary against the rig for the rest (auth, faults, resume, request counts).
#include "pull/puller.h"

#include <gtest/gtest.h>

#include <mutex>

#include "common/error.h"
#include "store/image_names.h"
#include "tests/support/registry_test_support.h"
#include "tests/support/store_test_util.h"

namespace dabba {
namespace {

using testing::Scratch;
using testing_support::registry_fixture;
using testing_support::TestRegistry;

class Recorder final : public PullProgress {
 public:
  void resolved(const std::string&, const Digest&, bool cached) override {
    add(cached ? "resolved cached" : "resolved");
  }
  void layers(const std::vector<PullLayer>& l) override {
    add("layers " + std::to_string(l.size()));
  }
  void layer_reused(size_t i) override { add("reused " + std::to_string(i)); }
  void layer_started(size_t i, uint64_t) override { add("started " + std::to_string(i)); }
  void layer_bytes(size_t, uint64_t held) override {
    std::lock_guard lock(mu_);
    last_bytes_ = held;
  }
  void layer_done(size_t i, const LayerResult&) override { add("done " + std::to_string(i)); }
  void layer_failed(size_t i, const std::string&) override { add("failed " + std::to_string(i)); }
  std::vector<std::string> events() {
    std::lock_guard lock(mu_);
    return events_;
  }
  uint64_t last_bytes() {
    std::lock_guard lock(mu_);
    return last_bytes_;
  }

 private:
  void add(std::string e) {
    std::lock_guard lock(mu_);
    events_.push_back(std::move(e));
  }
  std::mutex mu_;
  std::vector<std::string> events_;
  uint64_t last_bytes_ = 0;
};

class Puller : public ::testing::Test {
 protected:
  Puller() : registry_(std::make_unique<TestRegistry>(registry_fixture().storage)) {
    StoreOptions so;
    so.sync = false;
    store_ = std::make_unique<Store>(Store::open(scratch_ / "store", so));
    host_ = registry_->host();
  }
  static std::string fact(const std::string& name) { return registry_fixture().fact(name); }
  ImageRef ref(const std::string& repo) const { return ImageRef::parse(host_ + "/" + repo); }
  static PullOptions options() {
    PullOptions o;
    o.client.credentials.reset();
    o.client.http.max_attempts = 1;  // a stopped registry fails at once
    return o;
  }
  void stop_registry() { registry_.reset(); }

  Scratch scratch_;
  std::unique_ptr<TestRegistry> registry_;
  std::unique_ptr<Store> store_;
  std::string host_;
};

TEST_F(Puller, StoresTheImageUnderItsTagAndDigest) {
  PullResult r = pull_image(*store_, ref("test/busybox:latest"), options());
  EXPECT_EQ(r.digest.str(), fact("BUSYBOX_DIGEST"));
  EXPECT_FALSE(r.cached);
  EXPECT_EQ(r.layers_fetched, 1u);
  EXPECT_EQ(r.bytes_fetched, std::stoull(fact("BUSYBOX_LAYER_SIZE")));
  EXPECT_EQ(r.image.config.str(), fact("BUSYBOX_CONFIG"));
  EXPECT_EQ(r.image.platform, "linux/amd64");
  EXPECT_GT(r.image.created, 0);
  EXPECT_EQ(store_->lookup_name(host_ + "/test/busybox:latest"), r.image.manifest);
  EXPECT_EQ(store_->lookup_name(host_ + "/test/busybox@" + r.digest.str()), r.image.manifest);
  ASSERT_EQ(r.image.layers.size(), 1u);
  EXPECT_EQ(r.image.layers[0].blob.str(), fact("BUSYBOX_LAYER"));
  EXPECT_TRUE(store_->layer(r.image.layers[0].diff_id));
  EXPECT_TRUE(store_->check().ok());
}

TEST_F(Puller, AStoredImageByDigestNeedsNoRegistry) {
  PullResult first = pull_image(*store_, ref("test/busybox:latest"), options());
  PullResult again = pull_image(*store_, ref("test/busybox:latest"), options());
  EXPECT_TRUE(again.cached);
  EXPECT_EQ(again.image.manifest, first.image.manifest);
  stop_registry();
  PullResult by_digest =
      pull_image(*store_, ref("test/busybox@" + fact("BUSYBOX_DIGEST")), options());
  EXPECT_TRUE(by_digest.cached);
  EXPECT_EQ(by_digest.image.manifest, first.image.manifest);
  // A tag is always asked about (has it moved?), as podman does.
  try {
    pull_image(*store_, ref("test/busybox:latest"), options());
    FAIL() << "a tag pull without a registry should fail";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::kNetwork) << e.what();
  }
}

TEST_F(Puller, PullPolicies) {
  const std::string text = host_ + "/test/busybox:latest";
  EXPECT_THROW(ensure_image(*store_, text, PullPolicy::kNever, options()), Error);
  ImageRecord pulled = ensure_image(*store_, text, PullPolicy::kMissing, options());
  stop_registry();
  EXPECT_EQ(ensure_image(*store_, text, PullPolicy::kMissing, options()).manifest, pulled.manifest);
  EXPECT_EQ(ensure_image(*store_, text, PullPolicy::kNever, options()).manifest, pulled.manifest);
  // By image id (and a prefix of it), as `run` accepts them.
  EXPECT_EQ(ensure_image(*store_, pulled.short_id(), PullPolicy::kNever, options()).manifest,
            pulled.manifest);
  EXPECT_THROW(ensure_image(*store_, text, PullPolicy::kAlways, options()), Error);
  EXPECT_EQ(parse_pull_policy("missing"), PullPolicy::kMissing);
  EXPECT_THROW(parse_pull_policy("sometimes"), Error);
}

TEST_F(Puller, AnIndexGivesTheWantedPlatform) {
  PullOptions arm = options();
  arm.platform = Platform::parse("linux/arm64");
  PullResult r = pull_image(*store_, ref("test/multi:latest"), arm);
  EXPECT_EQ(r.digest.str(), fact("MULTI_DIGEST"));
  EXPECT_EQ(r.image.manifest.str(), fact("MULTI_ARM64"));
  EXPECT_EQ(r.image.platform, "linux/arm64/v8");
  // The host's platform: another image, and the tag moves to it.
  PullResult host = pull_image(*store_, ref("test/multi:latest"), options());
  EXPECT_FALSE(host.cached);
  EXPECT_EQ(host.image.manifest.str(), fact("MULTI_AMD64"));
  EXPECT_EQ(store_->lookup_name(host_ + "/test/multi:latest"), host.image.manifest);
  // The arm64 image lost its names to the amd64 one, so its record went; asked again for
  // arm64, it is added back from what the store still holds: no layer fetched.
  EXPECT_FALSE(store_->image(r.image.manifest));
  PullResult arm_again = pull_image(*store_, ref("test/multi:latest"), arm);
  EXPECT_EQ(arm_again.image.manifest.str(), fact("MULTI_ARM64"));
  EXPECT_EQ(arm_again.layers_fetched, 0u);
  EXPECT_EQ(arm_again.layers_reused, r.image.layers.size());
}

TEST_F(Puller, ALayerIsReusedAcrossImagesAndManifestFormats) {
  pull_image(*store_, ref("test/busybox:latest"), options());
  PullResult v2s2 = pull_image(*store_, ref("test/busybox:v2s2"), options());
  EXPECT_EQ(v2s2.digest.str(), fact("V2S2_DIGEST"));
  EXPECT_EQ(v2s2.layers_fetched, 0u);
  EXPECT_EQ(v2s2.layers_reused, 1u);
  EXPECT_EQ(store_->list_images().size(), 2u);
}

TEST_F(Puller, ReportsProgress) {
  Recorder rec;
  PullOptions o = options();
  o.progress = &rec;
  pull_image(*store_, ref("test/busybox:latest"), o);
  EXPECT_EQ(rec.events(),
            (std::vector<std::string>{"resolved", "layers 1", "started 0", "done 0"}));
  EXPECT_EQ(rec.last_bytes(), std::stoull(fact("BUSYBOX_LAYER_SIZE")));
  Recorder again;
  o.progress = &again;
  pull_image(*store_, ref("test/busybox:latest"), o);
  EXPECT_EQ(again.events(), std::vector<std::string>{"resolved cached"});
}

TEST_F(Puller, CancelledRegistersNothing) {
  std::atomic<bool> cancel{true};
  PullOptions o = options();
  o.client.http.cancel = &cancel;
  try {
    pull_image(*store_, ref("test/big:latest"), o);
    FAIL() << "a cancelled pull should throw";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::kInterrupted) << e.what();
  }
  EXPECT_TRUE(store_->list_images().empty());
  cancel = false;
  PullResult r = pull_image(*store_, ref("test/big:latest"), o);
  EXPECT_EQ(r.image.layers[0].blob.str(), fact("BIG_LAYER"));
}

TEST_F(Puller, AMissingImageIsNotFound) {
  try {
    pull_image(*store_, ref("test/busybox:nope"), options());
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::kNotFound) << e.what();
  }
  EXPECT_TRUE(store_->list_images().empty());
}

}  // namespace
}  // namespace dabba
