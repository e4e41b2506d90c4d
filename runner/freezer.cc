#include "runner/freezer.h"

#include <fcntl.h>
#include <sys/statfs.h>
#include <sys/vfs.h>
#include <linux/magic.h>

#include <chrono>
#include <thread>

#include "common/error.h"
#include "common/fs.h"

namespace dabba::runner {
namespace {

bool is_v1(const std::string& dir) { return path_exists(dir + "/freezer.state"); }
bool is_v2(const std::string& dir) { return path_exists(dir + "/cgroup.freeze"); }

std::string read_trimmed(const std::string& path) {
  std::string text = read_file(path);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// v2's cgroup.events "frozen 1" line.
bool v2_frozen(const std::string& dir) {
  const std::string events = read_file(dir + "/cgroup.events");
  return events.find("frozen 1") != std::string::npos;
}

}  // namespace

std::optional<std::string> freezer_dir(const std::vector<std::string>& cgroup_dirs) {
  for (const std::string& d : cgroup_dirs)
    if (is_v1(d) || is_v2(d)) return d;
  return std::nullopt;
}

void set_frozen(const std::string& dir, bool frozen) {
  const bool v1 = is_v1(dir);
  const std::string file = dir + (v1 ? "/freezer.state" : "/cgroup.freeze");
  const std::string value = v1 ? (frozen ? "FROZEN" : "THAWED") : (frozen ? "1" : "0");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (;;) {
    // v1 may stay FREEZING while a task is in an uninterruptible sleep: writing again retries.
    {
      UniqueFd fd = open_file(file, O_WRONLY | O_CLOEXEC);
      write_all(fd.get(), value);
    }
    const bool done = v1 ? read_trimmed(file) == value : v2_frozen(dir) == frozen;
    if (done) return;
    if (std::chrono::steady_clock::now() > deadline)
      throw Error(Errc::kFailed, std::string("the container's processes did not ") +
                                     (frozen ? "freeze" : "thaw") + " within 5 seconds (" + file +
                                     ")");
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

bool is_frozen(const std::string& dir) noexcept {
  try {
    if (is_v1(dir)) return read_trimmed(dir + "/freezer.state") != "THAWED";
    return read_trimmed(dir + "/cgroup.freeze") == "1";
  } catch (const std::exception&) {
    return false;
  }
}

bool unified_cgroups() noexcept {
  struct statfs fs {};
  return ::statfs("/sys/fs/cgroup", &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC;
}

}  // namespace dabba::runner
