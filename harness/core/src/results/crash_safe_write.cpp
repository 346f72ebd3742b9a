// Replaces a file atomically: write a temporary sibling, fsync it, rename it over, fsync the
// folder.
#include "crash_safe_write.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>

#include "recbench/error.h"

namespace recbench {
namespace {

//! fsync()s a file or folder; throws Error naming it on failure.
//! fsync()s a file or folder; throws Error naming it on failure. A filesystem that cannot sync
//! folders (EINVAL) is accepted: the rename is still atomic there, only its durability is weaker.
void sync_path(const std::filesystem::path& path, bool directory) {
  int fd = ::open(path.c_str(), directory ? (O_RDONLY | O_DIRECTORY) : O_RDWR);
  if (fd < 0) {
    throw Error(path.string() + ": cannot open to sync: " + std::strerror(errno));
  }
  int status = ::fsync(fd);
  int saved = errno;
  ::close(fd);
  if (status != 0 && !(directory && saved == EINVAL)) {
    throw Error(path.string() + ": fsync failed: " + std::strerror(saved));
  }
}

std::filesystem::path parent_or_dot(const std::filesystem::path& path) {
  return path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
}

}  // namespace

void replace_atomically(const std::filesystem::path& target, TempStart start,
                        const std::function<void(const std::filesystem::path& tmp)>& write) {
  namespace fs = std::filesystem;
  fs::path tmp = target;
  tmp += ".tmp";
  try {
    std::error_code ignored;
    fs::remove(tmp, ignored);  // a leftover of a crashed writer
    if (start == TempStart::copy_of_target) {
      fs::copy_file(target, tmp);
    }
    write(tmp);
    sync_path(tmp, false);
    fs::rename(tmp, target);
  } catch (const fs::filesystem_error& e) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw Error(target.string() + ": cannot replace the file: " + e.code().message());
  } catch (...) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw;
  }
  sync_path(parent_or_dot(target), true);
}

}  // namespace recbench
