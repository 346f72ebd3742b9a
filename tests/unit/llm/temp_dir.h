// A fresh, empty folder under the system's temporary directory for one LLM test.
#pragma once

#include <filesystem>
#include <string>

namespace recbench::llm {

//! <tmp>/recbench_<name>, emptied first (a failed earlier run may have left files).
inline std::filesystem::path temp_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("recbench_" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace recbench::llm
