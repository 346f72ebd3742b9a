// Test helpers for the SentencePiece tokenizers: the real Llama 2 model's path, and ids from
// Debian's python3-sentencepiece (tests/reference/sentencepiece_reference.py) at test time.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>

namespace recbench::llm::testing {

inline const std::filesystem::path kFixtures =
    std::filesystem::path(RECBENCH_TEST_DATA_DIR) / "llm";
inline const std::filesystem::path kProject = RECBENCH_PROJECT_DIR;

//! The real Llama 2 tokenizer.model under ../shared/data/real (never committed).
inline std::filesystem::path llama2_model() {
  return (kProject / ".." / "shared" / "data" / "real" / "tokenizers" / "llama-2" /
          "tokenizer.model")
      .lexically_normal();
}

//! Runs `command` with /bin/sh, returning its standard output and exit status.
inline std::pair<std::string, int> run_command(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return {out, -1};
  char buffer[1 << 14];
  size_t n = 0;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  const int status = pclose(pipe);
  return {out, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

//! Runs a script of tests/reference with Debian's interpreter; nullopt (with `why` set) when
//! python3-sentencepiece is missing (exit 77), the output otherwise. Other failures: status != 0.
inline std::optional<std::pair<std::string, int>> run_reference(const std::string& script,
                                                                const std::string& args,
                                                                std::string& why) {
  auto result = run_command("/usr/bin/python3 '" +
                            (kProject / "tests/reference" / script).string() + "' " + args);
  if (result.second == 77) {
    why = "/usr/bin/python3 cannot import sentencepiece (Debian python3-sentencepiece)";
    return std::nullopt;
  }
  return result;
}

}  // namespace recbench::llm::testing
