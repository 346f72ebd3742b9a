// Piecewise tokenisation of CPRec prompts.
#include "prompt_encoder.h"

#include "recbench/error.h"

namespace recbench::cprec {

std::vector<ItemText> item_texts(const ItemCatalog& c) {
  std::vector<ItemText> out(static_cast<size_t>(c.num_items()));
  for (size_t i = 1; i < out.size(); ++i) {
    const bool titled = i < c.titles.size() && !c.titles[i].empty();
    out[i].title = titled ? c.titles[i] : "item " + c.tokens[i];
    out[i].category = i < c.categories.size() ? c.categories[i] : "";
    const int16_t d = i < c.domain.size() ? c.domain[i] : -1;
    out[i].domain = d >= 0 && static_cast<size_t>(d) < c.domain_names.size()
                        ? c.domain_names[static_cast<size_t>(d)]
                        : "";
  }
  return out;
}

PromptEncoder::PromptEncoder(const llm::Tokenizer& tokenizer, const PromptTemplate& prompt,
                             std::vector<ItemText> items, std::string mixed_domain, int64_t eos)
    : tokenizer_(tokenizer),
      prompt_(prompt),
      items_(std::move(items)),
      mixed_domain_(std::move(mixed_domain)),
      eos_(eos) {}

const std::vector<int64_t>& PromptEncoder::encode(const std::string& text) const {
  auto it = cache_.find(text);
  if (it == cache_.end()) it = cache_.emplace(text, tokenizer_.encode(text)).first;
  return it->second;
}

const std::vector<int64_t>& PromptEncoder::item_ids(ItemId item) const {
  if (item <= 0 || item >= num_items()) {
    throw DataError("cprec: item id " + std::to_string(item) + " outside the catalogue");
  }
  return encode(prompt_.item(items_[static_cast<size_t>(item)], false));
}

std::string PromptEncoder::domain_label(std::span<const ItemId> history, bool mixed) const {
  if (mixed || history.empty()) return mixed_domain_;
  return items_[static_cast<size_t>(history.back())].domain;
}

llm::LmExample PromptEncoder::example(std::span<const ItemId> items, bool mixed,
                                      bool loss_on_history) const {
  const auto history = items.first(items.size() - 1);
  std::vector<std::string> texts;
  for (ItemId i : history) texts.push_back(prompt_.item(items_[static_cast<size_t>(i)], mixed));
  const std::string target = prompt_.item(items_[static_cast<size_t>(items.back())], mixed);
  llm::LmExample ex;
  for (const auto& piece : prompt_.pieces(domain_label(history, mixed), texts, &target)) {
    const auto& ids = encode(piece.text);
    const bool counted = piece.kind == PromptPiece::kTarget ||
                         (loss_on_history && piece.kind == PromptPiece::kHistoryItem);
    ex.ids.insert(ex.ids.end(), ids.begin(), ids.end());
    ex.targets.insert(ex.targets.end(), ids.size(), counted ? 1 : 0);
  }
  ex.ids.push_back(eos_);
  ex.targets.push_back(1);
  return ex;
}

std::vector<int64_t> PromptEncoder::prefix(std::span<const ItemId> history, bool mixed) const {
  std::vector<std::string> texts;
  for (ItemId i : history) texts.push_back(prompt_.item(items_[static_cast<size_t>(i)], mixed));
  std::vector<int64_t> out;
  for (const auto& piece : prompt_.pieces(domain_label(history, mixed), texts, nullptr)) {
    const auto& ids = encode(piece.text);
    out.insert(out.end(), ids.begin(), ids.end());
  }
  return out;
}

}  // namespace recbench::cprec
