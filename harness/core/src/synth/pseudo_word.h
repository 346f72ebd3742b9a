// The synthetic generators' one word maker: two or three consonant-vowel syllables ("bodaki").
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace recbench::synth {

//! A lower-case pseudo-word drawn from `rng` (a ScaledRng: below(n) in [0, n)).
template <typename Rng>
std::string pseudo_word(Rng& rng) {
  static constexpr std::string_view kConsonants = "bdfgklmnprstvz";
  static constexpr std::string_view kVowels = "aeiou";
  std::string word;
  const auto syllables = 2 + rng.below(2);
  for (decltype(rng.below(2)) s = 0; s < syllables; ++s) {
    word += kConsonants[static_cast<size_t>(rng.below(kConsonants.size()))];
    word += kVowels[static_cast<size_t>(rng.below(kVowels.size()))];
  }
  return word;
}

}  // namespace recbench::synth
