// Replaces a file atomically: write a temporary sibling, fsync it, rename it over, fsync the
// folder.
#pragma once

#include <filesystem>
#include <functional>

namespace recbench {

//! How the temporary file starts out.
enum class TempStart { copy_of_target, empty };

//! Runs `write(tmp)` on `<target>.tmp` (a copy of `target`, or absent for TempStart::empty), then
//! makes it durable and renames it over `target`. After a crash at any moment `target` is either
//! the old file or the new one. On an exception the temporary is removed and `target` untouched.
void replace_atomically(const std::filesystem::path& target, TempStart start,
                        const std::function<void(const std::filesystem::path& tmp)>& write);

}  // namespace recbench
