// `recbench plot`: figures from a results file, drawn by the Python package python/recbench
// (matplotlib), which this command runs with the checkout's python/ on PYTHONPATH.
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <string>

#include "commands.h"
#include "python_package.h"

namespace recbench::cli {

int plot_command(const std::vector<std::string>& args) {
  std::vector<std::string> command = python_module_command("recbench.plot", args);
  const std::vector<char*> argv = argv_of(command);
  ::execvp(argv[0], argv.data());  // returns only on failure
  std::cerr << "recbench plot: cannot run " << command[0] << " (" << std::strerror(errno) << "); "
            << kPythonHint << "\n";
  return kExitBadInput;
}

}  // namespace recbench::cli
