// libcurl, loaded on first use.
//
// dabba does not link libcurl: it defines the few curl_* functions the registry client calls, and
// each one loads libcurl.so.4 (dlopen, once per process) and forwards. Linking it would make every
// start of dabba map and relocate libcurl's ~30 dependencies (gnutls, krb5, ldap, ssh2, ...): about
// 10 ms of dynamic loading on each `dabba run` of a stored image, `ps` or `stop`, none of which
// speaks HTTP. Only verbs that reach a registry pay for it, once.
//
// The definitions below are the real functions' C declarations from <curl/curl.h> (so a wrong
// signature fails to compile). A missing libcurl.so.4 is a clear error naming the package.
#define CURL_DISABLE_TYPECHECK 1  // curl_easy_setopt/getinfo as functions, not checking macros
#include <curl/curl.h>
#include <dlfcn.h>

#include <cstdarg>
#include <string>

#include "common/error.h"

namespace dabba {
namespace {

constexpr const char* kLibcurl = "libcurl.so.4";

struct CurlApi {
  decltype(&::curl_global_init) global_init;
  decltype(&::curl_easy_init) easy_init;
  decltype(&::curl_easy_setopt) easy_setopt;
  decltype(&::curl_easy_getinfo) easy_getinfo;
  decltype(&::curl_easy_cleanup) easy_cleanup;
  decltype(&::curl_easy_reset) easy_reset;
  decltype(&::curl_easy_pause) easy_pause;
  decltype(&::curl_easy_strerror) easy_strerror;
  decltype(&::curl_slist_append) slist_append;
  decltype(&::curl_slist_free_all) slist_free_all;
  decltype(&::curl_multi_init) multi_init;
  decltype(&::curl_multi_add_handle) multi_add_handle;
  decltype(&::curl_multi_remove_handle) multi_remove_handle;
  decltype(&::curl_multi_perform) multi_perform;
  decltype(&::curl_multi_cleanup) multi_cleanup;
  decltype(&::curl_multi_info_read) multi_info_read;
  decltype(&::curl_multi_strerror) multi_strerror;
  decltype(&::curl_multi_poll) multi_poll;
  decltype(&::curl_multi_wakeup) multi_wakeup;
  decltype(&::curl_multi_timeout) multi_timeout;
  decltype(&::curl_url) url;
  decltype(&::curl_url_cleanup) url_cleanup;
  decltype(&::curl_url_set) url_set;
  decltype(&::curl_url_get) url_get;
  decltype(&::curl_free) free;
};

template <typename F>
void bind(void* lib, const char* name, F& fn) {
  fn = reinterpret_cast<F>(::dlsym(lib, name));
  if (fn == nullptr)
    throw Error(Errc::kUnsupported, std::string(kLibcurl) + " has no " + name, 0,
                "dabba needs libcurl 7.71 or newer: apt-get install libcurl4");
}

CurlApi load() {
  void* lib = ::dlopen(kLibcurl, RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr)
    throw Error(Errc::kUnsupported, std::string("cannot load ") + kLibcurl + ": " + ::dlerror(), 0,
                "dabba talks to registries through libcurl: apt-get install libcurl4");
  CurlApi a{};
  try {
    bind(lib, "curl_global_init", a.global_init);
    bind(lib, "curl_easy_init", a.easy_init);
    bind(lib, "curl_easy_setopt", a.easy_setopt);
    bind(lib, "curl_easy_getinfo", a.easy_getinfo);
    bind(lib, "curl_easy_cleanup", a.easy_cleanup);
    bind(lib, "curl_easy_reset", a.easy_reset);
    bind(lib, "curl_easy_pause", a.easy_pause);
    bind(lib, "curl_easy_strerror", a.easy_strerror);
    bind(lib, "curl_slist_append", a.slist_append);
    bind(lib, "curl_slist_free_all", a.slist_free_all);
    bind(lib, "curl_multi_init", a.multi_init);
    bind(lib, "curl_multi_add_handle", a.multi_add_handle);
    bind(lib, "curl_multi_remove_handle", a.multi_remove_handle);
    bind(lib, "curl_multi_perform", a.multi_perform);
    bind(lib, "curl_multi_cleanup", a.multi_cleanup);
    bind(lib, "curl_multi_info_read", a.multi_info_read);
    bind(lib, "curl_multi_strerror", a.multi_strerror);
    bind(lib, "curl_multi_poll", a.multi_poll);
    bind(lib, "curl_multi_wakeup", a.multi_wakeup);
    bind(lib, "curl_multi_timeout", a.multi_timeout);
    bind(lib, "curl_url", a.url);
    bind(lib, "curl_url_cleanup", a.url_cleanup);
    bind(lib, "curl_url_set", a.url_set);
    bind(lib, "curl_url_get", a.url_get);
    bind(lib, "curl_free", a.free);
  } catch (...) {
    ::dlclose(lib);
    throw;
  }
  return a;  // the library stays loaded for the life of the process
}

// Thread-safe (a function-local static); throws on the first call if libcurl cannot be loaded,
// and tries again on the next.
const CurlApi& api() {
  static const CurlApi a = load();
  return a;
}

}  // namespace
}  // namespace dabba

using dabba::api;

// The variadic ones: libcurl reads the argument by the option's type range (curl/curl.h
// CURLOPTTYPE_*, CURLINFO_*), and so do we.
extern "C" CURLcode curl_easy_setopt(CURL* curl, CURLoption option, ...) {
  va_list ap;
  va_start(ap, option);
  CURLcode rc;
  if (option < CURLOPTTYPE_OBJECTPOINT) {
    rc = api().easy_setopt(curl, option, va_arg(ap, long));
  } else if (option < CURLOPTTYPE_FUNCTIONPOINT) {
    rc = api().easy_setopt(curl, option, va_arg(ap, void*));
  } else if (option < CURLOPTTYPE_OFF_T) {
    rc = api().easy_setopt(curl, option, va_arg(ap, void (*)()));
  } else if (option < CURLOPTTYPE_BLOB) {
    rc = api().easy_setopt(curl, option, va_arg(ap, curl_off_t));
  } else {
    rc = api().easy_setopt(curl, option, va_arg(ap, void*));
  }
  va_end(ap);
  return rc;
}

extern "C" CURLcode curl_easy_getinfo(CURL* curl, CURLINFO info, ...) {
  va_list ap;
  va_start(ap, info);
  CURLcode rc = api().easy_getinfo(curl, info, va_arg(ap, void*));  // always a pointer
  va_end(ap);
  return rc;
}

extern "C" CURLcode curl_global_init(long flags) { return api().global_init(flags); }
extern "C" CURL* curl_easy_init() { return api().easy_init(); }
extern "C" void curl_easy_cleanup(CURL* curl) { api().easy_cleanup(curl); }
extern "C" void curl_easy_reset(CURL* curl) { api().easy_reset(curl); }
extern "C" CURLcode curl_easy_pause(CURL* handle, int bitmask) {
  return api().easy_pause(handle, bitmask);
}
extern "C" const char* curl_easy_strerror(CURLcode code) { return api().easy_strerror(code); }
extern "C" curl_slist* curl_slist_append(curl_slist* list, const char* s) {
  return api().slist_append(list, s);
}
extern "C" void curl_slist_free_all(curl_slist* list) { api().slist_free_all(list); }
extern "C" CURLM* curl_multi_init() { return api().multi_init(); }
extern "C" CURLMcode curl_multi_add_handle(CURLM* multi, CURL* easy) {
  return api().multi_add_handle(multi, easy);
}
extern "C" CURLMcode curl_multi_remove_handle(CURLM* multi, CURL* easy) {
  return api().multi_remove_handle(multi, easy);
}
extern "C" CURLMcode curl_multi_perform(CURLM* multi, int* running) {
  return api().multi_perform(multi, running);
}
extern "C" CURLMcode curl_multi_cleanup(CURLM* multi) { return api().multi_cleanup(multi); }
extern "C" CURLMsg* curl_multi_info_read(CURLM* multi, int* msgs_in_queue) {
  return api().multi_info_read(multi, msgs_in_queue);
}
extern "C" const char* curl_multi_strerror(CURLMcode code) { return api().multi_strerror(code); }
extern "C" CURLMcode curl_multi_poll(CURLM* multi, curl_waitfd extra_fds[], unsigned int extra_nfds,
                                     int timeout_ms, int* ret) {
  return api().multi_poll(multi, extra_fds, extra_nfds, timeout_ms, ret);
}
extern "C" CURLMcode curl_multi_wakeup(CURLM* multi) { return api().multi_wakeup(multi); }
extern "C" CURLMcode curl_multi_timeout(CURLM* multi, long* milliseconds) {
  return api().multi_timeout(multi, milliseconds);
}
extern "C" CURLU* curl_url() { return api().url(); }
extern "C" void curl_url_cleanup(CURLU* handle) { api().url_cleanup(handle); }
extern "C" CURLUcode curl_url_set(CURLU* handle, CURLUPart what, const char* part,
                                  unsigned int flags) {
  return api().url_set(handle, what, part, flags);
}
extern "C" CURLUcode curl_url_get(CURLU* handle, CURLUPart what, char** part, unsigned int flags) {
  return api().url_get(handle, what, part, flags);
}
extern "C" void curl_free(void* p) { api().free(p); }
