// The pre-training overlap check: a target dataset never shares a domain or a raw file with a
// pre-training corpus of the same experiment.
#pragma once

#include <set>
#include <string>

#include "recbench/core/data/dataset.h"

namespace recbench {

//! Names of the domains that `data`'s interactions use.
std::set<std::string> used_domains(const PreparedDataset& data);

//! Absolute, normalised paths of the raw files `recipe` reads (resolved against its base_dir).
std::set<std::string> raw_files(const Recipe& recipe);

/// Throws ConfigError when target `target` (prepared as `target_data`) shares a domain or a raw
/// file with pre-training corpus `corpus` (prepared as `corpus_data`), naming both and the
/// overlap.
void check_corpus_overlap(const Recipe& target, const PreparedDataset& target_data,
                          const Recipe& corpus, const PreparedDataset& corpus_data);

}  // namespace recbench
