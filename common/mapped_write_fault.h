// A write to a memory-mapped file that the filesystem cannot back (full, or a disk quota used up:
// btrfs allocates anew at every write fault) is a SIGBUS, not an errno. LMDB writes its lock file
// so at every open and read transaction: on a store whose quota is used up, every verb would die
// of "Bus error". With this installed it ends as an error instead: the file named, the cause and
// the fix, exit 125. Any other SIGBUS (not in a shared writable file mapping, or not one the
// filesystem could not back) keeps its default action.
#pragma once

namespace dabba {

// Installs the SIGBUS handler for this process (exec resets it). Safe to call more than once.
void explain_mapped_write_faults();

}  // namespace dabba
