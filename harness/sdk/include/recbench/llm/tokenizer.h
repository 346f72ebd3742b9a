// Hugging Face tokenizer.json reader for byte-level BPE (GPT-2, Qwen2/3, Llama-3 families).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "recbench/export.h"

namespace recbench::llm {

//! One entry of tokenizer.json's "added_tokens": matched verbatim before the BPE model runs.
struct AddedToken {
  int64_t id = 0;            //!< vocabulary id
  std::string content;       //!< exact text of the token
  bool special = false;      //!< dropped by decode(..., skip_special=true)
  bool lstrip = false;       //!< absorbs whitespace on its left
  bool rstrip = false;       //!< absorbs whitespace on its right
  bool single_word = false;  //!< only matches when not inside a word
};

/// Byte-level BPE tokenizer loaded from a Hugging Face `tokenizer.json` (plain or gzip-compressed).
/// Supports: normalizer null/NFC/NFKC/Sequence; pre-tokenizer Split (regex or string, Isolated or
/// Removed), ByteLevel (with or without its GPT-2 regex) and Sequence; BPE model with merges as
/// "a b" strings or pairs, ignore_merges; post-processor TemplateProcessing (single sequence) or
/// ByteLevel; decoder ByteLevel. Anything else is a ConfigError naming the key. Thread-safe
/// (const).
class RECBENCH_API Tokenizer {
 public:
  /// Reads `path` (`.gz` is decompressed with zlib). Throws ConfigError naming the file and key.
  static Tokenizer from_file(const std::filesystem::path& path);
  /// Parses tokenizer.json text; `origin` names the source in error messages.
  static Tokenizer from_json(std::string_view json_text, const std::string& origin);

  /// Token ids of `text`. With `add_special_tokens`, the post-processor's template is applied
  /// (e.g. Llama-3's <|begin_of_text|>); Qwen's tokenizer adds nothing either way.
  std::vector<int64_t> encode(std::string_view text, bool add_special_tokens = false) const;
  /// UTF-8 text of `ids`; invalid UTF-8 produced by partial tokens is replaced by U+FFFD.
  std::string decode(std::span<const int64_t> ids, bool skip_special = false) const;

  //! Number of ids (one past the largest id in the vocabulary and the added tokens).
  int64_t vocab_size() const;
  //! Id of an exact token string (vocabulary or added token).
  std::optional<int64_t> token_to_id(std::string_view token) const;
  //! The token string of `id` as stored in tokenizer.json (byte-level mapped for BPE tokens).
  const std::string& id_to_token(int64_t id) const;
  //! The added tokens, in file order.
  const std::vector<AddedToken>& added_tokens() const;

 private:
  struct Impl;
  explicit Tokenizer(std::shared_ptr<const Impl> impl);
  std::shared_ptr<const Impl> impl_;
};

//! GPT-2's map of the 256 byte values to printable code points (index = byte value).
RECBENCH_API const std::vector<char32_t>& byte_to_unicode();

//! Reads a whole file, decompressing it with zlib when its name ends in `.gz`.
RECBENCH_API std::string read_text_file(const std::filesystem::path& path);
//! Writes `text` to `path` as it is (binary); Error naming the file when it cannot.
RECBENCH_API void write_text_file(const std::filesystem::path& path, const std::string& text);

}  // namespace recbench::llm
