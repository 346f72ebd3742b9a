// LLaRA's answer matching: first line, strip, lower-case, substring test, exactly one match.
#include "recbench/llm/answer_match.h"

#include <unicode/locid.h>
#include <unicode/unistr.h>

#include <vector>

namespace recbench::llm {
namespace {

//! Python's s.strip().lower().strip() on UTF-8 text.
std::string normalised(std::string_view text) {
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(
      icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  u.trim().toLower(icu::Locale::getRoot()).trim();
  std::string out;
  u.toUTF8String(out);
  return out;
}

}  // namespace

std::optional<size_t> llara_answer(std::string_view generated,
                                   std::span<const std::string> titles) {
  // LLaRA keeps generate.strip().split("\n")[0]: the first line after leading whitespace.
  const size_t start = generated.find_first_not_of(" \t\r\n\f\v");
  generated.remove_prefix(start == std::string_view::npos ? generated.size() : start);
  const std::string answer = normalised(generated.substr(0, generated.find('\n')));
  std::optional<size_t> match;
  for (size_t i = 0; i < titles.size(); ++i) {
    if (answer.find(normalised(titles[i])) == std::string::npos) continue;
    if (match) return std::nullopt;  // a second candidate matches: not one answer
    match = i;
  }
  return match;
}

}  // namespace recbench::llm
