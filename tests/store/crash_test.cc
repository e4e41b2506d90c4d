// SIGKILL at each step of an ingest (and at random moments of a busy pull): the store still
// opens, check finds no problem, gc clears the leftovers, and pulling again completes.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include "tests/store/image_fixture.h"

namespace dabba {
namespace {

using namespace dabba::testing;

std::string crash_layer() { return layer_tar("crash", 120); }

// Pulls one image; the child is killed at `point` (or by the parent after a delay).
void pull_in_child(const std::string& root, const std::string& point) {
  StoreOptions o;
  o.crash_point = [point](std::string_view p) {
    if (p == point) ::raise(SIGKILL);
  };
  Store store = Store::open(root, o);
  std::string tar = crash_layer();
  std::string blob = gzip(tar);
  Lease lease = store.lease();
  LayerIngest in =
      store.begin_layer({Digest::of(blob), int64_t(blob.size()), Digest::of(tar)}, lease);
  if (!in.complete()) {
    TestSource src(blob.substr(in.resume_offset()), 8192);
    if (point == "mid-stream")
      src.at([&](size_t at) {
        if (at > blob.size() / 2) ::raise(SIGKILL);
      });
    in.run(src);
  }
  make_image(store, {layer_tar("other"), tar}, "img", {"r/crash:1"});
}

void expect_store_recovers(const std::string& root, const std::string& what) {
  Store store = Store::open(root);
  CheckReport c = store.check();
  EXPECT_TRUE(c.ok()) << what << ": " << (c.problems.empty() ? "" : c.problems[0]);
  store.gc();
  EXPECT_TRUE(dir_entries(root + "/tmp").empty()) << what;
  // And it works: the same pull completes (resuming a partial where there is one).
  make_image(store, {layer_tar("other"), crash_layer()}, "img", {"r/crash:1"});
  ImageRecord img = store.resolve_image("r/crash:1");
  EXPECT_EQ(read_file(store.layer_dir(img.layers[1].diff_id) + "/crash/f7"), "crash content 7")
      << what;
  CheckReport after = store.check();
  EXPECT_TRUE(after.ok()) << what << ": " << (after.problems.empty() ? "" : after.problems[0]);
  EXPECT_EQ(store.gc().total_bytes(), 0u) << what;
}

class CrashAt : public ::testing::TestWithParam<const char*> {};

TEST_P(CrashAt, LeavesAStoreThatOpensChecksAndWorks) {
  Scratch s;
  const std::string root = s / "store";
  pid_t pid = ::fork();
  if (pid == 0) {
    try {
      pull_in_child(root, GetParam());
    } catch (...) {
      ::_exit(1);
    }
    ::_exit(0);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "not killed: " << status;
  expect_store_recovers(root, GetParam());
}

INSTANTIATE_TEST_SUITE_P(All, CrashAt,
                         ::testing::Values("mid-stream", "unpacked", "synced", "blob-renamed",
                                           "layer-renamed", "committed"),
                         [](const auto& info) {
                           std::string n = info.param;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

TEST(Crash, KilledAtRandomMomentsOfABusyPull) {
  Scratch s;
  const std::string root = s / "store";
  for (int delay_ms : {5, 15, 30, 60, 100, 160}) {
    pid_t pid = ::fork();
    if (pid == 0) {
      try {
        Store store = Store::open(root);
        for (int i = 0;; ++i) {
          std::string n = std::to_string(i % 4);
          make_image(store, {layer_tar("base", 40), layer_tar("busy" + n, 40)}, n, {"r/busy:" + n});
          store.remove_name("r/busy:" + n, false);
          if (i % 2) store.gc();
        }
      } catch (...) {
        ::_exit(1);
      }
    }
    ::usleep(delay_ms * 1000);
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    // A child that failed on its own (exit 1) before the kill tested nothing.
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "the busy pull ended before the kill after " << delay_ms << " ms: " << status;
    Store store = Store::open(root);
    CheckReport c = store.check();
    EXPECT_TRUE(c.ok()) << "killed after " << delay_ms
                        << " ms: " << (c.problems.empty() ? "" : c.problems[0]);
  }
  expect_store_recovers(root, "random kills");
}

}  // namespace
}  // namespace dabba
