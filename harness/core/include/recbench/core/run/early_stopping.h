// Early stopping on one validation metric, shared by the runner, the tests' and the benchmarks'
// training contexts (one rule, as RecBole's utils.early_stopping serves every trainer).
#pragma once

#include <cstdint>
#include <limits>
#include <string>

#include "recbench/core/eval/metric_registry.h"

namespace recbench {

class EarlyStopping {
 public:
  //! Watches `metric` ("NDCG@10"; its direction comes from the metric registry) and stops after
  //! `patience` validations without improvement (patience >= 1).
  EarlyStopping(const std::string& metric, int64_t patience);

  struct Step {
    bool improved = false;     //!< strictly better than every earlier epoch (NaN never is)
    bool should_stop = false;  //!< patience exhausted
  };
  //! Records the validation value of `epoch`.
  Step update(int epoch, double value);

  //! What a checkpoint stores to continue the same decisions after a restart.
  struct State {
    double best = std::numeric_limits<double>::quiet_NaN();
    int best_epoch = -1;
    int64_t bad_epochs = 0;
  };
  State state() const { return {best_, best_epoch_, bad_epochs_}; }
  void restore(const State& s) {
    best_ = s.best;
    best_epoch_ = s.best_epoch;
    bad_epochs_ = s.bad_epochs;
  }

  const MetricKey& metric() const { return metric_; }
  double best() const { return best_; }           //!< NaN before the first update
  int best_epoch() const { return best_epoch_; }  //!< -1 until a value improves

 private:
  MetricKey metric_;
  int64_t patience_;
  double best_ = std::numeric_limits<double>::quiet_NaN();
  int best_epoch_ = -1;
  int64_t bad_epochs_ = 0;
};

}  // namespace recbench
