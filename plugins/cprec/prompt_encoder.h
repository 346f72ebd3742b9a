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

/// Encodes prompts over one item catalogue. A prompt is tokenised as one text, as the backbone's
/// tokenizer would see it (not piece by piece: SentencePiece, for one, gives every separately
/// encoded piece its own leading '▁'). The tokens of a piece (for loss masks) are found by
/// encoding the text before it: the tokens the whole prompt shares with that encoding come
/// before the piece. Whitespace before a piece goes with the piece, as tokenizers join a space to
/// the word after it; so the scoring prefix ends before that whitespace and item_ids() start
/// with it.
class PromptEncoder {
 public:
  PromptEncoder(const llm::Tokenizer& tokenizer, const PromptTemplate& prompt,
                std::vector<ItemText> items, std::string mixed_domain, int64_t eos);

  //! Ids of item `item`'s text as a target (the plain item pattern) after prefix(): the tokens
  //! that follow the literal before {target} when the two are encoded together.
  const std::vector<int64_t>& item_ids(ItemId item) const;
  /// A training example over `items` (history then target) followed by EOS. The loss covers the
  /// target's tokens and EOS, plus every history item's tokens when `loss_on_history`.
  llm::LmExample example(std::span<const ItemId> items, bool mixed, bool loss_on_history) const;
  //! The prompt ids up to (not including) the target and the whitespace before it, for scoring.
  std::vector<int64_t> prefix(std::span<const ItemId> history, bool mixed) const;
  int64_t eos() const { return eos_; }
  int32_t num_items() const { return static_cast<int32_t>(items_.size()); }

 private:
  //! How many leading tokens of `ids` (the whole `text`) come before `text[pos]`, whitespace
  //! before `pos` counted after it.
  size_t boundary(const std::vector<int64_t>& ids, const std::string& text, size_t pos) const;
  //! Label of a prompt: the mixed label, or the domain of its last history item.
  std::string domain_label(std::span<const ItemId> history, bool mixed) const;
  const llm::Tokenizer& tokenizer_;
  const PromptTemplate& prompt_;
  std::vector<ItemText> items_;
  std::string mixed_domain_;
  int64_t eos_;
  std::string lead_;        //!< the literal before {target}, without trailing whitespace
  std::string lead_space_;  //!< that whitespace
  mutable std::map<std::string, std::vector<int64_t>> cache_;  //!< item text -> item_ids
};

}  // namespace recbench::cprec
