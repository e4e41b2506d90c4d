#include "common/process_title.h"

#include <sys/prctl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

extern char** environ;

namespace dabba {
namespace {

// Fields 48-51 of /proc/self/stat: where the kernel put argv and the environment.
bool arg_env_area(unsigned long* arg_start, unsigned long* arg_end, unsigned long* env_start,
                  unsigned long* env_end) {
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
  unsigned long fields[52] = {};
  for (int i = 4; i <= 51 && *p; ++i) {
    while (*p == ' ') ++p;
    char* end = nullptr;
    fields[i] = static_cast<unsigned long>(std::strtoll(p, &end, 10));
    if (end == p) return false;
    p = end;
  }
  *arg_start = fields[48];
  *arg_end = fields[49];
  *env_start = fields[50];
  *env_end = fields[51];
  return *arg_start != 0 && *arg_end > *arg_start;
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
  unsigned long arg_start, arg_end, env_start, env_end;
  if (!arg_env_area(&arg_start, &arg_end, &env_start, &env_end)) return;
  unsigned long end = arg_end;
  if (title.size() + 1 > arg_end - arg_start && env_start == arg_end && env_end > env_start) {
    move_environment(env_start, env_end);
    end = env_end;
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
