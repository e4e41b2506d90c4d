// The Error a piece of test code throws (a failure of the test when it throws none), so that
// its code, message and hint can be checked.
#pragma once

#include <gtest/gtest.h>

#include <exception>
#include <functional>

#include "common/error.h"

namespace dabba::testing_support {

inline Error error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no error";
  return Error(Errc::kFailed, "none");
}

// The Error that an exception_ptr (a failed transfer's, a worker's) holds, likewise.
inline Error error_in(const std::exception_ptr& p) {
  return error_of([&] {
    if (p) std::rethrow_exception(p);
  });
}

}  // namespace dabba::testing_support
