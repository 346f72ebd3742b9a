// Learns a byte-level BPE vocabulary from a text corpus and writes it as an HF tokenizer.json.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "recbench/export.h"

namespace recbench::llm {

//! Qwen2's pre-tokenizer regex (GPT-4 style: letters, single digits, punctuation, whitespace).
inline constexpr const char* kQwenPretokenizerPattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

//! Settings of the BPE trainer.
struct BpeTrainerOptions {
  int64_t vocab_size = 4096;  //!< final size: 256 byte tokens + merges + special tokens
  int64_t min_frequency = 2;  //!< a pair seen fewer times is never merged
  std::vector<std::string> special_tokens{"<|endoftext|>"};  //!< added after the BPE vocabulary
  std::string pattern = kQwenPretokenizerPattern;            //!< pre-tokenizer Split regex
};

/// Trains byte-level BPE on `corpus` (one document per element; NFC-normalised and split with
/// `options.pattern`) and returns tokenizer.json text that Tokenizer::from_json loads. Every byte
/// has a token, so any text encodes; merges are learnt most-frequent-first (ties broken by the
/// smaller pair of ids), so the result is deterministic. Stops early when no pair is frequent
/// enough.
RECBENCH_API std::string train_bpe(const std::vector<std::string>& corpus,
                                   const BpeTrainerOptions& options);

//! train_bpe() on the lines of `corpus_file`, written to `output` (a tokenizer.json).
RECBENCH_API void train_bpe_file(const std::filesystem::path& corpus_file,
                                 const std::filesystem::path& output,
                                 const BpeTrainerOptions& options);

}  // namespace recbench::llm
