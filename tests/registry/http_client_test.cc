// The HTTP engine against a real (misbehaving) server on 127.0.0.1: redirects that must not
// carry credentials to another origin, retries, Range resumption, timeouts, cancellation,
// pause/resume and parallel transfers.
#include "registry/http_client.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "common/error.h"
#include "registry/http_url.h"
#include "tests/support/error_of.h"
#include "tests/support/registry_test_support.h"

namespace dabba {
namespace {

using nlohmann::json;
using testing_support::error_in;
using testing_support::expected_body;
using testing_support::TestHttpServer;

HttpOptions fast_options() {
  HttpOptions o;
  o.backoff_initial_ms = 10;
  o.backoff_max_ms = 50;
  o.connect_timeout_ms = 2000;
  return o;
}

HttpRequest get(const std::string& url) {
  HttpRequest r;
  r.url = url;
  return r;
}

int count_requests(const json& log, const std::string& path_prefix) {
  int n = 0;
  for (const json& entry : log)
    if (entry["path"].get<std::string>().rfind(path_prefix, 0) == 0) ++n;
  return n;
}

TEST(HttpClient, GetsABody) {
  TestHttpServer server;
  HttpClient http(fast_options());
  HttpResponse r = http.send(get(server.url("/data/100000")));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, expected_body(0, 100000));
  EXPECT_EQ(r.headers.get("Content-Length"), "100000");
  EXPECT_EQ(r.url, server.url("/data/100000"));
}

TEST(HttpClient, HeadHasNoBody) {
  TestHttpServer server;
  HttpClient http(fast_options());
  HttpRequest req = get(server.url("/data/5000"));
  req.method = "HEAD";
  HttpResponse r = http.send(req);
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(r.headers.get("content-length"), "5000");
}

TEST(HttpClient, RedirectToAnotherOriginDropsTheAuthorization) {
  TestHttpServer registry;
  TestHttpServer cdn;
  HttpClient http(fast_options());
  HttpRequest req = get(registry.url("/protected/redirect/307?to=" +
                                     url_encode(cdn.url("/echo?X-Amz-Signature=secret"))));
  req.authorization = "Bearer good-token";
  HttpResponse r = http.send(req);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.url, cdn.url("/echo?X-Amz-Signature=secret"));
  json headers = json::parse(r.body);
  EXPECT_FALSE(headers.contains("Authorization")) << r.body;
  // The registry did get it (the redirect was only given to an authorised request).
  json log = registry.log();
  ASSERT_EQ(count_requests(log, "/protected/redirect"), 1);
  EXPECT_EQ(log[0]["headers"]["Authorization"], "Bearer good-token");
  // Nothing the CDN saw carried it, on any request.
  for (const json& e : cdn.log()) EXPECT_FALSE(e["headers"].contains("Authorization"));
}

TEST(HttpClient, SameOriginRedirectKeepsTheAuthorization) {
  TestHttpServer server;
  HttpClient http(fast_options());
  // Relative Location on the same origin, into a path that needs the token again.
  HttpRequest req = get(server.url("/protected/redirect/302?to=/protected/data/10"));
  req.authorization = "Bearer good-token";
  HttpResponse r = http.send(req);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, expected_body(0, 10));
}

TEST(HttpClient, DifferentPortIsAnotherOrigin) {
  TestHttpServer a;
  TestHttpServer b;
  EXPECT_NE(url_origin(a.url("/")), url_origin(b.url("/")));
  EXPECT_EQ(url_origin("HTTPS://Example.COM/x"), url_origin("https://example.com:443/y"));
  EXPECT_NE(url_origin("http://example.com/"), url_origin("https://example.com/"));
}

TEST(HttpClient, TooManyRedirectsIsAnError) {
  TestHttpServer server;
  HttpOptions o = fast_options();
  o.max_redirects = 3;
  HttpClient http(o);
  try {
    http.send(
        get(server.url("/redirect/302?to=/redirect/302%3Fto%3D/redirect/302%253Fto%253D/"
                       "redirect/302%25253Fto%25253D/data/1")));
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("more than 3 redirects"), std::string::npos) << e.what();
  }
}

TEST(HttpClient, RetriesServerErrorsWithBackoff) {
  TestHttpServer server;
  HttpClient http(fast_options());
  HttpResponse r = http.send(get(server.url("/flaky/a/3/1000")));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, expected_body(0, 1000));
  EXPECT_EQ(count_requests(server.log(), "/flaky/a/"), 4);
}

TEST(HttpClient, GivesUpAfterMaxAttempts) {
  TestHttpServer server;
  HttpOptions o = fast_options();
  o.max_attempts = 3;
  HttpClient http(o);
  HttpResponse r = http.send(get(server.url("/flaky/b/100/1000")));
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, "try again");
  EXPECT_EQ(count_requests(server.log(), "/flaky/b/"), 3);
}

TEST(HttpClient, DoesNotRetryClientErrors) {
  TestHttpServer server;
  HttpClient http(fast_options());
  EXPECT_EQ(http.send(get(server.url("/status/404"))).status, 404);
  EXPECT_EQ(count_requests(server.log(), "/status/404"), 1);
}

TEST(HttpClient, ConnectionRefusedIsANetworkErrorAfterRetries) {
  int port = testing_support::free_port();
  HttpOptions o = fast_options();
  o.max_attempts = 2;
  HttpClient http(o);
  try {
    http.send(get("http://127.0.0.1:" + std::to_string(port) + "/x?token=secret"));
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::kNetwork);
    std::string what = e.what();
    EXPECT_NE(what.find("GET http://127.0.0.1:" + std::to_string(port) + "/x"), std::string::npos)
        << what;
    EXPECT_EQ(what.find("secret"), std::string::npos) << "query string leaked: " << what;
  }
}

// Collects a streamed transfer.
struct Sink {
  std::vector<uint64_t> starts;
  std::string data;
  HttpResponse response;
  std::exception_ptr error;
  bool done = false;

  HttpTransfer transfer(HttpRequest request) {
    HttpTransfer t;
    t.request = std::move(request);
    t.on_start = [this](const HttpResponse&, uint64_t offset) { starts.push_back(offset); };
    t.on_data = [this](const char* d, size_t n) {
      data.append(d, n);
      return true;
    };
    t.on_done = [this](HttpResponse& r, std::exception_ptr e) {
      response = r;
      error = e;
      done = true;
    };
    return t;
  }

  // Streams REQUEST, alone, through HTTP into this sink.
  void run(HttpClient& http, HttpRequest request) {
    std::vector<HttpTransfer> t{transfer(std::move(request))};
    http.run(t);
  }
};

// A GET from byte 123456 on of the 300000-byte body at PATH: the server answers STATUS and the
// sink gets the body from byte FROM on, in one stream.
void check_get_from_123456(const std::string& path, int status, uint64_t from) {
  TestHttpServer server;
  HttpClient http(fast_options());
  Sink sink;
  HttpRequest req = get(server.url(path));
  req.range_start = 123456;
  sink.run(http, req);
  ASSERT_FALSE(sink.error);
  EXPECT_EQ(sink.response.status, status);
  EXPECT_EQ(sink.starts, std::vector<uint64_t>{from});
  EXPECT_EQ(sink.data, expected_body(from, 300000));
  EXPECT_EQ(server.log()[0]["headers"]["Range"], "bytes=123456-");
}

TEST(HttpClient, RangeAnsweredWith206StartsAtTheOffset) {
  check_get_from_123456("/data/300000", 206, 123456);
}

TEST(HttpClient, RangeIgnoredMeansStartOver) { check_get_from_123456("/norange/300000", 200, 0); }

// A GET of PATH from SERVER, streamed into a sink, which must end without an error.
Sink fetched(const TestHttpServer& server, const std::string& path) {
  HttpClient http(fast_options());
  Sink sink;
  sink.run(http, get(server.url(path)));
  EXPECT_FALSE(sink.error);
  return sink;
}

TEST(HttpClient, BrokenBodyResumesWithRangeAsOneStream) {
  TestHttpServer server;
  // Two connections die mid-body; the third attempt completes.
  Sink sink = fetched(server, "/cut/c/2/100000/1000000");
  EXPECT_EQ(sink.starts, std::vector<uint64_t>{0});
  ASSERT_EQ(sink.data.size(), 1000000u);
  EXPECT_TRUE(sink.data == expected_body(0, 1000000));
  json log = server.log();
  ASSERT_EQ(count_requests(log, "/cut/c/"), 3);
  EXPECT_FALSE(log[0]["headers"].contains("Range"));
  EXPECT_EQ(log[1]["headers"]["Range"], "bytes=100000-");
  EXPECT_EQ(log[2]["headers"]["Range"], "bytes=200000-");
}

TEST(HttpClient, BrokenBodyFromAServerWithoutRangeSkipsWhatTheSinkHas) {
  TestHttpServer server;
  // The retry asks for bytes from 70000 on; the server sends all from 0 (200): the sink must
  // still see each byte once, in order.
  Sink sink = fetched(server, "/cutnorange/d/1/70000/200000");
  EXPECT_EQ(sink.starts, std::vector<uint64_t>{0});
  EXPECT_TRUE(sink.data == expected_body(0, 200000));
  json log = server.log();
  ASSERT_EQ(count_requests(log, "/cutnorange/d/"), 2);
  EXPECT_EQ(log[1]["headers"]["Range"], "bytes=70000-");
}

TEST(HttpClient, LowSpeedTimeoutEndsAStalledTransfer) {
  TestHttpServer server;
  HttpOptions o = fast_options();
  o.low_speed_limit = 1000;
  o.low_speed_time_s = 1;
  o.max_attempts = 2;
  HttpClient http(o);
  Sink sink;
  auto start = std::chrono::steady_clock::now();
  sink.run(http, get(server.url("/stall/100000")));
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(sink.error);
  Error e = error_in(sink.error);
  EXPECT_EQ(e.code(), Errc::kNetwork);
  EXPECT_NE(std::string(e.what()).find("/stall/100000"), std::string::npos) << e.what();
  EXPECT_LT(took, std::chrono::seconds(10));
  EXPECT_EQ(count_requests(server.log(), "/stall/"), 2);  // retried once
}

TEST(HttpClient, CancelFlagStopsEveryTransfer) {
  TestHttpServer server;
  std::atomic<bool> cancel{false};
  HttpOptions o = fast_options();
  o.cancel = &cancel;
  HttpClient http(o);
  std::vector<Sink> sinks(6);
  std::vector<HttpTransfer> transfers;
  for (auto& s : sinks) transfers.push_back(s.transfer(get(server.url("/stall/100000"))));
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    cancel = true;
    http.wakeup();
  });
  auto start = std::chrono::steady_clock::now();
  http.run(transfers, 4);
  canceller.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  for (auto& s : sinks) {
    ASSERT_TRUE(s.done);
    ASSERT_TRUE(s.error);
    Error e = error_in(s.error);
    EXPECT_EQ(e.code(), Errc::kInterrupted) << e.what();
  }
}

TEST(HttpClient, ParallelTransfersEachGetTheirOwnBytes) {
  TestHttpServer server;
  HttpClient http(fast_options());
  std::vector<Sink> sinks(7);
  std::vector<HttpTransfer> transfers;
  for (size_t i = 0; i < sinks.size(); ++i)
    transfers.push_back(
        sinks[i].transfer(get(server.url("/data/" + std::to_string(200000 + i * 1000)))));
  http.run(transfers, 4);
  for (size_t i = 0; i < sinks.size(); ++i) {
    ASSERT_FALSE(sinks[i].error);
    EXPECT_EQ(sinks[i].data, expected_body(0, 200000 + i * 1000)) << i;
  }
}

TEST(HttpClient, ASinkThatThrowsFailsOnlyItsTransfer) {
  TestHttpServer server;
  HttpClient http(fast_options());
  std::vector<Sink> sinks(2);
  std::vector<HttpTransfer> transfers{sinks[0].transfer(get(server.url("/data/500000"))),
                                      sinks[1].transfer(get(server.url("/data/500000")))};
  transfers[0].on_data = [](const char*, size_t) -> bool {
    throw Error(Errc::kDigestMismatch, "bad bytes");
  };
  http.run(transfers, 2);
  ASSERT_TRUE(sinks[0].error);
  EXPECT_EQ(error_in(sinks[0].error).code(), Errc::kDigestMismatch);
  EXPECT_FALSE(sinks[1].error);
  EXPECT_EQ(sinks[1].data.size(), 500000u);
}

// A bounded queue drained by another thread: the sink pauses when it is full and the consumer
// resumes the transfer, the way the puller feeds the store's ingest.
TEST(HttpClient, PausedTransfersResumeFromAnotherThread) {
  TestHttpServer server;
  HttpClient http(fast_options());
  constexpr size_t kCapacity = 32 << 10;
  constexpr size_t kSize = 3 << 20;
  struct Queue {
    std::mutex mu;
    std::condition_variable cv;
    std::string buffer;
    bool paused = false;
    bool done = false;
  };
  std::vector<Queue> queues(2);
  std::vector<std::string> received(2);
  std::vector<int> pauses(2, 0);
  std::vector<HttpTransfer> transfers(2);
  for (size_t i = 0; i < 2; ++i) {
    transfers[i].request = get(server.url("/data/" + std::to_string(kSize)));
    transfers[i].on_data = [&, i](const char* d, size_t n) {
      Queue& q = queues[i];
      std::lock_guard lock(q.mu);
      if (!q.buffer.empty() && q.buffer.size() + n > kCapacity) {
        q.paused = true;
        ++pauses[i];
        return false;
      }
      q.buffer.append(d, n);
      q.cv.notify_one();
      return true;
    };
    transfers[i].on_done = [&, i](HttpResponse&, std::exception_ptr e) {
      EXPECT_FALSE(e);
      std::lock_guard lock(queues[i].mu);
      queues[i].done = true;
      queues[i].cv.notify_one();
    };
  }
  std::vector<std::thread> consumers;
  for (size_t i = 0; i < 2; ++i) {
    consumers.emplace_back([&, i] {
      Queue& q = queues[i];
      for (;;) {
        std::string chunk;
        bool resume = false;
        {
          std::unique_lock lock(q.mu);
          q.cv.wait(lock, [&] { return !q.buffer.empty() || q.done; });
          if (q.buffer.empty() && q.done) return;
          chunk.swap(q.buffer);
          resume = std::exchange(q.paused, false);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));  // a slow consumer
        received[i] += chunk;
        if (resume) http.resume(i);
      }
    });
  }
  http.run(transfers, 2);
  for (auto& c : consumers) c.join();
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_TRUE(received[i] == expected_body(0, kSize)) << i;
    EXPECT_GT(pauses[i], 0) << "the consumer never applied backpressure";
  }
}

TEST(HttpClient, BufferedBodyLargerThanMaxBodyIsAnError) {
  TestHttpServer server;
  HttpClient http(fast_options());
  HttpRequest req = get(server.url("/data/100000"));
  req.max_body = 1000;
  try {
    http.send(req);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::kCorrupt);
    EXPECT_NE(std::string(e.what()).find("larger than 1000 bytes"), std::string::npos);
  }
}

TEST(HttpClient, ReauthorizeAnswersA401Once) {
  TestHttpServer server;
  HttpClient http(fast_options());
  int calls = 0;
  HttpRequest req = get(server.url("/protected/data/10"));
  req.reauthorize = [&](const HttpResponse& r) {
    ++calls;
    EXPECT_EQ(r.status, 401);
    EXPECT_NE(r.headers.get("www-authenticate").value_or("").find("Bearer realm="),
              std::string::npos);
    return std::string("Bearer good-token");
  };
  HttpResponse r = http.send(req);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(calls, 1);

  // A wrong answer is not asked for again: the 401 comes back.
  calls = 0;
  req.reauthorize = [&](const HttpResponse&) {
    ++calls;
    return std::string("Bearer wrong");
  };
  EXPECT_EQ(http.send(req).status, 401);
  EXPECT_EQ(calls, 1);
}

TEST(HttpUrl, Helpers) {
  EXPECT_EQ(resolve_url("http://a:1/x/y?q=1", "/z"), "http://a:1/z");
  EXPECT_EQ(resolve_url("http://a:1/x/y", "z?k=v"), "http://a:1/x/z?k=v");
  EXPECT_EQ(resolve_url("http://a:1/x", "https://b/c"), "https://b/c");
  EXPECT_THROW(resolve_url("http://a/", "ftp://b/c"), Error);
  EXPECT_EQ(url_for_display("https://user:pw@host:5/p/a?sig=secret#f"), "https://host:5/p/a");
  EXPECT_EQ(url_encode("repository:a/b:pull"), "repository%3Aa%2Fb%3Apull");
  UrlParts p = parse_url("http://[::1]:5000/v2/");
  EXPECT_EQ(p.host, "::1");
  EXPECT_EQ(p.port, 5000);
  EXPECT_EQ(parse_url("https://x/").port, 443);
}

}  // namespace
}  // namespace dabba
