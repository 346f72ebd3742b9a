// Rendering and tokenising RSLLM's text-only and unified prompts.
#include "rsllm/prompt.h"

namespace recbench::rsllm {

PromptBuilder::PromptBuilder(const llm::Tokenizer& tokenizer, const ItemCatalog& items,
                             int64_t placeholder, int64_t end_of_text)
    : tokenizer_(tokenizer), placeholder_(placeholder), end_of_text_(end_of_text) {
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
  std::vector<std::string> text;
  std::vector<int64_t> items;
  pieces(history, candidates, kind, text, items);
  Prompt p;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto ids = tokenizer_.encode(text[i]);
    p.ids.insert(p.ids.end(), ids.begin(), ids.end());
    if (items[i] <= 0) continue;
    p.slots.push_back(static_cast<int64_t>(p.ids.size()));
    p.slot_items.push_back(items[i]);
    p.ids.push_back(placeholder_);
  }
  return p;
}

std::vector<int64_t> PromptBuilder::answer(int64_t item) const {
  std::vector<int64_t> ids = title_ids(item);
  ids.push_back(end_of_text_);
  return ids;
}

}  // namespace recbench::rsllm
