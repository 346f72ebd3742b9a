// Tokenizers of LLM backbones: BPE read from a Hugging Face tokenizer.json (byte-level, or
// SentencePiece-style with Metaspace and byte fallback; our code) and SentencePiece tokenizer.model
// files (Debian's library, through the module of sentencepiece_library.h): load, encode, decode.
#include "recbench/llm/tokenizer.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstdio>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <queue>
#include <sstream>
#include <unordered_map>

#include "recbench/error.h"
#include "sentencepiece_library.h"
#include "text_regex.h"

namespace recbench::llm {

using json = nlohmann::json;
using detail::Regex;

namespace {

constexpr const char* kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

//! Metaspace's prepend_scheme: where the replacement is put in front of a piece.
enum class Prepend { kAlways, kFirst, kNever };

//! One normalizer step: a Unicode normal form, Prepend, or Replace (string or regex).
struct NormStep {
  enum Kind { kForm, kPrepend, kReplace } kind = kForm;
  detail::NormalForm form = detail::NormalForm::kNfc;
  std::string text;     //!< Prepend: what to put in front; Replace: the string pattern
  std::string content;  //!< Replace: the replacement
  std::shared_ptr<const Regex> regex;  //!< Replace with a regex pattern (else `text`)
};

//! One pre-tokenizer step: a regex split, ByteLevel (optional prefix space and GPT-2 regex) or
//! Metaspace (spaces to a replacement, prefix by scheme, optional split before each replacement).
struct PreStep {
  enum Kind { kSplit, kByteLevel, kMetaspace } kind = kSplit;
  std::shared_ptr<const Regex> regex;  //!< null for a ByteLevel step without its regex
  bool remove_matches = false;         //!< Split "Removed": matches are dropped, gaps kept
  bool add_prefix_space = false;  //!< ByteLevel: prepend ' ' when the piece does not start with one
  std::string replacement;        //!< Metaspace: the space marker (U+2581)
  Prepend prepend = Prepend::kAlways;
  bool split = true;  //!< Metaspace: a new piece at each replacement
};

//! One decoder step of a SentencePiece-style tokenizer.json (byte-level ones decode bytes).
struct DecodeStep {
  enum Kind { kReplace, kByteFallback, kFuse, kStrip, kMetaspace } kind = kFuse;
  std::string pattern, content;        //!< Replace: string pattern and replacement; Strip: the char
  size_t start = 0, stop = 0;          //!< Strip: how many leading / trailing `content` to remove
  Prepend prepend = Prepend::kAlways;  //!< Metaspace
};

//! One element of a TemplateProcessing "single" template: fixed ids, or the sequence itself.
struct TemplateItem {
  std::vector<int64_t> ids;  //!< empty for the sequence
};

std::string gz_read(const std::filesystem::path& path) {
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr) throw DataError(path.string() + ": cannot open");
  std::string out;
  std::array<char, 1 << 16> buffer{};
  int n = 0;
  while ((n = gzread(file, buffer.data(), buffer.size())) > 0) out.append(buffer.data(), n);
  int err = 0;
  std::string message = n < 0 ? gzerror(file, &err) : "";
  gzclose(file);
  if (n < 0) throw DataError(path.string() + ": corrupt gzip data (" + message + ")");
  return out;
}

uint64_t pair_key(int64_t a, int64_t b) {
  return (static_cast<uint64_t>(a) << 32) | static_cast<uint64_t>(b);
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }
bool is_word_byte(char c) {
  auto u = static_cast<unsigned char>(c);
  return std::isalnum(u) || c == '_' || u >= 0x80;
}

//! Length of the UTF-8 character starting with `lead` (text is already valid UTF-8).
size_t utf8_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead < 0xE0) return 2;
  if (lead < 0xF0) return 3;
  return 4;
}

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  if (from.empty()) return;
  for (size_t pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos)) {
    text.replace(pos, from.size(), to);
    pos += to.size();
  }
}

//! The byte of a byte-fallback piece `<0xAB>`, or -1.
int fallback_byte(std::string_view token) {
  if (token.size() != 6 || token.substr(0, 3) != "<0x" || token[5] != '>') return -1;
  unsigned value = 0;
  for (char c : token.substr(3, 2)) {
    const int digit = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
                      : (c >= 'A' && c <= 'F')                    ? c - 'A' + 10
                      : (c >= 'a' && c <= 'f')                    ? c - 'a' + 10
                                                                  : -1;
    if (digit < 0) return -1;
    value = value * 16 + static_cast<unsigned>(digit);
  }
  return static_cast<int>(value);
}

//! A string field that is a {"String": s} pattern (Replace, Split) or a plain string.
std::string string_pattern(const json& pattern) {
  return pattern.is_string() ? pattern.get<std::string>() : pattern.at("String").get<std::string>();
}

//! Metaspace's scheme from `prepend_scheme`, or the older `add_prefix_space` flag.
Prepend prepend_scheme(const json& node, const std::function<void(const std::string&)>& fail) {
  if (node.contains("prepend_scheme")) {
    const std::string s = node["prepend_scheme"].get<std::string>();
    if (s == "always") return Prepend::kAlways;
    if (s == "first") return Prepend::kFirst;
    if (s == "never") return Prepend::kNever;
    fail("unsupported prepend_scheme '" + s + "' (known: always, first, never)");
  }
  return node.value("add_prefix_space", true) ? Prepend::kAlways : Prepend::kNever;
}

//! Releases a module model through the module's own function.
struct SpModelDeleter {
  const RecbenchSpApi* api = nullptr;
  void operator()(RecbenchSpModel* model) const {
    if (model != nullptr) api->free_model(model);
  }
};

}  // namespace

struct Tokenizer::Impl {
  std::string origin;                              //!< file name for messages
  std::vector<NormStep> normalizers;               //!< applied in order
  std::vector<PreStep> pre_steps;                  //!< applied in order
  std::unordered_map<std::string, int64_t> vocab;  //!< token string -> id (incl. added)
  std::vector<std::string> tokens;                 //!< id -> token string
  std::vector<std::string> token_bytes;            //!< id -> decoded bytes (byte-level)
  std::vector<bool> is_added;                      //!< id -> is an added token
  std::vector<bool> is_special;                    //!< id -> is a special added token
  std::array<int64_t, 256> byte_ids{};             //!< id of each single byte (-1: none)
  std::unordered_map<uint64_t, std::pair<int32_t, int64_t>> merges;  //!< pair -> rank, merged
  bool ignore_merges = false;        //!< whole-word vocab hit skips merges
  std::optional<int64_t> unk_id;     //!< BPE unk_token, if any
  bool char_level = false;           //!< SentencePiece-style BPE over characters (else bytes)
  bool byte_fallback = false;        //!< char-level: unknown characters as <0xAB> pieces
  bool fuse_unk = false;             //!< char-level: consecutive unknowns become one unk
  std::vector<DecodeStep> decoders;  //!< char-level decoder chain
  std::vector<AddedToken> added;     //!< added tokens in file order
  std::vector<size_t> split_added;   //!< indices into `added` that encode() splits out
  std::vector<TemplateItem> single_template;  //!< post-processor template, if any
  //! SentencePiece backend (a tokenizer.model), or null for a tokenizer.json.
  std::shared_ptr<RecbenchSpModel> sp;
  const RecbenchSpApi* sp_api = nullptr;
  int64_t bos_id = -1;  //!< SentencePiece: BOS added by encode(text, true) (-1: none)

  void load(const json& root);
  void load_sentencepiece(std::string_view model_proto);
  void sp_encode(std::string_view text, std::vector<int64_t>& out) const;
  std::string sp_decode(std::span<const int64_t> ids, bool skip_special) const;
  void load_normalizer(const json& node);
  void load_pre_tokenizer(const json& node);
  void load_model(const json& model);
  void load_added(const json& list);
  void load_post_processor(const json& node);
  void load_decoder(const json& node);
  void add_token(const std::string& token, int64_t id);

  void merge(std::vector<int64_t>& symbols) const;
  void bpe(std::string_view piece, std::vector<int64_t>& out) const;
  void char_bpe(std::string_view piece, std::vector<int64_t>& out) const;
  std::vector<std::string> pre_tokenize(std::string text, bool at_start) const;
  void encode_text(std::string_view text, bool at_start, std::vector<int64_t>& out) const;
  std::string char_decode(std::span<const int64_t> ids, bool skip_special) const;
  size_t find_added(std::string_view text, size_t from, size_t& begin, size_t& end) const;
  [[noreturn]] void fail(const std::string& key, const std::string& what) const {
    throw ConfigError(origin + ": " + key + ": " + what);
  }
};

void Tokenizer::Impl::load(const json& root) {
  if (!root.is_object()) fail("(root)", "expected a JSON object");
  if (root.contains("normalizer")) load_normalizer(root["normalizer"]);
  if (root.contains("pre_tokenizer")) load_pre_tokenizer(root["pre_tokenizer"]);
  if (!root.contains("model")) fail("model", "missing");
  if (root.contains("decoder")) load_decoder(root["decoder"]);
  load_model(root["model"]);
  if (root.contains("added_tokens")) load_added(root["added_tokens"]);
  if (root.contains("post_processor")) load_post_processor(root["post_processor"]);
}

void Tokenizer::Impl::load_normalizer(const json& node) {
  if (node.is_null()) return;
  std::string type = node.value("type", "");
  NormStep step;
  if (type == "Sequence") {
    for (const auto& child : node.at("normalizers")) load_normalizer(child);
    return;
  } else if (type == "NFC" || type == "NFKC") {
    step.form = type == "NFC" ? detail::NormalForm::kNfc : detail::NormalForm::kNfkc;
  } else if (type == "Prepend") {
    step.kind = NormStep::kPrepend;
    step.text = node.at("prepend").get<std::string>();
  } else if (type == "Replace") {
    step.kind = NormStep::kReplace;
    const json& pattern = node.at("pattern");
    if (pattern.is_object() && pattern.contains("Regex")) {
      step.regex = std::make_shared<const Regex>(pattern["Regex"].get<std::string>(),
                                                 origin + ": normalizer.pattern");
    } else {
      step.text = string_pattern(pattern);
    }
    step.content = node.at("content").get<std::string>();
  } else {
    fail("normalizer.type",
         "unsupported '" + type + "' (known: NFC, NFKC, Prepend, Replace, Sequence)");
  }
  normalizers.push_back(std::move(step));
}

void Tokenizer::Impl::load_pre_tokenizer(const json& node) {
  if (node.is_null()) return;
  std::string type = node.value("type", "");
  PreStep step;
  if (type == "Sequence") {
    for (const auto& child : node.at("pretokenizers")) load_pre_tokenizer(child);
    return;
  } else if (type == "ByteLevel") {
    step.kind = PreStep::kByteLevel;
    step.add_prefix_space = node.value("add_prefix_space", false);
    if (node.value("use_regex", true))
      step.regex = std::make_shared<const Regex>(kGpt2Pattern, origin);
  } else if (type == "Metaspace") {
    step.kind = PreStep::kMetaspace;
    step.replacement = node.value("replacement", "\xE2\x96\x81");
    step.prepend = prepend_scheme(
        node, [&](const std::string& what) { fail("pre_tokenizer.prepend_scheme", what); });
    step.split = node.value("split", true);
  } else if (type == "Split") {
    const json& pattern = node.at("pattern");
    std::string regex = pattern.contains("Regex")
                            ? pattern["Regex"].get<std::string>()
                            : "\\Q" + pattern.at("String").get<std::string>() + "\\E";
    std::string behavior = node.value("behavior", "Isolated");
    if (behavior != "Isolated" && behavior != "Removed") {
      fail("pre_tokenizer.behavior", "unsupported '" + behavior + "' (known: Isolated, Removed)");
    }
    if (node.value("invert", false)) fail("pre_tokenizer.invert", "true is not supported");
    step.regex = std::make_shared<const Regex>(regex, origin + ": pre_tokenizer.pattern");
    step.remove_matches = behavior == "Removed";
  } else {
    fail("pre_tokenizer.type",
         "unsupported '" + type + "' (known: ByteLevel, Metaspace, Split, Sequence)");
  }
  pre_steps.push_back(std::move(step));
}

void Tokenizer::Impl::load_decoder(const json& node) {
  if (node.is_null()) return;
  const std::string type = node.value("type", "");
  DecodeStep step;
  if (type == "Sequence") {
    for (const auto& child : node.at("decoders")) load_decoder(child);
    return;
  } else if (type == "ByteLevel") {
    return;  // byte-level models decode through token_bytes
  } else if (type == "Replace") {
    step.kind = DecodeStep::kReplace;
    step.pattern = string_pattern(node.at("pattern"));
    step.content = node.at("content").get<std::string>();
  } else if (type == "ByteFallback") {
    step.kind = DecodeStep::kByteFallback;
  } else if (type == "Fuse") {
    step.kind = DecodeStep::kFuse;
  } else if (type == "Strip") {
    step.kind = DecodeStep::kStrip;
    step.content = node.at("content").get<std::string>();
    step.start = node.value("start", size_t{0});
    step.stop = node.value("stop", size_t{0});
  } else if (type == "Metaspace") {
    step.kind = DecodeStep::kMetaspace;
    step.pattern = node.value("replacement", "\xE2\x96\x81");
    step.prepend = prepend_scheme(
        node, [&](const std::string& what) { fail("decoder.prepend_scheme", what); });
  } else {
    fail("decoder.type", "unsupported '" + type +
                             "' (known: ByteLevel, Replace, ByteFallback, Fuse, Strip, Metaspace, "
                             "Sequence)");
  }
  decoders.push_back(std::move(step));
}

void Tokenizer::Impl::add_token(const std::string& token, int64_t id) {
  if (id < 0 || id > INT32_MAX) fail("model.vocab", "id out of range for '" + token + "'");
  auto n = static_cast<size_t>(id) + 1;
  if (tokens.size() < n) {
    tokens.resize(n);
    token_bytes.resize(n);
    is_added.resize(n, false);
    is_special.resize(n, false);
  }
  vocab[token] = id;
  tokens[id] = token;
}

void Tokenizer::Impl::load_model(const json& model) {
  std::string type = model.value("type", "BPE");
  if (type != "BPE") fail("model.type", "unsupported '" + type + "' (known: BPE)");
  if (model.value("continuing_subword_prefix", json()).is_string() &&
      !model["continuing_subword_prefix"].get<std::string>().empty()) {
    fail("model.continuing_subword_prefix", "must be empty for byte-level BPE");
  }
  // SentencePiece-style tokenizer.json (Llama 2, Mistral): pieces are characters with '▁' for
  // spaces, not GPT-2's byte map; HF marks them by byte fallback or a non-ByteLevel decoder.
  byte_fallback = model.value("byte_fallback", false);
  fuse_unk = model.value("fuse_unk", false);
  char_level = byte_fallback || !decoders.empty() ||
               std::any_of(pre_steps.begin(), pre_steps.end(),
                           [](const PreStep& s) { return s.kind == PreStep::kMetaspace; });
  std::unordered_map<char32_t, int> unicode_to_byte;
  for (int b = 0; b < 256; ++b) unicode_to_byte[byte_to_unicode()[b]] = b;
  for (const auto& [token, id] : model.at("vocab").items()) {
    add_token(token, id.get<int64_t>());
    if (char_level) continue;
    std::string bytes;
    for (char32_t cp : detail::decode_utf8(token)) {
      auto it = unicode_to_byte.find(cp);
      if (it == unicode_to_byte.end()) fail("model.vocab", "'" + token + "' is not byte-level");
      bytes += static_cast<char>(it->second);
    }
    token_bytes[id.get<int64_t>()] = bytes;
  }
  byte_ids.fill(-1);
  for (int b = 0; b < 256; ++b) {
    std::string ch;
    if (char_level) {
      std::array<char, 8> name{};
      std::snprintf(name.data(), name.size(), "<0x%02X>", b);
      ch = name.data();
    } else {
      detail::append_utf8(ch, byte_to_unicode()[b]);
    }
    if (auto it = vocab.find(ch); it != vocab.end()) byte_ids[b] = it->second;
  }
  const json& list = model.at("merges");
  merges.reserve(list.size());
  for (size_t rank = 0; rank < list.size(); ++rank) {
    std::string left, right;
    if (list[rank].is_string()) {
      std::string s = list[rank].get<std::string>();
      size_t space = s.find(' ');
      if (space == std::string::npos) fail("model.merges", "entry " + std::to_string(rank));
      left = s.substr(0, space);
      right = s.substr(space + 1);
    } else {
      left = list[rank].at(0).get<std::string>();
      right = list[rank].at(1).get<std::string>();
    }
    auto a = vocab.find(left), b = vocab.find(right), m = vocab.find(left + right);
    if (a == vocab.end() || b == vocab.end() || m == vocab.end()) {
      fail("model.merges", "entry " + std::to_string(rank) + " names tokens not in the vocab");
    }
    // The first (best-ranked) entry of a pair wins, as in HF's map built from the list.
    merges.emplace(pair_key(a->second, b->second),
                   std::make_pair(static_cast<int32_t>(rank), m->second));
  }
  ignore_merges = model.value("ignore_merges", false);
  if (model.contains("unk_token") && model["unk_token"].is_string()) {
    if (auto it = vocab.find(model["unk_token"].get<std::string>()); it != vocab.end()) {
      unk_id = it->second;
    }
  }
}

void Tokenizer::Impl::load_added(const json& list) {
  for (const auto& node : list) {
    AddedToken t;
    t.id = node.at("id").get<int64_t>();
    t.content = node.at("content").get<std::string>();
    t.special = node.value("special", false);
    t.lstrip = node.value("lstrip", false);
    t.rstrip = node.value("rstrip", false);
    t.single_word = node.value("single_word", false);
    if (t.content.empty()) fail("added_tokens", "empty content for id " + std::to_string(t.id));
    add_token(t.content, t.id);
    token_bytes[t.id] = t.content;
    is_added[t.id] = true;
    is_special[t.id] = t.special;
    split_added.push_back(added.size());
    added.push_back(std::move(t));
  }
}

void Tokenizer::Impl::load_post_processor(const json& node) {
  if (node.is_null()) return;
  std::string type = node.value("type", "");
  if (type == "Sequence") {
    for (const auto& child : node.at("processors")) load_post_processor(child);
  } else if (type == "TemplateProcessing") {
    single_template.clear();
    for (const auto& item : node.at("single")) {
      if (item.contains("Sequence")) {
        single_template.push_back({});
      } else {
        std::string name = item.at("SpecialToken").at("id").get<std::string>();
        const json& ids = node.at("special_tokens").at(name).at("ids");
        single_template.push_back({ids.get<std::vector<int64_t>>()});
      }
    }
  } else if (type != "ByteLevel") {
    fail("post_processor.type",
         "unsupported '" + type + "' (known: ByteLevel, TemplateProcessing, Sequence)");
  }
}

std::vector<std::string> Tokenizer::Impl::pre_tokenize(std::string text, bool at_start) const {
  std::vector<std::string> pieces{std::move(text)};
  for (const PreStep& step : pre_steps) {
    std::vector<std::string> next;
    for (size_t k = 0; k < pieces.size(); ++k) {
      std::string& piece = pieces[k];
      if (step.kind == PreStep::kMetaspace) {
        // HF's Metaspace: spaces become the replacement; the prefix is not doubled when the
        // piece already starts with one, and "first" only prefixes the start of the input.
        replace_all(piece, " ", step.replacement);
        const bool prefix = step.prepend == Prepend::kAlways ||
                            (step.prepend == Prepend::kFirst && at_start && k == 0);
        if (prefix && piece.compare(0, step.replacement.size(), step.replacement) != 0) {
          piece.insert(0, step.replacement);
        }
        if (!step.split) {
          next.push_back(std::move(piece));
          continue;
        }
        // MergedWithNext: a new piece begins at every replacement.
        size_t begin = 0;
        for (size_t pos = piece.find(step.replacement, 1); pos != std::string::npos;
             pos = piece.find(step.replacement, pos + 1)) {
          next.push_back(piece.substr(begin, pos - begin));
          begin = pos;
        }
        if (begin < piece.size()) next.push_back(piece.substr(begin));
        continue;
      }
      if (step.add_prefix_space && !piece.empty() && piece[0] != ' ') piece.insert(0, " ");
      if (!step.regex) {
        next.push_back(std::move(piece));
        continue;
      }
      size_t last = 0;
      for (auto [begin, end] : step.regex->find_all(piece)) {
        if (begin > last) next.push_back(piece.substr(last, begin - last));
        if (!step.remove_matches) next.push_back(piece.substr(begin, end - begin));
        last = end;
      }
      if (last < piece.size()) next.push_back(piece.substr(last));
    }
    pieces = std::move(next);
  }
  return pieces;
}

void Tokenizer::Impl::merge(std::vector<int64_t>& symbols) const {
  // HF's Word::merge_all: the pair of lowest rank first, the leftmost among equal ranks, with a
  // heap and a linked list so long words (a whole Llama 2 prompt is one word) stay O(n log n).
  struct Node {
    int64_t id;
    int prev, next;
    bool alive;
  };
  struct Candidate {
    int32_t rank;
    int pos;
    int64_t id;
  };
  auto later = [](const Candidate& a, const Candidate& b) {
    return a.rank != b.rank ? a.rank > b.rank : a.pos > b.pos;
  };
  std::priority_queue<Candidate, std::vector<Candidate>, decltype(later)> queue(later);
  const int n = static_cast<int>(symbols.size());
  std::vector<Node> nodes(symbols.size());
  for (int i = 0; i < n; ++i) nodes[i] = {symbols[i], i - 1, i + 1 < n ? i + 1 : -1, true};
  auto push = [&](int pos) {
    const int next = nodes[pos].next;
    if (next < 0) return;
    if (auto it = merges.find(pair_key(nodes[pos].id, nodes[next].id)); it != merges.end()) {
      queue.push({it->second.first, pos, it->second.second});
    }
  };
  for (int i = 0; i + 1 < n; ++i) push(i);
  while (!queue.empty()) {
    const Candidate top = queue.top();
    queue.pop();
    Node& left = nodes[top.pos];
    if (!left.alive || left.next < 0) continue;
    Node& right = nodes[left.next];
    auto it = merges.find(pair_key(left.id, right.id));
    if (it == merges.end() || it->second.second != top.id) continue;  // a stale entry
    left.id = top.id;
    right.alive = false;
    left.next = right.next;
    if (right.next >= 0) nodes[right.next].prev = top.pos;
    if (left.prev >= 0) push(left.prev);
    push(top.pos);
  }
  symbols.clear();
  for (int i = 0; i >= 0 && i < n; i = nodes[i].next) symbols.push_back(nodes[i].id);
}

void Tokenizer::Impl::bpe(std::string_view piece, std::vector<int64_t>& out) const {
  if (char_level) return char_bpe(piece, out);
  if (ignore_merges) {
    std::string mapped;
    for (unsigned char c : piece) detail::append_utf8(mapped, byte_to_unicode()[c]);
    if (auto it = vocab.find(mapped); it != vocab.end()) {
      out.push_back(it->second);
      return;
    }
  }
  std::vector<int64_t> symbols;
  symbols.reserve(piece.size());
  for (unsigned char c : piece) {
    int64_t id = byte_ids[c] >= 0 ? byte_ids[c] : unk_id.value_or(-1);
    if (id < 0) throw DataError(origin + ": byte " + std::to_string(c) + " has no token");
    symbols.push_back(id);
  }
  merge(symbols);
  out.insert(out.end(), symbols.begin(), symbols.end());
}

void Tokenizer::Impl::char_bpe(std::string_view piece, std::vector<int64_t>& out) const {
  if (ignore_merges) {
    if (auto it = vocab.find(std::string(piece)); it != vocab.end()) {
      out.push_back(it->second);
      return;
    }
  }
  // HF's BPE::merge_word: a character in the vocabulary is a symbol; else its UTF-8 bytes as
  // <0xAB> pieces (byte_fallback), else unk (consecutive unknowns fused into one with fuse_unk).
  std::vector<int64_t> symbols;
  bool last_unknown = false;
  for (size_t pos = 0; pos < piece.size();) {
    const size_t len =
        std::min(utf8_length(static_cast<unsigned char>(piece[pos])), piece.size() - pos);
    const std::string_view ch = piece.substr(pos, len);
    pos += len;
    if (auto it = vocab.find(std::string(ch)); it != vocab.end()) {
      symbols.push_back(it->second);
      last_unknown = false;
      continue;
    }
    if (byte_fallback && std::all_of(ch.begin(), ch.end(), [&](char c) {
          return byte_ids[static_cast<unsigned char>(c)] >= 0;
        })) {
      for (char c : ch) symbols.push_back(byte_ids[static_cast<unsigned char>(c)]);
      last_unknown = false;
      continue;
    }
    if (!unk_id) {
      throw DataError(origin + ": '" + std::string(ch) +
                      "' has no token and the model no unk_token");
    }
    if (!(fuse_unk && last_unknown)) symbols.push_back(*unk_id);
    last_unknown = true;
  }
  merge(symbols);
  out.insert(out.end(), symbols.begin(), symbols.end());
}

void Tokenizer::Impl::encode_text(std::string_view text, bool at_start,
                                  std::vector<int64_t>& out) const {
  if (text.empty()) return;
  std::string normalized = detail::sanitize_utf8(text);
  for (const NormStep& step : normalizers) {
    if (step.kind == NormStep::kForm) {
      normalized = detail::normalize(normalized, step.form);
    } else if (step.kind == NormStep::kPrepend) {
      if (!normalized.empty()) normalized.insert(0, step.text);
    } else if (!step.regex) {
      replace_all(normalized, step.text, step.content);
    } else {
      std::string replaced;
      size_t last = 0;
      for (auto [begin, end] : step.regex->find_all(normalized)) {
        replaced.append(normalized, last, begin - last).append(step.content);
        last = end;
      }
      normalized = replaced + normalized.substr(last);
    }
  }
  for (const std::string& piece : pre_tokenize(std::move(normalized), at_start)) bpe(piece, out);
}

std::string Tokenizer::Impl::char_decode(std::span<const int64_t> ids, bool skip_special) const {
  // HF's decode: tokens as stored (special ones dropped if asked), then the decoder chain.
  std::vector<std::string> parts;
  for (int64_t id : ids) {
    if (!(skip_special && is_special[id])) parts.push_back(tokens[id]);
  }
  for (const DecodeStep& step : decoders) {
    switch (step.kind) {
      case DecodeStep::kReplace:
        for (auto& p : parts) replace_all(p, step.pattern, step.content);
        break;
      case DecodeStep::kByteFallback: {
        std::vector<std::string> next;
        std::string bytes;
        size_t count = 0;
        auto flush = [&] {
          if (count == 0) return;
          // Invalid UTF-8 becomes one U+FFFD per byte piece, as HF's ByteFallback does.
          if (detail::sanitize_utf8(bytes) == bytes) {
            next.push_back(bytes);
          } else {
            for (size_t i = 0; i < count; ++i) next.emplace_back("\xEF\xBF\xBD");
          }
          bytes.clear();
          count = 0;
        };
        for (auto& p : parts) {
          if (const int b = fallback_byte(p); b >= 0) {
            bytes += static_cast<char>(b);
            ++count;
          } else {
            flush();
            next.push_back(std::move(p));
          }
        }
        flush();
        parts = std::move(next);
        break;
      }
      case DecodeStep::kFuse: {
        std::string all;
        for (const auto& p : parts) all += p;
        parts.assign(1, all);
        break;
      }
      case DecodeStep::kStrip:
        for (auto& p : parts) {
          size_t begin = 0, end = p.size();
          for (size_t i = 0;
               i < step.start && p.compare(begin, step.content.size(), step.content) == 0; ++i) {
            begin += step.content.size();
          }
          for (size_t i = 0;
               i < step.stop && end >= begin + step.content.size() &&
               p.compare(end - step.content.size(), step.content.size(), step.content) == 0;
               ++i) {
            end -= step.content.size();
          }
          p = p.substr(begin, end - begin);
        }
        break;
      case DecodeStep::kMetaspace:
        // HF drops every replacement of the first token (the prefix it added) unless "never".
        for (size_t i = 0; i < parts.size(); ++i) {
          replace_all(parts[i], step.pattern, i == 0 && step.prepend != Prepend::kNever ? "" : " ");
        }
        break;
    }
  }
  std::string text;
  for (const auto& p : parts) text += p;
  return detail::sanitize_utf8(text);
}

size_t Tokenizer::Impl::find_added(std::string_view text, size_t from, size_t& begin,
                                   size_t& end) const {
  if (split_added.empty()) return SIZE_MAX;
  for (size_t i = from; i < text.size(); ++i) {
    size_t best = SIZE_MAX, best_len = 0;
    for (size_t k : split_added) {
      const AddedToken& t = added[k];
      if (t.content.size() <= best_len || text.compare(i, t.content.size(), t.content) != 0) {
        continue;
      }
      size_t stop = i + t.content.size();
      if (t.single_word && ((i > 0 && is_word_byte(text[i - 1])) ||
                            (stop < text.size() && is_word_byte(text[stop])))) {
        continue;
      }
      best = k;
      best_len = t.content.size();
    }
    if (best == SIZE_MAX) continue;
    begin = i;
    end = i + best_len;
    if (added[best].lstrip) {
      while (begin > from && is_space(text[begin - 1])) --begin;
    }
    if (added[best].rstrip) {
      while (end < text.size() && is_space(text[end])) ++end;
    }
    return best;
  }
  return SIZE_MAX;
}

void Tokenizer::Impl::load_sentencepiece(std::string_view model_proto) {
  sp_api = &detail::sentencepiece_api();
  RecbenchSpModel* model = sp_api->load(model_proto.data(), model_proto.size());
  if (model == nullptr) {
    fail("(file)", std::string("expected a SentencePiece model or a tokenizer.json (SentencePiece "
                               "says: ") +
                       sp_api->last_error() + ")");
  }
  sp = std::shared_ptr<RecbenchSpModel>(model, SpModelDeleter{sp_api});
  const int32_t n = sp_api->piece_count(model);
  for (int32_t id = 0; id < n; ++id) {
    size_t size = 0;
    const char* piece = sp_api->piece(model, id, &size);
    add_token(std::string(piece, size), id);
    const int32_t type = sp_api->type(model, id);
    const bool special = type == kRecbenchSpControl || type == kRecbenchSpUnknown;
    is_special[id] = special;
    // User-defined pieces are matched verbatim in the text by SentencePiece itself, like HF's
    // added tokens; listing them keeps added_tokens() meaningful for both backends.
    if (special || type == kRecbenchSpUserDefined) {
      is_added[id] = true;
      added.push_back({.id = id, .content = tokens[id], .special = special});
    }
  }
  bos_id = sp_api->bos_id(model);
}

void Tokenizer::Impl::sp_encode(std::string_view text, std::vector<int64_t>& out) const {
  const std::string valid = detail::sanitize_utf8(text);
  auto sink = [](void* context, const int32_t* ids, size_t count) {
    static_cast<std::vector<int64_t>*>(context)->insert(
        static_cast<std::vector<int64_t>*>(context)->end(), ids, ids + count);
  };
  if (sp_api->encode(sp.get(), valid.data(), valid.size(), sink, &out) != 0) {
    throw DataError(origin + ": SentencePiece encode failed (" + sp_api->last_error() + ")");
  }
}

std::string Tokenizer::Impl::sp_decode(std::span<const int64_t> ids, bool skip_special) const {
  // SentencePiece drops control pieces (<s>, </s>); HF's decode writes them unless skipped, so
  // runs of ordinary ids go through SentencePiece and special ids are written as their text.
  std::string text;
  std::vector<int32_t> run;
  auto sink = [](void* context, const char* bytes, size_t size) {
    static_cast<std::string*>(context)->append(bytes, size);
  };
  auto flush = [&] {
    if (run.empty()) return;
    if (sp_api->decode(sp.get(), run.data(), run.size(), sink, &text) != 0) {
      throw DataError(origin + ": SentencePiece decode failed (" + sp_api->last_error() + ")");
    }
    run.clear();
  };
  for (int64_t id : ids) {
    if (!is_special[id]) {
      run.push_back(static_cast<int32_t>(id));
    } else if (!skip_special) {
      flush();
      text += tokens[id];
    }
  }
  flush();
  return detail::sanitize_utf8(text);
}

Tokenizer::Tokenizer(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

Tokenizer Tokenizer::from_json(std::string_view json_text, const std::string& origin) {
  auto impl = std::make_shared<Impl>();
  impl->origin = origin;
  try {
    impl->load(json::parse(json_text));
  } catch (const json::exception& e) {
    throw ConfigError(origin + ": invalid tokenizer.json (" + e.what() + ")");
  }
  return Tokenizer(std::move(impl));
}

Tokenizer Tokenizer::from_sentencepiece(std::string_view model_proto, const std::string& origin) {
  auto impl = std::make_shared<Impl>();
  impl->origin = origin;
  impl->load_sentencepiece(model_proto);
  return Tokenizer(std::move(impl));
}

Tokenizer Tokenizer::from_bytes(std::string_view data, const std::string& origin) {
  const size_t first = data.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && data[first] == '{') return from_json(data, origin);
  return from_sentencepiece(data, origin);
}

Tokenizer Tokenizer::from_file(const std::filesystem::path& path) {
  if (path.extension() == ".model") return from_sentencepiece(read_text_file(path), path.string());
  return from_bytes(read_text_file(path), path.string());
}

Tokenizer Tokenizer::with_special_token(const std::string& content, int64_t id) const {
  if (content.empty()) throw ConfigError(impl_->origin + ": an added token must not be empty");
  if (id < 0 || id >= vocab_size()) {
    throw ConfigError(impl_->origin + ": added token '" + content + "' has id " +
                      std::to_string(id) + ", outside [0, " + std::to_string(vocab_size()) + ")");
  }
  auto impl = std::make_shared<Impl>(*impl_);  // regexes and the SentencePiece model are shared
  impl->vocab.try_emplace(content, id);
  impl->split_added.push_back(impl->added.size());
  impl->added.push_back({.id = id, .content = content, .special = true});
  return Tokenizer(std::move(impl));
}

std::vector<int64_t> Tokenizer::encode(std::string_view text, bool add_special_tokens) const {
  std::vector<int64_t> ids;
  auto encode_part = [&](std::string_view part, bool at_start) {
    if (impl_->sp) {
      // SentencePiece adds its dummy prefix to every call, as HF's legacy Llama tokenizer.json
      // (Prepend normalizer) does to every part between added tokens.
      if (!part.empty()) impl_->sp_encode(part, ids);
    } else {
      impl_->encode_text(part, at_start, ids);
    }
  };
  size_t pos = 0;
  while (pos < text.size()) {
    size_t begin = 0, end = 0;
    size_t k = impl_->find_added(text, pos, begin, end);
    if (k == SIZE_MAX) break;
    encode_part(text.substr(pos, begin - pos), pos == 0);
    ids.push_back(impl_->added[k].id);
    pos = end;
  }
  encode_part(text.substr(std::min(pos, text.size())), pos == 0);
  if (impl_->sp) {
    if (add_special_tokens && impl_->bos_id >= 0) ids.insert(ids.begin(), impl_->bos_id);
    return ids;
  }
  if (!add_special_tokens || impl_->single_template.empty()) return ids;
  std::vector<int64_t> out;
  for (const TemplateItem& item : impl_->single_template) {
    const auto& part = item.ids.empty() ? ids : item.ids;
    out.insert(out.end(), part.begin(), part.end());
  }
  return out;
}

std::string Tokenizer::decode(std::span<const int64_t> ids, bool skip_special) const {
  for (int64_t id : ids) {
    if (id < 0 || id >= vocab_size()) {
      throw DataError(impl_->origin + ": token id " + std::to_string(id) + " out of range [0, " +
                      std::to_string(vocab_size()) + ")");
    }
  }
  if (impl_->sp) return impl_->sp_decode(ids, skip_special);
  if (impl_->char_level) return impl_->char_decode(ids, skip_special);
  std::string bytes;
  for (int64_t id : ids) {
    if (skip_special && impl_->is_special[id]) continue;
    bytes += impl_->token_bytes[id];
  }
  return detail::sanitize_utf8(bytes);
}

int64_t Tokenizer::vocab_size() const { return static_cast<int64_t>(impl_->tokens.size()); }

std::optional<int64_t> Tokenizer::token_to_id(std::string_view token) const {
  auto it = impl_->vocab.find(std::string(token));
  if (it == impl_->vocab.end()) return std::nullopt;
  return it->second;
}

const std::string& Tokenizer::id_to_token(int64_t id) const {
  if (id < 0 || id >= vocab_size()) {
    throw DataError(impl_->origin + ": token id " + std::to_string(id) + " out of range");
  }
  return impl_->tokens[id];
}

const std::vector<AddedToken>& Tokenizer::added_tokens() const { return impl_->added; }

bool Tokenizer::is_sentencepiece() const { return impl_->sp != nullptr; }

const char* Tokenizer::file_name() const {
  return impl_->sp ? "tokenizer.model" : "tokenizer.json";
}

const std::vector<char32_t>& byte_to_unicode() {
  static const std::vector<char32_t> table = [] {
    std::vector<char32_t> t(256, 0);
    char32_t next = 256;
    for (int b = 0; b < 256; ++b) {
      bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
      t[b] = printable ? static_cast<char32_t>(b) : next++;
    }
    return t;
  }();
  return table;
}

std::string read_text_file(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) throw DataError(path.string() + ": file not found");
  if (path.extension() == ".gz") return gz_read(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError(path.string() + ": cannot open");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void write_text_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw Error(path.string() + ": cannot write");
}

}  // namespace recbench::llm
