// Telling an interrupt from a failure in an error passed along as an exception_ptr (a transfer's
// or a worker's): an interrupt is reported once, not as every transfer's own failure.
#pragma once

#include <exception>

#include "common/error.h"

namespace dabba {

// Whether e holds an Error of code kInterrupted (false for no exception and for any other).
inline bool is_interrupted(const std::exception_ptr& e) {
  if (!e) return false;
  try {
    std::rethrow_exception(e);
  } catch (const Error& err) {
    return err.code() == Errc::kInterrupted;
  } catch (...) {
    return false;
  }
}

}  // namespace dabba
