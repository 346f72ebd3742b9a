// RSLLM's prompts: history (and optional candidates) as text, or as text with an [ITEM]
// placeholder after each title whose input embedding becomes the item's projected ID embedding.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "recbench/data.h"
#include "recbench/llm/tokenizer.h"

namespace recbench::rsllm {

//! The placeholder's text: an added special token of the tokenizer, or made one by PromptBuilder.
inline constexpr const char* kItemToken = "[ITEM]";

//! Text-only (stage 1, TALLRec-like) or unified text + ID (stage 2, LLaRA's hybrid prompt).
enum class PromptKind { text, unified };

//! A tokenised prompt with the placeholder positions and the item each one stands for.
struct Prompt {
  std::vector<int64_t> ids;         //!< prompt tokens
  std::vector<int64_t> slots;       //!< positions in `ids` of placeholder tokens
  std::vector<int64_t> slot_items;  //!< item id of each slot
};

/// Renders and tokenises prompts over one item catalogue:
/// `This user has watched {t1} [ITEM] , {t2} [ITEM] . Please predict the next item this user
/// will watch.` + optionally ` Choose from: {c1} [ITEM] , {c2} [ITEM] .` + ` Answer:`; the
/// answer is ` {title}` + end of text. Text prompts have no ` [ITEM]`. A prompt is tokenised as
/// one text, as the backbone's tokenizer would (not piece by piece): `[ITEM]` is split out as a
/// special token, so each placeholder is exactly one token, whatever the tokenizer.
class PromptBuilder {
 public:
  //! `titles[i]` is item i's text (the raw id when the title is empty); `placeholder` and
  //! `end_of_text` are token ids of the tokenizer. When the tokenizer does not split kItemToken
  //! out by itself, a copy that does (as id `placeholder`) is kept.
  PromptBuilder(const llm::Tokenizer& tokenizer, const ItemCatalog& items, int64_t placeholder,
                int64_t end_of_text);

  //! The prompt as text (with kItemToken at the placeholders).
  std::string render(std::span<const int64_t> history, std::span<const int64_t> candidates,
                     PromptKind kind) const;
  //! The prompt as tokens: the tokenizer's ids of render(), whose placeholders are `placeholder`
  //! ids. DataError when their count is not the number of items (a title holding kItemToken).
  Prompt encode(std::span<const int64_t> history, std::span<const int64_t> candidates,
                PromptKind kind) const;
  //! Tokens of item's title as the answer (` {title}`), without the end of text.
  const std::vector<int64_t>& title_ids(int64_t item) const { return titles_.at(item); }
  //! The answer: title_ids(item) + end of text.
  std::vector<int64_t> answer(int64_t item) const;
  int64_t end_of_text() const { return end_of_text_; }
  int64_t placeholder() const { return placeholder_; }
  //! The text of item `item` in prompts.
  const std::string& title(int64_t item) const { return texts_.at(item); }

 private:
  //! Text pieces, each followed by a placeholder for items[i] when items[i] > 0.
  void pieces(std::span<const int64_t> history, std::span<const int64_t> candidates,
              PromptKind kind, std::vector<std::string>& text, std::vector<int64_t>& items) const;

  llm::Tokenizer tokenizer_;  //!< the backbone's, splitting kItemToken out
  std::vector<std::string> texts_;
  std::vector<std::vector<int64_t>> titles_;
  int64_t placeholder_, end_of_text_;
};

}  // namespace recbench::rsllm
