// Behaviour prompts from multi-domain sequences, and the mixed/domain-specific prompt stream.
#include "behaviour_corpus.h"

#include <algorithm>

#include "recbench/error.h"
#include "recbench/multi_domain.h"

namespace recbench::cprec {

std::vector<std::pair<int64_t, int64_t>> prompt_windows(int64_t length, int64_t max_items,
                                                        int64_t stride) {
  std::vector<std::pair<int64_t, int64_t>> out;
  for (int64_t end = length; end >= 2; end -= stride) {
    out.emplace_back(std::max<int64_t>(0, end - max_items - 1), end);
  }
  std::reverse(out.begin(), out.end());
  return out;
}

namespace {

//! Number of prompt_windows() of a sequence of `length` items.
size_t window_count(size_t length, int64_t stride) {
  return length < 2 ? 0 : (length - 2) / static_cast<size_t>(stride) + 1;
}

}  // namespace

BehaviourCorpus::BehaviourCorpus(const SequenceSet& sequences, int64_t max_items, int64_t stride)
    : view_(multi_domain_view(sequences, 2)), max_items_(max_items), stride_(stride) {
  for (size_t i = 0; i < view_.per_domain.size(); ++i) {
    domain_.first.push_back(domain_.first.back() +
                            window_count(view_.per_domain.sequence(i).size(), stride));
  }
  for (size_t i = 0; i < view_.mixed.size(); ++i) {
    mixed_.first.push_back(mixed_.first.back() +
                           window_count(view_.mixed.sequence(i).size(), stride));
  }
}

size_t BehaviourCorpus::sequence_of(const Pool& pool, size_t index) {
  if (index >= pool.first.back()) throw Error("cprec: prompt window index out of range");
  return static_cast<size_t>(std::upper_bound(pool.first.begin(), pool.first.end(), index) -
                             pool.first.begin() - 1);
}

BehaviourPrompt BehaviourCorpus::window(const Pool& pool, const SequenceSet& set, size_t seq,
                                        size_t index) const {
  const auto items = set.sequence(seq);
  // The windows of a sequence end every stride items back from its end (prompt_windows()).
  const size_t later = pool.first[seq + 1] - 1 - index;
  const auto end = static_cast<int64_t>(items.size()) - static_cast<int64_t>(later) * stride_;
  const int64_t begin = std::max<int64_t>(0, end - max_items_ - 1);
  return {items.subspan(static_cast<size_t>(begin), static_cast<size_t>(end - begin)), 0, false};
}

BehaviourPrompt BehaviourCorpus::domain_specific(size_t index) const {
  const size_t seq = sequence_of(domain_, index);
  BehaviourPrompt p = window(domain_, view_.per_domain, seq, index);
  p.domain = view_.domain_of[seq];
  return p;
}

BehaviourPrompt BehaviourCorpus::mixed(size_t index) const {
  BehaviourPrompt p = window(mixed_, view_.mixed, sequence_of(mixed_, index), index);
  p.mixed = true;
  return p;
}

std::vector<std::vector<ItemId>> target_prompts(const SequenceSet& train,
                                                const std::vector<size_t>& rows,
                                                int64_t max_items) {
  std::vector<std::vector<ItemId>> out;
  const auto window = static_cast<size_t>(max_items);
  for (size_t r : rows) {
    const auto seq = train.sequence(r);
    for (size_t t = 1; t < seq.size(); ++t) {
      const size_t begin = t > window ? t - window : 0;
      out.emplace_back(seq.begin() + static_cast<std::ptrdiff_t>(begin),
                       seq.begin() + static_cast<std::ptrdiff_t>(t + 1));
    }
  }
  return out;
}

PromptStream::PromptStream(const BehaviourCorpus& corpus, double mixed_share, uint64_t seed)
    : corpus_(corpus),
      domain_{corpus.domain_specific_size(), {}, 0},
      mixed_{corpus.mixed_size(), {}, 0},
      share_(mixed_share),
      rng_(seed) {
  if (domain_.size == 0 && mixed_.size == 0) {
    throw DataError(
        "cprec: the pre-training corpus yields no prompt (every sequence has < 2 items)");
  }
}

size_t PromptStream::take(Pool& pool) {
  if (pool.pos == pool.order.size()) {  // start a new pass in a fresh order
    pool.order.resize(pool.size);
    for (size_t i = 0; i < pool.order.size(); ++i) pool.order[i] = i;
    for (size_t i = pool.order.size(); i > 1; --i) {
      std::swap(pool.order[i - 1], pool.order[rng_() % i]);
    }
    pool.pos = 0;
  }
  return pool.order[pool.pos++];
}

std::pair<bool, size_t> PromptStream::draw() {
  const double u = static_cast<double>(rng_() >> 11) * 0x1.0p-53;
  bool mixed = u < share_;
  if (mixed && mixed_.size == 0) mixed = false;
  if (!mixed && domain_.size == 0) mixed = true;
  ++drawn_;
  return {mixed, take(mixed ? mixed_ : domain_)};
}

BehaviourPrompt PromptStream::next() {
  const auto [mixed, index] = draw();
  return mixed ? corpus_.mixed(index) : corpus_.domain_specific(index);
}

void PromptStream::skip(uint64_t n) {
  for (uint64_t i = 0; i < n; ++i) draw();
}

}  // namespace recbench::cprec
