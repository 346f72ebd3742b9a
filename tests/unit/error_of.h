// The tests' one way to read an error message: what an exception of type E thrown by f says.
#pragma once

#include <string>
#include <utility>

#include "recbench/error.h"

namespace recbench {

//! The message of the exception of type E that `f()` throws, or "" when it throws none.
template <typename E = Error, typename F>
std::string error_of(F&& f) {
  try {
    std::forward<F>(f)();
  } catch (const E& e) {
    return e.what();
  }
  return "";
}

}  // namespace recbench
