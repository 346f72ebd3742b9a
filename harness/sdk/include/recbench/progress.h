// A progress line for long loops: epoch, batch, loss, rate and ETA, at most every few seconds.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "recbench/export.h"

namespace spdlog {
class logger;
}

namespace recbench {

class RECBENCH_API Progress {
 public:
  //! `total` steps in this loop (0 if unknown); `unit` names a step, e.g. "batch".
  Progress(spdlog::logger& log, std::string what, int64_t total, std::string unit = "batch");
  //! One step done with its loss and the number of examples it covered.
  void step(double loss, int64_t examples = 1);
  //! Mean loss of the steps so far.
  double mean_loss() const;
  //! Logs the final line (always printed).
  void finish();

 private:
  void print(bool final);
  spdlog::logger& log_;
  std::string what_, unit_;
  int64_t total_, done_ = 0, examples_ = 0;
  double loss_sum_ = 0.0;
  std::chrono::steady_clock::time_point start_, last_print_;
};

}  // namespace recbench
