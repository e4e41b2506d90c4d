// /proc/PID/stat, read in one place (the pause process's pid file, a container's PID 1, a pull's
// lease owner all name a process by pid and start time).
//
// One rule for every caller: a zombie is not alive. It has exited; only its parent has not reaped
// it yet (or, for an orphan, the host's init, which may do so late): its namespaces are gone, a
// signal does nothing, its lease pins nothing. process_start_time() reads 0 for it, as for a
// process that is gone. So for a process that is exiting (PF_EXITING): a PID namespace's init
// stays so until every other process of its namespace is reaped, which an orphan's zombie can
// delay for as long as the host's init takes (its namespaces are gone already).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>

namespace dabba {

struct ProcStat {
  char state = 0;           // field 3: R, S, D, T, Z (zombie), X (dead), ...
  pid_t ppid = 0;           // field 4
  unsigned flags = 0;       // field 9: the kernel's PF_* flags
  uint64_t start_time = 0;  // field 22: clock ticks since boot
  static constexpr unsigned kExiting = 0x4;  // PF_EXITING: in do_exit(), never to run again
  bool exited() const { return state == 'Z' || state == 'X' || (flags & kExiting) != 0; }
};

// nullopt when the process is gone (or its stat cannot be read or parsed).
std::optional<ProcStat> read_proc_stat(pid_t pid);

// The start time of a live process: with the pid it names one process (a reused pid has another
// start time). 0 when it is gone or a zombie.
uint64_t process_start_time(pid_t pid);

}  // namespace dabba
