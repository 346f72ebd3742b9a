// Error types shared by the host and plugins; every message names where and what was expected.
#pragma once

#include <stdexcept>
#include <string>

#include "recbench/export.h"

namespace recbench {

//! Base of every recbench error; what() is one line meant for a user.
class RECBENCH_API Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

//! Bad experiment, recipe or plugin configuration (names file:line:column and key).
class RECBENCH_API ConfigError : public Error {
 public:
  using Error::Error;
};

//! Bad or missing input data (names file and line).
class RECBENCH_API DataError : public Error {
 public:
  using Error::Error;
};

//! A plugin could not be loaded or does not honour the ABI (names the file).
class RECBENCH_API PluginError : public Error {
 public:
  using Error::Error;
};

//! A collective of data-parallel training failed (a rank died or timed out). Not a model's
//! failure: the run stops (finished cells are kept; rerun with --resume).
class RECBENCH_API CollectiveError : public Error {
 public:
  using Error::Error;
};

}  // namespace recbench
