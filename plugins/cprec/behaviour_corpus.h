// CPRec's behaviour corpus: per user, domain-specific sequences and the all-domain mixed sequence,
// cut into prompt windows and drawn in a configurable proportion.
#pragma once

#include <cstdint>
#include <random>
#include <utility>
#include <vector>

#include "recbench/data.h"

namespace recbench::cprec {

//! One behaviour prompt: items in time order, the last one the target.
struct BehaviourPrompt {
  std::vector<ItemId> items;  //!< history items then the target (>= 2 items)
  int16_t domain = 0;         //!< the sequence's domain (domain-specific prompts)
  bool mixed = false;         //!< from the all-domain mixed sequence
};

//! The prompts of both kinds.
struct BehaviourCorpus {
  std::vector<BehaviourPrompt> domain_specific;  //!< (a): one sequence per user and domain
  std::vector<BehaviourPrompt> mixed;            //!< (b): one mixed sequence per user
};

/// Windows [begin, end) of at most `max_items` + 1 items over a sequence of `length` items, laid
/// from the end backwards every `stride` items, so the most recent item is always a target and
/// long histories are covered by sliding windows. A sequence shorter than 2 items has none.
std::vector<std::pair<int64_t, int64_t>> prompt_windows(int64_t length, int64_t max_items,
                                                        int64_t stride);

//! Both kinds of prompts from `sequences` (CPRec's pre-training corpus: each user's full
//! multi-domain sequence).
BehaviourCorpus build_behaviour_corpus(const SequenceSet& sequences, int64_t max_items,
                                       int64_t stride);

/// Target-adaptation prompts of sequences `rows` of `train`: one per position t >= 1, the (up to)
/// `max_items` items before t then item t as the target (prefix augmentation). `train` is the
/// target's training split, so validation and test targets never appear.
std::vector<std::vector<ItemId>> target_prompts(const SequenceSet& train,
                                                const std::vector<size_t>& rows, int64_t max_items);

/// An endless, deterministic stream of prompts: each draw is a mixed prompt with probability
/// `mixed_share` (else domain-specific), taken in a shuffled order of its pool that is reshuffled
/// after every pass. A share whose pool is empty falls back to the other pool.
class PromptStream {
 public:
  PromptStream(const BehaviourCorpus& corpus, double mixed_share, uint64_t seed);
  const BehaviourPrompt& next();

 private:
  struct Pool {
    const std::vector<BehaviourPrompt>* prompts;
    std::vector<size_t> order;
    size_t pos = 0;
  };
  const BehaviourPrompt& take(Pool& pool);
  Pool domain_, mixed_;
  double share_;
  std::mt19937_64 rng_;
};

}  // namespace recbench::cprec
