// ResultsLock: flock on a sibling file, made safe against the file being removed under us.
#include "results_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <string>

#include "recbench/error.h"

namespace recbench {
namespace {

std::string read_all(int fd) {
  std::string text;
  char buf[256];
  ssize_t n = 0;
  off_t at = 0;
  while ((n = pread(fd, buf, sizeof buf, at)) > 0) {
    text.append(buf, static_cast<size_t>(n));
    at += n;
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

std::string holder_line() {
  char host[256] = "?";
  gethostname(host, sizeof host - 1);
  const std::time_t t = std::time(nullptr);
  char when[32];
  std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return "pid " + std::to_string(getpid()) + " on " + host + " since " + when + "\n";
}

}  // namespace

ResultsLock::ResultsLock(const std::filesystem::path& results)
    : path_(std::filesystem::path(results).concat(".lock")) {
  std::error_code ec;
  if (path_.has_parent_path()) std::filesystem::create_directories(path_.parent_path(), ec);
  if (ec)
    throw Error(path_.string() + ": cannot create the results lock's folder: " + ec.message());
  // Retried when the file we locked was unlinked by a releasing holder in between: a lock on a
  // removed file would not exclude the next process that creates a fresh one.
  for (;;) {
    fd_ = open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) {
      throw Error(path_.string() + ": cannot create the results lock: " + std::strerror(errno));
    }
    if (flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      const int err = errno;
      const std::string holder = read_all(fd_);
      close(fd_);
      fd_ = -1;
      if (err != EWOULDBLOCK) {
        throw Error(path_.string() + ": cannot lock: " + std::strerror(err));
      }
      throw ConfigError(results.string() + " is being written by another recbench run (" +
                        (holder.empty() ? std::string("holder unknown") : holder) +
                        "); wait for it to finish, or write another file with --out");
    }
    struct stat held {};
    struct stat named {};
    if (fstat(fd_, &held) == 0 && stat(path_.c_str(), &named) == 0 && held.st_ino == named.st_ino &&
        held.st_dev == named.st_dev) {
      break;
    }
    close(fd_);
  }
  const std::string line = holder_line();
  if (ftruncate(fd_, 0) != 0 || pwrite(fd_, line.data(), line.size(), 0) < 0) {
    // The lock holds without the note; only the refusal message of a second writer is poorer.
  }
}

ResultsLock::~ResultsLock() {
  if (fd_ < 0) return;
  // Unlinked while still locked, so no process can lock this inode and believe it owns the name.
  unlink(path_.c_str());
  close(fd_);
}

}  // namespace recbench
