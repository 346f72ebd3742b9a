// Byte-level BPE training: pair counts with a lazy max-heap, incremental updates per merge.
#include "recbench/llm/bpe_trainer.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <queue>
#include <unordered_map>
#include <unordered_set>

#include "recbench/error.h"
#include "recbench/llm/tokenizer.h"
#include "text_regex.h"

namespace recbench::llm {

using json = nlohmann::json;

namespace {

using PairKey = uint64_t;
PairKey key_of(int64_t a, int64_t b) { return (static_cast<uint64_t>(a) << 32) | uint64_t(b); }

//! Distinct pre-tokenised pieces with their counts, as symbol (token id) sequences.
struct Words {
  std::vector<std::vector<int64_t>> symbols;
  std::vector<int64_t> counts;
};

Words count_words(const std::vector<std::string>& corpus, const std::string& pattern) {
  detail::Regex regex(pattern, "bpe trainer pattern");
  std::unordered_map<std::string, int64_t> counts;
  for (const std::string& doc : corpus) {
    std::string text = detail::normalize(detail::sanitize_utf8(doc), detail::NormalForm::kNfc);
    for (auto [begin, end] : regex.find_all(text)) ++counts[text.substr(begin, end - begin)];
  }
  std::vector<std::pair<std::string, int64_t>> sorted(counts.begin(), counts.end());
  std::sort(sorted.begin(), sorted.end());  // deterministic word order
  Words words;
  for (const auto& [piece, n] : sorted) {
    std::vector<int64_t> s;
    for (unsigned char c : piece) s.push_back(c);  // ids 0..255 are the byte tokens
    words.symbols.push_back(std::move(s));
    words.counts.push_back(n);
  }
  return words;
}

//! Pair statistics over all words; `where` may list a word more than once (harmless).
struct PairStats {
  std::unordered_map<PairKey, int64_t> count;
  std::unordered_map<PairKey, std::vector<size_t>> where;

  void add_word(const std::vector<int64_t>& s, int64_t n, size_t word, int64_t sign,
                std::unordered_set<PairKey>& touched) {
    for (size_t i = 0; i + 1 < s.size(); ++i) {
      PairKey k = key_of(s[i], s[i + 1]);
      count[k] += sign * n;
      if (sign > 0) where[k].push_back(word);
      touched.insert(k);
    }
  }
};

//! Heap entry: larger count first, then the smaller pair key.
struct Candidate {
  int64_t count;
  PairKey key;
  bool operator<(const Candidate& o) const {
    return count != o.count ? count < o.count : key > o.key;
  }
};

void merge_in_word(std::vector<int64_t>& s, int64_t a, int64_t b, int64_t merged) {
  std::vector<int64_t> out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (i + 1 < s.size() && s[i] == a && s[i + 1] == b) {
      out.push_back(merged);
      ++i;
    } else {
      out.push_back(s[i]);
    }
  }
  s = std::move(out);
}

std::string token_string(const std::string& bytes) {
  std::string out;
  for (unsigned char c : bytes) detail::append_utf8(out, byte_to_unicode()[c]);
  return out;
}

std::string to_tokenizer_json(const std::vector<std::string>& token_bytes,
                              const std::vector<std::pair<int64_t, int64_t>>& merges,
                              const BpeTrainerOptions& options) {
  json vocab = json::object();
  for (size_t id = 0; id < token_bytes.size(); ++id) vocab[token_string(token_bytes[id])] = id;
  json merge_list = json::array();
  for (auto [a, b] : merges) {
    merge_list.push_back({token_string(token_bytes[a]), token_string(token_bytes[b])});
  }
  json added = json::array();
  int64_t next = static_cast<int64_t>(token_bytes.size());
  for (const std::string& special : options.special_tokens) {
    added.push_back({{"id", next++},
                     {"content", special},
                     {"single_word", false},
                     {"lstrip", false},
                     {"rstrip", false},
                     {"normalized", false},
                     {"special", true}});
  }
  json byte_level = {{"type", "ByteLevel"},
                     {"add_prefix_space", false},
                     {"trim_offsets", false},
                     {"use_regex", false}};
  json root = {{"version", "1.0"},
               {"truncation", nullptr},
               {"padding", nullptr},
               {"added_tokens", added},
               {"normalizer", {{"type", "NFC"}}},
               {"pre_tokenizer",
                {{"type", "Sequence"},
                 {"pretokenizers",
                  {{{"type", "Split"},
                    {"pattern", {{"Regex", options.pattern}}},
                    {"behavior", "Isolated"},
                    {"invert", false}},
                   byte_level}}}},
               {"post_processor", byte_level},
               {"decoder", byte_level},
               {"model",
                {{"type", "BPE"},
                 {"dropout", nullptr},
                 {"unk_token", nullptr},
                 {"continuing_subword_prefix", ""},
                 {"end_of_word_suffix", ""},
                 {"fuse_unk", false},
                 {"byte_fallback", false},
                 {"ignore_merges", false},
                 {"vocab", vocab},
                 {"merges", merge_list}}}};
  return root.dump(1) + "\n";
}

}  // namespace

std::string train_bpe(const std::vector<std::string>& corpus, const BpeTrainerOptions& options) {
  auto specials = static_cast<int64_t>(options.special_tokens.size());
  if (options.vocab_size < 256 + specials) {
    throw ConfigError("bpe trainer: vocab_size " + std::to_string(options.vocab_size) +
                      " is below 256 byte tokens + " + std::to_string(specials) + " special");
  }
  Words words = count_words(corpus, options.pattern);
  std::vector<std::string> token_bytes;
  for (int b = 0; b < 256; ++b) token_bytes.emplace_back(1, static_cast<char>(b));
  std::unordered_map<std::string, int64_t> ids;
  for (int b = 0; b < 256; ++b) ids[token_bytes[b]] = b;

  PairStats stats;
  std::unordered_set<PairKey> touched;
  for (size_t w = 0; w < words.symbols.size(); ++w) {
    stats.add_word(words.symbols[w], words.counts[w], w, +1, touched);
  }
  std::priority_queue<Candidate> heap;
  for (const auto& [k, n] : stats.count) heap.push({n, k});

  std::vector<std::pair<int64_t, int64_t>> merges;
  while (static_cast<int64_t>(token_bytes.size()) + specials < options.vocab_size &&
         !heap.empty()) {
    Candidate top = heap.top();
    heap.pop();
    if (stats.count[top.key] != top.count) continue;  // stale entry
    if (top.count < options.min_frequency || top.count <= 0) break;
    auto a = static_cast<int64_t>(top.key >> 32), b = static_cast<int64_t>(top.key & 0xFFFFFFFF);
    std::string bytes = token_bytes[a] + token_bytes[b];
    auto [it, inserted] = ids.emplace(bytes, static_cast<int64_t>(token_bytes.size()));
    if (inserted) token_bytes.push_back(bytes);
    merges.emplace_back(a, b);
    touched.clear();
    std::vector<size_t> affected = std::move(stats.where[top.key]);
    std::sort(affected.begin(), affected.end());
    affected.erase(std::unique(affected.begin(), affected.end()), affected.end());
    for (size_t w : affected) {
      stats.add_word(words.symbols[w], words.counts[w], w, -1, touched);
      merge_in_word(words.symbols[w], a, b, it->second);
      stats.add_word(words.symbols[w], words.counts[w], w, +1, touched);
    }
    for (PairKey k : touched) {
      if (stats.count[k] > 0) heap.push({stats.count[k], k});
    }
  }
  return to_tokenizer_json(token_bytes, merges, options);
}

void train_bpe_file(const std::filesystem::path& corpus_file, const std::filesystem::path& output,
                    const BpeTrainerOptions& options) {
  std::ifstream in(corpus_file);
  if (!in) throw DataError(corpus_file.string() + ": cannot open corpus");
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line + "\n");
  std::string text = train_bpe(lines, options);
  std::ofstream out(output);
  out << text;
  if (!out) throw DataError(output.string() + ": cannot write");
}

}  // namespace recbench::llm
