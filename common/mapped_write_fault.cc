#include "common/mapped_write_fault.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "common/exit_codes.h"

namespace dabba {
namespace {

// Everything below runs in the signal handler: only async-signal-safe calls, no allocation.

void put(const char* text) {
  size_t left = std::strlen(text);
  while (left > 0) {
    const ssize_t n = ::write(STDERR_FILENO, text, left);
    if (n <= 0) return;
    text += n;
    left -= static_cast<size_t>(n);
  }
}

uintptr_t parse_hex(const char*& p) {
  uintptr_t v = 0;
  for (;; ++p) {
    const char c = *p;
    if (c >= '0' && c <= '9') {
      v = v * 16 + static_cast<uintptr_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      v = v * 16 + static_cast<uintptr_t>(c - 'a' + 10);
    } else {
      return v;
    }
  }
}

// The path of the file mapped shared and writable at addr (as LMDB's lock file is), from
// /proc/self/maps ("start-end perms offset dev inode path"); false when none is. A SIGBUS in
// another mapping (a file truncated under a read-only map, a damaged executable) is no full disk.
bool mapped_file(uintptr_t addr, char* path, size_t size) {
  const int fd = ::open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  static char buf[64 * 1024];
  size_t have = 0;
  bool found = false;
  for (;;) {
    const ssize_t n = ::read(fd, buf + have, sizeof buf - 1 - have);
    if (n <= 0) break;
    have += static_cast<size_t>(n);
    buf[have] = '\0';
    char* line = buf;
    char* end;
    while ((end = std::strchr(line, '\n')) != nullptr) {
      *end = '\0';
      const char* p = line;
      const uintptr_t start = parse_hex(p);
      const uintptr_t stop = *p == '-' ? parse_hex(++p) : 0;
      const char* file = std::strchr(line, '/');
      const bool shared_writable = *p == ' ' && p[1] == 'r' && p[2] == 'w' && p[4] == 's';
      if (addr >= start && addr < stop && file != nullptr && shared_writable) {
        std::strncpy(path, file, size - 1);
        path[size - 1] = '\0';
        found = true;
        break;
      }
      line = end + 1;
    }
    if (found) break;
    have = static_cast<size_t>(buf + have - line);
    std::memmove(buf, line, have);
    if (have == sizeof buf - 1) have = 0;  // a line longer than the buffer: skip it
  }
  ::close(fd);
  return found;
}

std::atomic<bool> handling{false};

void on_sigbus(int sig, siginfo_t* info, void*) {
  static char path[4096];
  // BUS_ADRERR: the page cannot be backed (no space for it). One thread explains; another that
  // faults meanwhile waits for the exit.
  if (info != nullptr && info->si_code == BUS_ADRERR) {
    if (handling.exchange(true)) {
      for (;;) ::pause();
    }
    if (mapped_file(reinterpret_cast<uintptr_t>(info->si_addr), path, sizeof path)) {
      put("Error: writing ");
      put(path);
      put(" (mapped in memory) failed: no space for it (the filesystem is full, or the disk "
          "quota is used up)\ndabba: hint: free space on that filesystem (outside the store too: "
          "dabba needs a little to open it), or ask for a larger quota\n");
      ::_exit(kExitDabbaFailed);
    }
  }
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

}  // namespace

void explain_mapped_write_faults() {
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_sigbus;
  sa.sa_flags = SA_SIGINFO;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGBUS, &sa, nullptr);
}

}  // namespace dabba
