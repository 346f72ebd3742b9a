// Helpers shared by the evaluator's sources: metric names and portable random numbers.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace recbench::eval_detail {

//! The canonical spelling of a metric name (matched case-insensitively); throws ConfigError
//! listing the known names.
std::string canonical_metric(const std::string& name);
//! True for metrics computed from top-K lists (Coverage, Gini, TailShare).
bool is_list_metric(const std::string& canonical);
//! "a, b, c": for messages.
std::string join(const std::vector<std::string>& names);

//! SplitMix64 finaliser: decorrelates seeds such as (seed, example index) pairs.
inline uint64_t mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

//! A generator for one example, independent of every other example's.
inline std::mt19937_64 example_rng(uint64_t seed, uint64_t index) {
  return std::mt19937_64(mix64(mix64(seed) ^ mix64(index + 0x632be59bd9b4e019ULL)));
}

//! Uniform integer in [0, n), n >= 1. Unlike std::uniform_int_distribution (whose algorithm is
//! implementation-defined) it gives the same numbers with every standard library.
inline uint64_t uniform_below(std::mt19937_64& rng, uint64_t n) {
  const uint64_t threshold = (0 - n) % n;  // 2^64 mod n: reject the biased low values
  for (;;) {
    const uint64_t r = rng();
    if (r >= threshold) return r % n;
  }
}

//! Uniform double in [0, 1) with 53 random bits (portable, unlike generate_canonical).
inline double uniform_unit(std::mt19937_64& rng) {
  return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

}  // namespace recbench::eval_detail
