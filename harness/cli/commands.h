// The subcommands of `recbench`; each parses its own options and returns an exit status.
#pragma once

#include <string>
#include <vector>

namespace recbench::cli {

//! Exit statuses: 0 success, 1 some cells failed, 2 bad input, 3 a data-parallel rank failed
//! (finished cells are kept; rerun with --resume), 130 interrupted.
constexpr int kExitOk = 0, kExitFailedCells = 1, kExitBadInput = 2, kExitRankFailed = 3,
              kExitInterrupted = 130;

int run_command(const std::vector<std::string>& args);
int report_command(const std::vector<std::string>& args);
int data_command(const std::vector<std::string>& args);
int plugins_command(const std::vector<std::string>& args);
int llm_command(const std::vector<std::string>& args);
int plot_command(const std::vector<std::string>& args);
int merge_command(const std::vector<std::string>& args);

}  // namespace recbench::cli
