// Published numbers an experiment reproduces ([[reference]] tables), printed beside recbench's.
#pragma once

#include <string>

namespace recbench {

//! One published value: `metric` of `model` on `dataset` as `source` reports it. dataset and
//! model are the experiment's dataset name and model label; metric is in the registry's
//! spelling ("HR@1", "ValidHR@1", "NDCG@10").
struct PublishedValue {
  std::string source;  //!< e.g. "LLaRA (Liao et al., SIGIR 2024), Table 2"
  std::string dataset, model, metric;
  double value = 0.0;
  std::string note;  //!< optional: how the number was obtained, caveats
};

}  // namespace recbench
