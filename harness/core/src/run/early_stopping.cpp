// Early stopping: best value in the metric's direction, patience counted in validations.
#include "recbench/core/run/early_stopping.h"

#include <cmath>

#include "recbench/error.h"

namespace recbench {

EarlyStopping::EarlyStopping(const std::string& metric, int64_t patience)
    : metric_(parse_metric_key(metric)), patience_(patience) {
  if (patience < 1) {
    throw ConfigError("early stopping: patience must be >= 1 (got " + std::to_string(patience) +
                      ")");
  }
}

EarlyStopping::Step EarlyStopping::update(int epoch, double value) {
  Step step;
  // NaN never improves (a model that scored nothing must not become the best state).
  step.improved = !std::isnan(value) && (best_epoch_ < 0 || metric_.better(value, best_));
  if (step.improved) {
    best_ = value;
    best_epoch_ = epoch;
    bad_epochs_ = 0;
  } else {
    ++bad_epochs_;
  }
  step.should_stop = bad_epochs_ >= patience_;
  return step;
}

}  // namespace recbench
