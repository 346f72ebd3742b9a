// Running python/recbench: the interpreter, PYTHONPATH, and a child process.
#include "python_package.h"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

extern char** environ;

namespace recbench::cli {

std::vector<std::string> python_module_command(const std::string& module,
                                               const std::vector<std::string>& args) {
  const char* chosen = std::getenv("RECBENCH_PYTHON");
  const std::string python = chosen != nullptr && *chosen != '\0' ? chosen : RECBENCH_PYTHON3;
  std::string path = RECBENCH_PYTHON_DIR;
  if (const char* old = std::getenv("PYTHONPATH"); old != nullptr && *old != '\0') {
    path += std::string(":") + old;
  }
  ::setenv("PYTHONPATH", path.c_str(), 1);
  std::vector<std::string> command{python, "-m", module};
  command.insert(command.end(), args.begin(), args.end());
  return command;
}

std::vector<char*> argv_of(std::vector<std::string>& command) {
  std::vector<char*> argv;
  argv.reserve(command.size() + 1);
  for (auto& word : command) argv.push_back(word.data());
  argv.push_back(nullptr);
  return argv;
}

int run_and_wait(std::vector<std::string> command) {
  const std::vector<char*> argv = argv_of(command);
  pid_t pid = 0;
  if (::posix_spawnp(&pid, argv[0], nullptr, nullptr, argv.data(), environ) != 0) return -1;
  int status = 0;
  if (::waitpid(pid, &status, 0) < 0) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace recbench::cli
