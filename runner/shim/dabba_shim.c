// dabba's exec shim: the last program dabba runs in a container before the workload, and the
// --init reaper. Freestanding (no libc, no heap): dabba embeds it and writes it into a sealed,
// unreadable memfd once per process (exec_shim.h); the container's setup process execveat()s that
// memfd as its very last step, so no process in the container ever has dabba's host binary as
// /proc/PID/exe, not even one that exec's a `#!/proc/self/exe` script (CVE-2019-5736), and the
// shim itself is not dumpable (its file is unreadable to the exec'ing process), so nothing in the
// container can ptrace it or open its /proc files.
//
// argv: MODE REPORT_FD SIGNAL_MASK PROGRAM ARGV0 [ARG...]; envp: the workload's environment.
//   MODE "dabba-exec": exec PROGRAM with ARGV0... at once.
//   MODE "dabba-init": stay as the container's PID 1: block SIGNAL_MASK (hex, bit N-1 = signal N)
//     and SIGCHLD, fork the workload, forward those signals to it, reap every child, and exit with
//     the workload's status (128+N when signal N killed it).
// REPORT_FD is the sync channel to dabba (a SOCK_SEQPACKET socket): if the exec fails, the shim
// sends one message {kind kExecFailed, exit code 126/127, errno} (sync_channel.h's header) and
// exits with that code; on success the exec closes it (close-on-exec) and dabba reads EOF.
//
// Built by runner/CMakeLists.txt with -nostdlib -static; every system call is raw.

typedef unsigned long u64;
typedef long i64;

#if defined(__x86_64__)
#define NR_read 0
#define NR_write 1
#define NR_open 2
#define NR_close 3
#define NR_rt_sigprocmask 14
#define NR_ioctl 16
#define NR_dup2 33
#define NR_sendto 44
#define NR_clone 56
#define NR_execve 59
#define NR_exit 60
#define NR_wait4 61
#define NR_kill 62
#define NR_fcntl 72
#define NR_setsid 112
#define NR_prctl 157
#define NR_signalfd4 289

static i64 sys6(i64 n, i64 a, i64 b, i64 c, i64 d, i64 e, i64 f) {
  register i64 r10 __asm__("r10") = d;
  register i64 r8 __asm__("r8") = e;
  register i64 r9 __asm__("r9") = f;
  i64 ret;
  __asm__ volatile("syscall"
                   : "=a"(ret)
                   : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                   : "rcx", "r11", "memory");
  return ret;
}

// The kernel starts us with argc at (%rsp); hand the stack pointer to shim_main.
__asm__(
    ".text\n"
    ".global _start\n"
    "_start:\n"
    "  xor %rbp, %rbp\n"
    "  mov %rsp, %rdi\n"
    "  and $-16, %rsp\n"
    "  call shim_main\n"
    "  hlt\n");
#elif defined(__aarch64__)
#define NR_read 63
#define NR_write 64
#define NR_close 57
#define NR_rt_sigprocmask 135
#define NR_ioctl 29
#define NR_dup3 24
#define NR_openat 56
#define NR_sendto 206
#define NR_clone 220
#define NR_execve 221
#define NR_exit 93
#define NR_wait4 260
#define NR_kill 129
#define NR_fcntl 25
#define NR_setsid 157
#define NR_prctl 167
#define NR_signalfd4 74

static i64 sys6(i64 n, i64 a, i64 b, i64 c, i64 d, i64 e, i64 f) {
  register i64 x8 __asm__("x8") = n;
  register i64 x0 __asm__("x0") = a;
  register i64 x1 __asm__("x1") = b;
  register i64 x2 __asm__("x2") = c;
  register i64 x3 __asm__("x3") = d;
  register i64 x4 __asm__("x4") = e;
  register i64 x5 __asm__("x5") = f;
  __asm__ volatile("svc 0"
                   : "+r"(x0)
                   : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
                   : "memory");
  return x0;
}

__asm__(
    ".text\n"
    ".global _start\n"
    "_start:\n"
    "  mov x29, #0\n"
    "  mov x30, #0\n"
    "  mov x0, sp\n"
    "  bl shim_main\n"
    "  brk #0\n");
#else
#error "dabba_shim: no system call table for this architecture"
#endif

#define sys0(n) sys6(n, 0, 0, 0, 0, 0, 0)
#define sys1(n, a) sys6(n, (i64)(a), 0, 0, 0, 0, 0)
#define sys2(n, a, b) sys6(n, (i64)(a), (i64)(b), 0, 0, 0, 0)
#define sys3(n, a, b, c) sys6(n, (i64)(a), (i64)(b), (i64)(c), 0, 0, 0)
#define sys4(n, a, b, c, d) sys6(n, (i64)(a), (i64)(b), (i64)(c), (i64)(d), 0, 0)

enum {
  kEINTR = 4,
  kENOENT = 2,
  kENOTDIR = 20,
  kECHILD = 10,
  kSIGCHLD = 17,
  kSIG_BLOCK = 0,
  kSIG_SETMASK = 2,
  kF_SETFD = 2,
  kFD_CLOEXEC = 1,
  kMSG_NOSIGNAL = 0x4000,
  kWNOHANG = 1,
  kPR_SET_NAME = 15,
  kPR_SET_DUMPABLE = 4,
  kTIOCSCTTY = 0x540E,
  kSFD_CLOEXEC = 02000000,
  kO_RDWR = 2,
  kO_CLOEXEC = 02000000,
  kAT_FDCWD = -100,
  kSyncExecFailed = 6,  // SyncKind::kExecFailed
};

// Needed by the compiler for struct copies; no libc here.
void* memset(void* d, int c, u64 n) {
  unsigned char* p = d;
  while (n--) *p++ = (unsigned char)c;
  return d;
}
void* memcpy(void* d, const void* s, u64 n) {
  unsigned char* p = d;
  const unsigned char* q = s;
  while (n--) *p++ = *q++;
  return d;
}

static int streq(const char* a, const char* b) {
  while (*a && *a == *b) ++a, ++b;
  return *a == *b;
}

static i64 parse_int(const char* s, int base) {
  i64 v = 0;
  for (; *s; ++s) {
    int d = (*s >= '0' && *s <= '9') ? *s - '0'
            : (*s >= 'a' && *s <= 'f') ? *s - 'a' + 10
            : (*s >= 'A' && *s <= 'F') ? *s - 'A' + 10
                                       : -1;
    if (d < 0 || d >= base) return -1;
    v = v * base + d;
  }
  return v;
}

static __attribute__((noreturn)) void die(int code) {
  for (;;) sys1(NR_exit, code);
}

// Runs the workload, or tells dabba why it could not and exits 126/127 as Docker does.
static __attribute__((noreturn)) void exec_workload(int report, char* program, char** argv,
                                                    char** envp) {
  sys3(NR_fcntl, report, kF_SETFD, kFD_CLOEXEC);
  i64 err = -sys3(NR_execve, program, argv, envp);
  int code = (err == kENOENT || err == kENOTDIR) ? 127 : 126;
  struct {
    unsigned kind;
    int code;
    int error;
  } msg = {kSyncExecFailed, code, (int)err};
  sys6(NR_sendto, report, (i64)&msg, sizeof msg, kMSG_NOSIGNAL, 0, 0);
  die(code);
}

static int open_null(void) {
#if defined(NR_open)
  return (int)sys3(NR_open, "/dev/null", kO_RDWR | kO_CLOEXEC, 0);
#else
  return (int)sys4(NR_openat, kAT_FDCWD, "/dev/null", kO_RDWR | kO_CLOEXEC, 0);
#endif
}

static void dup_to(int from, int to) {
#if defined(NR_dup2)
  sys2(NR_dup2, from, to);
#else
  sys3(NR_dup3, from, to, 0);
#endif
}

static __attribute__((noreturn)) void reap(int report, u64 forward, char* program, char** argv,
                                           char** envp) {
  sys2(NR_prctl, kPR_SET_NAME, "dabba-init");
  u64 set = forward | (1UL << (kSIGCHLD - 1));
  // dabba started us with `forward` blocked: none was lost, and none is while we set up.
  sys4(NR_rt_sigprocmask, kSIG_BLOCK, &set, 0, 8);
  int sfd = (int)sys4(NR_signalfd4, -1, &set, 8, kSFD_CLOEXEC);
  i64 pid = sys6(NR_clone, kSIGCHLD, 0, 0, 0, 0, 0);
  if (pid == 0) {
    // The workload: its own session (with the pty as controlling terminal when it has one),
    // nothing blocked.
    u64 none = 0;
    sys1(NR_setsid, 0);
    sys3(NR_ioctl, 0, kTIOCSCTTY, 0);  // fails harmlessly when 0 is no terminal
    sys4(NR_rt_sigprocmask, kSIG_SETMASK, &none, 0, 8);
    exec_workload(report, program, argv, envp);
  }
  if (pid < 0) die(125);
  // The exec's report is the workload's to send; ours closes so dabba sees EOF once it execs.
  sys1(NR_close, report);
  sys1(NR_setsid, 0);
  int null = open_null();
  if (null >= 0) {
    dup_to(null, 0);
    sys1(NR_close, null);
  }
  for (;;) {
    unsigned char info[128];  // struct signalfd_siginfo
    i64 n = sfd >= 0 ? sys3(NR_read, sfd, info, sizeof info) : -1;
    if (n == -kEINTR) continue;
    unsigned signo = n == (i64)sizeof info ? *(unsigned*)info : kSIGCHLD;
    if (signo != kSIGCHLD) {
      sys2(NR_kill, pid, signo);
      continue;
    }
    for (;;) {
      int status = 0;
      i64 done = sys4(NR_wait4, -1, &status, sfd >= 0 ? kWNOHANG : 0, 0);
      if (done == -kECHILD) die(0);
      if (done <= 0) break;
      if (done == pid) {
        int sig = status & 0x7f;
        die(sig == 0 ? (status >> 8) & 0xff : 128 + sig);
      }
    }
  }
}

__attribute__((noreturn, used)) void shim_main(i64* stack) {
  int argc = (int)stack[0];
  char** argv = (char**)(stack + 1);
  char** envp = argv + argc + 1;
  // Already not dumpable (dabba exec'd us from an unreadable file); stay so.
  sys2(NR_prctl, kPR_SET_DUMPABLE, 0);
  if (argc < 5) die(125);
  int report = (int)parse_int(argv[1], 10);
  i64 mask = parse_int(argv[2], 16);
  if (report < 0 || mask < 0) die(125);
  if (streq(argv[0], "dabba-init")) reap(report, (u64)mask, argv[3], argv + 4, envp);
  exec_workload(report, argv[3], argv + 4, envp);
}
