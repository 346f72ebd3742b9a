// One writer per results file: an advisory lock held for a run's whole life.
#pragma once

#include <filesystem>

namespace recbench {

//! Holds an exclusive flock(2) on `<results>.lock` while alive. The lock file names its holder
//! (pid, host, start time), so a second writer is refused with who holds it; the kernel drops the
//! lock when its process dies, so a stale lock file of a killed run is taken over silently. The
//! lock file is removed on release. Advisory: it stops other recbench runs, not other programs.
class ResultsLock {
 public:
  //! Takes the lock of `results`; throws ConfigError naming the holder when another live process
  //! holds it, Error when the lock file cannot be created.
  explicit ResultsLock(const std::filesystem::path& results);
  ~ResultsLock();
  ResultsLock(const ResultsLock&) = delete;
  ResultsLock& operator=(const ResultsLock&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
};

}  // namespace recbench
