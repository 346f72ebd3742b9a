// Python dict literals (the Steam files' format) rewritten as JSON: strings, escapes, keywords.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "recbench/core/readers/readers.h"

namespace recbench::readers {
namespace {

std::string convert(std::string_view literal) {
  std::string out, error;
  EXPECT_TRUE(python_literal_to_json(literal, out, error)) << error;
  return out;
}

std::string failure(std::string_view literal) {
  std::string out, error;
  EXPECT_FALSE(python_literal_to_json(literal, out, error)) << out;
  return error;
}

TEST(PythonLiteral, KeywordsQuotesAndPrefixes) {
  EXPECT_EQ(convert("{u'a': True, 'b': False, \"c\": None, U'd': b'x'}"),
            R"({"a": true, "b": false, "c": null, "d": "x"})");
}

TEST(PythonLiteral, NumbersLongsAndNonFinite) {
  EXPECT_EQ(convert("[1, -2.5, 1e-05, 3L, nan, inf, -inf, 2.5E+20]"),
            R"([1, -2.5, 1e-05, 3, null, null, null, 2.5E+20])");
}

TEST(PythonLiteral, TuplesAndTrailingCommas) {
  EXPECT_EQ(convert("{'t': (1,), 'e': (), 'l': [1, 2, ], 'n': {'k': (1, (2,))}}"),
            R"({"t": [1], "e": [], "l": [1, 2 ], "n": {"k": [1, [2]]}})");
}

TEST(PythonLiteral, EscapesBecomeUtf8) {
  const auto json = nlohmann::json::parse(
      convert(R"({'s': 'it\'s \\ \"q\" \n\t\x41\xe9 \u2019 \U0001f600 \101', "d": "it's"})"));
  EXPECT_EQ(json["s"], "it's \\ \"q\" \n\tA\u00e9 \u2019 \U0001f600 A");
  EXPECT_EQ(json["d"], "it's");
}

TEST(PythonLiteral, SurrogatePairsJoinAndLoneSurrogatesAreReplaced) {
  const auto json = nlohmann::json::parse(convert(R"(['\ud83d\ude00', '\ud83d x'])"));
  EXPECT_EQ(json[0], "\U0001f600");
  EXPECT_EQ(json[1], "\ufffd x");
}

TEST(PythonLiteral, BytesDecodeAsUtf8ElseLatin1AndRawKeepsBackslashes) {
  const auto json = nlohmann::json::parse(convert(R"([b'caf\xc3\xa9', b'caf\xe9', r'a\nb'])"));
  EXPECT_EQ(json[0], "caf\u00e9");
  EXPECT_EQ(json[1], "caf\u00e9");
  EXPECT_EQ(json[2], "a\\nb");
}

TEST(PythonLiteral, RawUtf8AndControlCharactersAreValidJson) {
  const auto json = nlohmann::json::parse(convert("{'k': 'Bj\xc3\xb6rk \\x01 \"'}"));
  EXPECT_EQ(json["k"], "Bj\u00f6rk \x01 \"");
}

TEST(PythonLiteral, ErrorsNameTheColumnAndWhatWasExpected) {
  EXPECT_EQ(failure("{'a': 'unterminated}"),
            "unterminated string; expected a closing ' at column 7");
  EXPECT_NE(failure("{'d': datetime(2017, 1, 2)}").find("unexpected 'datetime'"),
            std::string::npos);
  EXPECT_NE(failure("{'a': '\\x4'}").find("bad \\x escape"), std::string::npos);
}

}  // namespace
}  // namespace recbench::readers
