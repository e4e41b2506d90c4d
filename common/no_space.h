// A full filesystem (ENOSPC) or an exhausted disk quota (EDQUOT), explained: the message says
// where space ran out, what is free there and, when known, roughly what the step needed; the
// hint says how to fix it. Every other error passes unchanged.
#pragma once

#include <cstdint>
#include <string>

#include "common/error.h"

namespace dabba {

bool is_no_space(const Error& e);

// e when it is not about space (or explained already); else e explained (its errno kept). path: a
// directory on the filesystem that ran out (the store's root); needed: what the step needed, in
// words ("the layer is 2.1 MB compressed"), or "".
Error explain_no_space(const Error& e, const std::string& path, const std::string& needed = {});

// Whether the filesystem of path has less than 1% or 64 MiB free: where an ENOSPC from anywhere
// most likely came from.
bool nearly_full(const std::string& path);

// What a write of `bytes` to a new unnamed file in dir meets now (allocated with fallocate where
// the filesystem has it, else written): ENOSPC or EDQUOT, else 0. Nothing is left behind.
int space_probe(const std::string& dir, size_t bytes);

// What an EIO from a write on dir's filesystem most likely was (LMDB reports a short write as EIO):
// ENOSPC when that filesystem is nearly full, ENOSPC or EDQUOT when a 1 MiB write there fails so
// now (a quota used up leaves the filesystem with room), else EIO.
int space_errno_behind_eio(const std::string& dir);

// Runs f; an Error it throws about space is explained as above.
template <class F>
decltype(auto) with_space_explained(const std::string& path, const std::string& needed, F&& f) {
  try {
    return f();
  } catch (const Error& e) {
    if (!is_no_space(e)) throw;
    throw explain_no_space(e, path, needed);
  }
}

}  // namespace dabba
