// The ready() hook the puller uses: a transfer starts only once its sink is ready (it holds its
// store locks and knows its resume offset), waits without taking a slot until then, may set its
// Range, and may be called off without any request. HTTP engine level, against a real server;
// the registry level is exercised by the puller tests and tests/integration/pull_*.sh.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "common/error.h"
#include "registry/http_client.h"
#include "tests/support/error_of.h"
#include "tests/support/registry_test_support.h"

namespace dabba {
namespace {

using testing_support::error_in;
using testing_support::expected_body;
using testing_support::TestHttpServer;

struct Sink {
  std::string data;
  std::vector<uint64_t> starts;
  std::exception_ptr error;
  bool done = false;
  int order = -1;  // when it finished, among the transfers

  HttpTransfer transfer(const std::string& url, int* finished) {
    HttpTransfer t;
    t.request.url = url;
    t.on_start = [this](const HttpResponse&, uint64_t offset) { starts.push_back(offset); };
    t.on_data = [this](const char* d, size_t n) {
      data.append(d, n);
      return true;
    };
    t.on_done = [this, finished](HttpResponse&, std::exception_ptr e) {
      error = e;
      done = true;
      order = (*finished)++;
    };
    return t;
  }
};

// Each test's server, and the count of transfers finished so far.
class TransferReady : public testing::Test {
 protected:
  // A transfer of PATH from the server into SINK.
  HttpTransfer transfer(Sink& sink, const std::string& path) {
    return sink.transfer(server.url(path), &finished);
  }

  TestHttpServer server;
  int finished = 0;
};

std::vector<std::string> logged_paths(const TestHttpServer& server) {
  std::vector<std::string> out;
  for (const auto& e : server.log()) out.push_back(e["path"]);
  return out;
}

TEST_F(TransferReady, AWaitingTransferHoldsNoSlot) {
  HttpClient http;
  std::vector<Sink> sinks(2);
  std::vector<HttpTransfer> t{transfer(sinks[0], "/data/1000"), transfer(sinks[1], "/data/2000")};
  // The first becomes ready only once the second is done: with one slot, that works only if
  // the waiting first leaves the slot to the second.
  int asked = 0;
  t[0].ready = [&](HttpRequest&) {
    ++asked;
    return sinks[1].done;
  };
  http.run(t, 1);
  ASSERT_FALSE(sinks[0].error);
  ASSERT_FALSE(sinks[1].error);
  EXPECT_EQ(sinks[1].order, 0);
  EXPECT_EQ(sinks[0].order, 1);
  EXPECT_EQ(sinks[0].data, expected_body(0, 1000));
  EXPECT_GE(asked, 2);
}

TEST_F(TransferReady, ReadySetsTheRange) {
  HttpClient http;
  Sink sink;
  std::vector<HttpTransfer> t{transfer(sink, "/data/5000")};
  t[0].ready = [](HttpRequest& r) {
    r.range_start = 1234;
    return true;
  };
  http.run(t, 4);
  ASSERT_FALSE(sink.error);
  EXPECT_EQ(sink.starts, std::vector<uint64_t>{1234});
  EXPECT_EQ(sink.data, expected_body(1234, 5000));
}

TEST_F(TransferReady, ReadyFromAnotherThreadWakesTheLoop) {
  HttpClient http;
  Sink sink;
  std::vector<HttpTransfer> t{transfer(sink, "/data/100")};
  std::atomic<bool> ready{false};
  t[0].ready = [&](HttpRequest&) { return ready.load(); };
  std::thread later([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    ready.store(true);
    http.wakeup();
  });
  auto start = std::chrono::steady_clock::now();
  http.run(t, 4);
  later.join();
  EXPECT_FALSE(sink.error);
  EXPECT_EQ(sink.data, expected_body(0, 100));
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(150));
}

TEST_F(TransferReady, AThrowingReadyFailsOnlyItsTransferWithoutARequest) {
  HttpClient http;
  std::vector<Sink> sinks(2);
  std::vector<HttpTransfer> t{transfer(sinks[0], "/data/10"), transfer(sinks[1], "/data/20")};
  t[0].ready = [](HttpRequest&) -> bool { throw Error(Errc::kAlreadyExists, "nothing to fetch"); };
  http.run(t, 4);
  ASSERT_TRUE(sinks[0].error);
  EXPECT_EQ(error_in(sinks[0].error).code(), Errc::kAlreadyExists);
  EXPECT_TRUE(sinks[0].starts.empty());
  EXPECT_FALSE(sinks[1].error);
  EXPECT_EQ(logged_paths(server), std::vector<std::string>{"/data/20"});
}

TEST_F(TransferReady, CancelEndsATransferThatNeverBecameReady) {
  std::atomic<bool> cancel{false};
  HttpOptions o;
  o.cancel = &cancel;
  HttpClient http(o);
  Sink sink;
  std::vector<HttpTransfer> t{transfer(sink, "/data/10")};
  t[0].ready = [](HttpRequest&) { return false; };
  std::thread later([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    cancel.store(true);
  });
  http.run(t, 4);  // must return: the loop polls the flag even with nothing in flight
  later.join();
  ASSERT_TRUE(sink.error);
  EXPECT_TRUE(logged_paths(server).empty());
}

}  // namespace
}  // namespace dabba
