#include "common/process_title.h"

#include <linux/prctl.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cstdint>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

extern char** environ;

namespace dabba {
namespace {

// The fields of /proc/self/stat (1-based; 0 where unread).
bool read_stat_fields(unsigned long (&fields)[52]) {
  FILE* f = std::fopen("/proc/self/stat", "re");
  if (f == nullptr) return false;
  char buf[2048];
  size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  buf[n] = '\0';
  const char* p = std::strrchr(buf, ')');  // the comm may hold spaces
  if (p == nullptr) return false;
  p += 2;
  // Field 3 is the state, a letter; the rest are numbers (some negative).
  while (*p && *p != ' ') ++p;
  for (int i = 4; i <= 51 && *p; ++i) {
    while (*p == ' ') ++p;
    char* end = nullptr;
    fields[i] = static_cast<unsigned long>(std::strtoll(p, &end, 10));
    if (end == p) return false;
    p = end;
  }
  return fields[48] != 0 && fields[49] > fields[48];
}

// When argv and the environment are too small for the title: point the kernel's argv area at a
// buffer of ours (PR_SET_MM_MAP needs no privilege unless it changes the exe).
bool map_new_arg_area(std::string_view title, const unsigned long (&f)[52]) {
  static char* buffer = nullptr;
  char* area = static_cast<char*>(std::malloc(title.size() + 1));
  if (area == nullptr) return false;
  std::memcpy(area, title.data(), title.size());
  area[title.size()] = '\0';
  struct prctl_mm_map map = {};
  map.start_code = f[26];
  map.end_code = f[27];
  map.start_stack = f[28];
  map.start_data = f[45];
  map.end_data = f[46];
  map.start_brk = f[47];
  map.brk = reinterpret_cast<uint64_t>(::sbrk(0));
  map.arg_start = reinterpret_cast<uint64_t>(area);
  map.arg_end = map.arg_start + title.size() + 1;
  map.env_start = f[50];
  map.env_end = f[51];
  map.exe_fd = static_cast<uint32_t>(-1);
  if (::prctl(PR_SET_MM, PR_SET_MM_MAP, &map, sizeof map, 0) != 0) {
    std::free(area);
    return false;
  }
  std::free(buffer);  // a title set before
  buffer = area;
  return true;
}

// Copies the environment's strings that live in [start, end) to the heap, so that area is free.
void move_environment(unsigned long start, unsigned long end) {
  size_t count = 0;
  while (environ != nullptr && environ[count] != nullptr) ++count;
  char** moved = static_cast<char**>(std::calloc(count + 1, sizeof(char*)));
  if (moved == nullptr) return;
  for (size_t i = 0; i < count; ++i) {
    auto at = reinterpret_cast<unsigned long>(environ[i]);
    moved[i] = (at >= start && at < end) ? ::strdup(environ[i]) : environ[i];
    if (moved[i] == nullptr) moved[i] = const_cast<char*>("");
  }
  environ = moved;  // the old array may itself sit in that area; it is not freed, only left
}

}  // namespace

void set_process_title(std::string_view title) noexcept {
  std::string comm(title.substr(0, title.find(' ')));
  ::prctl(PR_SET_NAME, comm.substr(0, 15).c_str(), 0, 0, 0);
  unsigned long f[52] = {};
  if (!read_stat_fields(f)) return;
  const unsigned long arg_start = f[48], arg_end = f[49], env_start = f[50], env_end = f[51];
  unsigned long end = arg_end;
  if (title.size() + 1 > arg_end - arg_start) {
    if (env_start == arg_end && env_end > env_start &&
        title.size() + 1 <= env_end - arg_start) {
      move_environment(env_start, env_end);
      end = env_end;
    } else if (map_new_arg_area(title, f)) {
      // The old argv strings stay in memory, but nobody else can read them there.
      std::memset(reinterpret_cast<char*>(arg_start), 0, arg_end - arg_start);
      return;
    }
  }
  char* area = reinterpret_cast<char*>(arg_start);
  const size_t size = end - arg_start;
  const size_t n = std::min(title.size(), size - 1);
  std::memset(area, 0, size);
  std::memcpy(area, title.data(), n);
  // A non-NUL last byte of the argv area tells the kernel the title (up to its NUL) replaced argv,
  // so /proc/PID/cmdline is exactly the title, not it and a tail of NULs.
  if (end == arg_end && n + 1 < size) area[size - 1] = ' ';
}

}  // namespace dabba
