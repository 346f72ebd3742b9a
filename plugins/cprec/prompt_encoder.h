// Turns item sequences into token ids through the prompt template, with loss masks for training.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "prompt_template.h"
#include "recbench/data.h"
#include "recbench/llm/tokenizer.h"
#include "recbench/llm/training.h"

namespace recbench::cprec {

//! The text fields of every item of `catalog` (a missing title becomes "item <raw id>").
std::vector<ItemText> item_texts(const ItemCatalog& catalog);

/// Encodes prompts over one item catalogue. Every piece of a prompt (template text, each item's
/// text) is tokenised on its own and the ids concatenated, so an item's tokens are the same in
/// every prompt and in its own text embedding.
class PromptEncoder {
 public:
  PromptEncoder(const llm::Tokenizer& tokenizer, const PromptTemplate& prompt,
                std::vector<ItemText> items, std::string mixed_domain, int64_t eos);

  //! Ids of item `item`'s text as a target (the plain item pattern).
  const std::vector<int64_t>& item_ids(ItemId item) const;
  /// A training example over `items` (history then target) followed by EOS. The loss covers the
  /// target's tokens and EOS, plus every history item's tokens when `loss_on_history`.
  llm::LmExample example(std::span<const ItemId> items, bool mixed, bool loss_on_history) const;
  //! The prompt ids up to (not including) the target, for scoring.
  std::vector<int64_t> prefix(std::span<const ItemId> history, bool mixed) const;
  int64_t eos() const { return eos_; }
  int32_t num_items() const { return static_cast<int32_t>(items_.size()); }

 private:
  const std::vector<int64_t>& encode(const std::string& text) const;
  //! Label of a prompt: the mixed label, or the domain of its last history item.
  std::string domain_label(std::span<const ItemId> history, bool mixed) const;
  const llm::Tokenizer& tokenizer_;
  const PromptTemplate& prompt_;
  std::vector<ItemText> items_;
  std::string mixed_domain_;
  int64_t eos_;
  mutable std::map<std::string, std::vector<int64_t>> cache_;  //!< text -> ids
};

}  // namespace recbench::cprec
