// CPRec's unified prompt template: one text pattern with named fields, used for every domain.
#pragma once

#include <string>
#include <vector>

namespace recbench::cprec {

//! The text fields of one item.
struct ItemText {
  std::string title;     //!< title (or the raw item id when the data has no text)
  std::string category;  //!< category text; may be empty
  std::string domain;    //!< domain name
};

//! One piece of a rendered prompt: literal template text, a history item's text, or the target.
struct PromptPiece {
  enum Kind { kLiteral, kHistoryItem, kTarget };
  std::string text;
  Kind kind = kLiteral;
};

/// A prompt pattern with fields {domain}, {items} and {target} ({items} and {target} required,
/// {target} last) and item patterns with fields {title}, {category} and {domain}. History items
/// are joined by `separator`. Mixed (all-domain) sequences render their items with the mixed
/// item pattern, which by default prefixes the item's domain.
class PromptTemplate {
 public:
  //! Throws ConfigError naming `owner`.<option> for an unknown or missing field.
  PromptTemplate(const std::string& owner, std::string prompt, std::string item,
                 std::string mixed_item, std::string separator);

  //! Text of one item (mixed: the mixed item pattern).
  std::string item(const ItemText& item, bool mixed) const;
  //! The prompt's pieces; without a target the last piece is the literal before {target}.
  std::vector<PromptPiece> pieces(const std::string& domain, const std::vector<std::string>& items,
                                  const std::string* target) const;
  //! The whole prompt as one string (pieces concatenated).
  std::string render(const std::string& domain, const std::vector<std::string>& items,
                     const std::string* target) const;

 private:
  //! A pattern split into literal text and field names (a field is stored as "{name}").
  struct Part {
    std::string text;
    bool field = false;
  };
  static std::vector<Part> parse(const std::string& pattern, const std::vector<std::string>& known,
                                 const std::string& where);
  std::vector<Part> prompt_, item_, mixed_item_;
  std::string separator_;
};

}  // namespace recbench::cprec
