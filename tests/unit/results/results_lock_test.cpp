// ResultsLock: one writer per results file, the holder named, a dead holder's lock taken over.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "harness/core/src/results/results_lock.h"
#include "recbench/error.h"
#include "results_test_util.h"
#include "unit/error_of.h"

namespace recbench {
namespace {

using testing_results::ScratchDir;

TEST(ResultsLock, SecondWriterIsRefusedNamingTheHolder) {
  ScratchDir dir;
  const auto results = dir / "r.h5";
  {
    ResultsLock first(results);
    EXPECT_TRUE(std::filesystem::exists(dir / "r.h5.lock"));
    // flock excludes every other open file description, also within one process.
    const std::string message = error_of<ConfigError>([&] { ResultsLock second(results); });
    EXPECT_NE(message.find(results.string() + " is being written by another recbench run (pid " +
                           std::to_string(getpid()) + " on "),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("write another file with --out"), std::string::npos) << message;
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "r.h5.lock"));  // released and removed
  ResultsLock again(results);                                // free again
}

TEST(ResultsLock, LockOfADeadProcessIsTakenOver) {
  ScratchDir dir;
  const auto results = dir / "r.h5";
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ResultsLock held(results);
    _exit(0);  // dies holding the lock: no destructor removes the file
  }
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_TRUE(std::filesystem::exists(dir / "r.h5.lock"));
  ResultsLock taken(results);
  std::ifstream note(dir / "r.h5.lock");
  std::string line;
  std::getline(note, line);
  EXPECT_EQ(line.rfind("pid " + std::to_string(getpid()) + " on ", 0), 0u) << line;
}

TEST(ResultsLock, UnwritableFolderIsAnErrorNamingTheLockFile) {
  const std::string message =
      error_of<Error>([] { ResultsLock lock("/proc/recbench-no-such-dir/r.h5"); });
  EXPECT_NE(message.find("r.h5.lock"), std::string::npos) << message;
}

}  // namespace
}  // namespace recbench
