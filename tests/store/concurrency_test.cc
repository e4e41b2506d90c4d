// Several processes and threads on one store: one unpack per layer, gc never breaking a pull.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <atomic>
#include <thread>

#include "tests/store/image_fixture.h"

namespace dabba {
namespace {

using namespace dabba::testing;

// A source that trickles: the other process gets time to arrive while this one is busy.
class SlowSource : public TestSource {
 public:
  explicit SlowSource(std::string data) : TestSource(std::move(data), 16 * 1024) {
    at([](size_t) { ::usleep(2000); });
  }
};

std::string big_layer() { return layer_tar("big", 200); }

int wait_exit(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST(Concurrency, TwoProcessesIngestingTheSameLayerUnpackItOnce) {
  Scratch s;
  std::string tar = big_layer();
  std::string blob = gzip(tar);
  Pipe start = Pipe::make();
  Pipe report = Pipe::make();
  std::vector<pid_t> kids;
  for (int k = 0; k < 2; ++k) {
    pid_t pid = ::fork();
    if (pid == 0) {
      start.write.reset();
      char go;
      if (::read(start.read.get(), &go, 1) != 0) ::_exit(9);  // released by EOF
      try {
        Store store = Store::open(s / "store");
        Lease lease = store.lease();
        LayerIngest in =
            store.begin_layer({Digest::of(blob), int64_t(blob.size()), Digest::of(tar)}, lease);
        bool unpacked = false;
        if (!in.complete()) {
          SlowSource src(blob.substr(in.resume_offset()));
          unpacked = !in.run(src).reused;
        }
        make_image(store, {tar}, "kid" + std::to_string(k), {"r/kid:" + std::to_string(k)});
        write_all(report.write.get(), unpacked ? "U" : "R");
        ::_exit(0);
      } catch (const std::exception& e) {
        write_all(report.write.get(), std::string("E") + e.what() + "\n");
        ::_exit(1);
      }
    }
    kids.push_back(pid);
  }
  start.write.reset();  // both go
  report.write.reset();
  for (pid_t k : kids) EXPECT_EQ(wait_exit(k), 0);
  std::string out = read_all(report.read.get());
  std::sort(out.begin(), out.end());
  EXPECT_EQ(out, "RU") << "exactly one process unpacks: " << out;

  Store store = Store::open(s / "store");
  EXPECT_EQ(store.list_images().size(), 2u);
  EXPECT_EQ(store.layer(Digest::of(tar))->refs, 2u);
  EXPECT_TRUE(dir_entries(s / "store/tmp").empty());
  EXPECT_TRUE(store.check().ok());
}

TEST(Concurrency, ParallelLayerIngestsInOneProcess) {
  Scratch s;
  Store store = Store::open(s / "store");
  Lease lease = store.lease();
  std::vector<std::string> tars;
  for (int i = 0; i < 4; ++i) tars.push_back(layer_tar("layer" + std::to_string(i), 60));
  std::vector<int> which = {0, 1, 2, 3, 0, 0};  // three threads on the same layer
  std::atomic<int> unpacks_of_0{0}, failures{0};
  std::vector<std::thread> threads;
  for (int w : which) {
    threads.emplace_back([&, w] {
      try {
        std::string blob = gzip(tars[w]);
        LayerIngest in = store.begin_layer({Digest::of(blob), int64_t(blob.size()), {}}, lease);
        if (in.complete()) return;
        SlowSource src(blob.substr(in.resume_offset()));
        if (!in.run(src).reused && w == 0) ++unpacks_of_0;
      } catch (const std::exception& e) {
        ++failures;
        ADD_FAILURE() << e.what();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(unpacks_of_0.load(), 1);
  for (const auto& t : tars) EXPECT_TRUE(store.layer(Digest::of(t)));
  EXPECT_TRUE(dir_entries(s / "store/tmp").empty());
}

TEST(Concurrency, GcRunningAlongsidePullsNeverBreaksThem) {
  Scratch s;
  { Store::open(s / "store"); }
  pid_t puller = ::fork();
  if (puller == 0) {
    try {
      Store store = Store::open(s / "store");
      for (int i = 0; i < 12; ++i) {
        std::string n = std::to_string(i);
        make_image(store, {layer_tar("base"), layer_tar("p" + n, 30)}, n, {"r/p:" + n});
        if (i % 3 == 2) store.remove_name("r/p:" + std::to_string(i - 1), false);
      }
      ::_exit(0);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "puller: %s\n", e.what());
      ::_exit(1);
    }
  }
  pid_t collector = ::fork();
  if (collector == 0) {
    try {
      Store store = Store::open(s / "store");
      for (int i = 0; i < 40; ++i) {
        store.gc();
        ::usleep(5000);
      }
      ::_exit(0);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "gc: %s\n", e.what());
      ::_exit(1);
    }
  }
  EXPECT_EQ(wait_exit(puller), 0);
  EXPECT_EQ(wait_exit(collector), 0);
  Store store = Store::open(s / "store");
  CheckReport c = store.check();
  EXPECT_TRUE(c.ok()) << (c.problems.empty() ? "" : c.problems[0]);
  auto images = store.list_images();
  EXPECT_EQ(images.size(), 8u);
  for (const auto& e : images)
    for (const auto& l : e.image.layers) EXPECT_TRUE(exists(store.layer_dir(l.diff_id)));
}

}  // namespace
}  // namespace dabba
