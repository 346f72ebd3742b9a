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
  //! Continues a loop stopped after `steps` steps whose losses summed to `loss_sum` (a resumed
  //! checkpoint): the mean loss covers them, rate and ETA only the steps of this process.
  void resume(int64_t steps, double loss_sum);
  //! Mean loss of the steps so far.
  double mean_loss() const;
  int64_t steps() const { return done_; }
  double loss_sum() const { return loss_sum_; }
  //! Logs the final line (always printed).
  void finish();

 private:
  void print(bool final);
  spdlog::logger& log_;
  std::string what_, unit_;
  int64_t total_, done_ = 0, examples_ = 0, resumed_ = 0;
  double loss_sum_ = 0.0;
  std::chrono::steady_clock::time_point start_, last_print_;
};

}  // namespace recbench
