// LineReader and parsing helpers: gzip, CRLF, long lines, last line without newline, numbers.
#include <gtest/gtest.h>
#include <zlib.h>

#include "data_test_util.h"
#include "recbench/core/readers/line_reader.h"

namespace recbench {
namespace {

using test::TempDir;

std::vector<std::string> all_lines(const std::filesystem::path& path) {
  LineReader in(path);
  std::vector<std::string> lines;
  std::string_view line;
  while (in.next(line)) {
    lines.emplace_back(line);
    EXPECT_EQ(in.line_number(), static_cast<int64_t>(lines.size()));
  }
  return lines;
}

TEST(LineReader, PlainFileWithCrlfBomAndNoFinalNewline) {
  TempDir dir;
  auto path = dir.write("a.txt", "\xEF\xBB\xBFone\r\ntwo\n\nthree");
  EXPECT_EQ(all_lines(path), (std::vector<std::string>{"one", "two", "", "three"}));
}

TEST(LineReader, GzipFileAndLinesLongerThanAChunk) {
  TempDir dir;
  const std::string long_line(200'000, 'x');
  const std::string text = "first\n" + long_line + "\nlast\n";
  const auto path = dir.path() / "b.txt.gz";
  gzFile gz = gzopen(path.c_str(), "wb");
  ASSERT_NE(gz, nullptr);
  gzwrite(gz, text.data(), static_cast<unsigned>(text.size()));
  gzclose(gz);
  EXPECT_EQ(all_lines(path), (std::vector<std::string>{"first", long_line, "last"}));
}

TEST(LineReader, MissingFileAndWhere) {
  TempDir dir;
  auto msg = test::error_of<DataError>([&] { LineReader in(dir.path() / "none.txt"); });
  EXPECT_NE(msg.find("none.txt: cannot open"), std::string::npos) << msg;
  LineReader in(dir.write("c.txt", "a\nb\n"));
  std::string_view line;
  in.next(line);
  in.next(line);
  EXPECT_EQ(in.where(), (dir.path() / "c.txt").string() + ":2");
}

TEST(LineReader, FieldsWordsAndNumbers) {
  std::vector<std::string_view> f;
  split_fields("a\t\tb\t", '\t', f);
  EXPECT_EQ(f, (std::vector<std::string_view>{"a", "", "b", ""}));
  split_words("  Toy   Story \t", f);
  EXPECT_EQ(f, (std::vector<std::string_view>{"Toy", "Story"}));
  EXPECT_EQ(parse_int(" 42 "), 42);
  EXPECT_FALSE(parse_int("4.2"));
  EXPECT_FALSE(parse_int(""));
  EXPECT_EQ(parse_double("-2.5e1"), -25.0);
  EXPECT_FALSE(parse_double("nan"));
  EXPECT_FALSE(parse_double("1.5x"));
  EXPECT_EQ(parse_timestamp("881250950.0"), 881250950);
  EXPECT_EQ(parse_timestamp("1e9"), 1'000'000'000);
  EXPECT_EQ(parse_timestamp("9007199254740993"), 9007199254740993);  // exact beyond 2^53
  EXPECT_FALSE(parse_timestamp("soon"));
  EXPECT_FALSE(parse_timestamp("1e30"));
}

TEST(LineReader, MalformedLinesFailOrCount) {
  TempDir dir;
  LineReader in(dir.write("d.txt", "x\n"));
  std::string_view line;
  in.next(line);
  Recipe recipe;
  ReadStats stats;
  MalformedLines fail(recipe, stats);
  auto msg = test::error_of<DataError>([&] { fail.report(in, "bad thing"); });
  EXPECT_NE(msg.find("d.txt:1: bad thing"), std::string::npos) << msg;
  recipe.on_error = "skip";
  MalformedLines skip(recipe, stats);
  for (size_t i = 0; i < ReadStats::kMaxMessages + 5; ++i) {
    skip.report(in, "bad");
  }
  EXPECT_EQ(stats.skipped, static_cast<int64_t>(ReadStats::kMaxMessages + 5));
  EXPECT_EQ(stats.messages.size(), ReadStats::kMaxMessages);
}

}  // namespace
}  // namespace recbench
