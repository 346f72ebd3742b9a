// LLaRA's reading of generated answers: first line, strip, lower-case, exactly one substring.
#include "recbench/llm/answer_match.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace recbench::llm {
namespace {

const std::vector<std::string> kTitles{"The Beatles", "Radiohead", "Björk", "Heat"};

TEST(LlaraAnswer, OneCandidateContainedInTheAnswerIsTheAnswer) {
  EXPECT_EQ(llara_answer("  radiohead\n", kTitles), 1u);
  EXPECT_EQ(llara_answer("I would recommend THE BEATLES.", kTitles), 0u);
}

TEST(LlaraAnswer, CaseFoldingIsUnicode) { EXPECT_EQ(llara_answer("BJÖRK", kTitles), 2u); }

TEST(LlaraAnswer, OnlyTheFirstLineCounts) {
  EXPECT_EQ(llara_answer("\n  Radiohead\nThe Beatles", kTitles), 1u);
  EXPECT_FALSE(llara_answer("Nothing here\nRadiohead", kTitles));
}

TEST(LlaraAnswer, NoneOrSeveralMatchesAreInvalid) {
  EXPECT_FALSE(llara_answer("Coldplay", kTitles));
  EXPECT_FALSE(llara_answer("Radiohead or the beatles", kTitles));
  // A title inside another title's match counts as a second match, as in LLaRA ("Heat" is in
  // "Heathers").
  EXPECT_FALSE(llara_answer("heathers by radiohead", kTitles));
  EXPECT_EQ(llara_answer("Heathers", kTitles), 3u);
}

TEST(LlaraAnswer, CandidateTitlesAreStrippedToo) {
  const std::vector<std::string> padded{"  Radiohead  ", "Muse"};
  EXPECT_EQ(llara_answer("radiohead", padded), 0u);
}

}  // namespace
}  // namespace recbench::llm
