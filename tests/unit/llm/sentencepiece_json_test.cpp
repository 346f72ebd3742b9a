// SentencePiece-style tokenizer.json (Hugging Face's conversion of Llama 2 / Mistral models:
// Prepend/Replace normalizers or Metaspace, byte-fallback BPE over characters) read by our BPE:
// ids against Debian's python3-sentencepiece on the committed tiny model and the real Llama 2.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "recbench/error.h"
#include "recbench/llm/tokenizer.h"
#include "unit/llm/sentencepiece_reference.h"

namespace recbench::llm {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::kFixtures;

const std::string kSpace = "\xE2\x96\x81";  // U+2581, SentencePiece's space

//! Whether `text` holds an added token's content (Hugging Face splits those out before the
//! model; SentencePiece encodes control pieces as characters and matches user-defined ones
//! inside the text), so the two cannot agree on it.
bool has_added_token(const Tokenizer& tok, const std::string& text) {
  for (const AddedToken& t : tok.added_tokens()) {
    if (text.find(t.content) != std::string::npos) return true;
  }
  return false;
}

//! The newer form of the same tokenizer.json: no normalizer, a Metaspace pre-tokenizer
//! (transformers' legacy=False conversion, which keeps the decoder), with `scheme` and `split`.
std::string metaspace_form(const std::string& legacy, const std::string& scheme, bool split) {
  json j = json::parse(legacy);
  const json metaspace = {
      {"type", "Metaspace"}, {"replacement", kSpace}, {"prepend_scheme", scheme}, {"split", split}};
  j["normalizer"] = nullptr;
  j["pre_tokenizer"] = metaspace;
  return j.dump();
}

std::vector<int64_t> with_bos(std::vector<int64_t> ids) {
  ids.insert(ids.begin(), 1);
  return ids;
}

const std::string& tiny_json() {
  static const std::string text = read_text_file(kFixtures / "tiny_sentencepiece_tokenizer.json");
  return text;
}

TEST(LlmSentencePieceJson, TinyModelMatchesPythonSentencePiece) {
  // The fixture is HF's conversion of tiny_sentencepiece.model
  // (sentencepiece_to_tokenizer_json.py); the ids are python3-sentencepiece's of the .model
  // (make_sentencepiece_fixture.py).
  const Tokenizer tok = Tokenizer::from_json(tiny_json(), "tiny_sentencepiece_tokenizer.json");
  EXPECT_FALSE(tok.is_sentencepiece());
  const auto expected = json::parse(read_text_file(kFixtures / "tiny_sentencepiece_expected.json"));
  size_t compared = 0;
  for (size_t i = 0; i < expected["texts"].size(); ++i) {
    const std::string text = expected["texts"][i].get<std::string>();
    const auto ids = expected["ids"][i].get<std::vector<int64_t>>();
    EXPECT_EQ(tok.decode(ids), expected["decoded"][i].get<std::string>()) << text;
    if (has_added_token(tok, text)) continue;
    ++compared;
    EXPECT_EQ(tok.encode(text), ids) << "text: " << text;
    EXPECT_EQ(tok.encode(text, /*add_special_tokens=*/true), with_bos(ids)) << text;
  }
  EXPECT_EQ(compared, 7u);  // all but the three texts with <item>, <s> or </s>
  // Byte fallback: 👍 is four <0xAB> pieces, decoded back into one character.
  const std::vector<int64_t> thumbs = {310, 0xF0 + 4, 0x9F + 4, 0x91 + 4, 0x8D + 4};
  EXPECT_EQ(tok.encode("\xF0\x9F\x91\x8D"), thumbs);
  EXPECT_EQ(tok.decode(thumbs), "\xF0\x9F\x91\x8D");
  EXPECT_EQ(tok.decode(std::vector<int64_t>{0xF0 + 4, 273}), "\xEF\xBF\xBD the");  // partial
  // Added tokens are split out as HF does: each part then gets its own '▁' (legacy Prepend).
  EXPECT_EQ(tok.encode("<s>the"), (std::vector<int64_t>{1, 273}));
}

TEST(LlmSentencePieceJson, MetaspaceFormPrependsOnceAndOnlyFirst) {
  const auto expected = json::parse(read_text_file(kFixtures / "tiny_sentencepiece_expected.json"));
  const Tokenizer legacy = Tokenizer::from_json(tiny_json(), "legacy");
  const Tokenizer first =
      Tokenizer::from_json(metaspace_form(tiny_json(), "first", false), "first");
  const Tokenizer always =
      Tokenizer::from_json(metaspace_form(tiny_json(), "always", false), "always");
  const Tokenizer split = Tokenizer::from_json(metaspace_form(tiny_json(), "first", true), "split");
  for (size_t i = 0; i < expected["texts"].size(); ++i) {
    const std::string text = expected["texts"][i].get<std::string>();
    if (has_added_token(legacy, text)) continue;
    // Metaspace does not add its '▁' to a text that starts with a space (Prepend does).
    const std::string same = text.starts_with(' ') ? text.substr(1) : text;
    EXPECT_EQ(first.encode(text), legacy.encode(same)) << text;
    EXPECT_EQ(always.encode(text), legacy.encode(same)) << text;
    // (A text starting with spaces decodes with one fewer: the decoder strips a '▁' that
    // Metaspace did not add.)
    if (!text.starts_with(' ')) {
      EXPECT_EQ(first.decode(first.encode(text)), text) << text;
    }
  }
  // "first" prefixes the start of the input only, not the part after an added token.
  // ("always" prefixes every part, as the legacy Prepend does.)
  const std::vector<int64_t> a = always.encode("rated<item>story"),
                             f = first.encode("rated<item>story");
  EXPECT_EQ(a, legacy.encode("rated<item>story"));
  EXPECT_NE(f, a);
  EXPECT_EQ(first.decode(f), "rated<item>story");
  // The Metaspace decoder: '▁' back to spaces, the first token's dropped.
  json j = json::parse(metaspace_form(tiny_json(), "first", false));
  j["decoder"] = {{"type", "Metaspace"}, {"replacement", kSpace}, {"prepend_scheme", "first"}};
  const Tokenizer decoder = Tokenizer::from_json(j.dump(), "metaspace decoder");
  EXPECT_EQ(decoder.decode(decoder.encode("the matrix 1999")), "the matrix 1999");
  // split: words are encoded apart, which on this model changes nothing for single spaces.
  EXPECT_EQ(split.encode("the matrix 1999"), legacy.encode("the matrix 1999"));
  EXPECT_EQ(split.encode("the  matrix"),
            (std::vector<int64_t>{legacy.token_to_id(kSpace + "the").value(),
                                  legacy.token_to_id(kSpace).value(),
                                  legacy.token_to_id(kSpace + "matrix").value()}));
}

TEST(LlmSentencePieceJson, BadSentencePieceKeysAreNamed) {
  json j = json::parse(metaspace_form(tiny_json(), "sometimes", false));
  try {
    Tokenizer::from_json(j.dump(), "bad.json");
    FAIL() << "an unknown prepend_scheme was accepted";
  } catch (const ConfigError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("bad.json"), std::string::npos) << what;
    EXPECT_NE(what.find("prepend_scheme"), std::string::npos) << what;
    EXPECT_NE(what.find("first"), std::string::npos) << what;
  }
  j = json::parse(tiny_json());
  j["decoder"] = {{"type", "WordPiece"}};
  EXPECT_THROW(Tokenizer::from_json(j.dump(), "bad.json"), ConfigError);
}

TEST(LlmSentencePieceJson, Llama2MatchesPythonSentencePiece) {
  const fs::path model = testing::llama2_model();
  if (!fs::exists(model)) {
    GTEST_SKIP() << "no real data: " << model.string()
                 << " (../shared/data/real from the project root) is missing";
  }
  // HF's conversion of the real model, made here so that Llama 2's tokenizer.json is never stored.
  const fs::path converted = fs::temp_directory_path() / "recbench_llama2_tokenizer.json";
  std::string why;
  const auto made =
      testing::run_reference("sentencepiece_to_tokenizer_json.py",
                             "'" + model.string() + "' '" + converted.string() + "'", why);
  if (!made) GTEST_SKIP() << why;
  ASSERT_EQ(made->second, 0) << "sentencepiece_to_tokenizer_json.py failed";
  const fs::path texts = kFixtures / "sentencepiece_texts.json";
  const auto reference = testing::run_reference(
      "sentencepiece_reference.py", "'" + model.string() + "' '" + texts.string() + "'", why);
  ASSERT_TRUE(reference && reference->second == 0) << "sentencepiece_reference.py failed";
  const json ref = json::parse(reference->first);
  const json inputs = json::parse(read_text_file(texts))["texts"];
  const std::string legacy_json = read_text_file(converted);
  fs::remove(converted);

  const Tokenizer legacy = Tokenizer::from_json(legacy_json, "llama-2 tokenizer.json");
  const Tokenizer first = Tokenizer::from_json(metaspace_form(legacy_json, "first", false), "ms");
  const Tokenizer sp = Tokenizer::from_file(model);  // module; == python in LlmSentencePiece.*
  EXPECT_EQ(legacy.encode("Hello world", true), (std::vector<int64_t>{1, 15043, 3186}));
  size_t tokens = 0, compared = 0, mismatches = 0, metaspace_mismatches = 0;
  ASSERT_EQ(ref["ids"].size(), inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    const std::string text = inputs[i].get<std::string>();
    const auto ids = ref["ids"][i].get<std::vector<int64_t>>();
    EXPECT_EQ(legacy.decode(ids), ref["decoded"][i].get<std::string>()) << text;
    if (has_added_token(legacy, text)) {
      // "<s> and </s> as plain text, <unk> too": HF reads them as the special tokens.
      const auto ours = legacy.encode(text);
      EXPECT_EQ(ours.front(), 1) << text;
      EXPECT_NE(std::find(ours.begin(), ours.end(), 2), ours.end()) << text;
      continue;
    }
    ++compared;
    tokens += ids.size();
    const std::vector<int64_t> ours = legacy.encode(text);
    mismatches += ours != ids;
    EXPECT_EQ(ours, ids) << "text: " << text;
    EXPECT_EQ(legacy.encode(text, true), with_bos(ids)) << text;
    const std::string same = text.starts_with(' ') ? text.substr(1) : text;
    // (A lone space is '▁' to Metaspace, and the empty text nothing to SentencePiece.)
    const std::vector<int64_t> expected = same.empty() && !text.empty()
                                              ? std::vector<int64_t>{sp.token_to_id(kSpace).value()}
                                              : sp.encode(same);
    const bool metaspace_equal = first.encode(text) == expected;
    metaspace_mismatches += !metaspace_equal;
    EXPECT_TRUE(metaspace_equal) << "Metaspace form, text: " << text;
  }
  std::printf(
      "Llama 2 tokenizer.json parity: %zu of %zu texts compared, %zu tokens, %zu "
      "mismatching texts (Metaspace form: %zu)\n",
      compared, inputs.size(), tokens, mismatches, metaspace_mismatches);
  EXPECT_EQ(compared, inputs.size() - 1);
}

}  // namespace
}  // namespace recbench::llm
