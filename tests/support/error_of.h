// The Error a piece of test code throws (a failure of the test when it throws none), so that
// its code, message and hint can be checked.
#pragma once

#include <gtest/gtest.h>

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

}  // namespace dabba::testing_support
