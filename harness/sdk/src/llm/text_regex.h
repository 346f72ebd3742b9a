// Private helpers of the tokenizer: PCRE2 Unicode regex, ICU normalisation, UTF-8 utilities.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "recbench/detail/utf8.h"

struct pcre2_real_code_8;

namespace recbench::llm::detail {

//! A compiled PCRE2 pattern with UTF and Unicode-property semantics (\p{L}, \s, \w are Unicode).
class Regex {
 public:
  /// Compiles `pattern`; a bad pattern throws ConfigError naming `origin` and the offset.
  Regex(const std::string& pattern, const std::string& origin);
  ~Regex();
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;

  //! Byte ranges [begin, end) of the successive non-overlapping, non-empty matches in `text`.
  std::vector<std::pair<size_t, size_t>> find_all(std::string_view text) const;

 private:
  pcre2_real_code_8* code_ = nullptr;
  std::string origin_;
};

//! Unicode normal forms the tokenizer's normalizers use.
enum class NormalForm { kNfc, kNfkc };

//! `text` in the given normal form (ICU); pure ASCII is returned unchanged without ICU.
std::string normalize(std::string_view text, NormalForm form);

using recbench::detail::append_utf8;  //!< appends the UTF-8 encoding of a code point

//! Decodes UTF-8 into code points; invalid sequences become U+FFFD (one per bad byte).
std::u32string decode_utf8(std::string_view text);

//! Replaces invalid UTF-8 sequences in `bytes` with U+FFFD.
std::string sanitize_utf8(std::string_view bytes);

}  // namespace recbench::llm::detail
