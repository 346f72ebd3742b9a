// Text helpers of the readers: Latin-1 conversion, UTF-8 validation and ISO dates.
#include <gtest/gtest.h>

#include "recbench/core/readers/readers.h"

namespace recbench::readers {
namespace {

TEST(TextCodec, Latin1BecomesUtf8) {
  EXPECT_EQ(latin1_to_utf8("Mis\xe9rables \xff"), "Mis\xc3\xa9rables \xc3\xbf");
  EXPECT_EQ(latin1_to_utf8("plain"), "plain");
}

TEST(TextCodec, Utf8Validation) {
  EXPECT_TRUE(is_valid_utf8("Am\xc3\xa9lie \xf0\x9f\x98\x80"));
  EXPECT_FALSE(is_valid_utf8("Caf\xe9"));           // Latin-1 byte
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));      // surrogate U+D800
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xe2\x80"));          // cut short
}

TEST(TextCodec, IsoDates) {
  EXPECT_EQ(parse_iso_date("1970-01-01"), 0);
  EXPECT_EQ(parse_iso_date("2017-12-17"), 1513468800);
  EXPECT_EQ(parse_iso_date("2000-02-29"), 951782400);
  EXPECT_EQ(parse_iso_date("2017-02-29"), std::nullopt);
  EXPECT_EQ(parse_iso_date("2017-13-01"), std::nullopt);
  EXPECT_EQ(parse_iso_date("2017-1-01"), std::nullopt);
  EXPECT_EQ(parse_iso_date("Posted November 5, 2011."), std::nullopt);
}

}  // namespace
}  // namespace recbench::readers
