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

void add_windows(std::vector<BehaviourPrompt>& out, std::span<const ItemId> seq, int16_t domain,
                 bool mixed, int64_t max_items, int64_t stride) {
  for (const auto& [begin, end] :
       prompt_windows(static_cast<int64_t>(seq.size()), max_items, stride)) {
    out.push_back({{seq.begin() + begin, seq.begin() + end}, domain, mixed});
  }
}

}  // namespace

BehaviourCorpus build_behaviour_corpus(const SequenceSet& sequences, int64_t max_items,
                                       int64_t stride) {
  const MultiDomainSequences view = multi_domain_view(sequences, 2);
  BehaviourCorpus corpus;
  for (size_t i = 0; i < view.per_domain.size(); ++i) {
    add_windows(corpus.domain_specific, view.per_domain.sequence(i), view.domain_of[i], false,
                max_items, stride);
  }
  for (size_t i = 0; i < view.mixed.size(); ++i) {
    add_windows(corpus.mixed, view.mixed.sequence(i), 0, true, max_items, stride);
  }
  return corpus;
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
    : domain_{&corpus.domain_specific, {}, 0},
      mixed_{&corpus.mixed, {}, 0},
      share_(mixed_share),
      rng_(seed) {
  if (corpus.domain_specific.empty() && corpus.mixed.empty()) {
    throw DataError(
        "cprec: the pre-training corpus yields no prompt (every sequence has < 2 items)");
  }
}

const BehaviourPrompt& PromptStream::take(Pool& pool) {
  if (pool.pos == pool.order.size()) {  // start a new pass in a fresh order
    pool.order.resize(pool.prompts->size());
    for (size_t i = 0; i < pool.order.size(); ++i) pool.order[i] = i;
    for (size_t i = pool.order.size(); i > 1; --i) {
      std::swap(pool.order[i - 1], pool.order[rng_() % i]);
    }
    pool.pos = 0;
  }
  return (*pool.prompts)[pool.order[pool.pos++]];
}

const BehaviourPrompt& PromptStream::next() {
  const double u = static_cast<double>(rng_() >> 11) * 0x1.0p-53;
  bool mixed = u < share_;
  if (mixed && mixed_.prompts->empty()) mixed = false;
  if (!mixed && domain_.prompts->empty()) mixed = true;
  return take(mixed ? mixed_ : domain_);
}

}  // namespace recbench::cprec
