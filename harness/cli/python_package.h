// Running the checkout's Python package (python/recbench) from the command line.
#pragma once

#include <string>
#include <vector>

namespace recbench::cli {

//! argv for `PYTHON -m MODULE ARGS...`: the interpreter is $RECBENCH_PYTHON, else the one CMake
//! found; also puts the checkout's python/ folder first on PYTHONPATH.
std::vector<std::string> python_module_command(const std::string& module,
                                               const std::vector<std::string>& args);

//! execv-style argv of `command` (pointers into it, null-terminated).
std::vector<char*> argv_of(std::vector<std::string>& command);

//! Runs the command and waits; its exit status, or -1 when it could not start.
int run_and_wait(std::vector<std::string> command);

//! Why Python may be missing, for messages.
inline constexpr const char* kPythonHint =
    "it needs Python 3 with matplotlib, h5py and pandas (scripts/install-deps.sh), or "
    "RECBENCH_PYTHON naming such an interpreter";

}  // namespace recbench::cli
