// CPRec's behaviour corpus: per user, domain-specific sequences and the all-domain mixed sequence,
// cut into prompt windows and drawn in a configurable proportion.
#pragma once

#include <cstdint>
#include <random>
#include <span>
#include <utility>
#include <vector>

#include "recbench/data.h"
#include "recbench/multi_domain.h"

namespace recbench::cprec {

//! One behaviour prompt: a view of a window of a corpus sequence (valid while the corpus lives).
struct BehaviourPrompt {
  std::span<const ItemId> items;  //!< history items then the target (>= 2 items)
  int16_t domain = 0;             //!< the sequence's domain (domain-specific prompts)
  bool mixed = false;             //!< from the all-domain mixed sequence
};

/// Windows [begin, end) of at most `max_items` + 1 items over a sequence of `length` items, laid
/// from the end backwards every `stride` items, so the most recent item is always a target and
/// long histories are covered by sliding windows. A sequence shorter than 2 items has none.
std::vector<std::pair<int64_t, int64_t>> prompt_windows(int64_t length, int64_t max_items,
                                                        int64_t stride);

/// The prompts of both kinds over a corpus: (a) one domain-specific sequence per user and domain,
/// (b) one all-domain mixed sequence per user, each cut into prompt_windows(). Windows are
/// computed when asked for, never stored: only the two views of the sequences and a running
/// count of windows per sequence are kept, so memory grows with the corpus, not with the number
/// of windows (a stride of 1 would otherwise copy every history max_items + 1 times).
class BehaviourCorpus {
 public:
  BehaviourCorpus(const SequenceSet& sequences, int64_t max_items, int64_t stride);
  BehaviourCorpus(const BehaviourCorpus&) = delete;  // large, and prompts point into it
  BehaviourCorpus& operator=(const BehaviourCorpus&) = delete;

  size_t domain_specific_size() const { return domain_.first.back(); }
  size_t mixed_size() const { return mixed_.first.back(); }
  //! Window `index` of the domain-specific prompts (sequences in view order, windows in time
  //! order).
  BehaviourPrompt domain_specific(size_t index) const;
  //! Window `index` of the mixed prompts.
  BehaviourPrompt mixed(size_t index) const;

 private:
  struct Pool {
    std::vector<size_t> first{0};  //!< first window of each sequence; back() = window count
  };
  //! The sequence holding window `index` of `pool`.
  static size_t sequence_of(const Pool& pool, size_t index);
  BehaviourPrompt window(const Pool& pool, const SequenceSet& set, size_t seq, size_t index) const;
  MultiDomainSequences view_;
  int64_t max_items_, stride_;
  Pool domain_, mixed_;
};

/// Target-adaptation prompts of sequences `rows` of `train`: one per position t >= 1, the (up to)
/// `max_items` items before t then item t as the target (prefix augmentation). `train` is the
/// target's training split, so validation and test targets never appear.
std::vector<std::vector<ItemId>> target_prompts(const SequenceSet& train,
                                                const std::vector<size_t>& rows, int64_t max_items);

/// An endless, deterministic stream of prompts: each draw is a mixed prompt with probability
/// `mixed_share` (else domain-specific), taken in a shuffled order of its pool that is reshuffled
/// after every pass. A share whose pool is empty falls back to the other pool. The stream's
/// position is the number of prompts drawn: skip(n) on a fresh stream reaches the position of a
/// stream that drew n prompts, replaying only its random draws (no prompt is built).
class PromptStream {
 public:
  PromptStream(const BehaviourCorpus& corpus, double mixed_share, uint64_t seed);
  BehaviourPrompt next();
  //! Advances by `n` prompts without building them.
  void skip(uint64_t n);
  //! Prompts drawn so far (next() and skip() together).
  uint64_t drawn() const { return drawn_; }

 private:
  struct Pool {
    size_t size = 0;
    std::vector<size_t> order;
    size_t pos = 0;
  };
  //! Draws the pool of the next prompt and its index in that pool.
  std::pair<bool, size_t> draw();
  size_t take(Pool& pool);
  const BehaviourCorpus& corpus_;
  Pool domain_, mixed_;
  double share_;
  std::mt19937_64 rng_;
  uint64_t drawn_ = 0;
};

}  // namespace recbench::cprec
