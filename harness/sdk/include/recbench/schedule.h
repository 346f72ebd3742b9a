// Learning-rate schedules: linear warmup + cosine, and Warmup-Stable-Annealing (WSA), resumable.
#pragma once

#include <cstdint>
#include <string>

#include "recbench/export.h"

namespace recbench {

//! Shape of the decay phase.
enum class AnnealShape { kCosine, kLinear, kExponential };

//! Parses "cosine", "linear" or "exponential" (ConfigError naming the value otherwise).
RECBENCH_API AnnealShape parse_anneal_shape(const std::string& name);

//! Phases of a Warmup-Stable-Annealing schedule as fractions of the total steps (sum = 1).
struct WsaOptions {
  double warmup_fraction = 0.01;             //!< linear ramp 0 -> peak
  double stable_fraction = 0.89;             //!< constant peak
  double anneal_fraction = 0.10;             //!< decay peak -> floor
  AnnealShape shape = AnnealShape::kCosine;  //!< decay shape
  double floor_ratio = 0.1;                  //!< final lr as a fraction of the peak
};

/// A step-indexed learning-rate schedule. Step s (0-based) of W warmup steps has lr
/// peak * (s + 1) / W, so the last warmup step reaches the peak; the decay phase of A steps ends
/// exactly at the floor on its last step; steps past the end stay at the floor.
/// The position (and settings) serialise to one JSON line for checkpoints.
class RECBENCH_API LrSchedule {
 public:
  //! Linear warmup over `warmup_steps`, then cosine decay to floor_ratio * peak at `total_steps`.
  static LrSchedule warmup_cosine(double peak_lr, int64_t total_steps, int64_t warmup_steps,
                                  double floor_ratio = 0.0);
  //! Warmup-Stable-Annealing; the fractions must be >= 0 and sum to 1.
  static LrSchedule wsa(double peak_lr, int64_t total_steps, const WsaOptions& options);
  //! Constant learning rate.
  static LrSchedule constant(double lr);

  //! Learning rate of step `step`.
  double lr_at(int64_t step) const;
  //! Learning rate of the current step.
  double current() const { return lr_at(step_); }
  //! Moves to the next step.
  void advance() { ++step_; }
  int64_t step() const { return step_; }
  //! Last warmup step + 1 (first stable or decay step).
  int64_t warmup_steps() const { return warmup_; }
  //! First step of the decay phase.
  int64_t anneal_start() const { return total_ - anneal_; }
  int64_t total_steps() const { return total_; }

  //! Settings and position as JSON (for checkpoints).
  std::string state() const;
  //! Restores what state() wrote; ConfigError on malformed text.
  static LrSchedule from_state(const std::string& json_text);

 private:
  double peak_ = 0, floor_ = 0;
  int64_t total_ = 0, warmup_ = 0, anneal_ = 0, step_ = 0;
  AnnealShape shape_ = AnnealShape::kCosine;
};

}  // namespace recbench
