#include "cli/container_targets.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <cctype>
#include <thread>

#include "cli/command.h"
#include "cli/containers.h"
#include "common/error.h"
#include "common/fs.h"

namespace dabba::cli {

void add_target_flags(CLI::App& app, TargetFlags& f, bool with_ignore) {
  app.add_flag("-a,--all", f.all, "every container");
  app.add_flag("-l,--latest", f.latest, "the newest container");
  if (with_ignore) app.add_flag("-i,--ignore", f.ignore, "no error for a missing container");
  repeatable(app.add_option("--cidfile", f.cidfiles, "read the container id from this file"));
  app.add_option("container", f.names, "container names or ids");
}

std::vector<std::string> resolve_targets(const Store& store, const TargetFlags& f) {
  if (f.all && (!f.names.empty() || !f.cidfiles.empty()))
    throw Error(Errc::kInvalidArgument, "no arguments are needed with --all", 0,
                "name the containers, or give --all alone");
  if (f.all && f.latest)
    throw Error(Errc::kInvalidArgument, "--all and --latest cannot be used together");
  std::vector<std::string> out = f.names;
  for (const std::string& path : f.cidfiles) {
    std::string id;
    try {
      id = read_file(path);
    } catch (Error& e) {
      if (f.ignore && e.code() == Errc::kNotFound) continue;
      e.add_context("reading CIDFile");
      throw;
    }
    id.erase(std::remove_if(id.begin(), id.end(), [](char c) { return std::isspace(c); }),
             id.end());
    if (!id.empty()) out.push_back(id);
  }
  if (f.all || f.latest) {
    // Newest first; each record's time decoded once, not at every comparison.
    std::vector<std::pair<int64_t, std::string>> all;
    for (const ContainerRecord& r : store.list_containers()) all.emplace_back(created_ns(r), r.id);
    std::stable_sort(all.begin(), all.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    if (f.latest && !all.empty()) all.resize(1);
    for (const auto& [created, id] : all) out.push_back(id);
    return out;
  }
  if (out.empty() && f.cidfiles.empty())
    throw Error(Errc::kInvalidArgument, "you must provide at least one name or id", 0,
                "name the containers, or use --all or --latest");
  return out;
}

void for_each_parallel(size_t n, size_t max_threads, const std::function<void(size_t)>& fn) {
  const size_t threads = std::min(n, std::max<size_t>(max_threads, 1));
  if (threads <= 1) {
    for (size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  std::atomic<size_t> next{0};
  std::vector<std::thread> pool;
  pool.reserve(threads);
  for (size_t t = 0; t < threads; ++t)
    pool.emplace_back([&] {
      for (size_t i = next++; i < n; i = next++) fn(i);
    });
  for (auto& th : pool) th.join();
}

}  // namespace dabba::cli
