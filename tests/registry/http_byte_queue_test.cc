// ByteQueue alone (threads), and as the bridge the puller uses: blobs fetched in parallel by
// the registry client from a real docker-registry, each read as a ByteSource by its own thread.
#include "registry/http_byte_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "common/error.h"
#include "oci/digest.h"
#include "registry/registry_client.h"
#include "tests/support/error_of.h"
#include "tests/support/registry_test_support.h"

namespace dabba {
namespace {

using testing_support::registry_fixture;
using testing_support::TestRegistry;

// A client of REGISTRY that sends no credentials (the test registry asks for none).
RegistryClient anonymous_client(const TestRegistry& registry) {
  RegistryClientOptions o;
  o.credentials.reset();
  return RegistryClient(registry.host(), o);
}

std::string read_all_from(ByteSource& source, size_t step = 7000) {
  std::string out;
  std::string buf(step, '\0');
  for (;;) {
    size_t n = source.read(buf.data(), buf.size());
    if (n == 0) return out;
    out.append(buf.data(), n);
  }
}

TEST(ByteQueue, PausesWhenFullAndResumesWhenHalfDrained) {
  std::atomic<int> resumes{0};
  ByteQueue q(100, [&] { ++resumes; });
  EXPECT_TRUE(q.push(std::string(60, 'a').data(), 60));
  EXPECT_FALSE(q.push(std::string(60, 'b').data(), 60));  // 120 > 100: pause, nothing taken
  char buf[30];
  EXPECT_EQ(q.read(buf, 5), 5u);  // 55 left: more than half, still paused
  EXPECT_EQ(resumes, 0);
  EXPECT_EQ(q.read(buf, 30), 30u);  // 25 left
  EXPECT_EQ(resumes, 1);
  EXPECT_TRUE(q.push(std::string(60, 'b').data(), 60));
  q.finish(nullptr);
  std::string rest = read_all_from(q);
  EXPECT_EQ(rest, std::string(25, 'a') + std::string(60, 'b'));
  EXPECT_EQ(q.read(buf, 1), 0u);
}

TEST(ByteQueue, AnEmptyQueueTakesAnOversizedChunk) {
  ByteQueue q(10, {});
  EXPECT_TRUE(q.push(std::string(1000, 'x').data(), 1000));
  EXPECT_FALSE(q.push("y", 1));
}

TEST(ByteQueue, ProducerErrorReachesTheReaderAfterTheData) {
  ByteQueue q(1000, {});
  q.push("abc", 3);
  q.finish(std::make_exception_ptr(Error(Errc::kNetwork, "connection reset")));
  char buf[10];
  EXPECT_EQ(q.read(buf, 10), 3u);
  try {
    q.read(buf, 10);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::kNetwork);
  }
}

TEST(ByteQueue, ReaderAbortStopsAPausedProducer) {
  std::atomic<int> resumes{0};
  ByteQueue q(10, [&] { ++resumes; });
  q.push("0123456789", 10);
  EXPECT_FALSE(q.push("x", 1));
  q.abort(std::make_exception_ptr(Error(Errc::kDigestMismatch, "bad layer")));
  EXPECT_EQ(resumes, 1);  // woken up, to find out
  EXPECT_THROW(q.push("x", 1), Error);
}

TEST(ByteQueue, ThreadedStreamArrivesIntact) {
  ByteQueue q(4096, {});
  std::string sent;
  for (int i = 0; i < 200000; ++i) sent += static_cast<char>(i * 13 + i / 7);
  std::thread producer([&] {
    size_t pos = 0;
    while (pos < sent.size()) {
      size_t n = std::min<size_t>(3000, sent.size() - pos);
      if (q.push(sent.data() + pos, n)) {
        pos += n;
      } else {
        std::this_thread::yield();
      }
    }
    q.finish(nullptr);
  });
  std::string got = read_all_from(q, 1000);
  producer.join();
  EXPECT_TRUE(got == sent);
}

// What the puller will do: fetch_blobs' sinks push into queues; one reader thread per blob.
TEST(ByteQueue, BridgesRegistryBlobsToReaderThreads) {
  TestRegistry registry(registry_fixture().storage);
  RegistryClient client = anonymous_client(registry);
  const auto& f = registry_fixture();
  std::vector<std::string> digests = {f.fact("BUSYBOX_LAYER"), f.fact("BUSYBOX_CONFIG")};
  std::vector<std::unique_ptr<ByteQueue>> queues;
  std::vector<BlobFetch> fetches(digests.size());
  std::vector<Digest> read_digests(digests.size());
  std::vector<std::thread> readers;
  for (size_t i = 0; i < digests.size(); ++i) {
    queues.push_back(std::make_unique<ByteQueue>(64 << 10, [&client, i] { client.resume(i); }));
    ByteQueue& q = *queues.back();
    fetches[i].digest = Digest::parse(digests[i]);
    fetches[i].on_data = [&q](const char* d, size_t n) { return q.push(d, n); };
    fetches[i].on_done = [&q](std::exception_ptr e) { q.finish(e); };
    readers.emplace_back([&q, &read_digests, i] {
      Sha256 h;
      char buf[16384];
      while (size_t n = q.read(buf, sizeof buf)) {
        h.update(buf, n);
        std::this_thread::sleep_for(std::chrono::microseconds(100));  // a slow unpacker
      }
      read_digests[i] = h.finish();
    });
  }
  client.fetch_blobs("test/busybox", fetches, 4);
  for (auto& t : readers) t.join();
  for (size_t i = 0; i < digests.size(); ++i) EXPECT_EQ(read_digests[i].str(), digests[i]);
}

TEST(ByteQueue, AReaderThatGivesUpEndsItsTransferOnly) {
  TestRegistry registry(registry_fixture().storage);
  RegistryClient client = anonymous_client(registry);
  const auto& f = registry_fixture();
  ByteQueue q(16 << 10, [&client] { client.resume(0); });
  std::vector<BlobFetch> fetches(1);
  fetches[0].digest = Digest::parse(f.fact("BIG_LAYER"));
  std::exception_ptr done_error;
  fetches[0].on_data = [&q](const char* d, size_t n) { return q.push(d, n); };
  fetches[0].on_done = [&](std::exception_ptr e) {
    done_error = e;
    q.finish(e);
  };
  std::thread reader([&q] {
    char buf[1000];
    q.read(buf, sizeof buf);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // let the producer pause
    q.abort(std::make_exception_ptr(Error(Errc::kDigestMismatch, "layer does not match")));
  });
  client.fetch_blobs("test/big", fetches, 1);  // must return, not hang on the paused transfer
  reader.join();
  ASSERT_TRUE(done_error);
  Error e = testing_support::error_in(done_error);
  EXPECT_EQ(e.code(), Errc::kDigestMismatch) << e.what();
}

}  // namespace
}  // namespace dabba
