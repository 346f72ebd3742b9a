// Tokenizers of LLM backbones: Hugging Face tokenizer.json BPE (byte-level: GPT-2, Qwen2/3,
// Llama-3; SentencePiece-style: Llama 2, Mistral) and SentencePiece tokenizer.model files (Llama 2,
// Mistral).
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

/// A backbone's tokenizer: a Hugging Face `tokenizer.json` (plain or gzip-compressed) read by our
/// BPE, or a SentencePiece `tokenizer.model` (Llama 2, Mistral) run by Debian's SentencePiece
/// library in a dlopen'ed module (it cannot share a process image with LibTorch's protobuf).
/// For tokenizer.json it supports: normalizer null/NFC/NFKC/Prepend/Replace/Sequence;
/// pre-tokenizer Split (regex or string, Isolated or Removed), ByteLevel (with or without its
/// GPT-2 regex), Metaspace (replacement, prepend_scheme or add_prefix_space, split) and Sequence;
/// BPE model over bytes (GPT-2's byte map) or, for SentencePiece conversions, over characters
/// with byte_fallback, fuse_unk and unk_token; merges as "a b" strings or pairs, ignore_merges;
/// post-processor TemplateProcessing (single sequence) or ByteLevel; decoder ByteLevel, or
/// Replace/ByteFallback/Fuse/Strip/Metaspace and Sequence. Anything else is a ConfigError naming
/// the key. Thread-safe (const).
class RECBENCH_API Tokenizer {
 public:
  /// Reads `path` (`.gz` is decompressed with zlib): a `.model` file is a SentencePiece model,
  /// any other is told apart as from_bytes() does. Throws ConfigError naming the file and key.
  static Tokenizer from_file(const std::filesystem::path& path);
  /// Parses tokenizer.json text; `origin` names the source in error messages.
  static Tokenizer from_json(std::string_view json_text, const std::string& origin);
  /// Parses a SentencePiece model (the bytes of `tokenizer.model`, a serialized ModelProto).
  /// ConfigError when the SentencePiece module cannot be loaded (it names the module's path).
  static Tokenizer from_sentencepiece(std::string_view model_proto, const std::string& origin);
  /// The contents of either file, told apart by content: a JSON object (first non-blank byte
  /// '{') is tokenizer.json, anything else must be a SentencePiece model.
  static Tokenizer from_bytes(std::string_view data, const std::string& origin);

  /// A copy that also splits `content` out of the text as the special token `id` (an existing
  /// id: e.g. a prompt placeholder whose input row is replaced anyway), before anything else.
  Tokenizer with_special_token(const std::string& content, int64_t id) const;

  /// Token ids of `text`. With `add_special_tokens`, the post-processor's template is applied
  /// (e.g. Llama-3's <|begin_of_text|>, Llama 2's <s>); Qwen's tokenizer adds nothing either way;
  /// a SentencePiece model gets its BOS in front and no EOS (HF's LlamaTokenizer: `<s>`, id 1).
  std::vector<int64_t> encode(std::string_view text, bool add_special_tokens = false) const;
  /// UTF-8 text of `ids`; invalid UTF-8 produced by partial tokens is replaced by U+FFFD. Special
  /// tokens appear as their text unless `skip_special`.
  std::string decode(std::span<const int64_t> ids, bool skip_special = false) const;

  //! Number of ids (one past the largest id in the vocabulary and the added tokens).
  int64_t vocab_size() const;
  //! Id of an exact token string (vocabulary or added token).
  std::optional<int64_t> token_to_id(std::string_view token) const;
  //! The token string of `id` as stored in the file (byte-level mapped for byte-level BPE, '▁'
  //! for spaces and `<0xAB>` byte pieces in SentencePiece vocabularies).
  const std::string& id_to_token(int64_t id) const;
  //! The added tokens, in file order; for a SentencePiece model its control, unknown and
  //! user-defined pieces (special: control and unknown), in id order.
  const std::vector<AddedToken>& added_tokens() const;
  //! Whether this is a SentencePiece model (else a tokenizer.json).
  bool is_sentencepiece() const;
  //! The name its source has in a model folder: "tokenizer.model" or "tokenizer.json".
  const char* file_name() const;

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
