// Rendering and tokenising RSLLM's text-only and unified prompts.
#include "rsllm/prompt.h"

#include <algorithm>

#include "recbench/error.h"

namespace recbench::rsllm {

PromptBuilder::PromptBuilder(const llm::Tokenizer& tokenizer, const ItemCatalog& items,
                             int64_t placeholder, int64_t end_of_text)
    : tokenizer_(tokenizer), placeholder_(placeholder), end_of_text_(end_of_text) {
  // A backbone without an [ITEM] token (every real one) would read the text "[ITEM]" as
  // ordinary characters; any id works since the placeholder's input row is replaced.
  const auto& added = tokenizer.added_tokens();
  if (std::none_of(added.begin(), added.end(),
                   [](const llm::AddedToken& t) { return t.content == kItemToken; })) {
    tokenizer_ = tokenizer.with_special_token(kItemToken, placeholder);
  }
  const auto n = static_cast<size_t>(items.num_items());
  texts_.resize(n);
  titles_.resize(n);
  for (size_t i = 1; i < n; ++i) {
    const bool has_title = i < items.titles.size() && !items.titles[i].empty();
    texts_[i] = has_title ? items.titles[i] : items.tokens[i];
    titles_[i] = tokenizer_.encode(" " + texts_[i]);
  }
}

void PromptBuilder::pieces(std::span<const int64_t> history, std::span<const int64_t> candidates,
                           PromptKind kind, std::vector<std::string>& text,
                           std::vector<int64_t>& items) const {
  const bool unified = kind == PromptKind::unified;
  std::string open = "This user has watched";
  auto list = [&](std::span<const int64_t> list_items, std::string& current) {
    for (size_t i = 0; i < list_items.size(); ++i) {
      current += (i == 0 ? " " : " , ") + texts_.at(list_items[i]);
      if (!unified) continue;
      text.push_back(current + " ");
      items.push_back(list_items[i]);
      current.clear();
    }
  };
  list(history, open);
  std::string rest = open + " . Please predict the next item this user will watch.";
  if (!candidates.empty()) {
    rest += " Choose from:";
    list(candidates, rest);
    rest += " .";
  }
  text.push_back(rest + " Answer:");
  items.push_back(0);
}

std::string PromptBuilder::render(std::span<const int64_t> history,
                                  std::span<const int64_t> candidates, PromptKind kind) const {
  std::vector<std::string> text;
  std::vector<int64_t> items;
  pieces(history, candidates, kind, text, items);
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) out += text[i] + (items[i] > 0 ? kItemToken : "");
  return out;
}

Prompt PromptBuilder::encode(std::span<const int64_t> history, std::span<const int64_t> candidates,
                             PromptKind kind) const {
  // The whole text in one call, as the backbone's tokenizer would see it; slots are where the
  // placeholder ids landed.
  Prompt p;
  p.ids = tokenizer_.encode(render(history, candidates, kind));
  for (size_t i = 0; i < p.ids.size(); ++i) {
    if (p.ids[i] == placeholder_) p.slots.push_back(static_cast<int64_t>(i));
  }
  if (kind == PromptKind::unified) {
    p.slot_items.assign(history.begin(), history.end());
    p.slot_items.insert(p.slot_items.end(), candidates.begin(), candidates.end());
  }
  if (p.slots.size() != p.slot_items.size()) {
    throw DataError("rsllm: a prompt has " + std::to_string(p.slots.size()) +
                    " placeholder tokens (id " + std::to_string(placeholder_) + ") for " +
                    std::to_string(p.slot_items.size()) + " items; does a title contain '" +
                    kItemToken + "' or the placeholder token's text?");
  }
  return p;
}

std::vector<int64_t> PromptBuilder::answer(int64_t item) const {
  std::vector<int64_t> ids = title_ids(item);
  ids.push_back(end_of_text_);
  return ids;
}

}  // namespace recbench::rsllm
