// Parsing and rendering of CPRec's prompt and item patterns.
#include "prompt_template.h"

#include "recbench/error.h"

namespace recbench::cprec {

namespace {

std::string fill_item(const std::string& field, const ItemText& item) {
  if (field == "title") return item.title;
  if (field == "category") return item.category;
  return item.domain;
}

}  // namespace

std::vector<PromptTemplate::Part> PromptTemplate::parse(const std::string& pattern,
                                                        const std::vector<std::string>& known,
                                                        const std::string& where) {
  std::vector<Part> parts;
  size_t pos = 0;
  while (pos < pattern.size()) {
    const size_t open = pattern.find('{', pos);
    if (open == std::string::npos) {
      parts.push_back({pattern.substr(pos), false});
      break;
    }
    const size_t close = pattern.find('}', open);
    if (close == std::string::npos) {
      throw ConfigError(where + ": '{' at offset " + std::to_string(open) + " is never closed");
    }
    if (open > pos) parts.push_back({pattern.substr(pos, open - pos), false});
    const std::string name = pattern.substr(open + 1, close - open - 1);
    bool ok = false;
    std::string list;
    for (const auto& k : known) {
      ok |= k == name;
      list += (list.empty() ? "{" : ", {") + k + "}";
    }
    if (!ok) throw ConfigError(where + ": unknown field {" + name + "}; known fields: " + list);
    parts.push_back({name, true});
    pos = close + 1;
  }
  return parts;
}

PromptTemplate::PromptTemplate(const std::string& owner, std::string prompt, std::string item,
                               std::string mixed_item, std::string separator)
    : separator_(std::move(separator)) {
  prompt_ = parse(prompt, {"domain", "items", "target"}, owner + ".template");
  item_ = parse(item, {"title", "category", "domain"}, owner + ".item_template");
  mixed_item_ = parse(mixed_item, {"title", "category", "domain"}, owner + ".mixed_item_template");
  int items = 0, targets = 0;
  for (const auto& p : prompt_) {
    items += p.field && p.text == "items";
    targets += p.field && p.text == "target";
  }
  if (items != 1 || targets != 1 || !prompt_.back().field || prompt_.back().text != "target") {
    throw ConfigError(owner +
                      ".template: expected {items} once and {target} once, at the end; got \"" +
                      prompt + "\"");
  }
}

std::string PromptTemplate::item(const ItemText& it, bool mixed) const {
  std::string out;
  for (const auto& p : mixed ? mixed_item_ : item_) out += p.field ? fill_item(p.text, it) : p.text;
  return out;
}

std::vector<PromptPiece> PromptTemplate::pieces(const std::string& domain,
                                                const std::vector<std::string>& items,
                                                const std::string* target) const {
  std::vector<PromptPiece> out;
  std::string literal;
  for (const auto& p : prompt_) {
    if (!p.field || p.text == "domain") {
      literal += p.field ? domain : p.text;
      continue;
    }
    if (!literal.empty()) out.push_back({literal, PromptPiece::kLiteral});
    literal.clear();
    if (p.text == "target") {
      if (target != nullptr) out.push_back({*target, PromptPiece::kTarget});
      continue;
    }
    for (size_t i = 0; i < items.size(); ++i) {
      if (i > 0) out.push_back({separator_, PromptPiece::kLiteral});
      out.push_back({items[i], PromptPiece::kHistoryItem});
    }
  }
  return out;
}

std::string PromptTemplate::render(const std::string& domain, const std::vector<std::string>& items,
                                   const std::string* target) const {
  std::string out;
  for (const auto& p : pieces(domain, items, target)) out += p.text;
  return out;
}

}  // namespace recbench::cprec
