// Whole-prompt tokenisation of CPRec prompts, with each piece's tokens found for the loss masks.
#include "prompt_encoder.h"

#include <algorithm>

#include "recbench/error.h"

namespace recbench::cprec {

namespace {

//! Where the whitespace that ends `text[0, pos)` begins.
size_t before_space(std::string_view text, size_t pos) {
  while (pos > 0 && (text[pos - 1] == ' ' || text[pos - 1] == '\t' || text[pos - 1] == '\n')) --pos;
  return pos;
}

size_t common_prefix(const std::vector<int64_t>& a, const std::vector<int64_t>& b) {
  const auto n = std::min(a.size(), b.size());
  return static_cast<size_t>(std::mismatch(a.begin(), a.begin() + n, b.begin()).first - a.begin());
}

}  // namespace

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
      eos_(eos) {
  // The literal before {target} is the same in every prompt ({domain} comes before {items}).
  const std::string probe = "x";
  const auto pieces = prompt_.pieces(mixed_domain_, {probe}, &probe);
  if (pieces.size() >= 2 && pieces[pieces.size() - 2].kind == PromptPiece::kLiteral) {
    lead_ = pieces[pieces.size() - 2].text;
  }
  const size_t cut = before_space(lead_, lead_.size());
  lead_space_ = lead_.substr(cut);
  lead_.resize(cut);
}

size_t PromptEncoder::boundary(const std::vector<int64_t>& ids, const std::string& text,
                               size_t pos) const {
  pos = before_space(text, pos);
  if (pos == 0) return 0;
  // Encoding the text before the piece costs one tokenizer call per boundary, O(prompt) each;
  // exact for any tokenizer, where offsets would need every normalizer to track them.
  return common_prefix(ids, tokenizer_.encode(std::string_view(text).substr(0, pos)));
}

const std::vector<int64_t>& PromptEncoder::item_ids(ItemId item) const {
  if (item <= 0 || item >= num_items()) {
    throw DataError("cprec: item id " + std::to_string(item) + " outside the catalogue");
  }
  const std::string text = prompt_.item(items_[static_cast<size_t>(item)], false);
  auto it = cache_.find(text);
  if (it == cache_.end()) {
    const std::string whole = lead_ + lead_space_ + text;
    std::vector<int64_t> ids = tokenizer_.encode(whole);
    ids.erase(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(boundary(
                                             ids, whole, lead_.size() + lead_space_.size())));
    it = cache_.emplace(text, std::move(ids)).first;
  }
  return it->second;
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
  std::string text;
  std::vector<std::pair<size_t, size_t>> counted;  //!< byte ranges of the pieces in the loss
  for (const auto& piece : prompt_.pieces(domain_label(history, mixed), texts, &target)) {
    if (piece.kind == PromptPiece::kTarget ||
        (loss_on_history && piece.kind == PromptPiece::kHistoryItem)) {
      counted.emplace_back(text.size(), text.size() + piece.text.size());
    }
    text += piece.text;
  }
  llm::LmExample ex;
  ex.ids = tokenizer_.encode(text);
  ex.targets.assign(ex.ids.size(), 0);
  for (const auto& [begin, end] : counted) {
    const size_t first = boundary(ex.ids, text, begin);
    const size_t last = end == text.size() ? ex.ids.size() : boundary(ex.ids, text, end);
    if (last > first) std::fill(ex.targets.begin() + first, ex.targets.begin() + last, 1);
  }
  ex.ids.push_back(eos_);
  ex.targets.push_back(1);
  return ex;
}

std::vector<int64_t> PromptEncoder::prefix(std::span<const ItemId> history, bool mixed) const {
  std::vector<std::string> texts;
  for (ItemId i : history) texts.push_back(prompt_.item(items_[static_cast<size_t>(i)], mixed));
  std::string text = prompt_.render(domain_label(history, mixed), texts, nullptr);
  text.resize(before_space(text, text.size()));
  return tokenizer_.encode(text);
}

}  // namespace recbench::cprec
