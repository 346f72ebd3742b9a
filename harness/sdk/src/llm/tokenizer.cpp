// Byte-level BPE tokenizer read from a Hugging Face tokenizer.json: load, encode, decode.
#include "recbench/llm/tokenizer.h"

#include <zlib.h>

#include <array>
#include <climits>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unordered_map>

#include "recbench/error.h"
#include "text_regex.h"

namespace recbench::llm {

using json = nlohmann::json;
using detail::Regex;

namespace {

constexpr const char* kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

//! One pre-tokenizer step: a regex split, or ByteLevel (optional prefix space and GPT-2 regex).
struct PreStep {
  std::unique_ptr<Regex> regex;   //!< null for a ByteLevel step without its regex
  bool byte_level = false;        //!< ByteLevel step (else Split)
  bool remove_matches = false;    //!< Split "Removed": matches are dropped, gaps kept
  bool add_prefix_space = false;  //!< ByteLevel: prepend ' ' when the piece does not start with one
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

}  // namespace

struct Tokenizer::Impl {
  std::string origin;                              //!< file name for messages
  std::vector<detail::NormalForm> normal_forms;    //!< applied in order
  std::vector<PreStep> pre_steps;                  //!< applied in order
  std::unordered_map<std::string, int64_t> vocab;  //!< token string -> id (incl. added)
  std::vector<std::string> tokens;                 //!< id -> token string
  std::vector<std::string> token_bytes;            //!< id -> decoded bytes
  std::vector<bool> is_added;                      //!< id -> is an added token
  std::vector<bool> is_special;                    //!< id -> is a special added token
  std::array<int64_t, 256> byte_ids{};             //!< id of each single byte (-1: none)
  std::unordered_map<uint64_t, std::pair<int32_t, int64_t>> merges;  //!< pair -> rank, merged
  bool ignore_merges = false;                 //!< whole-word vocab hit skips merges
  std::optional<int64_t> unk_id;              //!< BPE unk_token, if any
  std::vector<AddedToken> added;              //!< added tokens in file order
  std::vector<TemplateItem> single_template;  //!< post-processor template, if any

  void load(const json& root);
  void load_normalizer(const json& node);
  void load_pre_tokenizer(const json& node);
  void load_model(const json& model);
  void load_added(const json& list);
  void load_post_processor(const json& node);
  void add_token(const std::string& token, int64_t id);

  void bpe(std::string_view piece, std::vector<int64_t>& out) const;
  std::vector<std::string> pre_tokenize(std::string text) const;
  void encode_text(std::string_view text, std::vector<int64_t>& out) const;
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
  load_model(root["model"]);
  if (root.contains("added_tokens")) load_added(root["added_tokens"]);
  if (root.contains("post_processor")) load_post_processor(root["post_processor"]);
  if (root.contains("decoder") && !root["decoder"].is_null()) {
    std::string type = root["decoder"].value("type", "");
    if (type != "ByteLevel") fail("decoder.type", "unsupported '" + type + "' (known: ByteLevel)");
  }
}

void Tokenizer::Impl::load_normalizer(const json& node) {
  if (node.is_null()) return;
  std::string type = node.value("type", "");
  if (type == "Sequence") {
    for (const auto& child : node.at("normalizers")) load_normalizer(child);
  } else if (type == "NFC") {
    normal_forms.push_back(detail::NormalForm::kNfc);
  } else if (type == "NFKC") {
    normal_forms.push_back(detail::NormalForm::kNfkc);
  } else {
    fail("normalizer.type", "unsupported '" + type + "' (known: NFC, NFKC, Sequence)");
  }
}

void Tokenizer::Impl::load_pre_tokenizer(const json& node) {
  if (node.is_null()) return;
  std::string type = node.value("type", "");
  PreStep step;
  if (type == "Sequence") {
    for (const auto& child : node.at("pretokenizers")) load_pre_tokenizer(child);
    return;
  } else if (type == "ByteLevel") {
    step.byte_level = true;
    step.add_prefix_space = node.value("add_prefix_space", false);
    if (node.value("use_regex", true)) step.regex = std::make_unique<Regex>(kGpt2Pattern, origin);
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
    step.regex = std::make_unique<Regex>(regex, origin + ": pre_tokenizer.pattern");
    step.remove_matches = behavior == "Removed";
  } else {
    fail("pre_tokenizer.type", "unsupported '" + type + "' (known: ByteLevel, Split, Sequence)");
  }
  pre_steps.push_back(std::move(step));
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
  std::unordered_map<char32_t, int> unicode_to_byte;
  for (int b = 0; b < 256; ++b) unicode_to_byte[byte_to_unicode()[b]] = b;
  for (const auto& [token, id] : model.at("vocab").items()) {
    add_token(token, id.get<int64_t>());
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
    detail::append_utf8(ch, byte_to_unicode()[b]);
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

std::vector<std::string> Tokenizer::Impl::pre_tokenize(std::string text) const {
  std::vector<std::string> pieces{std::move(text)};
  for (const PreStep& step : pre_steps) {
    std::vector<std::string> next;
    for (std::string& piece : pieces) {
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

void Tokenizer::Impl::bpe(std::string_view piece, std::vector<int64_t>& out) const {
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
  while (symbols.size() > 1) {
    int32_t best_rank = INT32_MAX;
    size_t best_pos = 0;
    int64_t best_id = -1;
    for (size_t i = 0; i + 1 < symbols.size(); ++i) {
      auto it = merges.find(pair_key(symbols[i], symbols[i + 1]));
      if (it != merges.end() && it->second.first < best_rank) {
        best_rank = it->second.first;
        best_pos = i;
        best_id = it->second.second;
      }
    }
    if (best_id < 0) break;
    symbols[best_pos] = best_id;
    symbols.erase(symbols.begin() + static_cast<std::ptrdiff_t>(best_pos) + 1);
  }
  out.insert(out.end(), symbols.begin(), symbols.end());
}

void Tokenizer::Impl::encode_text(std::string_view text, std::vector<int64_t>& out) const {
  if (text.empty()) return;
  std::string normalized = detail::sanitize_utf8(text);
  for (auto form : normal_forms) normalized = detail::normalize(normalized, form);
  for (const std::string& piece : pre_tokenize(std::move(normalized))) bpe(piece, out);
}

size_t Tokenizer::Impl::find_added(std::string_view text, size_t from, size_t& begin,
                                   size_t& end) const {
  for (size_t i = from; i < text.size(); ++i) {
    size_t best = SIZE_MAX, best_len = 0;
    for (size_t k = 0; k < added.size(); ++k) {
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

Tokenizer Tokenizer::from_file(const std::filesystem::path& path) {
  return from_json(read_text_file(path), path.string());
}

std::vector<int64_t> Tokenizer::encode(std::string_view text, bool add_special_tokens) const {
  std::vector<int64_t> ids;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t begin = 0, end = 0;
    size_t k = impl_->find_added(text, pos, begin, end);
    if (k == SIZE_MAX) break;
    impl_->encode_text(text.substr(pos, begin - pos), ids);
    ids.push_back(impl_->added[k].id);
    pos = end;
  }
  impl_->encode_text(text.substr(std::min(pos, text.size())), ids);
  if (!add_special_tokens || impl_->single_template.empty()) return ids;
  std::vector<int64_t> out;
  for (const TemplateItem& item : impl_->single_template) {
    const auto& part = item.ids.empty() ? ids : item.ids;
    out.insert(out.end(), part.begin(), part.end());
  }
  return out;
}

std::string Tokenizer::decode(std::span<const int64_t> ids, bool skip_special) const {
  std::string bytes;
  for (int64_t id : ids) {
    if (id < 0 || id >= vocab_size()) {
      throw DataError(impl_->origin + ": token id " + std::to_string(id) + " out of range [0, " +
                      std::to_string(vocab_size()) + ")");
    }
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
