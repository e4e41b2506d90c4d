#include "registry/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <list>
#include <mutex>

#include "common/error.h"
#include "registry/http_transfer.h"

namespace dabba {
namespace {

using Clock = std::chrono::steady_clock;
using detail::CurlTransfer;

constexpr int kPollIntervalMs = 100;

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
      throw Error(Errc::kFailed, "curl_global_init failed");
  });
}

struct Waiting {
  std::unique_ptr<CurlTransfer> transfer;
  Clock::time_point due;
};

}  // namespace

HttpClient::HttpClient(HttpOptions options) : options_(std::move(options)) {
  global_init();
  multi_ = curl_multi_init();
  if (multi_ == nullptr) throw Error(Errc::kFailed, "curl_multi_init failed");
}

HttpClient::~HttpClient() { curl_multi_cleanup(multi_); }

void HttpClient::resume(size_t id) {
  {
    std::lock_guard lock(resume_mutex_);
    if (id >= resume_count_) return;
    resume_flags_[id].store(true);
  }
  curl_multi_wakeup(multi_);
}

void HttpClient::wakeup() { curl_multi_wakeup(multi_); }

HttpResponse HttpClient::send(HttpRequest request) { return send(std::move(request), {}, {}); }

HttpResponse HttpClient::send(HttpRequest request,
                              std::function<void(const HttpResponse&, uint64_t)> on_start,
                              std::function<void(const char*, size_t)> on_data) {
  std::vector<HttpTransfer> one(1);
  one[0].request = std::move(request);
  one[0].on_start = std::move(on_start);
  if (on_data) {
    one[0].on_data = [sink = std::move(on_data)](const char* data, size_t size) {
      sink(data, size);
      return true;
    };
  }
  HttpResponse response;
  std::exception_ptr error;
  one[0].on_done = [&](HttpResponse& r, std::exception_ptr e) {
    response = std::move(r);
    error = std::move(e);
  };
  run(one, 1);
  if (error) std::rethrow_exception(error);
  return response;
}

void HttpClient::run(std::vector<HttpTransfer>& transfers, size_t max_parallel) {
  if (running_) throw Error(Errc::kFailed, "HttpClient::run called from one of its own callbacks");
  running_ = true;
  max_parallel = std::max<size_t>(max_parallel, 1);
  {
    std::lock_guard lock(resume_mutex_);
    resume_flags_ = std::make_unique<std::atomic<bool>[]>(transfers.size());
    resume_count_ = transfers.size();
  }

  std::deque<size_t> pending;
  for (size_t i = 0; i < transfers.size(); ++i) pending.push_back(i);
  std::list<std::unique_ptr<CurlTransfer>> active;  // in the multi handle
  std::list<Waiting> waiting;                       // between attempts, holding their slot
  std::exception_ptr callback_error;

  auto add = [&](std::unique_ptr<CurlTransfer> t) {
    t->prepare();
    CURLMcode rc = curl_multi_add_handle(multi_, t->easy());
    if (rc != CURLM_OK) {
      t->fail(std::make_exception_ptr(
          Error(Errc::kFailed, std::string("curl_multi_add_handle: ") + curl_multi_strerror(rc))));
      t->complete();
      return;
    }
    active.push_back(std::move(t));
  };
  auto complete = [&](CurlTransfer& t) {
    try {
      t.complete();
    } catch (...) {
      if (!callback_error) callback_error = std::current_exception();
    }
  };
  // Ends transfer ID, which never started, with ERROR: tells its on_done (the first error that
  // callback throws stops the run).
  auto fail_unstarted = [&](size_t id, std::exception_ptr error) {
    HttpResponse none;
    try {
      if (transfers[id].on_done) transfers[id].on_done(none, error);
    } catch (...) {
      if (!callback_error) callback_error = std::current_exception();
    }
  };
  // Ends every transfer not yet done with error, telling each one's on_done.
  auto end_all = [&](const Error& error) {
    for (auto& t : active) {
      curl_multi_remove_handle(multi_, t->easy());
      t->fail(std::make_exception_ptr(error));
      complete(*t);
    }
    active.clear();
    for (auto& w : waiting) {
      w.transfer->fail(std::make_exception_ptr(error));
      complete(*w.transfer);
    }
    waiting.clear();
    for (size_t id : pending) {
      HttpResponse none;
      try {
        if (transfers[id].on_done) transfers[id].on_done(none, std::make_exception_ptr(error));
      } catch (...) {
      }
    }
    pending.clear();
  };

  try {
    while (!pending.empty() || !active.empty() || !waiting.empty()) {
      if (callback_error) {
        end_all(Error(Errc::kInterrupted, "transfer stopped: another one failed"));
        break;
      }
      if (cancelled()) {
        end_all(Error(Errc::kInterrupted, "interrupted"));
        break;
      }
      auto now = Clock::now();
      for (auto it = waiting.begin(); it != waiting.end();) {
        if (it->due <= now) {
          add(std::move(it->transfer));
          it = waiting.erase(it);
        } else {
          ++it;
        }
      }
      for (auto it = pending.begin();
           it != pending.end() && active.size() + waiting.size() < max_parallel;) {
        size_t id = *it;
        std::unique_ptr<CurlTransfer> t;
        try {
          if (transfers[id].ready && !transfers[id].ready(transfers[id].request)) {
            ++it;  // not ready yet: it waits without a slot
            continue;
          }
        } catch (...) {
          it = pending.erase(it);
          fail_unstarted(id, std::current_exception());
          continue;
        }
        it = pending.erase(it);
        try {
          t = std::make_unique<CurlTransfer>(transfers[id], id, options_);
        } catch (...) {
          fail_unstarted(id, std::current_exception());
          continue;
        }
        add(std::move(t));
      }

      int still_running = 0;
      CURLMcode rc = curl_multi_perform(multi_, &still_running);
      if (rc != CURLM_OK)
        throw Error(Errc::kFailed, std::string("curl_multi_perform: ") + curl_multi_strerror(rc));

      int queued = 0;
      while (CURLMsg* msg = curl_multi_info_read(multi_, &queued)) {
        if (msg->msg != CURLMSG_DONE) continue;
        CURL* easy = msg->easy_handle;
        CURLcode code = msg->data.result;
        auto it = std::find_if(active.begin(), active.end(),
                               [&](const auto& t) { return t->easy() == easy; });
        if (it == active.end()) continue;
        std::unique_ptr<CurlTransfer> t = std::move(*it);
        active.erase(it);
        curl_multi_remove_handle(multi_, easy);
        CurlTransfer::Next next;
        try {
          next = t->finished(code);
        } catch (...) {
          t->fail(std::current_exception());
          next = CurlTransfer::Next::kDone;
        }
        switch (next) {
          case CurlTransfer::Next::kDone:
            complete(*t);
            break;
          case CurlTransfer::Next::kAgainNow:
            add(std::move(t));
            break;
          case CurlTransfer::Next::kAgainLater: {
            auto due = Clock::now() + t->retry_delay();
            waiting.push_back({std::move(t), due});
            break;
          }
        }
      }

      for (auto& t : active) {
        if (t->paused() && resume_flags_[t->id()].exchange(false)) t->unpause();
      }

      long timeout_ms = kPollIntervalMs;
      long curl_timeout = -1;
      curl_multi_timeout(multi_, &curl_timeout);
      if (curl_timeout >= 0) timeout_ms = std::min(timeout_ms, curl_timeout);
      for (const auto& w : waiting) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(w.due - Clock::now());
        timeout_ms = std::min<long>(timeout_ms, std::max<long>(0, left.count()));
      }
      // Transfers still pending here wait for a slot or for their sink to be ready (wakeup()).
      if (timeout_ms > 0 && (!active.empty() || !waiting.empty() || !pending.empty()))
        curl_multi_poll(multi_, nullptr, 0, static_cast<int>(timeout_ms), nullptr);
    }
  } catch (...) {
    if (!callback_error) callback_error = std::current_exception();
    try {
      end_all(Error(Errc::kInterrupted, "transfer stopped"));
    } catch (...) {
    }
  }
  {
    std::lock_guard lock(resume_mutex_);
    resume_count_ = 0;
  }
  running_ = false;
  if (callback_error) std::rethrow_exception(callback_error);
}

}  // namespace dabba
