// What a long-lived dabba process shows in /proc/PID/cmdline (and ps), which every local user can
// read: not the arguments of the command that forked it (`run -d -e SECRET=x` would show the
// secret for the container's life), but a title ("dabba-supervise <id>", "dabba-pause").
// setproctitle's way: the argv strings are overwritten in place, spilling into the environment's
// area (whose strings move to the heap first) when the title is longer; the kernel then reads the
// title up to its NUL; when both areas together are too small, the kernel is pointed at a buffer
// holding the title (PR_SET_MM_MAP). The comm name (ps -o comm, /proc/PID/status) becomes its first
// word.
#pragma once

#include <string_view>

namespace dabba {

// Never fails: at worst the title is cut short.
void set_process_title(std::string_view title) noexcept;

}  // namespace dabba
